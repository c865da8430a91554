"""Clean copies of PDFs: true redaction (the text under the box is gone from the file), seals and
red headers removed, annotations/attachments/metadata dropped, the copy re-scanned."""

from __future__ import annotations

import pymupdf
import pytest

from clean.conftest import PEOPLE, rules, sample
from pubguard.clean import CleanOptions, clean_bytes
from pubguard.clean.common import CLEANABLE
from pubguard.document import is_red, rgb_from_int
from pubguard.scan import scan_bytes

FONT = "china-s"


def all_text(data: bytes) -> str:
    doc = pymupdf.open(stream=data, filetype="pdf")
    return "".join(page.get_text(clip=pymupdf.INFINITE_RECT()) for page in doc)


def raw_bytes(data: bytes) -> str:
    """Every object of the file with streams decompressed."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    return doc.tobytes(garbage=4, deflate=False, expand=255).decode("latin-1")


def squash(text: str) -> str:
    return "".join(text.split())


def notice_pdf() -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((150, 120), "关于2024年度临时救助对象的公示", fontname=FONT, fontsize=18)
    name, pid, mobile = PEOPLE[1]
    page.insert_text(
        (79, 180), "根据《社会救助暂行办法》，现将临时救助对象公示如下：", fontname=FONT, fontsize=12
    )
    page.insert_text((79, 210), f"救助对象：{name}，身份证号：{pid}", fontname=FONT, fontsize=12)
    page.insert_text((79, 235), f"联系电话：{mobile}，救助金额：1200元。", fontname=FONT, fontsize=12)
    page.insert_text((79, 260), "公示期：2024年4月1日至4月7日。", fontname=FONT, fontsize=12)
    annot = page.add_text_annot((500, 60), f"请核实，经办人覃桂芳手机{PEOPLE[3][2]}")
    annot.set_info(title="王建国")
    doc.embfile_add("名单原件.txt", f"{PEOPLE[2][1]}".encode())
    doc.set_metadata({"author": "王建国", "title": "救助公示（内部稿）"})
    return doc.tobytes()


def test_personal_data_is_truly_redacted(config):
    data = notice_pdf()
    assert {"personal_data/id_card", "personal_data/mobile"} <= rules(
        scan_bytes(data, "n.pdf", config).findings
    )
    result = clean_bytes(data, "n.pdf", config, CleanOptions(mask_preset="id6-4"))
    report = result.report
    assert report.releasable and report.leak_check["leaks"] == 0
    assert not [f for f in report.findings_after if f["category"] in CLEANABLE]
    text, raw = squash(all_text(result.data)), raw_bytes(result.data)
    for _name, pid, mobile in PEOPLE:
        for value in (pid, mobile):
            assert value not in text and value not in raw
    # The characters that stay visible are still there, the rest of the page untouched.
    pid, mobile = PEOPLE[1][1], PEOPLE[1][2]
    assert pid[:6] in text and pid[-4:] in text and mobile[:3] in text and mobile[-4:] in text
    assert "根据《社会救助暂行办法》，现将临时救助对象公示如下：" in text and "救助金额：1200元。" in text
    out = pymupdf.open(stream=result.data, filetype="pdf")
    assert out[0].first_annot is None and out.embfile_count() == 0
    assert not out.metadata.get("author") and not out.metadata.get("title")
    assert "王建国" not in raw and "覃桂芳" not in raw


def test_sample_fake_redaction(config):
    data = sample("fake_redaction.pdf")
    result = clean_bytes(data, "fake_redaction.pdf", config)
    name, pid, mobile = PEOPLE[0]
    assert pid in squash(all_text(data))  # the black box hid nothing
    text, raw = squash(all_text(result.data)), raw_bytes(result.data)
    assert pid not in text and mobile not in text and pid not in raw and mobile not in raw
    assert not [f for f in result.report.findings_after if f["category"] in CLEANABLE]
    assert result.report.releasable


def test_sample_red_header_and_image_seal(config):
    data = sample("red_header_seal.pdf")
    result = clean_bytes(data, "red_header_seal.pdf", config)
    assert rules(result.report.findings_after).isdisjoint({"red_header/red_header", "seal/official_seal"})
    assert result.report.releasable
    out = pymupdf.open(stream=result.data, filetype="pdf")
    assert out[0].get_images() == []  # the seal picture is removed, not painted over
    text = squash(out[0].get_text())
    assert "南宁市人民政府办公室文件" not in text
    assert "南府办发〔2024〕15号" not in text  # the 发文字号 goes with the 版头, as the suggestion says
    assert "发文字号“南府办发〔2024〕15号”" in {a.detail for a in result.report.actions}
    for kept in (
        "关于做好2024年度政务服务事项清单动态调整工作的通知",
        "南宁市人民政府办公室",
        "2024年3月15日",
    ):
        assert kept in text
    red = [
        d
        for d in out[0].get_drawings()
        if d.get("color") and is_red(tuple(round(c * 255) for c in d["color"]))
    ]
    assert red == []


def test_keep_header_text_recolours_the_organ_name(config):
    result = clean_bytes(sample("red_header_seal.pdf"), "r.pdf", config, CleanOptions(keep_header_text=True))
    page = pymupdf.open(stream=result.data, filetype="pdf")[0]
    spans = [s for b in page.get_text("dict")["blocks"] for ln in b.get("lines", []) for s in ln["spans"]]
    organ = [
        s
        for s in spans
        if s["text"].strip() and s["text"].strip() in "南宁市人民政府办公室文件" and s["size"] > 20
    ]
    assert organ and not any(is_red(rgb_from_int(s["color"])) for s in organ)
    assert "南府办发〔2024〕15号" in squash(page.get_text())  # kept, as black text
    assert "red_header" not in {f["category"] for f in result.report.findings_after}


def test_vector_seal_removed_text_under_it_kept(config):
    data = sample("vector_seal.pdf")
    result = clean_bytes(data, "vector_seal.pdf", config)
    assert "seal/official_seal" not in rules(result.report.findings_after)
    page = pymupdf.open(stream=result.data, filetype="pdf")[0]
    text = squash(page.get_text())
    assert "南宁市农业农村局" in text and "2024年4月2日" in text  # 署名 and date under the seal
    reds = [
        d
        for d in page.get_drawings()
        if is_red(tuple(round(c * 255) for c in (d.get("color") or d.get("fill") or (0, 0, 0))))
    ]
    assert reds == []


def test_leader_annotation_removed(config):
    result = clean_bytes(sample("leader_annotation.pdf"), "l.pdf", config)
    text = squash(all_text(result.data))
    assert "请张伟同志阅处" not in text and "李明3.5" not in text
    assert "妥否，请批示。" in text  # the 请示's own ending is not an annotation
    assert result.report.findings_after == [] and result.report.releasable


def test_secret_telegram_is_never_releasable(config):
    result = clean_bytes(sample("secret_telegram.pdf"), "s.pdf", config)
    report = result.report
    text = squash(all_text(result.data))
    assert "机密★5年" not in text and "000123" not in text
    assert "classification_mark/telegram_header" in rules(report.findings_after)  # needs re-typesetting
    assert report.needs_declassification and not report.releasable
    assert any("解密" in n for n in report.notes)


@pytest.mark.parametrize("name", ["clean_notice.pdf"])
def test_clean_pdf_keeps_its_text(config, name):
    data = sample(name)
    result = clean_bytes(data, name, config)
    assert squash(all_text(result.data)) == squash(all_text(data))
    assert result.report.releasable
