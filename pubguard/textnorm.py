"""Text normalisation with an offset map back to the original text.

Lexicon matching has to see through the ways a term hides in a real file: traditional characters
(內部資料), full-width letters and digits, Kangxi radicals that PDF text layers emit instead of the
ordinary ideographs (⼯作 for 工作), zero-width characters, the spaces PDF extraction puts between
justified characters, and deliberate separators (内-部-资-料). `normalize` returns the
normalised string together with, for every normalised character, the index of the original
character it came from, so a match found in the normalised text points back at the original.

Chinese punctuation (，。；：！？（）《》〔〕“”) is kept as is: it carries meaning for
context rules (brackets around 草案, quotes around a term that is only being talked about).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pubguard.lexicon.fold import width_table

# Characters that render as nothing; inserted between characters they break naive matching.
ZERO_WIDTH = "\u00ad\u034f\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"

# Han ideographs (after folding): 〇, Ext-A, URO, compatibility, and the supplementary planes.
CJK_CLASS = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"

# Characters used to split a term into single characters (内-部-资-料, 内.部.资.料, 内*部*资*料).
# Only ASCII / half-width symbols: the Chinese 、，。 separate real enumerations (省、市、县).
SEPARATOR_CHARS = " \t\r\n\f\v\u00a0\u3000" + ZERO_WIDTH + "-_.*·•・~/\\|+=#@^`'\",:;!?"

# Full-width forms kept as they are: ordinary Chinese punctuation.
_KEEP_FULLWIDTH = set("，！？（）；：")

_ZW_RE = f"[{re.escape(ZERO_WIDTH)}]"
_WS_BETWEEN_CJK = f"(?<=[{CJK_CLASS}])[\\s{re.escape(ZERO_WIDTH)}]+(?=[{CJK_CLASS}])"
_SPACED_RUN = f"[{CJK_CLASS}](?:[{re.escape(SEPARATOR_CHARS)}]{{1,3}}[{CJK_CLASS}]){{2,}}"
_REMOVE_RE = re.compile(f"{_ZW_RE}|{_WS_BETWEEN_CJK}|(?P<run>{_SPACED_RUN})")
_SEP_RE = re.compile(f"[{re.escape(SEPARATOR_CHARS)}]")


def _build_fold_table() -> dict[int, str]:
    """One-to-one character folding (so lengths never change): full-width ASCII -> ASCII,
    ASCII upper -> lower, odd spaces -> space, hyphen variants -> '-', Kangxi radicals and CJK
    compatibility ideographs -> the unified ideograph (their NFKC form)."""
    table: dict[int, str] = {}
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp + 32)
    table.update({cp: ch.lower() for cp, ch in width_table(keep=_KEEP_FULLWIDTH).items()})
    for lo, hi in ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)):
        for cp in range(lo, hi + 1):
            nf = unicodedata.normalize("NFKC", chr(cp))
            if len(nf) == 1 and nf != chr(cp):
                table[cp] = nf
    return table


FOLD_TABLE = _build_fold_table()


def _class_of(codepoints: list[int]) -> str:
    """A regex character class body covering the given code points as ranges."""
    parts: list[str] = []
    cps = sorted(codepoints)
    start = prev = cps[0]
    for cp in [*cps[1:], -1]:
        if cp == prev + 1:
            prev = cp
            continue
        parts.append(re.escape(chr(start)) + ("" if start == prev else "-" + re.escape(chr(prev))))
        start = prev = cp
    return "".join(parts)


# str.translate with a dict looks every character up in Python; folding only the runs that
# need it keeps ordinary Chinese text at regex-scan speed.
_FOLD_RUN_RE = re.compile(f"[{_class_of(list(FOLD_TABLE))}]+")


@lru_cache(maxsize=1)
def _opencc_t2s() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("t2s").convert


_T2S_CHUNK = 1 << 16  # characters per OpenCC call on long texts


def _default_t2s(text: str) -> str:
    """OpenCC t2s; a long text goes in pieces cut after a newline. No OpenCC phrase holds a
    newline, so no conversion looks across a cut and the pieces join to the whole text's
    conversion, while the binding's UTF-8 copies stay the size of a piece (5x the text at
    once otherwise: 22 MB for a 2,000-page PDF)."""
    convert = _opencc_t2s()
    n = len(text)
    if n <= 2 * _T2S_CHUNK:
        return convert(text)
    pieces: list[str] = []
    start = 0
    while start < n:
        end = min(start + _T2S_CHUNK, n)
        if end < n:
            cut = text.find("\n", end)
            end = n if cut < 0 else cut + 1
        pieces.append(convert(text[start:end]))
        start = end
    return "".join(pieces)


# Replaceable for tests (a converter that changes lengths exercises the fallback path).
t2s: Callable[[str], str] = _default_t2s


@dataclass(frozen=True, slots=True)
class NormText:
    """Normalised text plus the map back: `offsets[i]` = index in `original` of normalised
    character i. The map is kept dense only when 繁→简 changed a line's length (`dense`);
    otherwise the normalised text is the original with some characters dropped, and only
    `shift[j] = gone[j] - j` over the sorted dropped positions is kept (none: the identity),
    so a 2,000-page text carries no 8 MB array of offsets."""

    text: str
    original: str
    dense: np.ndarray | None = None  # int32 (int64 past 2**31 characters), len(text)
    shift: np.ndarray | None = None  # ascending, one per dropped character

    def offset(self, i: int) -> int:
        """Index in `original` of normalised character i (0 <= i < len(text))."""
        if self.dense is not None:
            return int(self.dense[i])
        if self.shift is None:
            return i
        return i + int(np.searchsorted(self.shift, i, side="right"))

    @property
    def offsets(self) -> np.ndarray:
        """The whole map as an array (built on demand)."""
        if self.dense is not None:
            return self.dense
        idx = np.arange(len(self.text), dtype=_offset_dtype(len(self.original)))
        if self.shift is None:
            return idx
        return (idx + np.searchsorted(self.shift, idx, side="right")).astype(idx.dtype)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the normalised range [start, end)."""
        if end <= start:
            pos = self.offset(start) if start < len(self.text) else len(self.original)
            return pos, pos
        return self.offset(start), self.offset(end - 1) + 1


