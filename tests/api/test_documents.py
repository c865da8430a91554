"""The page-layout cache and the text views (text view, diff, DOCX draft view) never hold a
personal value in full: the cached text is masked in place, offsets kept."""

from __future__ import annotations

from pubguard.api.documents import DocumentViews, highlighted_text, text_diff
from pubguard.config import ScanConfig

MOBILE = "13912345678"


def test_cached_text_is_masked_and_keeps_offsets(tmp_path, id_number):
    text = f"关于开展春季农业生产检查的通知\n联系人：王先生，手机 {MOBILE}，身份证号 {id_number}。\n请各单位按时报送。\n"
    data = text.encode("utf-8")
    views = DocumentViews(tmp_path / "cache", ScanConfig(ocr=False))
    lay = views.layout("a" * 64, "notice.txt", lambda: data)
    assert MOBILE not in lay["text"] and id_number not in lay["text"]
    assert "5678" in lay["text"] and id_number[-4:] in lay["text"]
    assert "请各单位按时报送" in lay["text"]  # ordinary text untouched
    on_disk = "".join(p.read_text("utf-8") for p in (tmp_path / "cache").rglob("*.json"))
    assert MOBILE not in on_disk and id_number not in on_disk
    start = text.index(MOBILE)
    assert lay["text"][start + len(MOBILE) - 4 : start + len(MOBILE)] == "5678"  # offsets still valid
    # the views built from it
    html = highlighted_text(lay["text"], [])
    assert MOBILE not in html
    d = text_diff(lay["text"], lay["text"] + "补充。\n", "第1版", "第2版")
    assert MOBILE not in d["unified"] and all(MOBILE not in r.get("text", "") for r in d["rows"])


def test_an_old_unmasked_cache_file_is_dropped(tmp_path):
    views = DocumentViews(tmp_path / "cache", ScanConfig(ocr=False))
    old = tmp_path / "cache" / "bb" / ("b" * 64) / "layout-110.json"
    old.parent.mkdir(parents=True)
    old.write_text('{"text": "手机 13912345678"}', "utf-8")
    lay = views.layout("b" * 64, "n.txt", lambda: f"手机 {MOBILE}\n".encode())
    assert not old.exists() and MOBILE not in lay["text"]
