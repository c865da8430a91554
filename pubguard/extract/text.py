"""Plain-text extraction and the shared byte -> str decoder (also used for HTML and CSV).

Chinese government text files come in UTF-8 (with or without BOM), UTF-16 (Windows Notepad
"Unicode"), GB18030/GBK/GB2312 and, from Hong Kong/Taiwan sources, Big5. Generic detectors
(charset_normalizer) guess short Chinese text badly (GBK bytes of a 40-character title come out
as UTF-16 or CP949), so after BOM and strict UTF-8 we score GB18030 and Big5 decodings by how
many of their Han characters are *common* characters of that encoding's repertoire, and only
fall back to charset_normalizer when neither looks like Chinese.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

from pubguard.config import ScanConfig
from pubguard.document import BlockKind, Document, Page, TextBlock
from pubguard.errors import CorruptFile

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Labels that all mean "some GB code page": decode with the superset so that characters added
# in GBK/GB18030 (rare surname characters such as 䶮, 𠙶) never fail.
_GB_FAMILY = {"gb2312", "gbk", "cp936", "ms936", "x-gbk", "gb18030", "euc-cn", "euccn", "hz", "hz-gb-2312"}
_BIG5_FAMILY = {"big5", "big5-tw", "cp950", "ms950", "x-x-big5", "csbig5", "big5hkscs", "big5-hkscs"}

_SAMPLE_BYTES = 16384
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def normalize_encoding(label: str | None) -> str | None:
    """Map a declared/detected label to the Python codec we decode with (None if unknown)."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower().replace("_", "-")
    if key in _GB_FAMILY or key.replace("-", "") in _GB_FAMILY:
        return "gb18030"
    if key in _BIG5_FAMILY or key.replace("-", "") in {"big5", "big5hkscs", "cp950"}:
        return "cp950"
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def _decode_strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _decode_sample(data: bytes, encoding: str) -> str | None:
    """Strictly decode the first bytes, tolerating a multi-byte character cut at the end."""
    try:
        return codecs.getincrementaldecoder(encoding)("strict").decode(data[:_SAMPLE_BYTES], final=False)
    except UnicodeDecodeError:
        return None


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ch >= "\U00020000"


def _common_gb(ch: str) -> bool:
    """GB2312 level-1 Hanzi (3,755 most frequent simplified characters: rows 0xB0-0xD7), or a
    common traditional character: GBK files of 繁体 text are legitimate too."""
    try:
        b = ch.encode("gb2312")
    except UnicodeEncodeError:
        return _common_big5(ch)
    return len(b) == 2 and 0xB0 <= b[0] <= 0xD7


def _common_big5(ch: str) -> bool:
    """Big5 常用字 (5,401 frequent traditional characters: 0xA440-0xC67E)."""
    try:
        b = ch.encode("cp950")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and (0xA4, 0x40) <= (b[0], b[1]) <= (0xC6, 0x7E)


def _chinese_score(text: str, common: Callable[[str], bool]) -> float:
    """Share of non-ASCII characters that are common Hanzi of the encoding or CJK punctuation.
    A wrong double-byte decoding produces rare characters, PUA code points or symbols."""
    good = bad = 0
    for ch in text:
        if ch < "\x80":
            continue
        if _is_han(ch):
            if common(ch):
                good += 1
            else:
                bad += 1
        elif "\u3000" <= ch <= "\u303f" or "\uff01" <= ch <= "\uff5e" or ch in "“”‘’…—·":
            good += 1
        else:
            bad += 1
    total = good + bad
    return good / total if total else 0.0


