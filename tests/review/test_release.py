"""The release gate, publish targets (folder and webhook), 撤稿, 归档 and the archive export."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from pubguard.review import (
    FolderTarget,
    GateClosed,
    InvalidInput,
    InvalidState,
    PermissionDenied,
    PublishFailed,
    PublishItem,
    WebhookTarget,
)
from review.helpers import CLEAN, SITE, approve_through, new_draft

PHONE = "!high personal_data mobile 138****5678\n"
TYPO = "!low proofreading typo 按排\n"


def published_dir(svc, draft_id: int) -> Path:
    return svc.settings.publish_dir / SITE / str(draft_id)


def test_gate_lists_every_reason(svc):
    d = new_draft(svc, PHONE + "!blocker seal official_seal 公章\n" + CLEAN, disclosure=None, submit=False)
    reasons = svc.check_release(d["id"])["reasons"]
    text = "\n".join(reasons)
    assert "草稿" in text
    assert "「一校」尚未" in text and "「终审」尚未" in text
    assert "2 个阻断或高风险问题" in text
    assert "尚未设置公开属性" in text
    with pytest.raises(GateClosed) as exc:
        svc.release("pub", d["id"])
    assert exc.value.details["reasons"] == reasons


def test_low_findings_do_not_block_but_confirmed_ones_do(svc):
    d = new_draft(svc, TYPO + CLEAN)
    d = approve_through(svc, d["id"])
    assert svc.check_release(d["id"]) == {"ok": True, "reasons": []}
    fid = svc.list_findings("r1", d["id"])[0]["id"]
    svc.decide_finding("r1", fid, "confirmed", reason="须改")
    assert not svc.check_release(d["id"])["ok"]


def test_on_request_and_withheld_never_reach_the_site(svc):
    d = new_draft(svc, disclosure="依申请公开")
    d = approve_through(svc, d["id"])
    assert d["status"] == "approved"
    with pytest.raises(GateClosed, match="依申请公开"):
        svc.release("pub", d["id"])
    name, data = svc.provide_on_request("pub", d["id"], applicant="张某", reason="依申请公开申请第12号")
    assert data == CLEAN.encode() and name == "notice.txt"
    entry = next(e for e in svc.audit_log("pub", draft_id=d["id"]) if e["action"] == "provide_on_request")
    assert entry["details"]["applicant"] == "张*"  # the permanent log never holds the name in full
    with pytest.raises(InvalidInput):
        svc.provide_on_request("pub", d["id"], applicant="", reason="")
    svc.archive("pub", d["id"], "依申请公开，归档备查")
    assert svc.get_draft("pub", d["id"])["status"] == "archived"
    d2 = new_draft(svc, disclosure="不予公开")
    d2 = approve_through(svc, d2["id"])
    with pytest.raises(GateClosed, match="不予公开"):
        svc.release("pub", d2["id"])
    with pytest.raises(InvalidState):
        svc.provide_on_request("pub", d2["id"], applicant="李某", reason="申请")
    assert not published_dir(svc, d["id"]).exists() and not published_dir(svc, d2["id"]).exists()


def test_release_to_folder_is_atomic_idempotent_and_withdrawable(svc):
    d = new_draft(svc)
    d = approve_through(svc, d["id"])
    with pytest.raises(PermissionDenied):
        svc.release("r3", d["id"])
    rel = svc.release("pub", d["id"], d["current_version_id"])
    folder = published_dir(svc, d["id"])
    assert (folder / "notice.txt").read_bytes() == CLEAN.encode()
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["title"] == "春季农业生产通知" and meta["disclosure"] == "主动公开" and meta["version"] == 1
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp")]
    again = svc.release("pub", d["id"])
    assert again["id"] == rel["id"]  # idempotent: same release, nothing new
    d = svc.get_draft("pub", d["id"])
    assert d["status"] == "released" and d["released_version_id"] == d["current_version_id"]
    assert d["deadline"] is None
    with pytest.raises(InvalidInput):
        svc.withdraw("pub", d["id"], "")
    d = svc.withdraw("pub", d["id"], "发现附件有误")
    assert d["status"] == "withdrawn" and not folder.exists()
    with pytest.raises(InvalidState):
        svc.withdraw("pub", d["id"], "再撤一次")
    releases = svc.get_draft("pub", d["id"])["releases"]
    assert releases[0]["withdraw_reason"] == "发现附件有误"
    # resubmitting after a withdrawal runs the whole review again
    d = svc.submit("ed", d["id"])
    assert all(s["status"] == "pending" for s in d["steps"])


def test_changed_release_replaces_the_published_version(svc, clock):
    d = new_draft(svc)
    d = approve_through(svc, d["id"])
    svc.release("pub", d["id"])
    clock.advance(days=1)
    svc.upload_version("ed", d["id"], "notice-v2.txt", (CLEAN + "更正\n").encode())
    d = svc.get_draft("ed", d["id"])
    assert d["status"] == "in_review" and d["released_version_id"] is not None  # v1 stays online
    assert d["deadline"]["kind"] == "change" and d["deadline"]["limit_days"] == 3
    d = approve_through(svc, d["id"])
    svc.release("pub", d["id"])
    folder = published_dir(svc, d["id"])
    assert sorted(p.name for p in folder.iterdir()) == ["meta.json", "notice-v2.txt"]
    rels = svc.get_draft("pub", d["id"])["releases"]
    assert (
        rels[0]["withdrawn_at"] and "替换" in rels[0]["withdraw_reason"] and rels[1]["withdrawn_at"] is None
    )


def test_folder_target_names_cannot_escape(tmp_path):
    t = FolderTarget(tmp_path / "pub")
    item = PublishItem(
        1, 1, 1, "../../etc", "", "t", "../../passwd", "0" * 64, b"x", "主动公开", "now", "pub"
    )
    loc = Path(t.publish(item))
    assert loc.resolve().is_relative_to((tmp_path / "pub").resolve())
    t.publish(item)  # idempotent
    t.withdraw("../../etc", 1, str(loc))
    t.withdraw("../../etc", 1, str(loc))  # already gone: fine
    assert not loc.exists()


class _Hook(BaseHTTPRequestHandler):
    received: list[tuple[dict, dict]] = []
    fail = False
    fail_times = 0  # answer 500 this many more times

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append((dict(self.headers), body))
        code = 500 if type(self).fail or type(self).fail_times > 0 else 200
        type(self).fail_times -= 1
        payload = json.dumps({"url": f"http://cms.example/{body.get('meta', {}).get('draft_id')}"}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook():
    _Hook.received = []
    _Hook.fail = False
    _Hook.fail_times = 0
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/publish", _Hook
    finally:
        server.shutdown()
        server.server_close()


def test_release_through_webhook(svc, webhook):
    url, hook = webhook
    svc.create_site(
        "cms", "CMS 站点", publish={"type": "webhook", "url": url, "token": "s3cret", "backoff": 0.01}
    )
    for name, role in [
        ("ed", "editor"),
        ("p1", "proofreader"),
        ("p2", "proofreader"),
        ("p3", "proofreader"),
        ("r1", "reviewer1"),
        ("r2", "reviewer2"),
        ("r3", "reviewer3"),
        ("pub", "publisher"),
    ]:
        svc.grant_role(name, "cms", role)
    d = svc.create_draft("ed", "cms", "CMS 通知", data=CLEAN.encode(), filename="n.txt")
    svc.set_disclosure("ed", d["id"], "主动公开")
    svc.submit("ed", d["id"])
    d = approve_through(svc, d["id"])
    hook.fail = True
    with pytest.raises(PublishFailed, match="HTTP 500"):
        svc.release("pub", d["id"])
    assert svc.get_draft("pub", d["id"])["status"] == "approved"  # nothing recorded
    hook.fail = False
    rel = svc.release("pub", d["id"])
    assert rel["target_kind"] == "webhook" and rel["location"] == f"http://cms.example/{d['id']}"
    headers, body = hook.received[-1]
    assert headers["Authorization"] == "Bearer s3cret"
    assert headers["Idempotency-Key"] == body["idempotency_key"]
    assert body["action"] == "publish" and body["meta"]["title"] == "CMS 通知"
    import base64

    assert base64.b64decode(body["file"]["content_base64"]) == CLEAN.encode()
    # the retried (failed) attempt and the successful one share the idempotency key
    assert hook.received[0][1]["idempotency_key"] == body["idempotency_key"]
    svc.withdraw("pub", d["id"], "内容调整")
    assert hook.received[-1][1]["action"] == "withdraw"


def test_webhook_retries_with_one_idempotency_key(webhook):
    url, hook = webhook
    item = PublishItem(7, 9, 1, "gov", "", "标题", "a.txt", "0" * 64, b"x", "主动公开", "now", "pub")
    hook.fail_times = 2  # two 500s, then success: one publication
    assert WebhookTarget(url, retries=3, backoff=0.01).publish(item) == "http://cms.example/7"
    keys = [h["Idempotency-Key"] for h, _ in hook.received]
    assert len(keys) == 3 and set(keys) == {item.idempotency_key}
    hook.received.clear()
    hook.fail_times = 5
    with pytest.raises(PublishFailed, match="HTTP 500"):
        WebhookTarget(url, retries=2, backoff=0.01).publish(item)
    assert len(hook.received) == 3


def test_webhook_token_from_environment(webhook, monkeypatch):
    url, hook = webhook
    target = WebhookTarget(url, token_env="CMS_TOKEN_FOR_TEST")
    item = PublishItem(7, 9, 1, "gov", "", "标题", "a.txt", "0" * 64, b"x", "主动公开", "now", "pub")
    monkeypatch.delenv("CMS_TOKEN_FOR_TEST", raising=False)
    with pytest.raises(PublishFailed, match="令牌"):
        target.publish(item)
    assert hook.received == []
    monkeypatch.setenv("CMS_TOKEN_FOR_TEST", "from-env")
    assert target.publish(item) == "http://cms.example/7"
    assert hook.received[-1][0]["Authorization"] == "Bearer from-env"


def test_webhook_target_refuses_other_schemes():
    with pytest.raises(InvalidInput):
        WebhookTarget("file:///etc/passwd")
    with pytest.raises(PublishFailed):
        WebhookTarget("http://127.0.0.1:9/none", timeout=1, retries=0).withdraw("s", 1, "x")


def test_failed_commit_after_publish_takes_the_file_down_again(svc, monkeypatch):
    d = new_draft(svc)
    d = approve_through(svc, d["id"])
    from pubguard.review import audit

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "append", boom)
    with pytest.raises(RuntimeError):
        svc.release("pub", d["id"])
    monkeypatch.undo()
    assert not published_dir(svc, d["id"]).exists()
    assert svc.get_draft("pub", d["id"])["status"] == "approved"


def test_archive_rules(svc):
    d = new_draft(svc)
    with pytest.raises(InvalidState):
        svc.archive("pub", d["id"])  # in review
    with pytest.raises(PermissionDenied):
        svc.archive("ed", d["id"])
    d = approve_through(svc, d["id"])
    svc.release("pub", d["id"])
    with pytest.raises(InvalidState, match="撤稿"):
        svc.archive("pub", d["id"])
    svc.withdraw("pub", d["id"], "过期信息")
    d = svc.archive("adm", d["id"], "过期归档")
    assert d["status"] == "archived"
    with pytest.raises(InvalidState):
        svc.upload_version("ed", d["id"], "x.txt", b"new text")


def test_export_archive_holds_everything(svc):
    d = new_draft(svc, TYPO + CLEAN)
    fid = svc.list_findings("r1", d["id"])[0]["id"]
    svc.decide_finding("p1", fid, "false_positive", reason="人名")
    svc.add_comment(
        "p1", d["id"], "第二段标点已改", kind="correction", attachment=("校样.txt", "改后文本".encode())
    )
    with pytest.raises(PermissionDenied):
        svc.add_comment("r1", d["id"], "改了", kind="correction")
    svc.upload_version("ed", d["id"], "v2.txt", (TYPO + CLEAN + "补\n").encode())
    blob = svc.export_archive("r1", d["id"])
    zf = zipfile.ZipFile(io.BytesIO(blob))
    names = set(zf.namelist())
    assert {"manifest.json", "versions/v1-notice.txt", "versions/v2-v2.txt"} <= names
    assert any(n.startswith("attachments/") and n.endswith("校样.txt") for n in names)
    m = json.loads(zf.read("manifest.json"))
    assert m["format"] == "pubguard.archive/1"
    assert len(m["versions"]) == 2 and m["versions"][0]["scan_result"]["findings"]
    assert [f["status"] for f in m["findings"]] == ["false_positive", "false_positive"]
    assert m["comments"][0]["kind"] == "correction"
    actions = [e["action"] for e in m["audit"]]
    assert actions[:2] == ["draft.create", "version.upload"] and "finding.decide" in actions
    assert svc.audit_log("adm", draft_id=d["id"])[-1]["action"] == "archive.export"


def test_publisher_queue_holds_approved_drafts_until_released(svc):
    """Issue 18.2: 待发布 drafts are in the publisher's 我的待办 (not in the 终审 approver's, who
    may not publish them); once online the 发布 button gives way to 撤稿."""
    d = new_draft(svc)
    assert svc.list_drafts("pub", queue=True) == []  # in review: not the publisher's turn yet
    d = approve_through(svc, d["id"])
    assert d["status"] == "approved"
    assert [x["id"] for x in svc.list_drafts("pub", queue=True)] == [d["id"]]
    assert svc.list_drafts("r3", queue=True) == []
    assert svc.list_drafts("ed", queue=True) == []
    assert "release" in svc.get_draft("pub", d["id"])["actions"]
    svc.release("pub", d["id"])
    acts = svc.get_draft("pub", d["id"])["actions"]
    assert "release" not in acts and "withdraw" in acts
    assert svc.list_drafts("pub", queue=True) == []


def test_release_record_gives_the_web_address_from_the_site_base_url(svc):
    d = approve_through(svc, new_draft(svc)["id"])
    svc.release("pub", d["id"])
    rel = svc.get_draft("pub", d["id"])["releases"][0]
    assert rel["url"] is None and rel["file"] == "notice.txt"  # no base_url: no invented address
    with svc.db.write() as s:
        from pubguard.review.models import Site

        s.get(Site, SITE).publish = {"type": "folder", "base_url": "https://www.example.gov.cn/xxgk/"}
    rel = svc.get_draft("pub", d["id"])["releases"][0]
    assert rel["url"] == f"https://www.example.gov.cn/xxgk/{d['id']}/notice.txt"
    assert Path(rel["location"]).is_file()  # the server path stays in the record (API contract)
    with pytest.raises(InvalidInput, match="网站地址"):
        svc.create_site("bad", "坏网址", publish={"type": "folder", "base_url": "www.example.gov.cn"})


def test_web_address_quotes_the_file_name_and_keeps_a_cms_url():
    from pubguard.review.publish import web_address

    cfg = {"base_url": "https://gov.example.cn"}
    assert (
        web_address(cfg, 7, "/srv/pub/gov/7/通知 2.pdf")
        == "https://gov.example.cn/7/%E9%80%9A%E7%9F%A5%202.pdf"
    )
    assert web_address(None, 7, "https://cms.example.cn/a/7.html") == "https://cms.example.cn/a/7.html"
    assert web_address({"base_url": "ftp://x"}, 7, "/srv/x") is None
