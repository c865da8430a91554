"""Re-keying the review database when the fingerprint key rotates (`pubguard key rotate`).

Fingerprints are chained HMACs (`pubguard.keys`): the fingerprint under the chain extended by a
new key is `rekey(old, new_key)`, so every stored fingerprint is moved onto the new chain
without the raw value — the finding rows (decisions are carried by fingerprint), the scan
results kept with each version, clean-copy reports, 值班读网 run keys and items — every
`fingerprint` in any JSON column of any table. Everything
happens in one transaction with an audit entry `key.rotate` naming the new key id (never the
key), which is what `settle_pending` looks for after a crash. Audit entries do not hold
fingerprints (the log is hash-chained and permanent; they name the finding id instead)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, select

from pubguard.keys import key_id, rekey
from pubguard.review.base import Actor, ServiceBase
from pubguard.review.db import Database
from pubguard.review.interpretation import missing_fingerprint
from pubguard.review.models import AuditEntry, Base, FindingRow
from pubguard.review.models_routes import DutyRun

ROTATE_ACTION = "key.rotate"


def rekey_json(value: Any, new_key: bytes) -> Any:
    """A copy of a JSON value with every `fingerprint` (and `fingerprints` list) re-keyed."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k == "fingerprint" and isinstance(v, str) and v:
                out[k] = rekey(v, new_key)
            elif k in ("fingerprints", "previous_fingerprints") and isinstance(v, list):
                out[k] = [rekey(x, new_key) if isinstance(x, str) and x else x for x in v]
            else:
                out[k] = rekey_json(v, new_key)
        return out
    if isinstance(value, list):
        return [rekey_json(v, new_key) for v in value]
    return value


class RekeyMixin(ServiceBase):
    def rekey_fingerprints(self, new_key: bytes, actor: Actor | None = None) -> dict[str, int]:
        """Move every stored fingerprint onto the chain extended by `new_key` (one transaction)."""
        counts: dict[str, int] = {"findings": 0, "versions": 0, "duty_runs": 0}
        with self.db.write() as s:
            user = self._user(s, actor, required=False)
            for row in s.execute(select(FindingRow)).scalars():
                if row.fingerprint and row.fingerprint != missing_fingerprint(row.draft_id):  # not keyed
                    row.fingerprint = rekey(row.fingerprint, new_key)
                    counts["findings"] += 1
            # every JSON column of every table (scan results, clean-copy reports, 值班 items, and
            # whatever is added later): each `fingerprint` value in it
            for mapper in Base.registry.mappers:
                model = mapper.class_
                columns = [
                    c.key
                    for c in mapper.columns
                    if isinstance(c.type, JSON) and (model, c.key) != (DutyRun, "keys")
                ]
                for obj in s.execute(select(model)).scalars() if columns else ():
                    changed = False
                    for column in columns:
                        old = getattr(obj, column)
                        new = rekey_json(old, new_key) if old else old
                        if new != old:
                            setattr(obj, column, new)
                            changed = True
                    if changed:
                        name = str(getattr(model, "__tablename__", model.__name__))
                        counts[name] = counts.get(name, 0) + 1
            for run in s.execute(select(DutyRun)).scalars():
                if run.keys:
                    run.keys = [_rekey_duty_key(k, new_key) for k in run.keys]
                    counts["duty_runs"] += 1
            self._audit(s, user, ROTATE_ACTION, details={"key_id": key_id(new_key), "rekeyed": counts})
        return counts

    def rotation_committed(self, new_key_id: str) -> bool:
        return rotation_committed(self.db, new_key_id)


def rotation_committed(db: Database, new_key_id: str) -> bool:
    """Whether a re-key for the key named `new_key_id` committed (for `settle_pending`)."""
    with db.read() as s:
        rows = s.execute(select(AuditEntry.details).where(AuditEntry.action == ROTATE_ACTION)).scalars()
        return any(f'"key_id":"{new_key_id}"' in d for d in rows)


def _rekey_duty_key(key: str, new_key: bytes) -> str:
    draft, sep, fp = key.partition(":")
    return f"{draft}:{rekey(fp, new_key)}" if sep and fp else key
