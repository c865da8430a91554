"""The 告知书 of a 依申请公开 request (答复告知书, 补正告知书, 延期答复告知书) from one template
(`templates/foi_notice.j2`), rendered as DOCX (python-docx) and as PDF (PyMuPDF Story with the
built-in CJK font). The template yields one paragraph per line, so both formats say the same.

A 告知书 is addressed to the applicant and carries their name: it is produced only for
依申请公开 staff, never stored, and its audit entry holds no applicant data."""

from __future__ import annotations

import datetime as dt
import html
import io
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

TITLES = {
    "answer": "政府信息公开申请答复告知书",
    "correction": "政府信息公开申请补正告知书",
    "extension": "政府信息公开申请延期答复告知书",
}


def cndate(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("pubguard.review", "templates"),
        autoescape=False,  # plain text; escaped per format below
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cndate"] = cndate
    return env


def notice_paragraphs(
    kind: str, *, answer: dict[str, Any], article: str, note: str, **ctx: Any
) -> list[tuple[str, str]]:
    """[(style, text)]: style title | number | right | body."""
    text = (answer.get("notice") or "{note}").format(article=article, note=note or "")
    out = _env().get_template("foi_notice.j2").render(kind=kind, title=TITLES[kind], answer_text=text, **ctx)
    paras = []
    for line in out.splitlines():
        line = line.rstrip()
        if not line:
            continue
        if line.startswith("## "):
            paras.append(("number", line[3:]))
        elif line.startswith("# "):
            paras.append(("title", line[2:]))
        elif line.startswith("> "):
            paras.append(("right", line[2:]))
        else:
            paras.append(("body", line))
    return paras


def render_docx(paras: list[tuple[str, str]]) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "仿宋_GB2312"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")
    style.font.size = Pt(16)
    for kind, text in paras:
        p = doc.add_paragraph()
        run = p.add_run(text)
        if kind == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.bold = True
            run.font.size = Pt(22)
        elif kind == "number":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "right":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif not text.endswith("："):
            p.paragraph_format.first_line_indent = Pt(32)
    doc.core_properties.author = "PubGuard"
    doc.core_properties.title = next((t for k, t in paras if k == "title" and "告知书" in t), "告知书")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render_pdf(paras: list[tuple[str, str]]) -> bytes:
    import pymupdf

    blocks = []
    for kind, text in paras:
        t = html.escape(text)
        if kind == "title":
            blocks.append(f'<p class="title">{t}</p>')
        elif kind == "number":
            blocks.append(f'<p class="number">{t}</p>')
        elif kind == "right":
            blocks.append(f'<p class="right">{t}</p>')
        else:
            blocks.append(f'<p class="{"to" if text.endswith("：") else "body"}">{t}</p>')
    archive = pymupdf.Archive()
    archive.add((pymupdf.Font("china-s").buffer, "cjk.ttf"))
    css = (
        "@font-face {font-family: cjk; src: url(cjk.ttf);}"
        "* {font-family: cjk;} p {font-size: 14pt; line-height: 1.6; margin: 0 0 6pt 0;}"
        ".title {font-size: 19pt; text-align: center; font-weight: bold;}"
        ".number {text-align: center;} .right {text-align: right;} .body {text-indent: 28pt;}"
    )
    story = pymupdf.Story(html="<body>" + "".join(blocks) + "</body>", user_css=css, archive=archive)
    buf = io.BytesIO()
    writer = pymupdf.DocumentWriter(buf)
    mediabox = pymupdf.paper_rect("a4")
    where = mediabox + (72, 72, -72, -72)
    more, pages = True, 0
    while more and pages < 20:
        device = writer.begin_page(mediabox)
        more, _ = story.place(where)
        story.draw(device)
        writer.end_page()
        pages += 1
    writer.close()
    doc = pymupdf.open("pdf", buf.getvalue())
    doc.set_metadata({"title": "告知书", "creator": "PubGuard", "producer": "PubGuard"})
    doc.subset_fonts()
    return doc.tobytes(garbage=3, deflate=True)
