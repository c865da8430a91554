"""Keyed fingerprints (`pubguard.keys`): a masked mobile or ID number cannot be recovered
from a report by trying candidates without the installation key."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from pubguard import keys
from pubguard.config import ScanConfig
from pubguard.finding import normalise_evidence
from pubguard.scan import scan_bytes

MOBILE = "13912345678"


def unkeyed(category: str, rule: str, raw: str, document: str, occurrence: int = 0) -> str:
    """The old, unkeyed fingerprint an attacker would compute for a candidate."""
    ev = hashlib.sha256(normalise_evidence(raw).encode()).hexdigest()[:24]
    msg = f"{category}\x1f{rule}\x1f{ev}\x1f{document}" + (f"\x1f{occurrence}" if occurrence else "")
    return hashlib.sha256(msg.encode()).hexdigest()[:32]


def keyed(category: str, rule: str, raw: str, document: str, key: bytes) -> str:
    from pubguard.finding import compute_fingerprint, evidence_hash

    return compute_fingerprint(category, rule, evidence_hash(raw), document, key=key)


def report(text: str, identity: str = "draft-7") -> list[dict]:
    res = scan_bytes(text.encode(), "notice.txt", ScanConfig(ocr=False), identity=identity)
    return [f.to_dict() for f in res.findings if f.category == "personal_data"]


def test_brute_force_over_the_masked_digits_finds_nothing_without_the_key(id_number):
    text = f"联系人：王先生，手机 {MOBILE}，身份证号 {id_number}。\n"
    found = {f["rule"]: f for f in report(text)}
    mobile, ident = found["mobile"], found["id_card"]
    assert MOBILE not in str(found) and id_number not in str(found)
    # the attacker knows the mask (139****5678) and tries every middle: 10,000 candidates
    candidates = [f"139{i:04d}5678" for i in range(10_000)]
    assert MOBILE in candidates
    hits = [
        c for c in candidates if unkeyed("personal_data", "mobile", c, "draft-7") == mobile["fingerprint"]
    ]
    assert hits == []
    assert unkeyed("personal_data", "id_card", id_number, "draft-7") != ident["fingerprint"]
    # with the key the same search does find it: the test would fail on unkeyed fingerprints
    key = keys.keyring().current
    assert [
        c for c in candidates if keyed("personal_data", "mobile", c, "draft-7", key) == mobile["fingerprint"]
    ] == [MOBILE]


def test_fingerprints_are_stable_per_key_and_differ_between_installations(monkeypatch):
    text = f"手机 {MOBILE}\n"
    first = report(text)[0]["fingerprint"]
    assert report(text)[0]["fingerprint"] == first  # comparable within an installation
    monkeypatch.setenv(keys.ENV_KEY, "another-installation-secret-key")
    assert report(text)[0]["fingerprint"] != first


def test_a_scan_without_an_installation_generates_a_private_key_file(tmp_path, monkeypatch):
    monkeypatch.delenv(keys.ENV_KEY, raising=False)
    monkeypatch.delenv(keys.ENV_FILE, raising=False)
    monkeypatch.setattr(keys, "_installation", None)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    keys.reset_cache()
    try:
        fp = report(f"手机 {MOBILE}\n")[0]["fingerprint"]
        path = tmp_path / "config" / "pubguard" / "fingerprint.key"
        assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600
        assert keys.keyring().current.hex() not in fp
        assert unkeyed("personal_data", "mobile", MOBILE, "draft-7") != fp
    finally:
        keys.reset_cache()


def test_rotation_keeps_old_keys_so_baselines_still_match(tmp_path, monkeypatch):
    from pubguard.site.baseline import Baseline

    path = tmp_path / "fingerprint.key"
    monkeypatch.setenv(keys.ENV_FILE, str(path))
    keys.reset_cache()
    try:
        text = f"手机 {MOBILE}\n".encode()
        before = scan_bytes(text, "a.txt", ScanConfig(ocr=False), identity="a.txt")
        base = Baseline.from_results([before])
        old_id = keys.keyring().key_id
        keys.rotate(path)
        assert keys.keyring().key_id != old_id and len(keys.keyring().previous) == 1
        after = scan_bytes(text, "a.txt", ScanConfig(ocr=False), identity="a.txt")
        assert after.findings[0].fingerprint != before.findings[0].fingerprint
        assert after.findings[0].previous_fingerprints == [before.findings[0].fingerprint]
        stats = base.apply([after])
        assert stats["baseline_suppressed"] == 1 and after.findings == []
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    finally:
        keys.reset_cache()


def test_short_environment_keys_are_refused(monkeypatch):
    monkeypatch.setenv(keys.ENV_KEY, "short")
    with pytest.raises(ValueError):
        keys.keyring()


def test_a_rotation_by_another_process_is_followed(tmp_path, monkeypatch):
    path = tmp_path / "fingerprint.key"
    monkeypatch.setenv(keys.ENV_FILE, str(path))
    keys.reset_cache()
    try:
        first = keys.keyring().current
        other = keys._read(path)  # what another process sees
        data = keys._data(keys.Keyring(b"x" * 32, (), "", (*other.chain, b"x" * 32), other.legacy), None)
        keys._write_new(path, data)  # written by another process: our cache is not told
        assert keys.keyring().current == b"x" * 32 and keys.keyring().previous == (first,)
    finally:
        keys.reset_cache()
