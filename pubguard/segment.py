"""Chinese word segmentation for the few checks that need it (jieba, loaded on first use).

Two detectors ask: proofreading (is a doubled character two single-character words?) and
personal_data (which word before an ID number is a person's name?). jieba's prefix dictionary
is read from an SQLite index built once from jieba's own dictionary (`DiskFreq`: unmarshalling
it whole cost ~0.6 s and 70 MB per process, for the few thousand fragments a scan asks about),
and only when such a question comes up; its part-of-speech tagger
(`jieba.posseg`, another ~0.4 s plus an HMM per call) is not used at all: the one tag the
detectors need, "person name" (nr, nrfg, nrt), is read from jieba's own dictionary in one
regular-expression pass, and a word the dictionary does not know (jieba's HMM joined it) is
name-shaped when a name check asks about it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import sys
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger("pubguard.segment")


@lru_cache(maxsize=1)
def jieba() -> Any:  # jieba has no type hints
    # jieba finds its dictionary through pkg_resources when that imports (0.8 s: it scans every
    # installed distribution) and by a plain path otherwise; the plain path is taken.
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import -> ImportError
    try:
        import jieba as _jieba
    finally:
        if blocked and sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]

    _jieba.setLogLevel(logging.WARNING)
    tokenizer = _jieba.dt
    if not tokenizer.initialized:
        try:
            freq = DiskFreq.open(_jieba)
        except (OSError, sqlite3.Error, ValueError) as exc:  # read-only temp dir, odd install
            log.info("jieba dictionary index unavailable (%s): loading the whole dictionary", exc)
            freq = None
        if freq is not None:
            tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, freq.total, True
        else:
            _jieba.initialize()
    return _jieba


class DiskFreq:
    """jieba's prefix dictionary (`Tokenizer.FREQ`: word or word prefix -> frequency) read
    from an SQLite index instead of unmarshalled whole: jieba's own cache costs ~0.6 s per
    process to load (500,000 entries) while a scan asks for a few thousand fragments. The index
    is built once, from jieba's `gen_pfdict` over its own dictionary (so the entries, the total
    and therefore every segmentation are jieba's), and also records which words the dictionary
    tags as person names. Each fragment asked for is remembered for the process."""

    SCHEMA = 1

    def __init__(self, path: Path, total: int) -> None:
        self.path = path
        self.total = total
        self._memo: dict[str, int | None] = {}
        self._persons: dict[str, bool] = {}
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = -1

    @classmethod
    def open(cls, jb: Any) -> DiskFreq:
        with jb.get_dict_file() as f:
            dict_path = Path(f.name)
        st = dict_path.stat()
        key = f"{cls.SCHEMA}|{jb.__version__}|{dict_path}|{st.st_size}|{st.st_mtime_ns}"
        name = "pubguard-jieba-" + hashlib.sha256(key.encode()).hexdigest()[:16] + ".sqlite"
        path = Path(jb.dt.tmp_dir or tempfile.gettempdir()) / name
        if not path.is_file():
            cls._build(jb, dict_path, path)
        freq = cls(path, 0)
        row = freq._query("SELECT n FROM meta WHERE k = 'total'", ())
        if row is None:
            raise ValueError("jieba index without a total")
        freq.total = int(row[0])
        return freq

    @staticmethod
    def _build(jb: Any, dict_path: Path, path: Path) -> None:
        with open(dict_path, "rb") as f:
            lfreq, total = jb.Tokenizer.gen_pfdict(f)
        persons = {w.decode("utf-8", "replace") for w in _PERSON_LINE.findall(dict_path.read_bytes())}
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        os.close(fd)
        try:
            conn = sqlite3.connect(tmp)
            with conn:
                conn.execute(
                    "CREATE TABLE f (w TEXT PRIMARY KEY, n INTEGER NOT NULL, p INTEGER NOT NULL) WITHOUT ROWID"
                )
                conn.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, n INTEGER NOT NULL)")
                conn.executemany(
                    "INSERT INTO f VALUES (?, ?, ?)", ((w, n, w in persons) for w, n in lfreq.items())
                )
                conn.execute("INSERT INTO meta VALUES ('total', ?)", (total,))
            conn.close()
            os.replace(tmp, path)  # concurrent builders: the last complete one wins
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def _query(self, sql: str, args: tuple) -> tuple | None:
        with self._lock:
            if self._conn is None or self._pid != os.getpid():  # never a connection across fork
                self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
                self._pid = os.getpid()
            return self._conn.execute(sql, args).fetchone()

    def _lookup(self, word: str) -> int | None:
        try:
            return self._memo[word]
        except KeyError:
            pass
        row = self._query("SELECT n, p FROM f WHERE w = ?", (word,))
        value = None if row is None else int(row[0])
        self._memo[word] = value
        self._persons[word] = bool(row and row[1])
        return value

    # The mapping operations jieba's Tokenizer uses on FREQ.
    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._lookup(word) is not None

    def __getitem__(self, word: str) -> int:
        value = self._lookup(word)
        if value is None:
            raise KeyError(word)
        return value

    def get(self, word: str, default: int | None = None) -> int | None:
        value = self._lookup(word)
        return default if value is None else value

    def __setitem__(self, word: str, value: int) -> None:  # jieba.add_word: kept in memory
        self._memo[word] = value
        self._persons.setdefault(word, False)

    def is_person(self, word: str) -> bool:
        self._lookup(word)
        return self._persons.get(word, False)


_PERSON_LINE = re.compile(rb"^(\S+) \d+ nr[a-z]*\r?$", re.M)


@lru_cache(maxsize=1)
def person_words() -> frozenset[str]:
    """Dictionary words jieba tags as person names (nr, nrfg, nrt): ~79,000 of them."""
    jb = jieba()
    path = Path(jb.get_dict_file().name) if hasattr(jb, "get_dict_file") else None
    data = path.read_bytes() if path is not None else b""
    return frozenset(w.decode("utf-8", "replace") for w in _PERSON_LINE.findall(data))


@dataclass(frozen=True, slots=True)
class Word:
    word: str
    start: int
    known: bool  # in jieba's dictionary (else a word its HMM put together)
    person: bool  # tagged as a person name in the dictionary

    @property
    def name_like(self) -> bool:
        """Where jieba.posseg would say nr: a dictionary person name, or 2–4 Han characters
        the dictionary does not know (jieba's HMM joined them; posseg tags most such words
        in front of an ID number or a mobile as names)."""
        return self.person or (not self.known and _HAN_2_4.fullmatch(self.word) is not None)


_HAN_2_4 = re.compile("[\u4e00-\u9fff\u3400-\u4dbf]{2,4}")


def words(text: str) -> list[Word]:
    """jieba's segmentation of `text` (HMM on) with the person-name tag of each word."""
    jb = jieba()
    freq = jb.dt.FREQ
    is_person = freq.is_person if isinstance(freq, DiskFreq) else person_words().__contains__
    return [Word(w, s, bool(freq.get(w)), is_person(w)) for w, s, _ in jb.tokenize(text, HMM=True)]


def single_chars(text: str) -> frozenset[int]:
    """Offsets of the characters jieba leaves as one-character words. Cached: the same short
    windows come back again and again in template prose (工作作风, 人民民主 ...)."""
    return _single_chars(text)


@lru_cache(maxsize=8192)
def _single_chars(text: str) -> frozenset[int]:
    return frozenset(s for w, s, _ in jieba().tokenize(text) if len(w) == 1)
