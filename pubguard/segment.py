"""Chinese word segmentation for the few checks that need it (jieba, loaded on first use).

Two detectors ask: proofreading (is a doubled character two single-character words?) and
personal_data (which word before an ID number is a person's name?). jieba's dictionary costs
~1 s to load, so it is only loaded when such a question comes up; its part-of-speech tagger
(`jieba.posseg`, another ~0.4 s plus an HMM per call) is not used at all: the one tag the
detectors need, "person name" (nr, nrfg, nrt), is read from jieba's own dictionary in one
regular-expression pass, and a word the dictionary does not know (jieba's HMM joined it) is
name-shaped when a name check asks about it.
"""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any


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
    _jieba.initialize()
    return _jieba


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
    persons = person_words()
    return [Word(w, s, bool(freq.get(w)), w in persons) for w, s, _ in jb.tokenize(text, HMM=True)]


def single_chars(text: str) -> frozenset[int]:
    """Offsets of the characters jieba leaves as one-character words. Cached: the same short
    windows come back again and again in template prose (工作作风, 人民民主 ...)."""
    return _single_chars(text)


@lru_cache(maxsize=8192)
def _single_chars(text: str) -> frozenset[int]:
    return frozenset(s for w, s, _ in jieba().tokenize(text) if len(w) == 1)