def _newlines(text: str) -> np.ndarray:
    return np.flatnonzero(np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) == 10)


def _convert_aligned(text: str) -> tuple[str, np.ndarray | None]:
    """繁→简 with an alignment map (None when the conversion is character-for-character).

    OpenCC converts phrases, and a phrase may change length. Lines are never merged, so the
    whole text is converted once and compared line by line; a line whose length changed is
    converted again character by character, each output character mapped to its source."""
    converted = t2s(text)
    if len(converted) == len(text) and ("\n" not in text or converted == text):
        return converted, None
    if len(converted) == len(text) and np.array_equal(_newlines(text), _newlines(converted)):
        return converted, None  # every line kept its length
    src_lines = text.split("\n")
    out_lines = converted.split("\n")
    same_shape = len(src_lines) == len(out_lines)
    if same_shape and all(len(a) == len(b) for a, b in zip(src_lines, out_lines, strict=True)):
        return converted, None
    pieces: list[str] = []
    mapping: list[int] = []
    pos = 0
    for i, line in enumerate(src_lines):
        if i:
            pieces.append("\n")
            mapping.append(pos - 1)
        out = out_lines[i] if same_shape else t2s(line)
        if len(out) == len(line):
            pieces.append(out)
            mapping.extend(range(pos, pos + len(line)))
        else:
            for j, ch in enumerate(line):
                conv = t2s(ch) or ch
                pieces.append(conv)
                mapping.extend([pos + j] * len(conv))
        pos += len(line) + 1
    return "".join(pieces), np.asarray(mapping, dtype=_offset_dtype(len(text)))


_FOLD_CHUNK = 1 << 16  # code points per numpy pass: the temporaries stay ~1 MB, not 5x the text


def fold(text: str) -> str:
    """Character folding only (same length as the input)."""
    if len(text) < 4096:
        return _FOLD_RUN_RE.sub(lambda m: m.group().translate(FOLD_TABLE), text)
    if len(text) <= _FOLD_CHUNK:
        return _fold_long(text)
    # Folding is per code point, so chunks folded apart join to the same string.
    parts = [_fold_long(text[i : i + _FOLD_CHUNK]) for i in range(0, len(text), _FOLD_CHUNK)]
    folded = "".join(parts)
    return text if folded == text else folded


def _fold_long(text: str) -> str:
    # Long texts: one table look-up per code point in numpy, not a regex scan (≈3x faster).
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    hit = _FOLD_HIT[np.minimum(cps, 0xFFFF)]
    if cps.max() > 0xFFFF:
        hit &= cps <= 0xFFFF
        astral = np.flatnonzero(np.isin(cps, _FOLD_ASTRAL_KEYS))
    else:
        astral = np.zeros(0, dtype=np.intp)
    if not hit.any() and not len(astral):
        return text
    out = cps.copy()
    out[hit] = _FOLD_TO[cps[hit]]
    for i in astral:
        out[i] = ord(FOLD_TABLE[int(cps[i])])
    return out.tobytes().decode("utf-32-le", "surrogatepass")


