"""Lists an editorial admin works with: search by title/文号, filters, sorting and pagination of
the drafts list; bulk 归档/指派 (CSRF, permissions per draft); the 用户管理 page (create, roles,
deactivate, reset password, all audited); the audit log with display names and decisions."""

from __future__ import annotations

import re

from api.conftest import PASSWORD, SITE, auth, run_jobs, upload
from api.test_ui import ui_login


def _login(app, client, user: str) -> str:  # type: ignore[no-untyped-def]
    app.state.service.set_password(user, PASSWORD)
    client.cookies.clear()  # a fresh session
    return ui_login(client, user)


def _titles(html: str) -> list[str]:
    return re.findall(r'class="draft-link">([^<]+)</a>', html)


def test_drafts_search_filter_sort(app, client):
    h = auth(app, "ed")
    upload(client, h, "关于通知\n", title="南府发〔2024〕12号 关于春耕的通知")
    upload(client, h, "关于通知\n", title="乙 防汛工作安排")
    upload(client, h, "关于通知\n", title="甲 招聘公告")
    ui_login(client)
    assert _titles(client.get("/drafts").text) == [
        "甲 招聘公告",
        "乙 防汛工作安排",
        "南府发〔2024〕12号 关于春耕的通知",
    ]
    assert _titles(client.get("/drafts", params={"q": "〔2024〕12号"}).text) == [
        "南府发〔2024〕12号 关于春耕的通知"
    ]
    assert _titles(client.get("/drafts", params={"q": "防汛"}).text) == ["乙 防汛工作安排"]
    assert _titles(client.get("/drafts", params={"q": "没有这个"}).text) == []
    assert "没有符合条件的稿件" in client.get("/drafts", params={"q": "没有这个"}).text
    oldest = _titles(client.get("/drafts", params={"sort": "oldest"}).text)
    assert oldest[0].startswith("南府发") and oldest[-1] == "甲 招聘公告"
    assert len(_titles(client.get("/drafts", params={"column": "通知公告"}).text)) == 3
    assert _titles(client.get("/drafts", params={"column": "人事"}).text) == []
    assert len(_titles(client.get("/drafts", params={"q": "%"}).text)) == 0  # LIKE wildcards are literal
    page = client.get("/drafts", params={"q": "通知", "sort": "title"}).text
    assert 'value="通知"' in page and '<option value="title" selected' in page


def test_drafts_pagination(app, client):
    from pubguard.api import ui

    h = auth(app, "ed")
    for i in range(5):
        upload(client, h, "关于通知\n", title=f"稿件{i}")
    ui_login(client)
    old = ui.PER_PAGE
    ui.PER_PAGE = 2
    try:
        first = client.get("/drafts").text
        assert _titles(first) == ["稿件4", "稿件3"] and 'rel="next"' in first and 'rel="prev"' not in first
        third = client.get("/drafts", params={"page": 3}).text
        assert _titles(third) == ["稿件0"] and 'rel="prev"' in third and 'rel="next"' not in third
        assert "page=2" in client.get("/drafts", params={"page": 3, "q": "稿件"}).text
    finally:
        ui.PER_PAGE = old
    assert client.get("/drafts", params={"page": 0}).status_code == 422


