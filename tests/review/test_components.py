"""Small parts: the file store, workflow definitions, settings."""

from __future__ import annotations

import hashlib
import io

import pytest

from pubguard.review import InvalidInput, NotFound, TooLargeUpload
from pubguard.review.settings import ReviewSettings, normalise_db_url
from pubguard.review.store import FileStore
from pubguard.review.workflow import load_workflow, parse_workflow
from review.helpers import SITE


def test_store_is_content_addressed_and_atomic(tmp_path):
    store = FileStore(tmp_path / "files")
    sha = store.put(b"hello")
    assert sha == hashlib.sha256(b"hello").hexdigest()
    assert store.path(sha).relative_to(tmp_path / "files").parts[:2] == (sha[:2], sha[2:4])
    assert store.put(b"hello") == sha and store.get(sha) == b"hello"
    sha2, size = store.put_stream(io.BytesIO(b"x" * 3000), max_bytes=5000)
    assert size == 3000 and store.get(sha2) == b"x" * 3000
    from pubguard.errors import TooLarge

    with pytest.raises(TooLarge):
        store.put_stream(io.BytesIO(b"x" * 6000), max_bytes=5000)
    assert not [p for p in (tmp_path / "files").iterdir() if p.name.startswith(".upload-")]
    store.path(sha).write_bytes(b"tampered")
    with pytest.raises(NotFound, match="损坏"):
        store.get(sha)
    with pytest.raises(NotFound):
        store.path("../../etc/passwd")


def test_upload_size_limit(svc):
    svc.settings.max_upload_bytes = 100
    d = svc.create_draft("ed", SITE, "大文件")
    with pytest.raises(TooLargeUpload) as exc:
        svc.upload_version("ed", d["id"], "big.txt", b"a" * 101)
    assert exc.value.http_status == 413
    with pytest.raises(TooLargeUpload):
        svc.upload_version("ed", d["id"], "big.txt", io.BytesIO(b"a" * 101))
    v = svc.upload_version("ed", d["id"], "ok.txt", io.BytesIO("小文件".encode()))
    assert v["size"] == len("小文件".encode())


def test_default_workflow_file():
    wf = load_workflow("default")
    assert [s.name for s in wf.steps_for(False)] == ["一校", "初审", "二校", "复审", "三校", "终审"]
    assert wf.steps_for(True)[5].name == "通读"
    assert wf.reopen == "all" and wf.min_accept_level("high") == 3
    assert [s.level for s in wf.steps if s.kind == "review"] == [1, 2, 3]


def test_workflow_validation():
    with pytest.raises(InvalidInput):
        parse_workflow({"steps": []})
    with pytest.raises(InvalidInput):
        parse_workflow({"steps": [{"key": "a", "name": "甲", "role": "boss"}]})
    with pytest.raises(InvalidInput):
        parse_workflow(
            {"steps": [{"key": "a", "name": "甲", "role": "reviewer1", "kind": "review"}]}
        )  # no level
    with pytest.raises(InvalidInput):
        parse_workflow(
            {"steps": [{"key": "a", "name": "甲", "role": "proofreader", "kind": "proofread"}] * 2}
        )
    with pytest.raises(InvalidInput):
        load_workflow("../../etc/passwd")
    wf = parse_workflow(
        {
            "reopen": ["r"],
            "steps": [{"key": "r", "name": "审", "role": "reviewer1", "kind": "review", "level": 1}],
        }
    )
    assert wf.reopens("r", "review") and not wf.reopens("x", "review")


def test_settings_urls(tmp_path, monkeypatch):
    assert normalise_db_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_db_url("sqlite:///x.db") == "sqlite:///x.db"
    monkeypatch.delenv("PUBGUARD_DATABASE_URL", raising=False)
    s = ReviewSettings(data_dir=tmp_path)
    assert s.resolved_database_url() == f"sqlite:///{tmp_path.resolve() / 'pubguard.db'}"
    monkeypatch.setenv("PUBGUARD_DATABASE_URL", "postgresql://x@127.0.0.1/db")
    assert s.resolved_database_url().startswith("postgresql+psycopg://")
