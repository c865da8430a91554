"""The hash-chained audit log.

Every entry's hash covers its own fields and the previous entry's hash. Appends lock the single
`audit_head` row, so entries are strictly ordered even with several writers, and they are
written in the caller's transaction: the log and the state change commit (or fail) together.
`verify` recomputes the whole chain; the head hash it returns can be noted elsewhere (printed,
e-mailed) so that even a rewrite of the whole chain would show."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pubguard.review.models import AuditEntry, AuditHead, User
from pubguard.review.readmodels import AuditEntryView

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = prev_hash + "\n" + canonical_json(fields)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _fields(e: AuditEntry) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": e.at,
        "actor_id": e.actor_id,
        "actor": e.actor,
        "action": e.action,
        "draft_id": e.draft_id,
        "version_id": e.version_id,
        "step": e.step,
        "comment": e.comment,
        "details": e.details,
    }


def append(
    session: Session,
    *,
    actor: User | None,
    action: str,
    now: dt.datetime,
    draft_id: int | None = None,
    version_id: int | None = None,
    step: str | None = None,
    comment: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry in the current transaction (locks the chain head until commit)."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    entry = AuditEntry(
        seq=head.seq + 1,
        at=now.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        actor_id=actor.id if actor else None,
        actor=actor.username if actor else "system",
        action=action,
        draft_id=draft_id,
        version_id=version_id,
        step=step,
        comment=comment or "",
        details=canonical_json(details or {}),
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(head.hash, _fields(entry))
    session.add(entry)
    head.seq = entry.seq
    head.hash = entry.hash
    return entry


def entry_to_dict(e: AuditEntry) -> AuditEntryView:
    return {
        "seq": e.seq,
        "at": e.at,
        "actor_id": e.actor_id,
        "actor": e.actor,
        "action": e.action,
        "draft_id": e.draft_id,
        "version_id": e.version_id,
        "step": e.step,
        "comment": e.comment,
        "details": json.loads(e.details or "{}"),
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    }


@dataclass
class AuditVerification:
    ok: bool
    entries: int
    head_hash: str
    problems: list[dict[str, Any]] = field(default_factory=list)  # {"seq": n, "message": 中文}

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head_hash": self.head_hash,
            "problems": self.problems,
        }


def verify(session: Session) -> AuditVerification:
    """Recompute the chain: edited fields, removed or reordered entries and a moved head all
    show up as problems."""
    problems: list[dict[str, Any]] = []
    prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for e in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(1000).scalars():
        count += 1
        if e.seq != expected_seq:
            problems.append(
                {
                    "seq": e.seq,
                    "message": f"序号不连续：应为 {expected_seq}，实为 {e.seq}（有记录被删除或插入）。",
                }
            )
        if e.prev_hash != prev:
            problems.append({"seq": e.seq, "message": "前一条记录的哈希不匹配（记录被删除、插入或改动）。"})
        if entry_hash(e.prev_hash, _fields(e)) != e.hash:
            problems.append({"seq": e.seq, "message": "记录内容与其哈希不符（记录被篡改）。"})
        prev = e.hash
        expected_seq = e.seq + 1
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one_or_none()
    if head is None:
        problems.append({"seq": None, "message": "缺少审计链头记录。"})
    elif head.seq != expected_seq - 1 or head.hash != prev:
        problems.append(
            {"seq": head.seq, "message": "审计链头与最后一条记录不符（末尾记录被删除或链头被改动）。"}
        )
    return AuditVerification(ok=not problems, entries=count, head_hash=prev, problems=problems)


# ------------------------------------------------------------------ checkpoints (anchors)
# A superuser of the database can delete the last entries and move `audit_head` back, or rewrite
# the tail and recompute every hash: the chain alone still verifies. A checkpoint — the head
# (seq + hash) signed with an HMAC under the installation key (`pubguard.keys`, kept outside the
# database) and written to a file or a webhook outside the database — anchors it: `verify`
# then checks that every checkpointed entry is still there with the same hash.

CHECKPOINT_FORMAT = "pubguard.audit-checkpoint/1"


def _checkpoint_key(key_id: str | None = None) -> bytes:
    """Derived from the current key, or from the kept key named `key_id` (a checkpoint written
    before a rotation still verifies)."""
    from pubguard.keys import key_id as id_of
    from pubguard.keys import keyring

    ring = keyring()
    base = next((k for k in ring.all_keys if key_id and id_of(k) == key_id), ring.current)
    return hmac.new(base, b"pubguard-audit-checkpoint", hashlib.sha256).digest()


def sign_checkpoint(record: dict[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "signature"}
    key = _checkpoint_key(body.get("key_id"))
    return hmac.new(key, canonical_json(body).encode("utf-8"), hashlib.sha256).hexdigest()


def make_checkpoint(session: Session, now: dt.datetime) -> dict[str, Any]:
    """The signed head of a chain that verifies (refused otherwise: never anchor a bad chain)."""
    from pubguard.keys import keyring

    result = verify(session)
    if not result.ok:
        raise ValueError("审计链校验失败，不能写入检查点。")
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    record = {
        "format": CHECKPOINT_FORMAT,
        "seq": head.seq,
        "hash": head.hash,
        "entries": result.entries,
        "at": now.astimezone(dt.UTC).isoformat(),
        "key_id": keyring().key_id,
    }
    record["signature"] = sign_checkpoint(record)
    return record


def check_against(session: Session, checkpoints: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems (中文) where the database no longer holds what a checkpoint anchored."""
    problems: list[dict[str, Any]] = []
    last = session.execute(select(AuditHead.seq).where(AuditHead.id == 1)).scalar() or 0
    for cp in checkpoints:
        seq = cp.get("seq")
        if not hmac.compare_digest(str(cp.get("signature", "")), sign_checkpoint(cp)):
            problems.append({"seq": seq, "message": "检查点签名无效（检查点文件被改动，或密钥已更换）。"})
            continue
        if not seq:
            continue
        row = session.execute(select(AuditEntry.hash).where(AuditEntry.seq == seq)).scalar_one_or_none()
        if row is None or seq > last:
            problems.append(
                {"seq": seq, "message": f"检查点记录的第 {seq} 条审计记录已不存在（末尾记录被删除）。"}
            )
        elif row != cp.get("hash"):
            problems.append({"seq": seq, "message": f"第 {seq} 条审计记录与检查点不符（记录被改写）。"})
    return problems