def test_bulk_archive_and_assign_check_csrf_and_permissions(app, client):
    h = auth(app, "ed")
    a = upload(client, h, "关于通知\n", title="甲")["draft"]["id"]
    b = upload(client, h, "关于通知\n", title="乙")["draft"]["id"]
    run_jobs(app)
    # an editor sees no bulk form and cannot archive through it
    csrf = ui_login(client)
    assert 'id="bulk-form"' not in client.get("/drafts").text
    r = client.post("/drafts/bulk", data={"bulk_action": "archive", "draft": [a], "csrf_token": csrf})
    assert "完成 0 件" in r.text and "未完成 1 件" in r.text
    # the site admin: bulk form, CSRF required
    csrf = _login(app, client, "adm")
    page = client.get("/drafts").text
    assert 'id="bulk-form"' in page and f'name="draft" value="{a}"' in page
    r = client.post("/drafts/bulk", data={"bulk_action": "archive", "draft": [a, b]}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post("/drafts/bulk", data={"bulk_action": "archive", "draft": [a, b], "csrf_token": csrf})
    assert r.status_code == 200 and "归档：完成 2 件。" in r.text
    svc = app.state.service
    assert {svc.get_draft("adm", a)["status"], svc.get_draft("adm", b)["status"]} == {"archived"}
    assert "已归档" in client.get("/drafts", params={"status": "archived"}).text
    r = client.post("/drafts/bulk", data={"bulk_action": "nope", "draft": [a], "csrf_token": csrf})
    assert r.status_code == 400


def test_bulk_assign_gives_the_current_step(app, client):
    h = auth(app, "ed")
    svc = app.state.service
    ids = []
    for t in ("甲", "乙"):
        d = upload(client, h, "关于通知\n", title=t)["draft"]["id"]
        ids.append(d)
    run_jobs(app)
    for d in ids:
        svc.set_disclosure("ed", d, "主动公开", basis="", reason="")
        svc.submit("ed", d)
    csrf = _login(app, client, "adm")
    r = client.post(
        "/drafts/bulk", data={"bulk_action": "assign", "draft": ids, "assignee": "p2", "csrf_token": csrf}
    )
    assert "指派当前步骤：完成 2 件。" in r.text
    assert all(svc.get_draft("adm", d)["active_step"]["assignee"] == "p2" for d in ids)
    r = client.post(
        "/drafts/bulk", data={"bulk_action": "assign", "draft": ids[:1], "assignee": "r3", "csrf_token": csrf}
    )
    assert "未完成 1 件" in r.text  # r3 is not a proofreader: the service refuses


def test_user_admin_page(app, client):
    svc = app.state.service
    csrf = _login(app, client, "adm")
    page = client.get("/users").text
    assert "用户管理" in page and 'data-user="p1"' in page and "校对" in page
    # create with roles; no password given: a random one shown once, not in a URL
    r = client.post("/users", data={"username": "newbie", "display_name": "新同事", "site": SITE,
                                    "role": ["editor", "reviewer1"], "csrf_token": csrf}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 200 and "初始密码：" in r.text and r.headers["cache-control"] == "no-store"
    password = re.search(r"初始密码：(\S+?)（", r.text).group(1)
    assert svc.authenticate("newbie", password) is not None
    user = next(u for u in svc.list_users() if u["username"] == "newbie")
    assert {r["role"] for r in user["roles"]} == {"editor", "reviewer1"} and user["display_name"] == "新同事"
    # grant, revoke, deactivate, reactivate, reset password
    client.post("/users/newbie/roles", data={"site": SITE, "role": "reviewer2", "csrf_token": csrf})
    client.post("/users/newbie/roles/revoke", data={"site": SITE, "role": "editor", "csrf_token": csrf})
    roles = {r["role"] for r in next(u for u in svc.list_users() if u["username"] == "newbie")["roles"]}
    assert roles == {"reviewer1", "reviewer2"}
    r = client.post("/users/newbie/active", data={"active": "0", "csrf_token": csrf})
    assert "已停用用户 newbie" in r.text and svc.authenticate("newbie", password) is None
    client.post("/users/newbie/active", data={"active": "1", "csrf_token": csrf})
    r = client.post("/users/newbie/password", data={"csrf_token": csrf})
    new = re.search(r"临时密码：(\S+?)（", r.text).group(1)
    assert svc.authenticate("newbie", new) is not None and svc.authenticate("newbie", password) is None
    # e-mail for 消息: set, shown masked only (never the full address on the page), cleared
    r = client.post("/users/newbie/email", data={"email": "newbie.zhang@example.gov.cn", "csrf_token": csrf})
    assert "已保存 newbie 的邮箱" in r.text and "newbie.zhang@example.gov.cn" not in r.text
    assert "@example.gov.cn" in r.text
    assert (
        client.post("/users/newbie/email", data={"email": "不是邮箱", "csrf_token": csrf}).status_code == 422
    )
    r = client.post("/users/newbie/email", data={"email": "", "csrf_token": csrf})
    assert "已清除" in r.text
    # no CSRF token: refused
    assert client.post("/users/newbie/active", data={"active": "0"}).status_code == 403
    # a site admin cannot make a system administrator; an admin cannot stop themself
    r = client.post("/users", data={"username": "boss", "is_admin": "1", "csrf_token": csrf})
    assert r.status_code == 403
    assert (
        "不能停用自己的账号"
        in client.post("/users/adm/active", data={"active": "0", "csrf_token": csrf}).text
    )
    # audited, with display names and what was done
    actions = [e["action"] for e in svc.audit_log(None, limit=50)]
    for a in (
        "user.create",
        "role.grant",
        "role.revoke",
        "user.deactivate",
        "user.activate",
        "user.password",
        "user.email",
    ):
        assert a in actions, a


def test_user_admin_page_is_for_admins_only(app, client):
    ui_login(client)  # an editor
    assert client.get("/users").status_code == 403
    assert "用户管理" not in client.get("/queue").text
    _login(app, client, "adm")
    assert 'href="/users"' in client.get("/queue").text


def test_audit_log_shows_names_and_decisions(app, client):
    svc = app.state.service
    h = auth(app, "ed")
    d = upload(client, h)["draft"]["id"]
    run_jobs(app)
    finding = svc.get_draft("r2", d)["findings"][0]
    svc.decide_finding("r2", finding["id"], "false_positive", reason="示例号码")
    csrf = _login(app, client, "root")
    client.post("/users/p2/roles", data={"site": SITE, "role": "reviewer1", "csrf_token": csrf})
    html = client.get("/audit").text
    assert "系统管理员" in html  # the display name of root
    assert "判定为「误报」" in html and "个人信息·身份证号码" in html
    assert "用户 p2：gov 站点「初审」" in html
    for code in ("finding.decide", "role.grant", "false_positive", "personal_data", "id_card"):
        assert f">{code}<" not in html, code
    only = client.get("/audit", params={"action": "role.grant"}).text
    assert "授予角色" in only and "判定为「误报」" not in only
    by = client.get("/audit", params={"by": "r2"}).text
    assert "判定为「误报」" in by and "用户 p2：" not in by


def test_foi_and_message_lists_search_filter_sort_paginate(app, client):
    from pubguard.api import listing

    svc = app.state.service
    svc.create_user("foi1", roles=[(SITE, "foi"), (SITE, "interaction")])
    for i, what in enumerate(("道路维修资金明细", "学校招生计划", "道路绿化方案")):
        svc.register_foi(
            "foi1",
            SITE,
            description=what,
            received_on=f"2026-10-0{i + 1}",
            applicant={"name": "申请人", "phone": "13701234567"},
        )
        svc.receive_message("foi1", SITE, subject=f"关于{what}的咨询", body="请答复。")
    _login(app, client, "foi1")
    page = client.get("/foi").text
    assert "共 3 件" in page and 'name="q"' in page
    hit = client.get("/foi", params={"q": "道路"}).text
    assert "共 2 件" in hit and "学校招生计划" not in hit.split("全部申请")[1]
    oldest = client.get("/foi", params={"sort": "oldest"}).text.split("全部申请")[1]
    assert oldest.index("道路维修资金明细") < oldest.index("道路绿化方案")
    assert "共 0 件" in client.get("/foi", params={"status": "answered"}).text
    msgs = client.get("/messages", params={"q": "招生"}).text
    assert "共 1 件" in msgs and "关于学校招生计划的咨询" in msgs
    old = listing.PER_PAGE
    listing.PER_PAGE = 2
    try:
        first = client.get("/messages", params={"sort": "oldest"}).text
        assert 'rel="next"' in first and "sort=oldest&amp;page=2" in first
        second = client.get("/messages", params={"sort": "oldest", "page": 2}).text
        assert "关于道路绿化方案的咨询" in second and 'rel="prev"' in second
    finally:
        listing.PER_PAGE = old


def test_queue_search_and_sort(app, client):
    h = auth(app, "ed")
    upload(client, h, "关于通知\n", title="甲 春耕通知")
    upload(client, h, "关于通知\n", title="乙 防汛通知")
    run_jobs(app)
    ui_login(client)
    page = client.get("/queue").text
    assert '<form method="get" action="/queue"' in page
    todo = page.split("我上传的稿件")[0]
    assert _titles(todo) == ["乙 防汛通知", "甲 春耕通知"]  # returned to / with the editor: both wait for ed
    hit = client.get("/queue", params={"q": "春耕"}).text.split("我上传的稿件")[0]
    assert _titles(hit) == ["甲 春耕通知"]
    oldest = client.get("/queue", params={"sort": "oldest"}).text.split("我上传的稿件")[0]
    assert _titles(oldest) == ["甲 春耕通知", "乙 防汛通知"]
    assert "没有符合条件的待办" in client.get("/queue", params={"q": "无此稿"}).text


def test_site_columns_set_on_the_users_page(app, client):
    svc = app.state.service
    csrf = _login(app, client, "adm")
    page = client.get("/users").text
    assert (
        'action="/sites/gov/columns"' in page and 'action="/sites/other/columns"' not in page
    )  # adm: gov only
    r = client.post("/sites/gov/columns", data={"columns": "通知公告\n政策文件\n\n", "csrf_token": csrf})
    assert "已保存站点" in r.text and "通知公告、政策文件" in r.text
    assert next(s for s in svc.list_sites() if s["key"] == "gov")["columns"] == ["通知公告", "政策文件"]
    assert client.post("/sites/other/columns", data={"columns": "x", "csrf_token": csrf}).status_code == 403
    assert client.post("/sites/gov/columns", data={"columns": "x"}).status_code == 403  # no CSRF
    assert "site.columns" in [e["action"] for e in svc.audit_log(None, limit=20)]


def test_register_search_and_pagination(app, client):
    from api.conftest import approve_all, submitted_draft
    from pubguard.api import ui_duty

    for _ in range(3):
        d = submitted_draft(app, client)
        approve_all(app, client, d["id"])
        assert (
            client.post(f"/api/v1/drafts/{d['id']}/release", json={}, headers=auth(app, "pub")).status_code
            == 200
        )
    ui_login(client)
    assert "共 3 条" in client.get("/register", params={"q": "春季农业"}).text
    none = client.get("/register", params={"q": "防汛"}).text
    assert "共 0 条" in none and "没有符合条件的发布记录" in none
    old = ui_duty.REGISTER_PER_PAGE
    ui_duty.REGISTER_PER_PAGE = 2
    try:
        first = client.get("/register", params={"q": "春季"}).text
        assert len(re.findall(r'<a href="/drafts/\d+">#', first)) == 2 and 'rel="next"' in first
        assert "q=%E6%98%A5%E5%AD%A3&amp;page=2" in first
        second = client.get("/register", params={"q": "春季", "page": 2}).text
        assert 'rel="prev"' in second and 'rel="next"' not in second
        assert len(re.findall(r'<a href="/drafts/\d+">#', second)) == 1
    finally:
        ui_duty.REGISTER_PER_PAGE = old
