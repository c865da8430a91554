"""Personal data never leaves in full: not in reports of any format, logs or warnings."""

from __future__ import annotations

import logging

from factories import make_id_number

from pubguard import report
from pubguard.config import ScanConfig
from pubguard.scan import scan_bytes

MOBILE = "13877120456"


def test_reports_and_logs_hold_masked_values_only(caplog) -> None:
    pid = make_id_number()
    text = (
        "关于2024年度临时救助对象的公示\n"
        f"救助对象：张伟民，身份证号：{pid}，联系电话：{MOBILE}\n"
        "<!-- nothing -->\n"
    )
    caplog.set_level(logging.DEBUG)
    result = scan_bytes(text.encode("utf-8"), "gongshi.txt", ScanConfig(ocr=False))
    assert {f.rule for f in result.findings} >= {"id_card", "mobile"}
    outputs = [
        report.to_json([result]),
        report.to_sarif([result]),
        report.to_csv([result]),
        report.to_text([result]),
        caplog.text,
        "\n".join(result.warnings),
    ]
    for out in outputs:
        assert pid not in out and pid[:-1] not in out
        assert MOBILE not in out
    assert any(pid[-4:] in f.evidence for f in result.findings if f.rule == "id_card")
