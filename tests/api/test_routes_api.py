"""分级审批 over HTTP: the class API, the draft page's class form, the gate reason."""

from __future__ import annotations

from api.conftest import auth, run_jobs, submitted_draft, upload
from api.test_ui import ui_login


def test_info_class_api_and_gate(app, client):
    d = submitted_draft(app, client)
    did = d["id"]
    ed = auth(app, "ed")
    info = client.get(f"/api/v1/drafts/{did}/info-class", headers=ed).json()
    assert info["key"] == "general" and {"key": "major", "label": "重大信息"} in info["choices"]
    r = client.put(f"/api/v1/drafts/{did}/info-class", json={"info_class": "major"}, headers=ed)
    assert r.status_code == 422 and "理由" in r.json()["message"]
    r = client.put(
        f"/api/v1/drafts/{did}/info-class", json={"info_class": "major", "reason": "属全市性通告"}, headers=ed
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["info_class"]["key"] == "major"
    assert [s["key"] for s in body["steps"]][-1] == "gov_office"
    r = client.put(f"/api/v1/drafts/{did}/info-class", json={"info_class": "nope", "reason": "x"}, headers=ed)
    assert r.status_code == 422 and "信息类别无效" in r.json()["message"]


def test_draft_page_shows_and_sets_the_class(app, client):
    body = upload(client, auth(app, "ed"), "关于通知\n")
    run_jobs(app)
    did = body["draft"]["id"]
    csrf = ui_login(client, "ed")
    page = client.get(f"/drafts/{did}").text
    assert "信息类别（分级审批）" in page and 'id="info-class-form"' in page
    hx = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    r = client.post(f"/drafts/{did}/do/info_class", data={"info_class": "public_release"}, headers=hx)
    assert r.status_code == 200, r.text
    assert "此件公开发布" in r.text and "二校" not in r.text


def test_link_interpretation_api_and_page(app, client):
    ed = auth(app, "ed")
    pol = upload(client, ed, "关于印发管理办法的通知\n", title="管理办法")["draft"]["id"]
    interp = upload(client, ed, "管理办法政策解读\n", title="解读")["draft"]["id"]
    run_jobs(app)
    r = client.put(f"/api/v1/drafts/{pol}/interpretation", json={"interpretation_id": interp}, headers=ed)
    assert r.status_code == 200, r.text
    links = client.get(f"/api/v1/drafts/{interp}/links", headers=ed).json()
    assert links["policy"]["draft_id"] == pol
    csrf = ui_login(client, "ed")
    page = client.get(f"/drafts/{pol}").text
    assert 'id="link-interpretation"' in page and "解读" in page
    hx = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    r = client.post(f"/drafts/{pol}/do/unlink_interp", data={"reason": "重写"}, headers=hx)
    assert r.status_code == 200 and 'id="link-form"' in r.text
    r = client.post(f"/api/v1/drafts/{pol}/interpretation/unlink", json={"reason": "x"}, headers=ed)
    assert r.status_code == 409
