"""Archives and embedded files: scanned member by member, with limits and named members."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile
from pathlib import Path

import jsonschema
import py7zr
import pymupdf
import pytest

from pubguard.config import Limits, ScanConfig
from pubguard.report import build_report, load_schema
from pubguard.scan import scan_bytes

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
ROSTER = "姓名,身份证号,联系电话\n张建国,110101198503124517,13912345678\n李秀英,110101199001011237,13800001111\n".encode()
CLEAN = "关于做好春季森林防火工作的通知\n请各单位落实责任，加强巡查。\n".encode()


def _zip(members: dict[str, bytes], raw_names: bool = False) -> bytes:
    """raw_names: names stored as Chinese Windows does (GBK bytes, no UTF-8 flag), written as
    ASCII placeholders of the same length and patched in the local and central headers."""
    buf = io.BytesIO()
    swaps = []
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, data) in enumerate(members.items()):
            if raw_names:
                gbk = name.encode("gbk")
                placeholder = (chr(ord("A") + i) * len(gbk)).encode()
                swaps.append((placeholder, gbk))
                name = placeholder.decode()
            zf.writestr(name, data)
    out = buf.getvalue()
    for placeholder, gbk in swaps:
        out = out.replace(placeholder, gbk)
    return out


def _rules(result) -> set[tuple[str | None, str]]:
    return {(f.location.member, f"{f.category}/{f.rule}") for f in result.findings}


def test_zip_members_are_scanned_and_named() -> None:
    pdf = (SAMPLES / "red_header_seal.pdf").read_bytes()
    data = _zip({"名单.csv": ROSTER, "通知.pdf": pdf, "说明.txt": CLEAN}, raw_names=True)
    result = scan_bytes(data, "站点/附件.zip")
    assert result.status == "ok" and result.format == "zip"
    rules = _rules(result)
    assert ("名单.csv", "personal_data/id_card") in rules
    assert ("通知.pdf", "seal/official_seal") in rules
    assert not [r for r in rules if r[0] == "说明.txt"]
    f = next(f for f in result.findings if f.location.member == "名单.csv")
    assert f.message.startswith("附件.zip!/名单.csv：")
    assert [m["path"] for m in result.members] == ["名单.csv", "通知.pdf", "说明.txt"]
    assert result.disclosure is not None and result.disclosure.suggested != "主动公开"
    report = build_report([result])
    jsonschema.validate(report, load_schema())
    assert report["files"][0]["findings"][0]["location"]["member"]
    assert "110101198503124517" not in json.dumps(report, ensure_ascii=False)


def test_nested_tar_gz_and_7z() -> None:
    inner = _zip({"名单.csv": ROSTER})
    tbuf = io.BytesIO()
    with tarfile.open(fileobj=tbuf, mode="w:gz") as tf:
        info = tarfile.TarInfo("材料/内层.zip")
        info.size = len(inner)
        tf.addfile(info, io.BytesIO(inner))
    sbuf = io.BytesIO()
    with py7zr.SevenZipFile(sbuf, "w") as z:
        z.writestr(tbuf.getvalue(), "归档.tar.gz")
        z.writestr(CLEAN, "说明.txt")
    result = scan_bytes(sbuf.getvalue(), "附件.7z")
    assert result.status == "ok" and result.format == "7z"
    assert ("归档.tar.gz!/材料/内层.zip!/名单.csv", "personal_data/id_card") in _rules(result)
    paths = [m["path"] for m in result.members]
    assert "归档.tar.gz!/材料/内层.zip!/名单.csv" in paths
    single = scan_bytes(gzip.compress(ROSTER), "名单.csv.gz")
    assert ("名单.csv", "personal_data/id_card") in _rules(single)


def test_bombs_are_refused_with_a_clear_message() -> None:
    bomb = _zip({"a.txt": CLEAN, "big.txt": b"\x00" * 30_000_000})
    result = scan_bytes(bomb, "炸弹.zip")
    big = next(m for m in result.members if m["path"] == "big.txt")
    assert big["status"] == "error" and big["error_code"] == "decompression_bomb"
    assert "压缩炸弹" in big["error"] and any("炸弹.zip!/big.txt" in w for w in result.warnings)
    # too many members, too deep
    many = _zip({f"{i}.txt": CLEAN for i in range(12)})
    config = ScanConfig(limits=Limits(max_archive_members=5, max_archive_depth=2))
    result = scan_bytes(many, "多.zip", config)
    assert sum(1 for m in result.members if m["status"] == "ok") == 5
    assert any("文件过多" in w for w in result.warnings)
    deep = _zip({"1.zip": _zip({"2.zip": _zip({"名单.csv": ROSTER})})})
    result = scan_bytes(deep, "深.zip", config)
    assert any("嵌套超过 2 层" in w for w in result.warnings)
    assert not [f for f in result.findings if f.rule == "id_card"]


def test_encrypted_members_are_reported_not_guessed() -> None:
    data = bytearray(_zip({"名单.csv": ROSTER, "说明.txt": CLEAN}))
    # set the "encrypted" flag of the first member in its local and central headers
    data[6] |= 0x01
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x01
    result = scan_bytes(bytes(data), "加密.zip")
    row = next(m for m in result.members if m["path"] == "名单.csv")
    assert row["error_code"] == "encrypted" and "不会尝试猜测密码" in row["error"]
    assert not [f for f in result.findings if f.category == "personal_data"]
    sbuf = io.BytesIO()
    with py7zr.SevenZipFile(sbuf, "w", password="secret") as z:
        z.writestr(ROSTER, "名单.csv")
    result = scan_bytes(sbuf.getvalue(), "加密.7z")
    assert result.status == "error" and result.error_code == "encrypted"


def test_broken_archive_is_an_error() -> None:
    result = scan_bytes(b"7z\xbc\xaf\x27\x1c" + b"\x00" * 64, "坏.7z")
    assert result.status == "error" and result.error_code == "corrupt"


def test_files_embedded_in_pdf_and_docx_are_members() -> None:
    pdf = pymupdf.open()
    pdf.new_page().insert_text((72, 72), "附件见内嵌文件。", fontname="china-s")
    pdf.embfile_add("名单.csv", ROSTER, filename="名单.csv")
    result = scan_bytes(pdf.tobytes(), "通知.pdf")
    assert ("名单.csv", "personal_data/id_card") in _rules(result)
    docx = (SAMPLES / "clean_policy.docx").read_bytes()
    src = zipfile.ZipFile(io.BytesIO(docx))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for item in src.infolist():
            out.writestr(item, src.read(item.filename))
        out.writestr(
            "word/embeddings/Microsoft_Excel_Worksheet1.xlsx", (SAMPLES / "subsidy_roster.xlsx").read_bytes()
        )
    result = scan_bytes(buf.getvalue(), "政策.docx")
    assert ("Microsoft_Excel_Worksheet1.xlsx", "personal_data/id_card") in _rules(result)


@pytest.mark.parametrize("fmt", ["zip", "tar"])
def test_archive_listing_for_the_review_view(fmt: str) -> None:
    from pubguard.extract import extract

    if fmt == "zip":
        data = _zip({"名单.csv": ROSTER})
    else:
        tbuf = io.BytesIO()
        with tarfile.open(fileobj=tbuf, mode="w") as tf:
            info = tarfile.TarInfo("名单.csv")
            info.size = len(ROSTER)
            tf.addfile(info, io.BytesIO(ROSTER))
        data = tbuf.getvalue()
    doc = extract(data, f"附件.{fmt}")
    assert doc.format == fmt and "名单.csv" in doc.text


def test_site_scan_reports_members_and_the_cache_keeps_them(tmp_path) -> None:
    from typer.testing import CliRunner

    from pubguard.cli import app

    site = tmp_path / "site"
    (site / "attach").mkdir(parents=True)
    (site / "attach" / "附件.zip").write_bytes(_zip({"名单.csv": ROSTER, "说明.txt": CLEAN}))
    (site / "attach" / "公文.ofd").write_bytes((SAMPLES / "ofd_red_header_seal.ofd").read_bytes())
    cache = tmp_path / "cache"
    runner = CliRunner()
    reports = []
    for _ in range(2):  # second run answered from the cache
        out = tmp_path / f"r{len(reports)}.json"
        res = runner.invoke(
            app, ["scan", str(site), "--format", "json", "-o", str(out), "--cache", str(cache), "--no-ocr"]
        )
        assert res.exit_code == 1, res.output
        reports.append(json.loads(out.read_text("utf-8")))
    assert reports[1]["summary"].get("cached") == 2
    for report in reports:
        jsonschema.validate(report, load_schema())
        by_name = {Path(f["path"]).name: f for f in report["files"]}
        zipped = by_name["附件.zip"]
        assert [m["path"] for m in zipped["members"]] == ["名单.csv", "说明.txt"]
        assert {f["location"].get("member") for f in zipped["findings"]} == {"名单.csv"}
        assert "electronic_seal" in {f["rule"] for f in by_name["公文.ofd"]["findings"]}
