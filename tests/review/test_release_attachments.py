"""附件 go online with their draft (issue 18 item 13): published next to the main file inside
the crash-safe release (staging, rename, meta.json last), listed in meta.json, in the release
record (with web addresses) and in the webhook payload; 撤稿 takes them down; a kill -9 between
two attachment writes is settled by reconcile to all or nothing."""

from __future__ import annotations

import base64
import json
import signal

import pytest

from pubguard.review import GateClosed, faults
from pubguard.review.models import Site
from pubguard.review.publish import attachment_names
from review.helpers import CLEAN, SITE, approve_through, new_draft
from review.test_crash_release import release_in_fork, served_files, state, temp_files
from review.test_release import webhook  # noqa: F401  (fixture)

FORM = "申请表\n姓名：\n"
LIST = "参会单位名单\n农业农村局\n"


def with_attachments(svc) -> dict:  # type: ignore[no-untyped-def]
    d = new_draft(svc, submit=False)
    svc.add_attachment("ed", d["id"], "申请表.txt", FORM.encode())
    svc.add_attachment("ed", d["id"], "../名单.txt", LIST.encode())  # unsafe name: sanitised
    svc.submit("ed", d["id"])
    return approve_through(svc, d["id"])


def test_release_publishes_attachments_and_withdraw_removes_them(svc):
    d = with_attachments(svc)
    with svc.db.write() as s:
        s.get_one(Site, SITE).publish = {"type": "folder", "base_url": "https://www.example.gov.cn/xxgk/"}
    rel = svc.release("pub", d["id"])
    folder = svc.settings.publish_dir / SITE / str(d["id"])
    assert served_files(svc) == [
        f"{SITE}/{d['id']}/{n}" for n in ("meta.json", "notice.txt", "名单.txt", "申请表.txt")
    ]
    assert (folder / "申请表.txt").read_text("utf-8") == FORM and (folder / "名单.txt").read_text(
        "utf-8"
    ) == LIST
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    assert [a["file"] for a in meta["attachments"]] == ["申请表.txt", "名单.txt"]
    assert meta["file"] == "notice.txt" and all(len(a["sha256"]) == 64 for a in meta["attachments"])
    base = f"https://www.example.gov.cn/xxgk/{d['id']}/"
    assert [a["url"] for a in rel["attachments"]] == [
        base + "%E7%94%B3%E8%AF%B7%E8%A1%A8.txt",
        base + "%E5%90%8D%E5%8D%95.txt",
    ]
    assert rel["attachments"][0]["url_text"] == base + "申请表.txt"
    record = svc.get_draft("pub", d["id"])["releases"][0]
    assert [a["file"] for a in record["attachments"]] == ["申请表.txt", "名单.txt"]
    assert all(a["location"].startswith(str(folder)) for a in record["attachments"])
    entry = [e for e in svc.audit_log("pub", draft_id=d["id"]) if e["action"] == "release"][-1]
    assert entry["details"]["attachments"] == ["申请表.txt", "名单.txt"]
    assert svc.release("pub", d["id"])["attachments"] == rel["attachments"]  # idempotent

    svc.withdraw("pub", d["id"], "附件有误")
    assert served_files(svc) == [] and temp_files(svc) == []
    assert svc.get_draft("pub", d["id"])["releases"][0]["withdrawn_at"]


def test_draft_without_attachments_publishes_an_empty_list(svc):
    d = approve_through(svc, new_draft(svc)["id"])
    rel = svc.release("pub", d["id"])
    assert rel["attachments"] == []
    meta = json.loads((svc.settings.publish_dir / SITE / str(d["id"]) / "meta.json").read_text("utf-8"))
    assert meta["attachments"] == []


def test_attachment_names_are_safe_and_distinct():
    assert attachment_names("notice.txt", ["notice.txt", "a/b.txt", "b.txt", "meta.json", "..", ""]) == [
        "附件1-notice.txt",
        "b.txt",
        "附件3-b.txt",
        "附件4",
        "附件5",
        "附件6",
    ]


def test_kill_between_attachment_writes_rolls_back_to_nothing(svc):
    d = with_attachments(svc)
    # killed after the first attachment is online: the second and meta.json are not
    assert release_in_fork(svc, d["id"], "release:after_attachment") == -signal.SIGKILL
    assert served_files(svc) == [f"{SITE}/{d['id']}/notice.txt", f"{SITE}/{d['id']}/申请表.txt"]
    assert not [f for f in served_files(svc) if ".tmp" in f]
    out = svc.reconcile()
    assert out["rolled_back"] == [d["id"]]
    assert state(svc, d["id"]) == ("approved", 0, ["rolled_back"])
    assert served_files(svc) == [] and temp_files(svc) == []
    rel = svc.release("pub", d["id"])  # run again: everything goes online together
    assert len(rel["attachments"]) == 2 and len(served_files(svc)) == 4


