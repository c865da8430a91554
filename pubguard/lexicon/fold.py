"""Full-width folding, one home: full-width ASCII -> ASCII, odd spaces -> " ", dash variants -> "-".

Every mapping is one character to one character, so offsets into the folded text are offsets
into the original. Used by personal_data (numbers are matched on folded text), proofreading
(full-width digits in 发文字号) and pubguard.textnorm (the sensitive-term normal form, which adds
lower-casing and CJK compatibility forms on top).
"""

from __future__ import annotations

FULLWIDTH_FIRST, FULLWIDTH_LAST = 0xFF01, 0xFF5E  # ！ .. ～
FULLWIDTH_OFFSET = 0xFEE0  # ＡＢＣ１２３ - offset = ABC123
# Ideographic space, NBSP, the typographic spaces (en/em/thin/hair ...), narrow NBSP, math space.
SPACES = (0x00A0, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008,
          0x2009, 0x200A, 0x202F, 0x205F, 0x3000)  # fmt: skip
# Hyphen, non-breaking hyphen, figure dash, en dash, minus sign, small hyphen-minus.
DASHES = (0x2010, 0x2011, 0x2012, 0x2013, 0x2212, 0xFE63)


def width_table(keep: str | set[str] = "") -> dict[int, str]:
    """The folding table (code point -> one character); `keep` lists full-width characters
    that stay as they are (textnorm keeps ，！？（）；： so sentences still split on them)."""
    table = {cp: chr(cp - FULLWIDTH_OFFSET) for cp in range(FULLWIDTH_FIRST, FULLWIDTH_LAST + 1)}
    for ch in keep:
        table.pop(ord(ch), None)
    table.update({cp: " " for cp in SPACES})
    table.update({cp: "-" for cp in DASHES})
    return table


# Half-width marks that must be full-width between Chinese characters (proofreading reports them,
# the DOCX clean copy replaces them): each one's full-width form is its code point + the offset.
HALF_TO_FULL = {ch: chr(ord(ch) + FULLWIDTH_OFFSET) for ch in ",;:?!()"}


def digit_table() -> dict[int, str]:
    """Only full-width digits ０-９ -> 0-9."""
    return {cp: ch for cp, ch in width_table().items() if ch.isdigit()}


WIDTH_TABLE = width_table()
_SINGLES = tuple(
    (cp, ord(ch)) for cp, ch in WIDTH_TABLE.items() if not FULLWIDTH_FIRST <= cp <= FULLWIDTH_LAST
)


def fold_width(text: str) -> str:
    """`text.translate(WIDTH_TABLE)`; long texts go through numpy over code points (≈10x faster
    than the per-character dict look-ups of str.translate)."""
    if len(text) < 4096:
        return text.translate(WIDTH_TABLE)
    import numpy as np

    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").copy()
    codes[(codes >= FULLWIDTH_FIRST) & (codes <= FULLWIDTH_LAST)] -= FULLWIDTH_OFFSET
    for src, dst in _SINGLES:
        codes[codes == src] = dst
    return codes.tobytes().decode("utf-32-le", "surrogatepass")


__all__ = ["DASHES", "HALF_TO_FULL", "SPACES", "WIDTH_TABLE", "digit_table", "fold_width", "width_table"]
