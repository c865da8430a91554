"""Hostile input at the edge of the web service: NUL bytes (422, Chinese, also on
PostgreSQL), the 413 message stating the real limit, a draft of another site answering like a
missing one."""

from __future__ import annotations

import pytest

from api.conftest import MAX_UPLOAD, SITE, WITH_ID, auth, submitted_draft, upload


def _nul_refusal(r) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "invalid" and "空字符" in body["message"]


def test_nul_in_a_query_string_is_422(app, client):
    ed = auth(app, "ed")
    _nul_refusal(client.get("/api/v1/drafts?q=%00abc", headers=ed))
    _nul_refusal(client.get("/api/v1/drafts?status=draft%00", headers=ed))
    assert client.get("/api/v1/drafts?q=abc", headers=ed).status_code == 200


def test_nul_in_a_form_field_is_422(app, client):
    _nul_refusal(client.post("/login", data={"username": "ed\x00", "password": "x"}))
    ed = auth(app, "ed")
    r = client.post(
        "/api/v1/drafts",
        data={"site": SITE, "title": "标题\x00", "column": "通知公告"},
        files={"file": ("n.txt", "关于通知\n".encode())},
        headers=ed,
    )
    assert r.status_code in (202, 422), r.text  # stripped or refused, never a 500


def test_nul_in_json_that_reaches_the_database_is_422_not_500(app, client):
    d = submitted_draft(app, client)
    r = client.post(
        f"/api/v1/drafts/{d['id']}/comments", json={"body": "意见\x00内容"}, headers=auth(app, "r1")
    )
    assert r.status_code in (201, 422), r.text
    if r.status_code == 422:  # the schema or the NUL guard refuses it, in Chinese
        assert r.json()["code"] == "invalid" and r.json()["message"].startswith(
            ("请求参数有误", "输入中含有")
        )


def test_413_states_the_real_limit(app, client):
    r = client.post(
        "/api/v1/drafts",
        data={"site": SITE, "title": "大文件", "column": ""},
        files={"file": ("big.txt", b"a" * (MAX_UPLOAD + 10))},
        headers=auth(app, "ed"),
    )
    assert r.status_code == 413
    assert "256 KB" in r.json()["message"]
    big = b"a" * (MAX_UPLOAD + 2 * 1024 * 1024)
    r = client.post(
        "/api/v1/drafts",
        data={"site": SITE, "title": "更大", "column": ""},
        files={"file": ("big.txt", big)},
        headers=auth(app, "ed"),
    )
    assert r.status_code == 413 and "256 KB" in r.json()["message"]


@pytest.mark.parametrize("path", ["/api/v1/drafts/{id}", "/api/v1/drafts/{id}/findings"])
def test_a_draft_of_another_site_answers_like_a_missing_one(app, client, path):
    d = upload(client, auth(app, "ed"))["draft"]
    other = client.get(path.format(id=d["id"]), headers=auth(app, "stranger"))
    missing = client.get(path.format(id=999999), headers=auth(app, "stranger"))
    assert other.status_code == missing.status_code == 404
    assert other.json()["code"] == missing.json()["code"] == "not_found"
    assert str(d["id"]) in other.json()["message"] and "站点" not in other.json()["message"]


def test_deciding_a_finding_of_another_site_answers_like_a_missing_one(app, client):
    d = submitted_draft(app, client, WITH_ID)
    fid = client.get(f"/api/v1/drafts/{d['id']}/findings", headers=auth(app, "r1")).json()[0]["id"]
    body = {"decision": "confirmed"}
    other = client.post(f"/api/v1/findings/{fid}/decision", json=body, headers=auth(app, "stranger"))
    missing = client.post("/api/v1/findings/999999/decision", json=body, headers=auth(app, "stranger"))
    assert other.status_code == missing.status_code == 404, other.text
    assert other.json()["code"] == missing.json()["code"] == "not_found"
    assert other.json()["message"] == f"问题不存在：{fid}。" and "站点" not in other.json()["message"]
    # a user of the draft's own site without a deciding role still gets 403 (no change there)
    assert (
        client.post(f"/api/v1/findings/{fid}/decision", json=body, headers=auth(app, "ed2")).status_code
        == 403
    )


def test_an_unknown_field_in_a_json_body_is_422(app, client):
    d = submitted_draft(app, client)
    r1 = auth(app, "r1")
    r = client.post(f"/api/v1/drafts/{d['id']}/comments", json={"body": "意见", "bdy": "x"}, headers=r1)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "invalid"
    assert {"field": "bdy", "type": "extra_forbidden", "message": "不认识的字段"} in body["details"]["errors"]
    ok = client.post(f"/api/v1/drafts/{d['id']}/comments", json={"body": "意见"}, headers=r1)
    assert ok.status_code in (200, 201), ok.text
