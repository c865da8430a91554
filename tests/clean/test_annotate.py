"""Findings back into the draft: one Word comment per finding at exactly the matched runs
(highlighted), one highlight + note per finding in a PDF; masked evidence only."""

from __future__ import annotations

import io
import zipfile

import docx
import pymupdf
import pytest
from lxml import etree

from clean.conftest import PEOPLE, docx_bytes, sample
from pubguard.clean.annotate import annotate_bytes
from pubguard.errors import UnsupportedFormat
from pubguard.scan import scan_bytes

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def commented_text(data: bytes) -> dict[str, str]:
    """comment id -> the document text between its commentRangeStart and commentRangeEnd."""
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    open_ids: dict[str, list[str]] = {}
    done: dict[str, str] = {}
    for el in root.iter():
        if el.tag == f"{{{W}}}commentRangeStart":
            open_ids[el.get(f"{{{W}}}id")] = []
        elif el.tag == f"{{{W}}}commentRangeEnd":
            cid = el.get(f"{{{W}}}id")
            done[cid] = "".join(open_ids.pop(cid, []))
        elif el.tag in (f"{{{W}}}t", f"{{{W}}}delText"):
            for buf in open_ids.values():
                buf.append(el.text or "")
    return done


def test_sample_docx_one_comment_per_finding(config):
    data = sample("draft_tracked.docx")
    findings = scan_bytes(data, "draft_tracked.docx", config).findings
    result = annotate_bytes(data, "draft_tracked.docx", config)
    document = docx.Document(io.BytesIO(result.data))
    ours = [c for c in document.comments if c.author == "PubGuard"]
    assert len(ours) == len(findings) == result.annotated
    assert len(list(document.comments)) == len(findings) + 1  # the drafter's own comment stays
    assert all(c.initials == "PG" for c in ours)
    assert any(c.text.startswith("[阻断]") and "依据：" in c.text and "建议：" in c.text for c in ours)
    joined = "\n".join(c.text for c in ours)
    assert PEOPLE[0][2] not in joined  # the phone number in the drafter's comment stays masked
    # The red organ name is highlighted and carries the red-header comment.
    first = document.paragraphs[0]
    assert any(r.text == "南宁市财政局文件" and r.font.highlight_color is not None for r in first.runs)


def test_comment_covers_exactly_the_match_across_runs(config):
    d = docx.Document()
    d.add_paragraph("关于2024年度临时救助对象的公示")
    name, pid, mobile = PEOPLE[2]
    p = d.add_paragraph("救助对象：" + name + "，身份证号：" + pid[:5])
    p.add_run(pid[5:12]).bold = True
    p.add_run(pid[12:] + "，已核实。")
    result = annotate_bytes(docx_bytes(d), "a.docx", config)
    ranges = commented_text(result.data)
    assert pid in ranges.values()
    out = docx.Document(io.BytesIO(result.data))
    runs = out.paragraphs[1].runs
    highlighted = "".join(r.text for r in runs if r.font.highlight_color is not None)
    assert pid in highlighted and "救助对象" not in highlighted and "已核实" not in highlighted
    assert "".join(r.text for r in runs) == "救助对象：" + name + "，身份证号：" + pid + "，已核实。"
    assert [r.bold for r in runs if r.text and r.text in pid].count(True) >= 1  # formatting kept
    comment = next(c for c in out.comments if "身份证" in c.text)
    assert pid not in comment.text and pid[-4:] in comment.text


def test_clean_docx_gets_no_comments(config):
    result = annotate_bytes(sample("clean_policy.docx"), "clean_policy.docx", config)
    assert result.annotated == 0 and list(docx.Document(io.BytesIO(result.data)).comments) == []


def test_pdf_highlights_and_notes(config):
    data = sample("fake_redaction.pdf")
    result = annotate_bytes(data, "fake_redaction.pdf", config)
    page = pymupdf.open(stream=result.data, filetype="pdf")[0]
    annots = list(page.annots())
    highlights = [a for a in annots if a.type[1] == "Highlight"]
    notes = [a for a in annots if a.type[1] == "Text"]
    assert len(notes) == len(result.findings) == result.annotated == 3
    assert len(highlights) == 3 and all(a.info["title"] == "PubGuard" for a in annots)
    id_note = next(a for a in notes if "身份证" in a.info["content"])
    assert PEOPLE[0][1] not in id_note.info["content"]
    # The highlight sits on the number itself.
    id_high = next(a for a in highlights if "身份证" in a.info["content"])
    words = page.get_text("text", clip=id_high.rect)
    assert "4501" in "".join(words.split())


def test_unsupported_format(config):
    with pytest.raises(UnsupportedFormat):
        annotate_bytes(sample("gbk_notice.txt"), "gbk_notice.txt", config)
