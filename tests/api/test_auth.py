"""Login, session cookies, bearer tokens, CSRF, login throttling, user administration."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.conftest import PASSWORD, SITE, auth, login_cookie, upload


def test_login_sets_http_only_cookie_and_returns_csrf(client):
    r = client.post("/api/v1/auth/login", json={"username": "ed", "password": PASSWORD})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "pubguard_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert len(r.json()["csrf_token"]) == 64
    me = client.get("/api/v1/auth/me").json()
    assert (
        me["user"]["username"] == "ed"
        and me["via"] == "cookie"
        and me["csrf_token"] == r.json()["csrf_token"]
    )


def test_wrong_password_is_401_in_chinese(client):
    r = client.post("/api/v1/auth/login", json={"username": "ed", "password": "nope-nope"})
    assert r.status_code == 401
    assert r.json() == {"code": "bad_credentials", "message": "用户名或密码错误。", "details": {}}
    assert client.post("/api/v1/auth/login", json={"username": "ghost", "password": "x"}).status_code == 401


def test_login_is_throttled_per_user_and_address(client):
    for _ in range(5):
        assert (
            client.post("/api/v1/auth/login", json={"username": "ed", "password": "bad"}).status_code == 401
        )
    r = client.post("/api/v1/auth/login", json={"username": "ed", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["code"] == "rate_limited" and int(r.headers["retry-after"]) > 0
    # Another account from the same address is not locked out by ed's failures.
    assert client.post("/api/v1/auth/login", json={"username": "p1", "password": PASSWORD}).status_code == 200
    assert client.post("/api/v1/auth/token", json={"username": "ed", "password": PASSWORD}).status_code == 429


def test_unauthenticated_api_is_401_and_ui_redirects_to_login(client):
    r = client.get("/api/v1/drafts")
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    r = client.get("/queue", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/queue"
    bad = client.get("/api/v1/drafts", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401


def test_bearer_token_for_scripts_needs_no_csrf(client):
    r = client.post("/api/v1/auth/token", json={"username": "ed", "password": PASSWORD, "ttl_days": 7})
    assert r.status_code == 200 and r.json()["token_type"] == "bearer" and r.json()["expires_in_days"] == 7
    headers = {"Authorization": f"Bearer {r.json()['token']}"}
    fresh = TestClient(client.app)  # no cookies
    assert fresh.get("/api/v1/auth/me", headers=headers).json()["via"] == "bearer"
    body = upload(fresh, headers)
    assert body["draft"]["site"] == SITE


def test_cookie_session_requires_csrf_token_on_changes(app, client):
    csrf = login_cookie(client)
    did = upload(client, {"X-CSRF-Token": csrf})["draft"]["id"]
    path = f"/api/v1/drafts/{did}/disclosure"
    missing = client.put(path, json={"attribute": "主动公开"})
    assert missing.status_code == 403 and missing.json()["code"] == "csrf"
    wrong = client.put(path, json={"attribute": "主动公开"}, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403 and wrong.json()["code"] == "csrf"
    # A token of another session does not work for this one.
    other = TestClient(app)
    other_csrf = login_cookie(other, "p1")
    assert (
        client.put(path, json={"attribute": "主动公开"}, headers={"X-CSRF-Token": other_csrf}).status_code
        == 403
    )
    ok = client.put(path, json={"attribute": "主动公开"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200 and ok.json()["disclosure"]["attribute"] == "主动公开"
    # Reads need no token.
    assert client.get(f"/api/v1/drafts/{did}").status_code == 200


def test_logout_revokes_the_session(client):
    csrf = login_cookie(client)
    assert client.post("/api/v1/auth/logout").status_code == 403  # logout is a change: CSRF too
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_ui_login_form_checks_its_own_csrf_cookie(client):
    page = client.get("/login")
    assert page.status_code == 200 and "登录" in page.text
    token = client.cookies.get("pubguard_login_csrf")
    bad = client.post("/login", data={"username": "ed", "password": PASSWORD, "csrf_token": "forged"})
    assert bad.status_code == 403 and "页面已过期" in bad.text
    wrong_pw = client.post("/login", data={"username": "ed", "password": "bad", "csrf_token": token})
    assert wrong_pw.status_code == 401 and "用户名或密码错误" in wrong_pw.text
    ok = client.post(
        "/login",
        data={"username": "ed", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/queue"  # no open redirect
    assert client.get("/queue").status_code == 200


def test_user_administration_follows_the_library_rules(app, client):
    assert client.get("/api/v1/users", headers=auth(app, "ed")).status_code == 403
    users = client.get("/api/v1/users", headers=auth(app, "root")).json()
    assert {"ed", "p1", "root"} <= {u["username"] for u in users}
    new = {"username": "newbie", "password": "long-enough", "roles": [{"site": SITE, "role": "editor"}]}
    assert client.post("/api/v1/users", json=new, headers=auth(app, "ed")).status_code == 403
    r = client.post("/api/v1/users", json=new, headers=auth(app, "adm"))  # site admin of gov
    assert r.status_code == 201 and r.json()["roles"] == [{"site": SITE, "role": "editor"}]
    again = client.post("/api/v1/users", json=new, headers=auth(app, "adm"))
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    other_site = dict(new, username="x2", roles=[{"site": "other", "role": "editor"}])
    assert client.post("/api/v1/users", json=other_site, headers=auth(app, "adm")).status_code == 403
    short = dict(new, username="x3", password="short")
    r = client.post("/api/v1/users", json=short, headers=auth(app, "root"))
    assert r.status_code == 422 and r.json()["details"]["errors"][0]["field"] == "password"
    assert [s["key"] for s in client.get("/api/v1/sites", headers=auth(app, "ed")).json()] == ["gov", "other"]


def test_login_throttle_is_shared_by_processes_and_survives_a_restart(app, client):
    from pubguard.api.security import LoginThrottle
    from pubguard.review import ReviewService, ReviewSettings

    for _ in range(5):
        client.post("/api/v1/auth/login", json={"username": "ed", "password": "bad"})
    svc = app.state.service
    # another server process (or this one after a restart): its own service on the same database
    other = ReviewService(ReviewSettings(data_dir=svc.settings.data_dir, database_url=svc.db.url))
    try:
        fresh = LoginThrottle(other, 5, 900, 50)
        assert fresh.retry_after("ED", "testclient") > 0  # names compared case-insensitively
        assert fresh.retry_after("p1", "testclient") == 0
    finally:
        other.close()


def test_unknown_and_known_names_cost_the_same_password_check(app, monkeypatch):
    import pubguard.review.accounts as accounts

    calls: list[str | None] = []
    real = accounts.verify_password

    def counting(password, stored):  # type: ignore[no-untyped-def]
        calls.append(stored)
        return real(password, stored)

    monkeypatch.setattr(accounts, "verify_password", counting)
    svc = app.state.service
    assert svc.authenticate("ghost", "whatever") is None
    assert svc.authenticate("ed", "wrong") is None
    assert svc.authenticate("r1", "no-password-set") is None  # account without a password
    assert len(calls) == 3 and all(c and c.startswith("scrypt$") for c in calls)