def test_reconcile_finishes_only_when_every_attachment_is_online(svc):
    whole, damaged = with_attachments(svc), with_attachments(svc)
    for d in (whole, damaged):
        assert release_in_fork(svc, d["id"], "release:after_metadata") == -signal.SIGKILL
    folder = svc.settings.publish_dir / SITE / str(damaged["id"])
    assert len(served_files(svc)) == 8
    (folder / "名单.txt").write_bytes(b"damaged")  # one attachment not as meta.json says
    out = svc.reconcile()
    assert out["finished"] == [whole["id"]] and out["rolled_back"] == [damaged["id"]]
    assert [f for f in served_files(svc) if f.startswith(f"{SITE}/{damaged['id']}/")] == []
    record = svc.get_draft("pub", whole["id"])["releases"][0]
    assert [a["file"] for a in record["attachments"]] == ["申请表.txt", "名单.txt"]
    assert all(a["location"] for a in record["attachments"])
    svc.withdraw("pub", whole["id"], "撤下")
    assert served_files(svc) == []


def test_webhook_payload_lists_the_attachments(svc, webhook):  # noqa: F811
    url, hook = webhook
    with svc.db.write() as s:
        s.get_one(Site, SITE).publish = {"type": "webhook", "url": url, "backoff": 0.01}
    d = with_attachments(svc)
    rel = svc.release("pub", d["id"])
    body = hook.received[-1][1]
    assert body["file"]["content_base64"] == base64.b64encode(CLEAN.encode()).decode()  # unchanged field
    assert [a["name"] for a in body["attachments"]] == ["申请表.txt", "名单.txt"]
    assert base64.b64decode(body["attachments"][1]["content_base64"]).decode() == LIST
    assert [a["file"] for a in body["meta"]["attachments"]] == ["申请表.txt", "名单.txt"]
    assert [a["file"] for a in rel["attachments"]] == ["申请表.txt", "名单.txt"]


def test_attachment_added_after_the_gate_check_is_not_published(svc, monkeypatch):
    """The gate runs in step 1; a 高 attachment added before step 2 still keeps the draft offline."""
    d = with_attachments(svc)
    real = faults.point

    def add_during_release(name: str) -> None:
        if name == "release:after_intent":  # another request, between the two transactions
            svc.add_attachment("ed", d["id"], "名单2.txt", b"!high personal_data id_card 11**1234\n")
        real(name)

    monkeypatch.setattr(faults, "point", add_during_release)
    with pytest.raises(GateClosed, match="名单2.txt"):
        svc.release("pub", d["id"])
    assert served_files(svc) == []
    assert state(svc, d["id"])[1:] == (0, ["rolled_back"])


def test_an_attachment_added_or_removed_after_approval_goes_back_to_review(svc):
    """An approved draft's 附件 go online with it: a change to them re-opens the approved steps
    (as a new version of the main file does) so nothing unreviewed is published."""
    d = approve_through(svc, new_draft(svc)["id"])
    assert svc.get_draft("ed", d["id"])["status"] == "approved"
    added = svc.add_attachment("ed", d["id"], "补充说明.txt", LIST.encode())
    after = svc.get_draft("ed", d["id"])
    assert after["status"] == "in_review"
    assert any(st["status"] == "pending" for st in after["steps"])
    with pytest.raises(GateClosed):
        svc.release("pub", d["id"])
    entry = [e for e in svc.audit_log("ed", draft_id=d["id"]) if e["action"] == "attachment.add"][-1]
    assert entry["details"]["reopened"]
    # approved again, then the attachment is taken away: back to review once more
    d = approve_through(svc, d["id"])
    assert d["status"] == "approved"
    svc.remove_attachment("ed", added["id"])
    assert svc.get_draft("ed", d["id"])["status"] == "in_review"


def test_attachments_of_a_draft_before_submission_reopen_nothing(svc):
    d = new_draft(svc, submit=False)
    svc.add_attachment("ed", d["id"], "表.txt", FORM.encode())
    entry = [e for e in svc.audit_log("ed", draft_id=d["id"]) if e["action"] == "attachment.add"][-1]
    assert entry["details"]["reopened"] == [] and svc.get_draft("ed", d["id"])["status"] == "draft"
