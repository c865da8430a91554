"""值班读网 and the release register over HTTP and in the UI."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from api.conftest import approve_all, auth, submitted_draft
from api.test_ui import ui_login


def test_duty_and_register_api(app, client):
    from pathlib import Path

    d = submitted_draft(app, client)
    approve_all(app, client, d["id"])
    pub, adm = auth(app, "pub"), auth(app, "adm")
    rel = client.post(f"/api/v1/drafts/{d['id']}/release", json={}, headers=pub).json()
    r = client.put("/api/v1/sites/gov/duty/roster/2030-01-02", json={"users": ["pub"]}, headers=adm)
    assert r.status_code == 200 and r.json()[0]["username"] == "pub"
    Path(rel["location"]).write_text("被改动的页面\n", encoding="utf-8")
    r = client.post("/api/v1/sites/gov/duty/run", headers=pub)
    assert r.status_code == 200 and r.json()["pages"] == 1 and r.json()["new_items"] == 1
    items = client.get("/api/v1/sites/gov/duty", headers=pub).json()
    assert [i["kind"] for i in items] == ["anomaly"]
    r = client.post(f"/api/v1/duty/{items[0]['id']}/recheck", headers=pub)
    assert r.status_code == 200 and r.json()["rescan"]["status"] == "ok"
    assert client.get("/api/v1/sites/gov/duty", headers=auth(app, "ed")).status_code == 403
    r = client.post("/api/v1/sites/gov/duty/run", headers=pub)
    assert r.status_code == 200 and r.json()["pages"] == 1
    r = client.post(
        f"/api/v1/duty/{items[0]['id']}/close",
        json={"found": "页面被改动，已恢复", "outcome": "改正"},
        headers=pub,
    )
    assert r.status_code == 200 and r.json()["outcome"] == "corrected"
    x = client.get("/api/v1/sites/gov/duty.xlsx", headers=pub)
    assert x.status_code == 200 and load_workbook(io.BytesIO(x.content))["值班读网日志"].max_row == 2
    reg = client.get("/api/v1/register", params={"site": "gov", "deadline": "met"}, headers=pub).json()
    assert [r["draft_id"] for r in reg] == [d["id"]] and reg[0]["steps"][0]["name"] == "一校"
    assert client.get("/api/v1/register", params={"deadline": "missed"}, headers=pub).json() == []
    x = client.get("/api/v1/register.xlsx", headers=pub)
    assert x.status_code == 200 and load_workbook(io.BytesIO(x.content))["发布登记"].max_row == 2


def test_duty_and_register_pages(app, client):
    svc = app.state.service
    svc.create_user("duty", display_name="值班员", roles=[("gov", "publisher")], password="password-123")
    csrf = ui_login(client, "ed")
    page = client.get("/register").text
    assert "发布登记" in page and 'id="register-filters"' in page
    assert client.get("/duty").status_code == 200  # an editor: no duty sites, no error
    client.cookies.clear()
    client.get("/login")
    token = client.cookies.get("pubguard_login_csrf")
    client.post("/login", data={"username": "duty", "password": "password-123", "csrf_token": token})
    page = client.get("/duty?site=gov").text
    assert "值班读网日志" in page and 'id="duty-run-form"' in page
    csrf = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page).group(1)
    r = client.post("/duty/run", data={"site": "gov", "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/duty?site=gov"
    r = client.post("/duty/run", data={"site": "gov"}, follow_redirects=False)
    assert r.status_code == 403  # no CSRF token
