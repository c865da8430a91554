"""scan: repeated problems aggregated into one finding (count + every location), JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pubguard import report
from pubguard.config import ScanConfig
from pubguard.finding import Finding, compute_fingerprint
from pubguard.scan import scan_bytes

LINE = "本店产品为全网第一品牌,欢迎选购。"  # a sensitive term and a half-width comma


def _scan(text: str):
    return scan_bytes(text.encode("utf-8"), "page.txt", ScanConfig(ocr=False))


def test_a_term_repeated_thousands_of_times_is_one_finding_with_every_location() -> None:
    text = "\n".join([LINE] * 3000) + "\n"
    result = _scan(text)
    terms = [f for f in result.findings if f.category == "sensitive_term"]
    assert len(terms) == 1
    (term,) = terms
    assert term.count == 3000 == len(term.locations)
    assert all(text[loc.start : loc.end] == "全网第一" for loc in term.locations)
    assert term.locations[0] == term.location and "全文共 3000 处" in term.message
    mixed = [f for f in result.findings if f.rule == "mixed_punctuation"]
    assert len(mixed) == 1 and mixed[0].count == 3000
    data = report.build_report([result])
    jsonschema.validate(data, report.load_schema())
    # 6,000 problems, a few findings: the report grows by one small location per occurrence
    assert len(result.findings) <= 3
    assert len(json.dumps(data, ensure_ascii=False)) < 150 * 6000


def test_aggregated_finding_keeps_the_fingerprint_of_its_first_occurrence() -> None:
    once = _scan(LINE + "\n")
    many = _scan("\n".join([LINE] * 5))
    one = next(f for f in once.findings if f.category == "sensitive_term")
    agg = next(f for f in many.findings if f.category == "sensitive_term")
    assert (
        agg.fingerprint
        == one.fingerprint
        == compute_fingerprint("sensitive_term", one.rule, one.evidence_hash, "page.txt")
    )
    assert one.count == 1 and "count" not in one.to_dict() and "locations" not in one.to_dict()


def test_count_and_locations_survive_a_json_round_trip() -> None:
    f = next(f for f in _scan("\n".join([LINE] * 4)).findings if f.category == "sensitive_term")
    back = Finding.from_dict(json.loads(json.dumps(f.to_dict())))
    assert back.count == 4 and back.locations == f.locations


def test_different_evidence_stays_separate() -> None:
    result = _scan("本店产品为全网第一品牌。\n本店产品为销量第一品牌。\n")
    terms = sorted(f.evidence for f in result.findings if f.category == "sensitive_term")
    assert len(terms) == 2 and all(f.count == 1 for f in result.findings)


def test_the_collector_is_paused_while_detectors_run_and_restored_after() -> None:
    import gc

    from pubguard import scan as scan_module

    seen: list[bool] = []
    real = scan_module.run_detectors

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    assert gc.isenabled()
    scan_module.run_detectors = spy
    try:
        with scan_module.gc_paused():  # a scan inside another (archive members) shares the pause
            assert not gc.isenabled()
            result = scan_bytes("联系人：王伟，手机：13812345678。".encode(), "a.txt", ScanConfig(ocr=False))
            assert not gc.isenabled()
        assert gc.isenabled()
        scan_bytes("各单位要高度重视。".encode(), "b.txt", ScanConfig(ocr=False))
    finally:
        scan_module.run_detectors = real
    assert seen == [False, False] and gc.isenabled()
    assert any(f.rule == "mobile" for f in result.findings)
    gc.disable()  # a host that runs without the collector keeps it off
    try:
        scan_bytes("各单位要高度重视。".encode(), "c.txt", ScanConfig(ocr=False))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_heap_is_trimmed_after_each_detector_of_a_long_text_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from pubguard import scan as scan_module
    from pubguard.detectors import detectors_for

    calls: list[int] = []
    monkeypatch.setattr(scan_module, "_release_freed_heap", lambda: calls.append(1))
    config = ScanConfig(ocr=False)
    short = scan_bytes("联系人：王伟，手机：13812345678。".encode(), "a.txt", config)
    assert calls == [] and any(f.rule == "mobile" for f in short.findings)
    monkeypatch.setattr(scan_module, "_TRIM_FROM_CHARS", 10)
    again = scan_bytes("联系人：王伟，手机：13812345678。".encode(), "a.txt", config)
    assert len(calls) == len(detectors_for(None))
    assert [f.to_dict() for f in again.findings] == [f.to_dict() for f in short.findings]
    monkeypatch.undo()
    scan_module._release_freed_heap()  # the real call (glibc's malloc_trim here) is harmless


def test_the_collector_is_paused_while_a_pdf_is_extracted() -> None:
    import gc

    import pubguard.extract as extract_module

    seen: list[bool] = []
    real = extract_module.extract

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    pdf = (Path(__file__).resolve().parent.parent / "samples" / "red_header_seal.pdf").read_bytes()
    extract_module.extract = spy
    try:
        result = scan_bytes(pdf, "red_header_seal.pdf", ScanConfig(ocr=False))
    finally:
        extract_module.extract = real
    assert seen == [False] and gc.isenabled() and result.status == "ok"