def _lut(chars: str) -> np.ndarray:
    table = np.zeros(0x10000, dtype=bool)
    table[[ord(c) for c in chars]] = True
    return table


_FOLD_HIT = _lut("".join(chr(cp) for cp in FOLD_TABLE if cp <= 0xFFFF))
_FOLD_TO = np.arange(0x10000, dtype=np.uint32)
for _cp, _ch in FOLD_TABLE.items():
    if _cp <= 0xFFFF:
        _FOLD_TO[_cp] = ord(_ch)
_FOLD_ASTRAL_KEYS = np.array(sorted(cp for cp in FOLD_TABLE if cp > 0xFFFF), dtype=np.uint32)

_SEP_LUT = _lut(SEPARATOR_CHARS)
_WS_LUT = _lut(" \t\r\n\f\v\u00a0\u3000" + ZERO_WIDTH)
_ZW_LUT = _lut(ZERO_WIDTH)


def _is_cjk(cps: np.ndarray) -> np.ndarray:
    return (
        ((cps >= 0x4E00) & (cps <= 0x9FFF))
        | ((cps >= 0x3400) & (cps <= 0x4DBF))
        | ((cps >= 0xF900) & (cps <= 0xFAFF))
        | ((cps >= 0x20000) & (cps <= 0x3134F))
        | (cps == 0x3007)
    )


_MASK_CHUNK = 1 << 16  # code points per numpy pass in _keep_mask: temporaries ~1 MB, not 4x the text


def _code_units(piece: str) -> np.ndarray:
    return np.frombuffer(piece.encode("utf-32-le"), dtype=np.uint32)


def _separator_positions(text: str) -> np.ndarray:
    """Ascending indexes of the SEPARATOR_CHARS in `text`, one table look-up per code point in
    pieces of _MASK_CHUNK."""
    found: list[np.ndarray] = []
    for c0 in range(0, len(text), _MASK_CHUNK):
        cps = _code_units(text[c0 : c0 + _MASK_CHUNK])
        sep = _SEP_LUT[np.minimum(cps, 0xFFFF)] & (cps <= 0xFFFF) if cps.max() > 0xFFFF else _SEP_LUT[cps]
        found.append(np.flatnonzero(sep) + c0)
    return np.concatenate(found) if len(found) > 1 else found[0]


def _code_points_at(text: str, idx: np.ndarray) -> np.ndarray:
    """The code points of `text` at the ascending indexes `idx`, read piece by piece."""
    out = np.empty(len(idx), dtype=np.uint32)
    if len(idx) == 0:
        return out
    lo = 0
    while lo < len(idx):
        c0 = int(idx[lo]) // _MASK_CHUNK * _MASK_CHUNK
        hi = int(np.searchsorted(idx, c0 + _MASK_CHUNK, side="left"))
        out[lo:hi] = _code_units(text[c0 : c0 + _MASK_CHUNK])[idx[lo:hi] - c0]
        lo = hi
    return out


def _keep_mask(text: str) -> np.ndarray | None:
    """Which characters survive, computed with numpy over code points (no per-character
    Python): zero-width characters go everywhere; whitespace between two Han characters goes;
    separators inside a spaced-out run of single Han characters (内-部-资-料: three or more
    characters, gaps of 1–3 separators) go. Returns the dropped positions in ascending order,
    or None if all stay.

    Only the separator positions are looked at after one table look-up over the text (zero-width
    characters are separators too): Chinese prose has few of them."""
    n = len(text)
    if n == 0:
        return None
    pos = _separator_positions(text)  # ascending
    if len(pos) == 0:
        return None
    sep_cps = _code_points_at(text, pos)
    zw = _ZW_LUT[sep_cps]
    # Runs of consecutive separators: run k covers pos[first[k]:last[k] + 1].
    new_run = np.empty(len(pos), dtype=bool)
    new_run[0] = True
    new_run[1:] = pos[1:] != pos[:-1] + 1
    first = np.flatnonzero(new_run)
    last = np.append(first[1:] - 1, len(pos) - 1)
    starts = pos[first]
    ends = pos[last] + 1
    left = np.zeros(len(starts), dtype=bool)
    ok = starts > 0
    left[ok] = _is_cjk(_code_points_at(text, starts[ok] - 1))
    right = np.zeros(len(starts), dtype=bool)
    ok = ends < n
    right[ok] = _is_cjk(_code_points_at(text, ends[ok]))
    between = left & right
    ws_cum = np.concatenate(([0], np.cumsum(_WS_LUT[sep_cps])))
    ws_only = (ws_cum[last + 1] - ws_cum[first]) == (ends - starts)
    cand = between & ((ends - starts) <= 3)
    link = np.zeros(len(starts), dtype=bool)  # gap i chains with gap i-1 across one Han character
    link[1:] = cand[1:] & cand[:-1] & (starts[1:] == ends[:-1] + 1)
    chained = link.copy()
    chained[:-1] |= link[1:]
    dropped = (between & ws_only) | chained
    if not dropped.any() and not zw.any():
        return None
    gone = dropped[np.cumsum(new_run) - 1] | zw  # per separator position: its run dropped
    return pos[gone]


