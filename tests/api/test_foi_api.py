"""依申请公开 over HTTP: register → 补正 → 征求意见 → 延期 → 答复 → 告知书, the UI pages, and the
privacy guarantee (the applicant only in the register view and the 告知书 addressed to them)."""

from __future__ import annotations

import datetime as dt
import io
import logging
from pathlib import Path

import docx
import pytest
from fastapi.testclient import TestClient
from review.helpers import Clock

from api.conftest import SITE, auth, make_app

APPLICANT = {
    "name": "司马相如",
    "id_number": "110101199003071233",
    "phone": "13701234567",
    "address": "长安街100号",
}
PRIVATE = ["司马相如", "110101199003071233", "13701234567", "长安街100号"]


@pytest.fixture
def fapp(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    clock = Clock(dt.datetime(2026, 9, 28, 2, tzinfo=dt.UTC))
    app = make_app(tmp_path / "data", db_url, clock=clock)
    svc = app.state.service
    svc.create_user("foi1", roles=[(SITE, "foi")])
    svc.create_user("boss", roles=[(SITE, "foi_head")])
    try:
        yield app
    finally:
        svc.close()


def test_request_through_its_clock_with_the_applicant_kept_apart(fapp, caplog):
    caplog.set_level(logging.DEBUG)
    client = TestClient(fapp)
    foi, boss, ed = auth(fapp, "foi1"), auth(fapp, "boss"), auth(fapp, "ed")
    seen: list[tuple[str, str]] = []

    def call(method: str, url: str, headers: dict, **kw):  # type: ignore[no-untyped-def]
        r = client.request(method, url, headers=headers, **kw)
        seen.append((f"{method} {url}", r.text))
        return r

    body = {"site": SITE, "description": "2025年本区道路维修资金使用明细（司马相如申请）", "applicant": APPLICANT,
            "applicant_kind": "business", "received_on": "2026-09-28"}  # fmt: skip
    assert call("POST", "/api/v1/foi", ed, json=body).status_code == 403
    r = call("POST", "/api/v1/foi", foi, json=body)
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    assert {x["kind"]: x["due"] for x in r.json()["limits"]} == {
        "correction": "2026-10-13",
        "answer": "2026-10-30",
    }
    r = call(
        "POST", f"/api/v1/foi/{fid}/correction", foi, json={"items": "请写明具体路段", "on": "2026-10-09"}
    )
    assert r.json()["status"] == "correction"
    r = call("POST", f"/api/v1/foi/{fid}/correction/received", foi, json={"on": "2026-10-20"})
    assert r.json()["deadline"]["due"] == "2026-11-17"
    r = call("POST", f"/api/v1/foi/{fid}/consultation", foi, json={"party": "某建设公司", "on": "2026-10-22"})
    assert r.json()["deadline"]["due"] is None
    r = call(
        "POST", f"/api/v1/foi/{fid}/consultation/end", foi, json={"on": "2026-10-23", "result": "同意公开"}
    )
    assert r.json()["deadline"]["due"] == "2026-11-18"  # 10-23 paused: one working day more
    assert (
        call("POST", f"/api/v1/foi/{fid}/extend", foi, json={"days": 10, "reason": "数据量大"}).status_code
        == 403
    )
    r = call("POST", f"/api/v1/foi/{fid}/extend", boss, json={"days": 10, "reason": "数据量大"})
    assert r.status_code == 200 and r.json()["deadline"]["due"] == "2026-12-02"
    page = call("GET", "/queue", foi)
    assert page.status_code == 200
    r = call("POST", f"/foi/{fid}/do/answer", foi, data={"answer_type": "not_exist", "on": "2026-11-20"},
             follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    page = call("GET", f"/foi/{fid}", foi)
    assert "第三十六条第（四）项" in page.text and "答复告知书" in page.text
    assert "告知补正：请写明具体路段" in page.text and "built-in method" not in page.text
    for url in ("/foi", "/api/v1/foi?year=2026", "/api/v1/foi/reminders", f"/api/v1/foi/{fid}", "/audit"):
        assert call("GET", url, foi if url != "/audit" else auth(fapp, "root")).status_code == 200, url
    assert call("GET", f"/api/v1/foi/{fid}", ed).status_code == 403

    # Authorised: the register view and the 告知书 for the applicant.
    assert client.get(f"/api/v1/foi/{fid}/register", headers=ed).status_code == 403
    assert client.get(f"/api/v1/foi/{fid}/register", headers=foi).json()["applicant"]["name"] == "司马相如"
    assert "司马相如" in client.get(f"/foi/{fid}/register", headers=foi).text
    n = client.get(f"/api/v1/foi/{fid}/notice?kind=answer&format=docx", headers=foi)
    assert n.status_code == 200 and n.headers["cache-control"] == "no-store"
    assert "司马相如：" in "\n".join(p.text for p in docx.Document(io.BytesIO(n.content)).paragraphs)
    assert (
        client.get(f"/api/v1/foi/{fid}/notice?kind=extension&format=pdf", headers=foi).content[:5] == b"%PDF-"
    )

    seen.append(("logs", " ".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)))
    for where, text in seen:
        for value in PRIVATE:
            assert value not in text, f"{where}: 出现申请人信息"


def test_annual_report_page_and_exports(fapp):
    client = TestClient(fapp)
    foi = auth(fapp, "foi1")
    svc = fapp.state.service
    r = svc.register_foi("foi1", SITE, description="某项信息", applicant=APPLICANT, received_on="2026-03-02")
    svc.answer_foi("foi1", r["id"], "public", on="2026-03-10")
    page = client.get("/annual-report?year=2026", headers=foi)
    assert page.status_code == 200 and "收到和处理政府信息公开申请情况" in page.text
    assert 'data-row="public"><td style="padding-left: 1.5em">（一）予以公开</td><td>1</td>' in page.text
    x = client.get(f"/api/v1/annual-report.xlsx?site={SITE}&year=2026", headers=foi)
    d = client.get(f"/api/v1/annual-report.docx?site={SITE}&year=2026", headers=foi)
    j = client.get(f"/api/v1/annual-report?site={SITE}&year=2026", headers=foi)
    assert x.content[:2] == d.content[:2] == b"PK" and j.json()["balanced"] is True
    assert (
        client.get(f"/api/v1/annual-report?site={SITE}&year=2026", headers=auth(fapp, "ed")).status_code
        == 403
    )
    text = page.text + j.text + "\n".join(p.text for p in docx.Document(io.BytesIO(d.content)).paragraphs)
    for value in PRIVATE:
        assert value not in text
