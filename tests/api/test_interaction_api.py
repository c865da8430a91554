"""政民互动 over HTTP: the JSON API and the UI pages, from arrival to the published masked reply,
and the privacy guarantee — no writer value in any response, page, log or export but the
authorised register view."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.conftest import SITE, auth, make_app
from pubguard.scan import scan_bytes

WRITER = {
    "name": "欧阳建国",
    "phone": "13901234567",
    "address": "幸福路88号3单元502室",
    "secrets": ["我在区卫健委上班"],
}
PRIVATE = ["欧阳建国", "13901234567", "幸福路88号", "区卫健委上班"]
BODY = (
    "我叫欧阳建国，电话13901234567，住幸福路88号3单元502室。我在区卫健委上班。小区路灯坏了半年，请尽快修复。"
)
INSTRUCTION = "请城管局务必三日内修复路灯并回访来信人"


@pytest.fixture
def iapp(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    app = make_app(tmp_path / "data", db_url, scanner=scan_bytes)
    svc = app.state.service
    for name, roles in {"desk": ["interaction"], "h1": [], "head": [], "pub2": ["publisher"]}.items():
        svc.create_user(name, display_name=name, roles=[(SITE, r) for r in roles])
    svc.create_unit("root", SITE, "市城管局", head="head", members=["h1"])
    svc.create_unit("root", SITE, "市住建局")
    try:
        yield app
    finally:
        svc.close()


class Recorder:
    """Every response body the test saw, to grep for the writer's data at the end."""

    def __init__(self, client: TestClient):
        self.client = client
        self.seen: list[tuple[str, str]] = []

    def __call__(self, method: str, url: str, who_headers: dict, **kw):  # type: ignore[no-untyped-def]
        r = self.client.request(method, url, headers=who_headers, **kw)
        if r.headers.get("content-type", "").startswith(("application/vnd", "application/octet")):
            wb = load_workbook(io.BytesIO(r.content))
            text = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row)
        else:
            text = r.text
        self.seen.append((f"{method} {url}", text))
        return r


