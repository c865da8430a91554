"""消息 (issue 18.8): who is told what and when — a draft reaching a step, a rejection (with
its reason at the top of the draft and in the queue row), 待发布, the 公开时限 sweep — and the
same messages by e-mail through a real SMTP server on 127.0.0.1 when SMTP is configured."""

from __future__ import annotations

import email
import socketserver
import threading
import time
from collections.abc import Iterator
from email.policy import default as default_policy

import pytest

from pubguard.review import ReviewService, ReviewSettings
from pubguard.review.models import User
from review.conftest import seed
from review.helpers import CLEAN, approve_through, fake_scanner, new_draft


def kinds(svc, user: str) -> list[tuple[str, str]]:
    return [(n["kind"], n["title"]) for n in svc.list_notifications(user)]


def test_each_step_tells_the_people_whose_turn_it_is(svc):
    d = new_draft(svc)
    for p in ("p1", "p2", "p3"):  # any proofreader may take 一校
        assert kinds(svc, p) == [("turn", "「春季农业生产通知」待您一校")]
    assert svc.list_notifications("r1") == [] and svc.list_notifications("ed") == []
    svc.approve("p1", d["id"], d["current_version_id"], step_key="proof1")
    assert kinds(svc, "r1")[0] == ("turn", "「春季农业生产通知」待您初审")
    assert svc.unread_notifications("r1") == 1
    d = approve_through(svc, d["id"])
    assert d["status"] == "approved"
    assert kinds(svc, "pub")[0] == ("turn", "「春季农业生产通知」待发布")
    assert all("待发布" not in t for _, t in kinds(svc, "r3"))  # the 终审 approver may not publish


def test_a_rejection_tells_the_editor_and_shows_its_reason_on_top_and_in_the_queue(svc):
    d = new_draft(svc)
    svc.reject(
        "p1", d["id"], d["current_version_id"], "第二段日期有误，请核实后重新上传。", step_key="proof1"
    )
    notes = svc.list_notifications("ed")
    assert notes[0]["kind"] == "returned" and "被一校退回修改" in notes[0]["title"]
    assert "第二段日期有误" in notes[0]["body"] and notes[0]["link"] == f"/drafts/{d['id']}"
    row = svc.list_drafts("ed", queue=True)[0]
    assert row["last_rejection"]["body"] == "第二段日期有误，请核实后重新上传。"
    assert row["last_rejection"]["step_name"] == "一校" and row["last_rejection"]["author"] == "p1"
    assert svc.get_draft("ed", d["id"])["last_rejection"]["body"].startswith("第二段")
    # resubmitted: the old reason is no longer the news
    svc.upload_version("ed", d["id"], "v2.txt", (CLEAN + "日期已核实。\n").encode())
    svc.submit("ed", d["id"])
    assert svc.get_draft("ed", d["id"])["last_rejection"] is None
    # read state is per person
    assert svc.unread_notifications("ed") == 1
    assert svc.mark_notifications_read("p1", [notes[0]["id"]]) == 0  # not theirs
    assert svc.mark_notifications_read("ed") == 1 and svc.unread_notifications("ed") == 0


def test_rejection_to_an_earlier_step_tells_that_step_and_stays_on_top_until_passed(svc):
    d = new_draft(svc)
    d = approve_through(svc, d["id"], until="proof2")
    svc.reject("p2", d["id"], d["current_version_id"], "初审意见未落实", to_step="review1", step_key="proof2")
    assert kinds(svc, "r1")[0][0] == "returned" and "退回到「初审」" in kinds(svc, "r1")[0][1]
    page = svc.get_draft("r1", d["id"])
    assert page["status"] == "in_review" and page["last_rejection"]["body"] == "初审意见未落实"
    svc.approve("r1", d["id"], d["current_version_id"], step_key="review1")
    assert svc.get_draft("r1", d["id"])["last_rejection"] is None


def test_deadline_sweep_sends_soon_and_overdue_once_each(svc, clock):
    d = new_draft(svc)  # 公开时限: 20 working days from today (Monday 2026-03-02)
    assert svc.notify_deadlines() == 0
    due = d["deadline"]["due"]
    clock.advance(days=26)  # Saturday 2026-03-28: … due 2026-03-30, the next working day
    n = svc.notify_deadlines()
    soon = [x for x in svc.list_notifications("ed") if x["kind"] == "deadline_soon"]
    assert n >= 4 and len(soon) == 1 and due in soon[0]["title"]  # editor + the three proofreaders
    assert any(x["kind"] == "deadline_soon" for x in svc.list_notifications("p2"))
    assert svc.notify_deadlines() == 0  # once per due date
    clock.advance(days=3)
    assert svc.notify_deadlines() >= 1
    assert [x["kind"] for x in svc.list_notifications("ed")][0] == "overdue"
    assert svc.notify_deadlines() == 0


