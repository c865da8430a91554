"""查看完整值 over the API and in the draft page: authority + reason, audited, 403 in Chinese for
others, 404 for another site, never cached (no-store; the page cache keeps only masked data)."""

from __future__ import annotations

import pymupdf

from api.conftest import PASSWORD, auth, run_jobs, upload
from api.test_ui import ui_login

MOBILE = "13912345678"


def _pdf_draft(app, client, id_number: str) -> dict:  # type: ignore[no-untyped-def]
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for i, line in enumerate(["关于临时救助对象的公示", f"联系人手机 {MOBILE}", f"身份证号 {id_number}"]):
        page.insert_text((80, 120 + 30 * i), line, fontname="china-s", fontsize=14)
    body = upload(client, auth(app, "ed"), filename="gs.pdf", data=doc.tobytes())
    run_jobs(app)
    did = body["draft"]["id"]
    found = client.get(f"/api/v1/drafts/{did}/findings", headers=auth(app, "r2")).json()
    return {"draft": did, "version": body["version"]["id"], **{f["rule"]: f for f in found}}


def test_reveal_over_the_api(app, client, id_number):
    d = _pdf_draft(app, client, id_number)
    fid = d["mobile"]["id"]
    url = f"/api/v1/findings/{fid}/reveal"
    r = client.post(url, json={"reason": "核实是否为单位电话"}, headers=auth(app, "r2"))
    assert r.status_code == 200, r.text
    assert r.json() == {"finding_id": fid, "value": MOBILE}
    assert r.headers["cache-control"] == "no-store"
    r = client.post(url, json={"reason": "想看"}, headers=auth(app, "r1"))
    assert r.status_code == 403 and "无权查看完整的个人信息" in r.json()["message"]
    r = client.post(url, json={"reason": ""}, headers=auth(app, "r2"))
    assert r.status_code == 422 and "理由" in r.json()["message"]
    other = client.post(url, json={"reason": "外站探测"}, headers=auth(app, "stranger"))
    missing = client.post(
        "/api/v1/findings/999999/reveal", json={"reason": "外站探测"}, headers=auth(app, "stranger")
    )
    assert other.status_code == missing.status_code == 404
    assert client.post(url, json={"reason": "管理员核查"}, headers=auth(app, "adm")).json()["value"] == MOBILE
    log = client.get(f"/api/v1/drafts/{d['draft']}/audit", headers=auth(app, "adm"))
    assert log.status_code == 200  # the audit view names who and why, never the value
    unmasks = [e for e in log.json() if e["action"] == "finding.unmask"]
    assert {e["actor"] for e in unmasks} == {"r2", "adm"} and MOBILE not in log.text
    assert "核实是否为单位电话" in log.text
    # the text view and the page cache still only hold masked values
    text = client.get(f"/api/v1/versions/{d['version']}/text", headers=auth(app, "r2")).text
    assert MOBILE not in text and id_number not in text
    cache = app.state.settings.cache_dir / "pages"
    assert not [p for p in cache.rglob("*") if p.is_file() and MOBILE.encode() in p.read_bytes()]


def test_reveal_in_the_draft_page(app, client, id_number):
    d = _pdf_draft(app, client, id_number)
    for name in ("r1", "r2"):
        app.state.service.set_password(name, PASSWORD)
    csrf = ui_login(client, "r2")
    page = client.get(f"/drafts/{d['draft']}")
    assert "查看完整值" in page.text and MOBILE not in page.text
    r = client.post(
        f"/drafts/{d['draft']}/findings/{d['mobile']['id']}/reveal",
        data={"reason": "核实是否为单位电话"},
        headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
    )
    assert r.status_code == 200, r.text
    assert MOBILE in r.text and "data-hide-after" in r.text and r.headers["cache-control"] == "no-store"
    assert MOBILE not in client.get(f"/drafts/{d['draft']}").text  # shown once, not kept
    client.cookies.clear()
    csrf = ui_login(client, "r1")
    assert "查看完整值" not in client.get(f"/drafts/{d['draft']}").text  # no button without authority
    r = client.post(
        f"/drafts/{d['draft']}/findings/{d['mobile']['id']}/reveal",
        data={"reason": "想看一下"},
        headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
    )
    assert r.status_code == 403 and MOBILE not in r.text and "无权" in r.text