def test_message_from_arrival_to_published_masked_reply(iapp, caplog):
    caplog.set_level(logging.DEBUG)
    client = TestClient(iapp)
    call = Recorder(client)
    desk, h1, head, pub = (auth(iapp, u) for u in ("desk", "h1", "head", "pub2"))
    units = {u["name"]: u["id"] for u in call("GET", f"/api/v1/interaction/units?site={SITE}", desk).json()}

    r = call(
        "POST",
        "/api/v1/messages",
        desk,
        json={
            "site": SITE,
            "subject": "小区路灯坏了",
            "body": BODY,
            "type": "投诉",
            "channel": "mayor",
            "writer": WRITER,
        },
    )
    assert r.status_code == 201, r.text
    mid = r.json()["id"]
    assert r.json()["deadline"]["limit_days"] == 5
    # An accusation needs the accused unit and never goes there.
    r = call(
        "POST",
        "/api/v1/messages",
        desk,
        json={"site": SITE, "subject": "检举", "body": "检举某单位", "type": "检举控告"},
    )
    assert r.status_code == 422
    r = call(
        "POST",
        "/api/v1/messages",
        desk,
        json={
            "site": SITE,
            "subject": "检举",
            "body": "检举某单位",
            "type": "检举控告",
            "accused_unit": units["市城管局"],
        },
    )
    aid = r.json()["id"]
    r = call("POST", f"/api/v1/messages/{aid}/assign", desk, json={"unit_id": units["市城管局"]})
    assert r.status_code == 403 and "被检举控告" in r.json()["message"]

    assert (
        call("POST", f"/api/v1/messages/{mid}/assign", h1, json={"unit_id": units["市城管局"]}).status_code
        == 403
    )
    assert (
        call("POST", f"/api/v1/messages/{mid}/assign", desk, json={"unit_id": units["市城管局"]}).status_code
        == 200
    )
    todo = call("GET", "/api/v1/messages?todo=true", h1).json()
    assert [m["id"] for m in todo] == [mid]
    page = call("GET", "/queue", h1)
    assert "政民互动来信" in page.text and "小区路灯坏了" in page.text

    r = call(
        "POST", f"/api/v1/messages/{mid}/instructions", desk, json={"leader": "张副市长", "body": INSTRUCTION}
    )
    assert r.status_code == 200
    reply = "欧阳建国您好：经核实，路灯已修复。如有问题请拨打13901234567回访。"
    r = call("POST", f"/api/v1/messages/{mid}/reply", h1, json={"text": reply, "submit": True})
    assert r.status_code == 200 and r.json()["status"] == "reviewing"
    # The UI: the head reads and approves through the form.
    page = call("GET", f"/messages/{mid}", head)
    assert "审阅通过" in page.text and INSTRUCTION in page.text
    r = call("POST", f"/messages/{mid}/do/approve", head, data={"comment": "同意"}, follow_redirects=False)
    assert r.status_code == 303
    assert call("GET", f"/api/v1/messages/{mid}", head).json()["status"] == "answered"

    check = call("GET", f"/api/v1/messages/{mid}/check", pub).json()
    assert check["ok"], check
    r = call("POST", f"/api/v1/messages/{mid}/publish", pub)
    assert r.status_code == 200, r.text
    qa = call("GET", f"/api/v1/interaction/published?site={SITE}", pub).json()
    assert "139****4567" in qa[0]["answer"] and "路灯已修复" in qa[0]["answer"]
    assert INSTRUCTION not in str(qa)
    page = call("GET", f"/interaction/qa?site={SITE}", pub)
    assert "路灯已修复" in page.text and INSTRUCTION not in page.text

    r = call("POST", f"/api/v1/messages/{mid}/close", desk, json={"satisfaction": "满意"})
    assert r.json()["satisfaction"] == "satisfied"
    stats = call("GET", f"/api/v1/interaction/stats?site={SITE}&year=2026&quarter=1", desk)
    assert stats.status_code == 200
    x = call("GET", f"/api/v1/interaction/stats.xlsx?site={SITE}&year=2026&quarter=1", desk)
    assert x.status_code == 200 and x.content[:2] == b"PK"
    for url in ("/messages", f"/messages/{mid}", "/interaction/stats?year=2026&quarter=1", "/audit"):
        assert call("GET", url, desk if url != "/audit" else auth(iapp, "root")).status_code == 200, url
    call("GET", "/api/v1/audit?limit=500", auth(iapp, "root"))

    # The register: staff only, and the only place with the writer's data.
    assert call("GET", f"/api/v1/messages/{mid}/register", h1).status_code == 403
    assert call("GET", f"/messages/{mid}/register", pub).status_code == 403
    reg = client.get(f"/api/v1/messages/{mid}/register", headers=desk)
    assert reg.json()["writer"]["name"] == "欧阳建国"
    reg_page = client.get(f"/messages/{mid}/register", headers=desk)
    assert "欧阳建国" in reg_page.text and reg_page.headers["cache-control"] == "no-store"

    logs = " ".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    call.seen.append(("logs", logs))
    for where, text in call.seen:
        for value in PRIVATE:
            assert value not in text, f"{where}: 出现来信人信息"


def test_import_and_form_in_the_ui(iapp):
    client = TestClient(iapp)
    desk = auth(iapp, "desk")
    csv_text = "标题,内容,姓名,电话,类型\n咨询补贴,请问补贴怎么申请？,李建华,13712345678,政策咨询\n,缺标题,王五五,13612345678,\n"
    r = client.post(
        "/messages/import",
        data={"site": SITE},
        files={"file": ("m.csv", csv_text.encode("utf-8-sig"))},
        headers=desk,
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(r.headers["location"], headers=desk)
    assert "导入 1 条" in page.text and "第 3 行有误" in page.text
    assert "李建华" not in page.text and "13712345678" not in page.text
    r = client.post(
        "/messages/new",
        data={
            "site": SITE,
            "subject": "噪音",
            "body": "我是周九九，夜间施工太吵",
            "type": "complaint",
            "name": "周九九",
            "phone": "13312345678",
            "public_consent": "1",
            "received_on": "2026-09-29",
        },  # fmt: skip
        headers=desk,
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(r.headers["location"], headers=desk)
    assert "来信已登记" in page.text and "周九九" not in page.text and "周**" in page.text
    assert "2026-10-12" in page.text  # 5 working days over 国庆 (10-10 Saturday worked)
    r = client.post(
        "/api/v1/messages/import", data={"site": SITE}, files={"file": ("m.csv", b"a,b\n")}, headers=desk
    )
    assert r.status_code == 422
