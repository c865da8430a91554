"""消息: tell people when a draft reaches their step, is returned, nears or passes its 公开时限
(issue 18.8). Every message is a row in `notifications` (the header shows the unread count);
with SMTP configured (`PUBGUARD_SMTP_HOST` …, `ReviewSettings`) it also goes by e-mail to users
who have an address — sent after the transaction commits, in a background thread, so a slow or
broken mail server never holds up or undoes a review action. E-mails carry the title and a
link, never the rejection text (it may quote the document) and never an address in the logs."""

from __future__ import annotations

import smtplib
import ssl
import threading
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formataddr

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from pubguard.review.base import Actor, ServiceBase, log
from pubguard.review.db import UnitOfWork
from pubguard.review.errors import PermissionDenied
from pubguard.review.models import Draft, DraftStep, RoleGrant, User
from pubguard.review.models_notify import Notification
from pubguard.review.readmodels import NotificationView

KIND_LABELS = {"turn": "待办", "returned": "退回", "deadline_soon": "时限将到", "overdue": "已超期"}
DEADLINE_SOON_DAYS = 1  # working days left at which 时限将到 is sent (0 = due today)
MAIL_OUTBOX = "mail"  # the unit of work's outbox of e-mails (db.UnitOfWork)


class NotifyMixin(ServiceBase):
    # ------------------------------------------------------------ writing
    def _notify(
        self,
        s: Session,
        users: Iterable[User],
        kind: str,
        title: str,
        body: str = "",
        *,
        draft: Draft | None = None,
        key: str | None = None,
    ) -> int:
        """One message per (active) user; with `key`, a user gets it once ever."""
        sent = 0
        now = self.now()
        seen: set[int] = set()
        for user in users:
            if user.id in seen or not user.is_active:
                continue
            seen.add(user.id)
            if (
                key is not None
                and s.execute(
                    select(Notification.id).where(Notification.user_id == user.id, Notification.key == key)
                ).first()
            ):
                continue
            row = Notification(
                user_id=user.id,
                draft_id=draft.id if draft is not None else None,
                kind=kind,
                title=title[:300],
                body=body,
                link=f"/drafts/{draft.id}" if draft is not None else "",
                key=key,
                created_at=now,
            )
            s.add(row)
            sent += 1
            if user.email and self.settings.smtp_host:
                self._queue_mail(s, user, row)
        return sent

    def _step_people(self, s: Session, draft: Draft, step: DraftStep) -> list[User]:
        """Who may act on `step` now: its assignee, else everyone eligible for it."""
        if step.assignee_id is not None:
            user = s.get(User, step.assignee_id)
            return [user] if user is not None else []
        return [
            u
            for u in self._role_holders(s, draft.site, step.role)
            if self.eligibility_problem(u, draft, step) is None
        ]

    @staticmethod
    def _role_holders(s: Session, site: str, role: str) -> list[User]:
        stmt = (
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role == role, RoleGrant.site.in_((site, "*")), User.is_active.is_(True))
            .order_by(User.id)
        )
        return list(s.execute(stmt).scalars().unique())

    def _notify_turn(self, s: Session, draft: Draft) -> None:
        """After a workflow action: tell whoever's turn it is now."""
        active = self._active_step(draft)
        if draft.status == "in_review" and active is not None:
            people = self._step_people(s, draft, active)
            self._notify(
                s,
                people,
                "turn",
                f"「{draft.title}」待您{active.name}",
                f"稿件已到「{active.name}」环节，请及时处理。",
                draft=draft,
            )
        elif draft.status == "approved":
            people = [
                u
                for u in self._role_holders(s, draft.site, "publisher")
                if self.publish_problem(u, draft) is None
            ]
            self._notify(
                s, people, "turn", f"「{draft.title}」待发布", "稿件已全部审核通过，等待发布。", draft=draft
            )

    def _notify_returned(self, s: Session, draft: Draft, actor: User, step_name: str, reason: str) -> None:
        """A rejection: the editors (returned for changes) or the people of the step it went back to."""
        active = self._active_step(draft)
        if draft.status == "in_review" and active is not None:
            people = self._step_people(s, draft, active)
            where = f"退回到「{active.name}」"
        else:
            people = [u for u in (s.get(User, i) for i in sorted(self._authors(draft))) if u is not None]
            where = "退回修改"
        self._notify(
            s,
            people,
            "returned",
            f"「{draft.title}」被{step_name}{where}",
            f"{actor.label}（{step_name}）的退回意见：{reason}",
            draft=draft,
        )

    def notify_deadlines(self) -> int:
        """The 公开时限 sweep (the worker runs it when idle, `pubguard review notify`): one
        时限将到 message when ≤ DEADLINE_SOON_DAYS working days are left and one 已超期 message,
        per draft and due date, to its editors and the people of its current step or publishers."""
        sent = 0
        with self.db.write() as s:
            drafts = s.execute(
                select(Draft).where(Draft.status.in_(("draft", "in_review", "approved")))
            ).scalars()
            for draft in drafts:
                deadline = self.deadline(draft, s)
                if deadline is None:
                    continue
                if deadline.overdue:
                    kind, title = "overdue", f"「{draft.title}」已超过公开时限（{deadline.due}）"
                elif deadline.remaining <= DEADLINE_SOON_DAYS:
                    left = "今日到期" if deadline.remaining == 0 else f"剩 {deadline.remaining} 个工作日"
                    kind, title = "deadline_soon", f"「{draft.title}」公开时限将到（{left}，{deadline.due}）"
                else:
                    continue
                people = [u for u in (s.get(User, i) for i in sorted(self._authors(draft))) if u is not None]
                active = self._active_step(draft)
                if active is not None:
                    people += self._step_people(s, draft, active)
                elif draft.status == "approved":
                    people += [
                        u
                        for u in self._role_holders(s, draft.site, "publisher")
                        if self.publish_problem(u, draft) is None
                    ]
                sent += self._notify(
                    s,
                    people,
                    kind,
                    title,
                    deadline.text,
                    draft=draft,
                    key=f"{kind}:{draft.id}:{deadline.due}",
                )
        return sent

    # ------------------------------------------------------------ reading
    def _me(self, s: Session, actor: Actor) -> User:
        user = self._user(s, actor)
        if user is None:  # pragma: no cover - _user raises for a missing actor
            raise PermissionDenied("需要登录用户才能执行此操作。")
        return user

    def list_notifications(
        self, actor: Actor, *, unread: bool = False, limit: int = 50
    ) -> list[NotificationView]:
        with self.db.read() as s:
            user = self._me(s, actor)
            stmt = select(Notification).where(Notification.user_id == user.id)
            if unread:
                stmt = stmt.where(Notification.read_at.is_(None))
            rows = s.execute(stmt.order_by(Notification.id.desc()).limit(limit)).scalars().all()
            return [_notification_dict(n) for n in rows]

    def unread_notifications(self, actor: Actor) -> int:
        with self.db.read() as s:
            user = self._me(s, actor)
            return int(
                s.execute(
                    select(func.count())
                    .select_from(Notification)
                    .where(Notification.user_id == user.id, Notification.read_at.is_(None))
                ).scalar_one()
            )

    def mark_notifications_read(
        self, actor: Actor, ids: Iterable[int] | None = None, *, draft_id: int | None = None
    ) -> int:
        """Mark the actor's own messages read: `ids`, those of one draft, or (neither) all."""
        with self.db.write() as s:
            user = self._me(s, actor)
            stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
            if ids is not None:
                stmt = stmt.where(Notification.id.in_(list(ids)))
            if draft_id is not None:
                stmt = stmt.where(Notification.draft_id == draft_id)
            result = s.execute(stmt.values(read_at=self.now()))
            return int(result.rowcount or 0) if isinstance(result, CursorResult) else 0

    # ------------------------------------------------------------ e-mail
    def _queue_mail(self, s: Session, user: User, row: Notification) -> None:
        """The e-mail of `row`, in the unit of work's mail outbox: sent once it committed."""
        UnitOfWork.of(s).collect(MAIL_OUTBOX, (user.email or "", user.label, row), self._after_commit)

    def _after_commit(self, outbox: list[tuple[str, str, Notification]]) -> None:
        mails = [
            (to, name, n.id, n.title, n.body if n.kind != "returned" else "", n.link)
            for to, name, n in outbox
        ]
        if mails:
            threading.Thread(target=self.send_mails, args=(mails,), name="pubguard-mail", daemon=True).start()

    def send_mails(self, mails: list[tuple[str, str, int, str, str, str]]) -> int:
        """Send (address, name, notification id, title, body, link) over one SMTP connection;
        the rows get `emailed_at`. Failures are logged without addresses and leave it empty."""
        st = self.settings
        sent_ids: list[int] = []
        try:
            if st.smtp_ssl:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(st.smtp_host or "", st.smtp_port, timeout=20)
            else:
                smtp = smtplib.SMTP(st.smtp_host or "", st.smtp_port, timeout=20)
            with smtp:
                if st.smtp_starttls and not st.smtp_ssl:
                    smtp.starttls(context=ssl.create_default_context())
                if st.smtp_user:
                    smtp.login(st.smtp_user, st.smtp_password or "")
                for to, name, nid, title, body, link in mails:
                    msg = EmailMessage()
                    msg["Subject"] = f"[PubGuard] {title}"
                    msg["From"] = st.smtp_from
                    msg["To"] = formataddr((name, to))
                    url = (st.public_url.rstrip("/") + link) if st.public_url and link else link
                    text = body or "稿件已被退回，请登录查看退回意见。"
                    see = f"查看：{url}\n" if url else ""
                    msg.set_content(f"{title}\n\n{text}\n{see}\n（PubGuard 发布审核系统自动发送）\n")
                    try:
                        smtp.send_message(msg)
                        sent_ids.append(nid)
                    except smtplib.SMTPException as exc:
                        log.warning("notification %s not e-mailed: %s", nid, type(exc).__name__)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("SMTP server %s:%s unavailable: %s", st.smtp_host, st.smtp_port, type(exc).__name__)
        if sent_ids:
            with self.db.write() as s:
                s.execute(
                    update(Notification).where(Notification.id.in_(sent_ids)).values(emailed_at=self.now())
                )
        return len(sent_ids)


def _notification_dict(n: Notification) -> NotificationView:
    return {
        "id": n.id,
        "draft_id": n.draft_id,
        "kind": n.kind,
        "kind_label": KIND_LABELS.get(n.kind, n.kind),
        "title": n.title,
        "body": n.body,
        "link": n.link,
        "created_at": n.created_at.isoformat() if n.created_at else None,
        "read_at": n.read_at.isoformat() if n.read_at else None,
        "emailed": n.emailed_at is not None,
    }


__all__ = ["KIND_LABELS", "NotifyMixin"]
