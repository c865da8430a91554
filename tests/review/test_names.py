"""Stored and published file names: no bidi controls, and the extension the bytes have."""

from __future__ import annotations

from pubguard.review.publish import name_for_format, safe_filename
from review.helpers import SITE, approve_through

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_bidi_controls_are_stripped():
    assert safe_filename("invoice\u202ecod.exe", "x") == "invoicecod.exe"
    assert safe_filename("\u2067通知\u2069.pdf", "x") == "通知.pdf"
    assert safe_filename("关于春耕的通知.docx", "x") == "关于春耕的通知.docx"


def test_extension_follows_the_bytes():
    assert name_for_format("通知.docx", "pdf") == "通知.pdf"
    assert name_for_format("通知.PDF", "pdf") == "通知.PDF"
    assert name_for_format("scan", "jpeg") == "scan.jpg"
    assert name_for_format("notice.txt", "txt") == "notice.txt"  # text formats: the name stays


def test_a_pdf_named_docx_is_stored_and_published_as_pdf(svc):
    d = svc.create_draft("ed", SITE, "通知", data=PDF, filename="通\u202e知.docx")
    assert d["versions"][0]["filename"] == "通知.pdf"
    svc.set_disclosure("ed", d["id"], "主动公开")
    svc.submit("ed", d["id"])
    d = approve_through(svc, d["id"])
    rel = svc.release("pub", d["id"])
    assert rel["location"].endswith("/通知.pdf")
