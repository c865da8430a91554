"""OFD (GB/T 33190-2016) read natively: text with positions/colours, images, paths, signatures.

The packages are written by samples/generate.py's `ofd_package` (zip + XML as the standard lays
it out); real files from ofdrw's test resources are checked by tests/extract/test_ofd_realworld.py
when `scripts/collect_realworld.py` has collected them."""

from __future__ import annotations

import io
import zipfile

import pytest
from lo_files import generate

from pubguard.errors import CorruptFile
from pubguard.extract import extract
from pubguard.extract.ofd import MM_TO_PT
from pubguard.scan import scan_bytes

RED = (200, 0, 0)


def _rules(result) -> set[str]:
    return {f"{f.category}/{f.rule}" for f in result.findings}


def _red_header_ofd(**kw) -> bytes:
    g = generate()
    return g.ofd_package(
        [
            (38, 60, "南宁市财政局文件", 11, RED),
            (78, 80, "南财发〔2024〕21号", 5.5, None),
            (45, 105, "关于下达2024年度就业补助资金的通知", 7.5, None),
            (38, 136, "联系人：张建国，电话13912345678。", 5.5, None),
        ],
        red_line_y=86,
        seal_png=g.png_bytes(g.seal_image("南宁市财政局")),
        **kw,
    )


def test_text_positions_colours_and_sizes() -> None:
    doc = extract(_red_header_ofd(), "公文.ofd")
    assert doc.format == "ofd" and len(doc.pages) == 1
    page = doc.pages[0]
    assert page.unit == "pt" and page.width == pytest.approx(210 * MM_TO_PT)
    organ = next(b for b in doc.blocks if b.text == "南宁市财政局文件")
    assert organ.color == RED and organ.is_red
    assert organ.font_size == pytest.approx(11 * MM_TO_PT, rel=0.01)
    x0, y0, x1, y1 = organ.bbox
    assert x0 == pytest.approx(38 * MM_TO_PT, abs=1) and y1 == pytest.approx(60 * MM_TO_PT, abs=6)
    assert x1 - x0 == pytest.approx(8 * 11 * MM_TO_PT, rel=0.05)  # eight characters of 11 mm
    body = next(b for b in doc.blocks if b.text.startswith("联系人"))
    assert body.color is None and body.bbox[1] > organ.bbox[3]
    assert [d.kind for d in doc.drawings] == ["line"] and doc.drawings[0].stroke == RED
    assert doc.images and doc.images[0].width > 0 and doc.images[0].load().size[0] > 0


def test_electronic_seal_is_a_blocker_with_page_and_box() -> None:
    result = scan_bytes(_red_header_ofd(signed=True, seal_box=(120, 200, 42, 42)), "公文.ofd")
    assert result.status == "ok", result.error
    seals = [f for f in result.findings if f.rule == "electronic_seal"]
    assert len(seals) == 1
    f = seals[0]
    assert str(f.severity) == "blocker" and f.location.page == 1
    assert f.location.bbox == pytest.approx(
        (120 * MM_TO_PT, 200 * MM_TO_PT, 162 * MM_TO_PT, 242 * MM_TO_PT), abs=0.1
    )
    assert "南宁市财政局公章" in f.message and f.details.provider
    # the seal picture under the stamp is the same seal: one finding, not two
    assert not [x for x in result.findings if x.rule == "official_seal"]
    assert {"red_header/red_header", "personal_data/mobile"} <= _rules(result)


def test_unsigned_seal_picture_is_still_found() -> None:
    result = scan_bytes(_red_header_ofd(signed=False), "公文.ofd")
    assert "seal/official_seal" in _rules(result)
    assert "seal/electronic_seal" not in _rules(result)


def test_clean_ofd_has_no_findings_above_low() -> None:
    data = generate().ofd_package([(40, 50, "关于做好春季森林防火工作的通知", 7.5, None)])
    result = scan_bytes(data, "通知.ofd")
    assert result.status == "ok"
    assert not [f for f in result.findings if f.severity.rank >= 2]


