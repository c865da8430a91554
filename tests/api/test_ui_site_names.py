"""Pages show a site by its display name (the sites table), never by its key, and people by their
display names: the FOI form, 问答, 政民互动 stats, 年度报告, 消息 forms and 发布登记 (issue 18)."""

from __future__ import annotations

from api.conftest import SITE, approve_all, auth, submitted_draft

NAME = "示例市人民政府网站"  # conftest: create_site(SITE, NAME)


def _shows_name_not_key(html: str) -> None:
    assert NAME in html
    assert f">{SITE}<" not in html and f"· {SITE}<" not in html  # the key is only a value="…"


def test_site_pages_show_the_site_name(app, client):
    svc = app.state.service
    svc.create_user("foi1", roles=[(SITE, "foi")])
    svc.create_user("desk", roles=[(SITE, "interaction")])
    foi, desk = auth(app, "foi1"), auth(app, "desk")
    for url, who in (
        ("/foi", foi),
        ("/annual-report?year=2026", foi),
        ("/messages", desk),
        ("/interaction/stats?year=2026", desk),
        (f"/interaction/qa?site={SITE}", desk),
    ):
        page = client.get(url, headers=who)
        assert page.status_code == 200, url
        _shows_name_not_key(page.text)
    assert f'<option value="{SITE}">{NAME}</option>' in client.get("/foi", headers=foi).text
    # a site without a row (a stale link) still shows something: its key
    assert "nosuch" in client.get("/interaction/qa?site=nosuch", headers=desk).text


def test_register_rows_show_site_and_display_names(app, client):
    svc = app.state.service
    from pubguard.review.models import User

    with svc.db.write() as s:
        for u in s.query(User).filter(User.username.in_(("p1", "r3", "pub"))):
            u.display_name = {"p1": "李校对", "r3": "王终审", "pub": "赵发布"}[u.username]
    d = submitted_draft(app, client)
    approve_all(app, client, d["id"])
    assert (
        client.post(f"/api/v1/drafts/{d['id']}/release", json={}, headers=auth(app, "pub")).status_code == 200
    )
    page = client.get("/register", headers=auth(app, "pub")).text
    row = page.split('<table class="list" id="register">')[1]
    assert f"{NAME} · " in row and f">{SITE} · " not in row
    assert "一校：李校对" in row and "终审：王终审" in row and "赵发布" in row
    assert "一校：p1" not in row and "终审：r3" not in row
    api = client.get("/api/v1/register", headers=auth(app, "pub")).json()
    assert api[0]["steps"][0]["by"] == "p1" and api[0]["steps"][0]["by_name"] == "李校对"  # contract kept