def _offset_dtype(n: int) -> type[np.signedinteger]:
    return np.int32 if n < 2**31 else np.int64


def normalize(text: str) -> NormText:
    """Fold, convert to simplified characters, and drop evasion characters; keep an offset map."""
    folded = fold(text)
    converted, conv_map = _convert_aligned(folded)
    del folded
    if converted == text:
        converted = text  # one string, not an equal copy held for the scan
    gone = _keep_mask(converted)
    if gone is None:
        return NormText(converted, text, conv_map)
    if len(gone) * 64 > len(converted):  # many characters dropped: one numpy pass
        keep = np.ones(len(converted), dtype=bool)
        keep[gone] = False
        ntext = _code_units(converted)[keep].tobytes().decode("utf-32-le")
    else:  # few dropped: the text between them, sliced (no copies of the text in UCS-4)
        pieces: list[str] = []
        prev = 0
        for g in gone.tolist():
            if g > prev:
                pieces.append(converted[prev:g])
            prev = g + 1
        pieces.append(converted[prev:])
        ntext = "".join(pieces)
        del pieces
        keep = None
    if conv_map is not None:
        if keep is None:
            keep = np.ones(len(converted), dtype=bool)
            keep[gone] = False
        return NormText(ntext, text, conv_map[keep])
    # int32 (half the memory) when every offset fits, as they do below 2**31 characters.
    dtype = _offset_dtype(len(text))
    return NormText(ntext, text, None, (gone - np.arange(len(gone))).astype(dtype))


# Normal forms of lexicon terms, shared by every rule set built in this process: a 20,000-term
# site wordlist is normalised once, in one call (per-term calls cost ~0.1 ms each in numpy and
# OpenCC set-up, three times per term).
_TERM_CACHE: dict[str, str] = {}
_TERM_CACHE_MAX = 500_000
# Joins terms for one batch call: a private-use character is no separator, no Han character,
# folds to itself and is in no OpenCC phrase, so no step of `normalize` looks across it.
_TERM_SEP = "\ue000"


def _remember(term: str, norm: str) -> None:
    if len(_TERM_CACHE) >= _TERM_CACHE_MAX:
        _TERM_CACHE.clear()
    _TERM_CACHE[term] = norm


def normalize_term(term: str) -> str:
    """The normal form a lexicon term is matched in (same pipeline as the scanned text)."""
    hit = _TERM_CACHE.get(term)
    if hit is None:
        hit = normalize(term.strip()).text
        _remember(term, hit)
    return hit


def normalize_terms(terms: Iterable[str]) -> list[str]:
    """`[normalize_term(t) for t in terms]`, normalising the new ones in one batch."""
    terms = list(terms)
    todo = [t for t in dict.fromkeys(terms) if t not in _TERM_CACHE]
    if todo:
        stripped = [t.strip() for t in todo]
        parts: list[str] = []
        if not any(_TERM_SEP in t for t in stripped):
            parts = normalize(_TERM_SEP.join(stripped)).text.split(_TERM_SEP)
        if len(parts) != len(todo):  # cannot happen with the pipeline above; stay correct anyway
            parts = [normalize(t).text for t in stripped]
        for term, norm in zip(todo, parts, strict=True):
            _remember(term, norm)
    return [_TERM_CACHE[t] for t in terms]


def is_cjk(ch: str) -> bool:
    return bool(re.match(f"[{CJK_CLASS}]", ch))


__all__ = [
    "NormText",
    "normalize",
    "normalize_term",
    "normalize_terms",
    "fold",
    "FOLD_TABLE",
    "is_cjk",
    "CJK_CLASS",
]