def _guess_chinese(data: bytes) -> tuple[str, str] | None:
    """GB18030 vs Big5 by character commonness; GB18030 wins ties (mainland sites)."""
    scored: list[tuple[float, str]] = []
    for enc, common in (("gb18030", _common_gb), ("cp950", _common_big5)):
        sample = _decode_sample(data, enc)
        if sample is None:
            continue
        scored.append((_chinese_score(sample, common), enc))
    if not scored:
        return None
    gb = next((s for s, e in scored if e == "gb18030"), -1.0)
    big5 = next((s for s, e in scored if e == "cp950"), -1.0)
    order = ["cp950", "gb18030"] if big5 > gb + 0.05 else ["gb18030", "cp950"]
    for enc in order:
        score = gb if enc == "gb18030" else big5
        if score < 0.6:
            continue
        text = _decode_strict(data, enc)
        if text is not None:
            return text, ("big5" if enc == "cp950" else enc)
    return None


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode bytes to text; return (text, encoding name).

    Order: BOM, strict UTF-8 (a valid UTF-8 file is never re-read as GBK, even when an old
    `<meta charset=gb2312>` says so), the declared charset, GB18030/Big5 scoring, then
    charset_normalizer. Raises `CorruptFile` when nothing decodes to plausible text."""
    for bom, bom_enc in _BOMS:
        if data.startswith(bom):
            text = _decode_strict(data, bom_enc)
            if text is None:
                raise CorruptFile(
                    f"文本编码错误：文件以 {bom_enc.upper()} 字节序标记开头，但内容无法按该编码解码，文件可能已损坏。"
                )
            return text.lstrip("\ufeff"), bom_enc
    text = _decode_strict(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    enc = normalize_encoding(declared)
    guess: tuple[str, str] | None = None
    if enc and enc.startswith(("iso8859", "latin", "cp125", "ascii")):
        # Old CMS templates declare iso-8859-1 over GBK content; a Western single-byte code
        # page decodes any bytes, so it must not win over clearly Chinese text.
        guess = _guess_chinese(data)
        if guess is not None and _han_clustered(guess[0]):
            return guess
    if enc and not enc.startswith(("utf-16", "utf-32")):
        text = _decode_strict(data, enc)
        if text is not None and not _too_many_controls(text):
            return text, ("big5" if enc == "cp950" else enc)
    guess = guess or _guess_chinese(data)
    if guess is not None:
        return guess
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1024 * 1024]).best()
    if best is not None and best.encoding:
        enc = normalize_encoding(best.encoding) or best.encoding
        if enc not in ("gb18030", "cp950"):
            # Short Chinese text is often mis-guessed as CP949/UTF-16/Shift-JIS: if GB18030
            # reads it as partly common Chinese, that is the likelier truth here.
            sample = _decode_sample(data, "gb18030")
            if sample is not None and _chinese_score(sample, _common_gb) >= 0.3:
                text = _decode_strict(data, "gb18030")
                if text is not None:
                    return text, "gb18030"
        text = _decode_strict(data, enc)
        if text is not None and not _too_many_controls(text):
            return text, ("big5" if enc == "cp950" else enc)
    raise CorruptFile(
        "无法识别文本编码：文件可能已损坏，或不是 UTF-8、GB18030/GBK、Big5、UTF-16 编码的文本。"
    )


def _han_clustered(text: str) -> bool:
    """Chinese text has runs of Han characters; Latin text mis-read as GBK ("é" + the next
    letter -> one Han character) has isolated ones between ASCII letters."""
    sample = text[:20000]
    han = [i for i, ch in enumerate(sample) if _is_han(ch)]
    if not han:
        return False
    near = sum(
        1
        for i in han
        if (i > 0 and not sample[i - 1].isascii()) or (i + 1 < len(sample) and not sample[i + 1].isascii())
    )
    return near >= 0.5 * len(han)


def _too_many_controls(text: str) -> bool:
    """Binary data decoded "successfully" by a single-byte code page is full of C0 controls."""
    sample = text[:20000]
    return bool(sample) and len(_CONTROL_RE.findall(sample)) > max(2, len(sample) // 100)


def extract_text(data: bytes, name: str, config: ScanConfig) -> Document:
    """One TextBlock per non-blank line (own paragraph id = 0-based line number), one Page."""
    text, encoding = decode_text(data)
    if _too_many_controls(text):
        raise CorruptFile("文件内容包含大量控制字符，不是可读的文本文件，可能已损坏。")
    doc = Document(name=name, format="txt")
    doc.pages.append(Page(number=1, width=0, height=0, unit="px"))
    doc.metadata["encoding"] = encoding
    for i, line in enumerate(text.splitlines()):
        line = line.rstrip()
        if not line:
            continue
        doc.blocks.append(TextBlock(text=line, page=1, kind=BlockKind.BODY, paragraph=i))
    return doc.finalize()