# ---------------------------------------------------------------- e-mail over real SMTP


class _Smtp(socketserver.StreamRequestHandler):
    """Enough of RFC 5321 for smtplib: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def handle(self) -> None:
        self.wfile.write(b"220 localhost test SMTP\r\n")
        rcpt: list[str] = []
        while line := self.rfile.readline():
            cmd = line.decode("ascii", "replace").strip()
            verb = cmd[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250 localhost\r\n")
            elif verb == "RCPT":
                rcpt.append(cmd.split(":", 1)[1].strip(" <>"))
                self.wfile.write(b"250 ok\r\n")
            elif verb in ("MAIL", "RSET", "NOOP"):
                self.wfile.write(b"250 ok\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 go ahead\r\n")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.mails.append((list(rcpt), data))  # type: ignore[attr-defined]
                rcpt.clear()
                self.wfile.write(b"250 queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"502 not implemented\r\n")


@pytest.fixture
def smtp_server() -> Iterator[socketserver.ThreadingTCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    server.daemon_threads = True
    server.mails = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _wait(cond, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def test_messages_go_by_email_when_smtp_is_configured(db_url, tmp_path, clock, smtp_server):
    port = smtp_server.server_address[1]
    settings = ReviewSettings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_from="PubGuard <pubguard@example.gov.cn>",
        public_url="https://review.example.gov.cn",
    )
    svc = ReviewService(settings, scanner=fake_scanner, clock=clock)
    try:
        seed(svc)
        with svc.db.write() as s:
            for name in ("ed", "p1"):
                s.query(User).filter(User.username == name).one().email = f"{name}@example.gov.cn"
        d = new_draft(svc)  # p1 (with an address) and p2/p3 (without) are told
        _wait(lambda: len(smtp_server.mails) == 1)
        rcpt, raw = smtp_server.mails[0]
        assert rcpt == ["p1@example.gov.cn"]
        msg = email.message_from_bytes(raw, policy=default_policy)
        assert msg["Subject"] == "[PubGuard] 「春季农业生产通知」待您一校"
        text = msg.get_content()
        assert f"https://review.example.gov.cn/drafts/{d['id']}" in text
        _wait(lambda: svc.list_notifications("p1")[0]["emailed"])
        assert not svc.list_notifications("p2")[0]["emailed"]
        svc.reject("p1", d["id"], d["current_version_id"], "张三的身份证号请删除", step_key="proof1")
        _wait(lambda: len(smtp_server.mails) == 2)
        rcpt, raw = smtp_server.mails[1]
        text = email.message_from_bytes(raw, policy=default_policy).get_content()
        assert rcpt == ["ed@example.gov.cn"] and "请登录查看退回意见" in text
        assert "张三" not in text  # the reason may quote the document: it stays in the system
    finally:
        svc.close()


def test_a_dead_smtp_server_does_not_stop_the_workflow(db_url, tmp_path, clock, caplog):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = ReviewSettings(
        data_dir=tmp_path / "data", database_url=db_url, smtp_host="127.0.0.1", smtp_port=port
    )
    svc = ReviewService(settings, scanner=fake_scanner, clock=clock)
    try:
        seed(svc)
        with svc.db.write() as s:
            s.query(User).filter(User.username == "p1").one().email = "p1@example.gov.cn"
        d = new_draft(svc)
        assert d["status"] == "in_review"
        assert svc.send_mails([("p1@example.gov.cn", "p1", 1, "t", "b", "/drafts/1")]) == 0
        assert "p1@example.gov.cn" not in caplog.text  # no address in the logs
        assert not svc.list_notifications("p1")[0]["emailed"]
    finally:
        svc.close()


def test_reassign_tells_the_new_handler_only(svc):
    d = new_draft(svc)
    svc.claim("p1", d["id"], "proof1")
    before = len(svc.list_notifications("p3"))
    svc.reassign("p1", d["id"], "proof1", "p2")
    assert kinds(svc, "p2")[0] == ("turn", "「春季农业生产通知」转交给您一校")
    assert len(svc.list_notifications("p3")) == before
