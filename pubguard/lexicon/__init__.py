"""Lexicon: the words and patterns several detectors share, as data files with examples.

One home for each piece of knowledge (surnames, organ-name endings, 发文字号 and personal-data
patterns, full-width folding ...): a detector that needs one asks this package instead of keeping
its own copy. Every data file here (``*.toml``) holds named entries::

    [meta]
    description = "..."

    [entries.surnames]
    kind = "chars"              # chars (a string of single characters) | words (list) | pattern (regex)
    match = "startswith"        # how the examples are checked: startswith | endswith | contains |
                                # exact | search | fullmatch (patterns: search or fullmatch)
    value = "王李张..."          # chars: one string; words: list of strings; pattern: one regex
    description = "..."
    examples.match = ["王小明"]  # must match
    examples.no_match = ["的确"]  # must not

`load_file` refuses a broken file with a Chinese error naming the file, the entry and what is
wrong (bad TOML, unknown kind or match mode, missing or empty value, duplicates, a regex that does
not compile, missing examples, or an example that does not behave as stated), the gitleaks way of
shipping rules with true and false positives. tests/lexicon runs every example as its own case.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pubguard.errors import PubGuardError

LEXICON_DIR = Path(__file__).resolve().parent
KINDS = ("chars", "words", "pattern")
MATCH_MODES = {
    "chars": ("startswith", "endswith", "contains", "exact"),
    "words": ("startswith", "endswith", "contains", "exact"),
    "pattern": ("search", "fullmatch"),
}
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class LexiconError(PubGuardError):
    code = "lexicon"


@dataclass(frozen=True)
class Entry:
    file: str
    name: str
    kind: str
    match: str
    words: tuple[str, ...] = ()  # chars: the characters; words: the words
    regex: re.Pattern[str] | None = None
    description: str = ""
    examples_match: tuple[str, ...] = ()
    examples_no_match: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        """Does `text` match the way the examples are checked (`match` mode)?"""
        if self.regex is not None:
            fn = self.regex.fullmatch if self.match == "fullmatch" else self.regex.search
            return fn(text) is not None
        if self.match == "startswith":
            return text.startswith(self.words)
        if self.match == "endswith":
            return text.endswith(self.words)
        if self.match == "contains":
            return any(w in text for w in self.words)
        return text in self.words


def _err(path: Path, entry: str | None, what: str) -> LexiconError:
    where = f"词条“{entry}”" if entry else ""
    return LexiconError(f"词库文件 {path.name} 有误：{where}{what}")


def _strings(value: object, path: Path, name: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _err(path, name, f"“{key}”应为非空字符串列表")
    return tuple(value)


def _entry(path: Path, name: str, raw: object) -> Entry:
    if not _NAME_RE.match(name):
        raise _err(path, name, "名称只能由小写字母、数字、_ 组成")
    if not isinstance(raw, dict):
        raise _err(path, name, "应为表（[entries.名称]）")
    unknown = set(raw) - {"kind", "match", "value", "description", "examples", "flags"}
    if unknown:
        raise _err(path, name, f"未知的键 {sorted(unknown)}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise _err(path, name, f"kind 应为 {'/'.join(KINDS)}，而不是“{kind}”")
    match = raw.get("match", "search" if kind == "pattern" else "contains")
    if match not in MATCH_MODES[kind]:
        raise _err(path, name, f"match 应为 {'/'.join(MATCH_MODES[kind])}，而不是“{match}”")
    value = raw.get("value")
    words: tuple[str, ...] = ()
    regex = None
    if kind == "chars":
        if not isinstance(value, str) or not value.strip():
            raise _err(path, name, "value 应为非空字符串（每个字符一项）")
        chars = "".join(value.split())
        dup = sorted({c for c in chars if chars.count(c) > 1})
        if dup:
            raise _err(path, name, f"字符重复：{''.join(dup)}")
        words = tuple(chars)
    elif kind == "words":
        words = _strings(value, path, name, "value")
        dup = sorted({w for w in words if words.count(w) > 1})
        if dup:
            raise _err(path, name, f"词语重复：{'、'.join(dup)}")
    else:
        if not isinstance(value, str) or not value:
            raise _err(path, name, "value 应为正则表达式字符串")
        flags = 0
        for flag in raw.get("flags", []):
            if flag not in ("IGNORECASE", "MULTILINE"):
                raise _err(path, name, f"未知的正则标志“{flag}”")
            flags |= getattr(re, flag)
        try:
            regex = re.compile(value, flags)
        except re.error as exc:
            raise _err(path, name, f"正则表达式无法编译：{exc}") from None
    examples = raw.get("examples")
    if not isinstance(examples, dict) or "match" not in examples or "no_match" not in examples:
        raise _err(path, name, "缺少 examples.match 和 examples.no_match（每个词条都要有正反例）")
    entry = Entry(
        file=path.stem,
        name=name,
        kind=kind,
        match=match,
        words=words,
        regex=regex,
        description=str(raw.get("description", "")),
        examples_match=_strings(examples["match"], path, name, "examples.match"),
        examples_no_match=_strings(examples["no_match"], path, name, "examples.no_match"),
    )
    for text in entry.examples_match:
        if not entry.matches(text):
            raise _err(path, name, f"正例“{text}”不匹配")
    for text in entry.examples_no_match:
        if entry.matches(text):
            raise _err(path, name, f"反例“{text}”被匹配")
    return entry


def load_file(path: Path | str) -> dict[str, Entry]:
    """Every entry of one lexicon file; raises LexiconError when anything in it is broken."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise _err(path, None, f"无法读取（{type(exc).__name__}）") from None
    except tomllib.TOMLDecodeError as exc:
        raise _err(path, None, f"TOML 格式错误：{exc}") from None
    entries = data.get("entries")
    if not isinstance(entries, dict) or not entries:
        raise _err(path, None, "没有 [entries.名称] 词条")
    return {name: _entry(path, name, raw) for name, raw in entries.items()}


def shipped_files() -> list[Path]:
    return sorted(LEXICON_DIR.glob("*.toml"))


@cache
def _file(name: str) -> dict[str, Entry]:
    path = LEXICON_DIR / f"{name}.toml"
    if not path.is_file():
        raise LexiconError(f"找不到词库文件：{path.name}")
    return load_file(path)


def entry(file: str, name: str) -> Entry:
    entries = _file(file)
    if name not in entries:
        raise LexiconError(f"词库文件 {file}.toml 中没有词条“{name}”")
    return entries[name]


def words(file: str, name: str) -> tuple[str, ...]:
    """A `words` or `chars` entry as a tuple (in file order: usable with str.endswith)."""
    e = entry(file, name)
    if e.kind == "pattern":
        raise LexiconError(f"词条 {file}.{name} 是正则表达式，不是词表")
    return e.words


def chars(file: str, name: str) -> frozenset[str]:
    return frozenset(words(file, name))


def pattern(file: str, name: str) -> re.Pattern[str]:
    e = entry(file, name)
    if e.regex is None:
        raise LexiconError(f"词条 {file}.{name} 不是正则表达式")
    return e.regex


__all__ = [
    "Entry",
    "LEXICON_DIR",
    "LexiconError",
    "chars",
    "entry",
    "load_file",
    "pattern",
    "shipped_files",
    "words",
]
