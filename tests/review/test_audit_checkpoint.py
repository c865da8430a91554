"""Audit checkpoints: a signed head kept outside the database catches a superuser who deletes
or rewrites the last entries and fixes up the chain so that it verifies on its own."""

from __future__ import annotations

import json

import sqlalchemy as sa
from typer.testing import CliRunner

from pubguard.review import audit
from pubguard.review.cli import audit_app
from review.helpers import approve_through, new_draft
from review.test_audit import _drop_guards, _raw


def _rewind_head(svc, seq: int) -> None:
    """Make the shortened chain consistent again, as a superuser would."""
    with svc.db.write_engine.begin() as conn:
        h = conn.execute(sa.text("SELECT hash FROM audit_log WHERE seq = :s"), {"s": seq}).scalar()
        conn.execute(sa.text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1"), {"s": seq, "h": h})


def test_deleting_the_last_entries_is_caught_by_the_checkpoint(svc):
    d = new_draft(svc)
    approve_through(svc, d["id"], until="review2")
    cp = svc.audit_checkpoint()
    assert cp["seq"] > 3 and cp["signature"] and svc.verify_audit().ok
    _drop_guards(svc)
    _raw(svc, "DELETE FROM audit_log WHERE seq > :s", s=cp["seq"] - 2)
    _rewind_head(svc, cp["seq"] - 2)
    with svc.db.read() as s:
        assert audit.verify(s).ok  # the chain alone no longer notices
    v = svc.verify_audit()
    assert not v.ok and any("已不存在" in p["message"] for p in v.problems)


def test_rewriting_the_last_entry_with_recomputed_hashes_is_caught(svc):
    d = new_draft(svc)
    svc.reject("p1", d["id"], d["current_version_id"], "格式不对")
    cp = svc.audit_checkpoint()
    _drop_guards(svc)
    with svc.db.write_engine.begin() as conn:  # rewrite the comment and recompute the hash
        row = (
            conn.execute(sa.text("SELECT * FROM audit_log WHERE seq = :s"), {"s": cp["seq"]}).mappings().one()
        )
        fields = {
            k: row[k] for k in ("seq", "at", "actor_id", "actor", "action", "draft_id", "version_id", "step")
        }
        fields.update(comment="同意", details=json.loads(row["details"]))
        entry = audit.AuditEntry(
            **{**fields, "details": row["details"], "prev_hash": row["prev_hash"], "hash": ""}
        )
        new_hash = audit.entry_hash(row["prev_hash"], audit._fields(entry) | {"comment": "同意"})
        conn.execute(
            sa.text("UPDATE audit_log SET comment = '同意', hash = :h WHERE seq = :s"),
            {"h": new_hash, "s": cp["seq"]},
        )
        conn.execute(sa.text("UPDATE audit_head SET hash = :h WHERE id = 1"), {"h": new_hash})
    with svc.db.read() as s:
        assert audit.verify(s).ok
    v = svc.verify_audit()
    assert not v.ok and any("改写" in p["message"] for p in v.problems)


def test_a_forged_checkpoint_file_is_refused(svc, tmp_path):
    new_draft(svc)
    cp = svc.audit_checkpoint()
    forged = dict(cp, seq=cp["seq"] + 100)
    path = tmp_path / "cp.jsonl"
    path.write_text(json.dumps(forged) + "\n", encoding="utf-8")
    v = svc.verify_audit(path)
    assert not v.ok and any("签名无效" in p["message"] for p in v.problems)


def test_cli_checkpoint_and_verify(svc, monkeypatch):
    new_draft(svc)
    monkeypatch.setenv("PUBGUARD_DATABASE_URL", svc.db.url)
    monkeypatch.setenv("PUBGUARD_DATA_DIR", str(svc.settings.data_dir))
    runner = CliRunner()
    r = runner.invoke(audit_app, ["checkpoint", "--json"])
    assert r.exit_code == 0, r.output
    seq = json.loads(r.output)["seq"]
    assert runner.invoke(audit_app, ["verify"]).exit_code == 0
    _drop_guards(svc)
    _raw(svc, "DELETE FROM audit_log WHERE seq = :s", s=seq)
    _rewind_head(svc, seq - 1)
    r = runner.invoke(audit_app, ["verify"])
    assert r.exit_code == 1 and "已不存在" in r.output
