"""Workflow actions over HTTP: stale versions, separation of duties, decisions, the six steps,
release, withdrawal, archiving, comments, claim and reassign. The rules live in the review
library; these tests check that the API passes them through with the right status and code."""

from __future__ import annotations

from api.conftest import CLEAN, WITH_ID, approve_all, auth, run_jobs, submitted_draft, upload


def _error(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code and body["message"] and isinstance(body["details"], dict)
    return body


def test_stale_version_is_409(app, client):
    d = submitted_draft(app, client)
    did, v1 = d["id"], d["current_version_id"]
    r = client.post(
        f"/api/v1/drafts/{did}/versions",
        files={"file": ("v2.txt", (CLEAN + "补充\n").encode())},
        headers=auth(app, "ed"),
    )
    v2 = r.json()["version"]["id"]
    run_jobs(app)
    body = _error(
        client.post(f"/api/v1/drafts/{did}/approve", json={"version_id": v1}, headers=auth(app, "p1")),
        409,
        "stale_version",
    )
    assert body["details"] == {"current_version_id": v2, "given_version_id": v1}
    assert "新版本" in body["message"]
    _error(
        client.post(
            f"/api/v1/drafts/{did}/reject", json={"version_id": v1, "comment": "x"}, headers=auth(app, "p1")
        ),
        409,
        "stale_version",
    )
    assert (
        client.post(
            f"/api/v1/drafts/{did}/approve", json={"version_id": v2}, headers=auth(app, "p1")
        ).status_code
        == 200
    )
    missing = client.post(f"/api/v1/drafts/{did}/approve", json={}, headers=auth(app, "r1"))
    assert missing.status_code == 422 and missing.json()["details"]["errors"][0]["field"] == "version_id"


def test_wrong_role_self_review_and_two_levels_are_403(app, client):
    d = submitted_draft(app, client)
    did, vid = d["id"], d["current_version_id"]
    _error(
        client.post(f"/api/v1/drafts/{did}/approve", json={"version_id": vid}, headers=auth(app, "r1")),
        403,
        "forbidden",
    )
    # edp holds editor + proofreader; reviewing a draft they uploaded is refused.
    edp = auth(app, "edp")
    own = upload(client, edp, CLEAN, title="自己的稿件")
    run_jobs(app)
    oid = own["draft"]["id"]
    client.put(f"/api/v1/drafts/{oid}/disclosure", json={"attribute": "主动公开"}, headers=edp)
    client.post(f"/api/v1/drafts/{oid}/submit", json={}, headers=edp)
    body = _error(
        client.post(f"/api/v1/drafts/{oid}/approve", json={"version_id": own["version"]["id"]}, headers=edp),
        403,
        "forbidden",
    )
    assert "自己" in body["message"]
    # multi holds reviewer1 and reviewer2: one level only.
    client.post(f"/api/v1/drafts/{did}/approve", json={"version_id": vid}, headers=auth(app, "p1"))
    assert (
        client.post(
            f"/api/v1/drafts/{did}/approve", json={"version_id": vid}, headers=auth(app, "multi")
        ).status_code
        == 200
    )
    client.post(f"/api/v1/drafts/{did}/approve", json={"version_id": vid}, headers=auth(app, "p2"))
    body = _error(
        client.post(f"/api/v1/drafts/{did}/approve", json={"version_id": vid}, headers=auth(app, "multi")),
        403,
        "forbidden",
    )
    assert "两个审核级别" in body["message"]
    _error(
        client.post(f"/api/v1/drafts/{did}/approve", json={"version_id": vid}, headers=auth(app, "stranger")),
        403,
        "forbidden",
    )


def test_finding_decisions(app, client):
    d = submitted_draft(app, client, WITH_ID + "!blocker seal official_seal 红色圆形印章\n")
    findings = {
        f["rule"]: f for f in client.get(f"/api/v1/drafts/{d['id']}/findings", headers=auth(app, "p1")).json()
    }
    fid, seal = findings["id_card"]["id"], findings["official_seal"]["id"]
    path = f"/api/v1/findings/{fid}/decision"
    _error(
        client.post(path, json={"decision": "confirmed"}, headers=auth(app, "ed")), 403, "forbidden"
    )  # the author
    _error(client.post(path, json={"decision": "false_positive"}, headers=auth(app, "p1")), 422, "invalid")
    _error(client.post(path, json={"decision": "maybe"}, headers=auth(app, "p1")), 422, "invalid")
    _error(
        client.post(
            f"/api/v1/findings/{seal}/decision",
            json={"decision": "accepted", "reason": "x", "level": 3},
            headers=auth(app, "r3"),
        ),
        422,
        "invalid",
    )
    # another site's finding answers like a missing one (issue 10)
    _error(client.post(path, json={"decision": "confirmed"}, headers=auth(app, "stranger")), 404, "not_found")
    _error(
        client.post(
            "/api/v1/findings/99999/decision", json={"decision": "confirmed"}, headers=auth(app, "p1")
        ),
        404,
        "not_found",
    )
    body = {"decision": "false_positive", "reason": "示例号码"}
    _error(client.post(path, json=body, headers=auth(app, "p1")), 403, "forbidden")  # 校对: no authority
    r = client.post(path, json=body, headers=auth(app, "r2"))
    assert r.status_code == 200 and r.json()["status"] == "false_positive" and r.json()["decided_by"] == "r2"
    assert r.json()["confirmed_by"] is None
    r = client.post(path, json={"decision": "open"}, headers=auth(app, "p1"))
    assert r.json()["status"] == "open" and r.json()["decision"] is None


def test_six_steps_then_release_withdraw_and_archive(app, client):
    d = submitted_draft(app, client)
    did = d["id"]
    early = client.post(f"/api/v1/drafts/{did}/release", json={}, headers=auth(app, "pub"))
    body = _error(early, 409, "gate_closed")
    assert any("一校" in reason for reason in body["details"]["reasons"])
    d = approve_all(app, client, did)
    assert d["status"] == "approved" and all(s["status"] == "approved" for s in d["steps"])
    assert [s["approved_by"] for s in d["steps"]] == ["p1", "r1", "p2", "r2", "p3", "r3"]
    assert client.get(f"/api/v1/drafts/{did}/gate", headers=auth(app, "ed")).json() == {
        "ok": True,
        "reasons": [],
    }
    _error(client.post(f"/api/v1/drafts/{did}/release", json={}, headers=auth(app, "r3")), 403, "forbidden")
    rel = client.post(
        f"/api/v1/drafts/{did}/release",
        json={"version_id": d["current_version_id"]},
        headers=auth(app, "pub"),
    )
    assert rel.status_code == 200 and rel.json()["version_id"] == d["current_version_id"]
    assert client.get(f"/api/v1/drafts/{did}", headers=auth(app, "ed")).json()["status"] == "released"
    again = client.post(f"/api/v1/drafts/{did}/release", json={}, headers=auth(app, "pub"))
    assert again.json()["id"] == rel.json()["id"]  # idempotent
    assert len(client.get(f"/api/v1/drafts/{did}/releases", headers=auth(app, "ed")).json()) == 1
    no_reason = client.post(f"/api/v1/drafts/{did}/withdraw", json={"reason": ""}, headers=auth(app, "pub"))
    assert no_reason.status_code == 422
    w = client.post(f"/api/v1/drafts/{did}/withdraw", json={"reason": "信息有误"}, headers=auth(app, "pub"))
    assert w.status_code == 200 and w.json()["status"] == "withdrawn"
    _error(client.post(f"/api/v1/drafts/{did}/archive", json={}, headers=auth(app, "ed")), 403, "forbidden")
    a = client.post(f"/api/v1/drafts/{did}/archive", json={"comment": "不再发布"}, headers=auth(app, "pub"))
    assert a.status_code == 200 and a.json()["status"] == "archived"


def test_reject_returns_to_the_editor_and_round_trips(app, client):
    d = submitted_draft(app, client, WITH_ID)
    did, vid = d["id"], d["current_version_id"]
    no_comment = client.post(
        f"/api/v1/drafts/{did}/reject", json={"version_id": vid, "comment": ""}, headers=auth(app, "p1")
    )
    assert no_comment.status_code == 422
    r = client.post(
        f"/api/v1/drafts/{did}/reject",
        json={"version_id": vid, "comment": "请删除身份证号"},
        headers=auth(app, "p1"),
    )
    assert r.status_code == 200 and r.json()["status"] == "draft" and r.json()["returned"] is True
    queue = client.get("/api/v1/drafts", params={"queue": "true"}, headers=auth(app, "ed")).json()
    assert [x["id"] for x in queue] == [did]
    comments = client.get(f"/api/v1/drafts/{did}/comments", headers=auth(app, "ed")).json()
    assert comments[-1]["kind"] == "rejection" and comments[-1]["body"] == "请删除身份证号"
    client.post(
        f"/api/v1/drafts/{did}/versions", files={"file": ("v2.txt", CLEAN.encode())}, headers=auth(app, "ed")
    )
    run_jobs(app)
    r = client.post(f"/api/v1/drafts/{did}/submit", json={}, headers=auth(app, "ed"))
    assert r.status_code == 200 and r.json()["status"] == "in_review"
    assert approve_all(app, client, did)["status"] == "approved"


def test_reject_to_an_earlier_step(app, client):
    d = submitted_draft(app, client)
    did, vid = d["id"], d["current_version_id"]
    client.post(f"/api/v1/drafts/{did}/approve", json={"version_id": vid}, headers=auth(app, "p1"))
    r = client.post(
        f"/api/v1/drafts/{did}/reject",
        json={"version_id": vid, "comment": "重新校对", "to_step": "proof1"},
        headers=auth(app, "r1"),
    )
    assert r.status_code == 200 and r.json()["active_step"]["key"] == "proof1"
    bad = client.post(
        f"/api/v1/drafts/{did}/reject",
        json={"version_id": vid, "comment": "x", "to_step": "review3"},
        headers=auth(app, "p1"),
    )
    assert bad.status_code == 422


def test_claim_reassign_recall_and_comments(app, client):
    d = submitted_draft(app, client)
    did = d["id"]
    r = client.post(f"/api/v1/drafts/{did}/claim", json={"step_key": "proof1"}, headers=auth(app, "p1"))
    assert r.status_code == 200 and r.json()["active_step"]["assignee"] == "p1"
    _error(client.post(f"/api/v1/drafts/{did}/claim", json={}, headers=auth(app, "p2")), 409, "conflict")
    _error(
        client.post(f"/api/v1/drafts/{did}/claim", json={"step_key": "review2"}, headers=auth(app, "p2")),
        409,
        "conflict",
    )
    _error(
        client.post(
            f"/api/v1/drafts/{did}/reassign",
            json={"step_key": "proof1", "assignee": "p2"},
            headers=auth(app, "p3"),
        ),
        403,
        "forbidden",
    )
    r = client.post(
        f"/api/v1/drafts/{did}/reassign",
        json={"step_key": "proof1", "assignee": "p2"},
        headers=auth(app, "p1"),
    )
    assert r.status_code == 200 and r.json()["active_step"]["assignee"] == "p2"
    c = client.post(
        f"/api/v1/drafts/{did}/comments",
        json={"body": "第二段有错字", "kind": "correction"},
        headers=auth(app, "p2"),
    )
    assert c.status_code == 201 and c.json()["kind"] == "correction"
    _error(
        client.post(
            f"/api/v1/drafts/{did}/comments",
            json={"body": "x", "kind": "correction"},
            headers=auth(app, "r1"),
        ),
        403,
        "forbidden",
    )
    r = client.post(f"/api/v1/drafts/{did}/recall", json={"comment": "补充材料"}, headers=auth(app, "ed"))
    assert r.status_code == 200 and r.json()["status"] == "draft"
    _error(
        client.post(f"/api/v1/drafts/{did}/recall", json={}, headers=auth(app, "ed")), 409, "invalid_state"
    )


def test_disclosure_attribute(app, client):
    body = upload(client, auth(app, "ed"), CLEAN)
    run_jobs(app)
    did = body["draft"]["id"]
    _error(
        client.post(f"/api/v1/drafts/{did}/submit", json={}, headers=auth(app, "ed")), 409, "invalid_state"
    )
    r = client.put(
        f"/api/v1/drafts/{did}/disclosure", json={"attribute": "依申请公开"}, headers=auth(app, "ed")
    )
    assert r.status_code == 422 and "法律依据" in r.json()["message"]
    _error(
        client.put(f"/api/v1/drafts/{did}/disclosure", json={"attribute": "公开"}, headers=auth(app, "ed")),
        422,
        "invalid",
    )
    _error(
        client.put(
            f"/api/v1/drafts/{did}/disclosure", json={"attribute": "主动公开"}, headers=auth(app, "p1")
        ),
        403,
        "forbidden",
    )
    r = client.put(
        f"/api/v1/drafts/{did}/disclosure",
        json={"attribute": "不予公开", "basis": "《政府信息公开条例》第十四条", "reason": "涉及国家安全"},
        headers=auth(app, "ed"),
    )
    assert r.status_code == 200
    disc = client.get(f"/api/v1/drafts/{did}/disclosure", headers=auth(app, "ed")).json()
    assert disc["attribute"] == "不予公开" and disc["set_by"] == "ed" and disc["proposed"] == "主动公开"