def _rewrite(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for name in src.namelist():
            if name in changes:
                if changes[name] is not None:
                    out.writestr(name, changes[name])
            else:
                out.writestr(name, src.read(name))
        for name, value in changes.items():
            if name not in src.namelist() and value is not None:
                out.writestr(name, value)
    return buf.getvalue()


def test_templates_annotations_and_attachments() -> None:
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    data = _red_header_ofd()
    doc_xml = zipfile.ZipFile(io.BytesIO(data)).read("Doc_0/Document.xml").decode()
    doc_xml = doc_xml.replace(
        "</ofd:PublicRes>",
        '</ofd:PublicRes><ofd:TemplatePage ID="9" BaseLoc="Tpls/Tpl_0/Content.xml"/>',
    ).replace(
        "</ofd:Pages>",
        "</ofd:Pages><ofd:Annotations>Annots/Annotations.xml</ofd:Annotations><ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments>",
    )
    page = zipfile.ZipFile(io.BytesIO(data)).read("Doc_0/Pages/Page_0/Content.xml").decode()
    page = page.replace("<ofd:Content>", '<ofd:Template TemplateID="9"/><ofd:Content>')
    changes = {
        "Doc_0/Document.xml": doc_xml.encode(),
        "Doc_0/Pages/Page_0/Content.xml": page.encode(),
        "Doc_0/Tpls/Tpl_0/Content.xml": (
            f'<ofd:Page {ns}><ofd:Content><ofd:Layer ID="90"><ofd:TextObject ID="91" Boundary="20 10 60 8" Font="3" Size="5">'
            '<ofd:FillColor Value="200 0 0"/><ofd:TextCode X="0" Y="5">秘密★1年</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>'
        ).encode(),
        "Doc_0/Annots/Annotations.xml": f'<ofd:Annotations {ns}><ofd:Page PageID="1"><ofd:FileLoc>Page_0/Annotation.xml</ofd:FileLoc></ofd:Page></ofd:Annotations>'.encode(),
        "Doc_0/Annots/Page_0/Annotation.xml": f'<ofd:PageAnnot {ns}><ofd:Annot ID="95" Type="Stamp" Creator="李秀英"><ofd:Remark>请王局长审阅</ofd:Remark></ofd:Annot></ofd:PageAnnot>'.encode(),
        "Doc_0/Attachs/Attachments.xml": f'<ofd:Attachments {ns}><ofd:Attachment ID="96" Name="名单" Format="csv"><ofd:FileLoc>mingdan.csv</ofd:FileLoc></ofd:Attachment></ofd:Attachments>'.encode(),
        "Doc_0/Attachs/mingdan.csv": "姓名,电话\n张建国,13912345678\n".encode(),
    }
    doc = extract(_rewrite(data, changes), "公文.ofd")
    mark = next(b for b in doc.blocks if b.text == "秘密★1年")
    assert mark.page == 1 and mark.is_red and mark.bbox[1] < 40
    note = next(b for b in doc.blocks if b.text == "请王局长审阅")
    assert str(note.kind) == "annotation" and note.author == "李秀英"
    assert [a.name for a in doc.attachments] == ["名单.csv"]
    assert b"13912345678" in doc.attachments[0].loader()


def test_broken_packages_are_clear_errors() -> None:
    data = _red_header_ofd()
    with pytest.raises(CorruptFile):
        extract(_rewrite(data, {"Doc_0/Document.xml": None}), "坏.ofd")
    with pytest.raises(CorruptFile):
        extract(_rewrite(data, {"Doc_0/Pages/Page_0/Content.xml": b"<ofd:Page"}), "坏.ofd")
    xxe = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016">&x;</ofd:OFD>'
    result = scan_bytes(_rewrite(data, {"OFD.xml": xxe}), "恶意.ofd")
    assert result.status == "error" and result.error_code == "corrupt"
