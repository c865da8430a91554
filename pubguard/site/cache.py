"""Incremental scans: a result cache keyed by file content hash + rule-set hash + PubGuard
version, so an unchanged file is not extracted or scanned again. Stored in one SQLite file
(safe for many reader/writer processes) next to the site's reports.

An unchanged re-run should not even read the site: the cache also remembers each file's
(path, size, mtime, inode) next to its content hash. When they all match, the stored hash is
trusted without reading the file; when anything differs the content is hashed as before. A stat
recorded within `RACY_SECONDS` of the file's mtime is not remembered (the "racy git" case: a
second write in the same clock tick would keep size and mtime).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path

from pubguard import __version__
from pubguard.config import ScanConfig
from pubguard.finding import Finding
from pubguard.infoclass import InfoClass
from pubguard.scan import Disclosure, FileResult

# Code whose changes can change findings: hashed, so an edited detector never serves stale
# results even without a version bump (and without importing the detectors: a fully cached
# re-run never needs them).
FINDING_CODE = (
    "detectors/**/*.py",
    "extract/**/*.py",
    "colour.py",
    "thresholds.py",
    "config.py",
    "targets.py",
    "lazy.py",
    "scan.py",
    "document.py",
    "finding.py",
    "masking.py",
    "textnorm.py",
    "disclosure.py",
    "infoclass.py",
    "site/suppress.py",
    "site/boilerplate.py",
    "nlp.py",
    "segment.py",
    "lexicon/*.py",
    "lexicon/*.toml",
)


def ruleset_hash(config: ScanConfig, keyed: bool = True) -> str:
    """Changes whenever something that can change findings changes: detector and extractor
    code, wordlists (content), masking, config switches, PubGuard version."""
    from pubguard.detectors import DETECTOR_MODULES

    package = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(__version__.encode())
    h.update(",".join(DETECTOR_MODULES).encode())
    for pattern in FINDING_CODE:
        for p in sorted(package.glob(pattern)):
            h.update(p.relative_to(package).as_posix().encode())
            h.update(hashlib.sha256(p.read_bytes()).digest())
    for p in sorted((package / "wordlists").glob("*")) + sorted(config.wordlists):
        if p.is_file():
            h.update(p.name.encode())
            h.update(hashlib.sha256(p.read_bytes()).digest())
    switches = (
        sorted(config.enabled or []),
        sorted(config.disabled),
        config.ocr,
        config.ocr_dpi,
        config.min_severity,
        (config.nlp.engine, config.nlp.spacy_model),
    )
    h.update(repr(switches).encode())
    h.update(repr((config.limits.max_pages, config.limits.max_ocr_pages)).encode())
    h.update(repr(sorted(config.allow_terms)).encode())
    h.update(repr(sorted((k, (r.keep_first, r.keep_last)) for k, r in config.masking.rules.items())).encode())
    h.update(config.masking.name_style.encode())
    from pubguard.keys import keyring

    if keyed:  # cached fingerprints are keyed: another key, a new run
        h.update(keyring().key_id.encode())
    return h.hexdigest()[:20]


RACY_SECONDS = 2.0
COMMIT_EVERY = 500  # writes per transaction: one fsync per file would dominate a big first run

FileStat = tuple[int, int, int]  # size, mtime_ns, inode


def file_stat(path: str) -> FileStat:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ino


class ResultCache:
    def __init__(self, path: Path, config: ScanConfig, keyed: bool = True):
        """`keyed=False`: results are reused under another fingerprint key (for callers that
        use rules and severities only, such as the realworld evaluation, whose tests run
        with a fresh key every session); their fingerprints are then those of the first run."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.ruleset = ruleset_hash(config, keyed=keyed)
        self._conn: sqlite3.Connection | None = None
        self._pending = 0
        self._files: dict[str, tuple] | None = None  # identity -> (path, size, mtime_ns, inode, sha256)

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = sqlite3.connect(self.path, timeout=30)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")  # a cache: losing the last writes is fine
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS results (sha256 TEXT, ruleset TEXT, identity TEXT, payload TEXT,"
                " PRIMARY KEY (sha256, ruleset, identity))"
            )
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS files (identity TEXT PRIMARY KEY, path TEXT, size INTEGER,"
                " mtime_ns INTEGER, inode INTEGER, sha256 TEXT)"
            )
        return self._conn

    def known_sha256(self, identity: str, path: str, stat: FileStat) -> str | None:
        """The content hash recorded for this file when path, size, mtime and inode are all
        unchanged; None means "read and hash it"."""
        if self._files is None:  # one query for the whole table: a site is re-checked in bulk
            self._files = {
                row[0]: row[1:]
                for row in self.conn.execute(
                    "SELECT identity, path, size, mtime_ns, inode, sha256 FROM files"
                )
            }
        row = self._files.get(identity)
        if row is None or row[0] != path or tuple(row[1:4]) != tuple(stat):
            return None
        return row[4]

    def remember_stat(self, identity: str, path: str, stat: FileStat, sha256: str) -> None:
        if time.time_ns() - stat[1] < RACY_SECONDS * 1e9:
            return  # modified just now: a second write in the same tick could keep size and mtime
        self.conn.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)", (identity, path, *stat, sha256)
        )
        if self._files is not None:
            self._files[identity] = (path, *stat, sha256)
        self._wrote()

    def _wrote(self) -> None:
        self._pending += 1
        if self._pending >= COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        if self._conn is not None:
            self._conn.commit()
        self._pending = 0

    def get(self, sha256: str, identity: str) -> FileResult | None:
        row = self.conn.execute(
            "SELECT payload FROM results WHERE sha256=? AND ruleset=? AND identity=?",
            (sha256, self.ruleset, identity),
        ).fetchone()
        if row is None:
            return None
        return result_from_dict(json.loads(row[0]))

    def put(self, identity: str, result: FileResult) -> None:
        if not result.sha256 or result.error_code == "timeout":
            return
        payload = result.to_dict()
        if result.block_hashes:
            payload["block_hashes"] = result.block_hashes
        if result.stylesheets:
            payload["stylesheets"] = result.stylesheets
        self.conn.execute(
            "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)",
            (result.sha256, self.ruleset, identity, json.dumps(payload, ensure_ascii=False)),
        )
        self._wrote()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.commit()
            self._conn.close()
            self._conn = None


def result_from_dict(d: dict) -> FileResult:
    disc = d.get("disclosure")
    return FileResult(
        path=d["path"],
        status=d["status"],
        error=d.get("error"),
        error_code=d.get("error_code"),
        format=d.get("format"),
        pages=d.get("pages", 0),
        disclosure=Disclosure(disc["suggested"], disc.get("reasons", []), disc.get("basis", []))
        if disc
        else None,
        info_class=InfoClass.from_dict(d.get("info_class")),
        findings=[Finding.from_dict(f) for f in d.get("findings", [])],
        warnings=d.get("warnings", []),
        sha256=d.get("sha256"),
        suppressed=d.get("suppressed", 0),
        unused_suppressions=d.get("unused_suppressions", []),
        block_hashes=d.get("block_hashes") or {},
        stylesheets=d.get("stylesheets") or {},
        members=d.get("members") or [],
    )
