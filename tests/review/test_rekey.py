"""Key rotation re-keys the review database (`pubguard.review.rekey`): decisions still carry by
fingerprint to a scan made after the rotation, and no fingerprint under the old key chain stays
anywhere in the database. A rotation interrupted by a crash is settled at the next start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pubguard import keys
from review.helpers import CLEAN, database_text, make_service, new_draft

PHONE = "!high personal_data mobile 138****5678\n"
TYPO = "!low proofreading typo 按排\n"
TEXT = PHONE + TYPO + CLEAN


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    path = tmp_path / "keys" / "fingerprint.key"
    monkeypatch.setenv(keys.ENV_FILE, str(path))
    keys.reset_cache()
    yield path
    keys.reset_cache()


def by_rule(findings: list[dict]) -> dict[str, dict]:
    return {f["rule"]: f for f in findings if f["status"] != "fixed"}


def test_decisions_carry_after_rotation_and_old_fingerprints_are_gone(svc, key_file):
    d = new_draft(svc, TEXT)
    f = by_rule(svc.list_findings("r1", d["id"]))
    svc.decide_finding("p1", f["typo"]["id"], "false_positive", reason="专有名词")
    svc.decide_finding("r3", f["mobile"]["id"], "accepted", reason="单位办公电话", level=3)
    old = {x["fingerprint"] for x in f.values()}
    dump = database_text(svc)
    assert all(fp in dump for fp in old)  # (the check below can fail)
    old_id = keys.keyring().key_id

    ring = keys.rotate(key_file, rekey=svc.rekey_fingerprints)
    assert ring.key_id != old_id and len(ring.chain) == 2 and ring.pending is None
    dump = database_text(svc)
    assert not [fp for fp in old if fp in dump]

    # a new scan of the same content after the rotation: decisions still carry
    svc.upload_version("ed", d["id"], "v2.txt", TEXT.encode())
    now = by_rule(svc.list_findings("r1", d["id"]))
    assert now["typo"]["status"] == "false_positive" and now["typo"]["carried_over"]
    assert now["mobile"]["status"] == "accepted" and now["mobile"]["decision_level"] == 3
    assert {x["fingerprint"] for x in now.values()} == {keys.rekey(fp, ring.current) for fp in old}
    assert not [fp for fp in old if fp in database_text(svc)]
    rotations = [e for e in svc.audit_log(None, limit=50) if e["action"] == "key.rotate"]
    assert len(rotations) == 1 and ring.key_id in json.dumps(rotations[0], ensure_ascii=False)
    assert ring.current.hex() not in database_text(svc)


def test_without_re_keying_decisions_would_not_carry(svc, key_file):
    """The failing baseline: a plain file rotation leaves the stored fingerprints behind."""
    d = new_draft(svc, TEXT)
    f = by_rule(svc.list_findings("r1", d["id"]))
    svc.decide_finding("p1", f["typo"]["id"], "false_positive", reason="专有名词")
    keys.rotate(key_file)
    svc.upload_version("ed", d["id"], "v2.txt", TEXT.encode())
    assert by_rule(svc.list_findings("r1", d["id"]))["typo"]["status"] == "open"


def test_a_failed_re_key_changes_neither_the_key_nor_the_database(svc, key_file):
    d = new_draft(svc, TEXT)
    before = {x["fingerprint"] for x in svc.list_findings("r1", d["id"])}
    ring = keys.keyring()

    def failing(new_key: bytes) -> None:
        raise RuntimeError("数据库不可用")

    with pytest.raises(RuntimeError):
        keys.rotate(key_file, rekey=failing)
    after = keys._read(key_file)
    assert after.chain == ring.chain and after.pending is None
    assert {x["fingerprint"] for x in svc.list_findings("r1", d["id"])} == before


def test_an_interrupted_rotation_is_settled_at_the_next_start(svc, key_file, db_url, tmp_path, clock):
    d = new_draft(svc, TEXT)
    f = by_rule(svc.list_findings("r1", d["id"]))
    svc.decide_finding("p1", f["typo"]["id"], "false_positive", reason="专有名词")
    ring = keys.keyring()
    # crash after the database committed, before the key joined the chain
    new = b"n" * 32
    keys._write_new(key_file, keys._data(ring, new))
    svc.rekey_fingerprints(new)
    keys.reset_cache()
    assert keys.keyring().current == ring.current  # a pending key is never used
    with make_service(db_url, tmp_path / "data", clock) as again:
        assert keys.keyring().current == new and keys._read(key_file).pending is None
        again.upload_version("ed", d["id"], "v2.txt", TEXT.encode())
        assert by_rule(again.list_findings("r1", d["id"]))["typo"]["status"] == "false_positive"
    # crash before the database committed: the pending key is dropped
    ring = keys.keyring()
    keys._write_new(key_file, keys._data(ring, b"m" * 32))
    with make_service(db_url, tmp_path / "data", clock):
        settled = keys._read(key_file)
        assert settled.pending is None and settled.chain == ring.chain


def test_rotate_cli_re_keys_the_database(svc, key_file, db_url, tmp_path):
    from typer.testing import CliRunner

    from pubguard.keys_cli import key_app

    d = new_draft(svc, TEXT)
    old = {x["fingerprint"] for x in svc.list_findings("r1", d["id"])}
    r = CliRunner().invoke(key_app, ["rotate", "--db", db_url, "--data-dir", str(tmp_path / "data")])
    assert r.exit_code == 0, r.output
    assert "检查结果 2 条" in r.output
    keys.reset_cache()
    assert not [fp for fp in old if fp in database_text(svc)]


def test_a_checkpoint_signed_before_a_rotation_still_verifies(svc, key_file):
    new_draft(svc, TEXT)
    svc.audit_checkpoint()
    keys.rotate(key_file, rekey=svc.rekey_fingerprints)
    v = svc.verify_audit()
    assert v.ok, v
    svc.audit_checkpoint()  # under the new key
    assert svc.verify_audit().ok
