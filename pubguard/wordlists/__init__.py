"""Wordlists as data: rules for the `sensitive_term` detector live in files, not in code.

Two formats:

* TOML (the shipped lists and users' curated lists), one file per list::

    [meta]
    name = "confidential"            # list id, prefix of every entry id
    label = "内部资料标识"            # shown to users
    rule = "internal_term"            # Finding.rule of its hits (SARIF rule); default custom_term
    description = "..."

    [[rules]]
    id = "internal-material"          # entry id: details["rule_id"] = "confidential.internal-material"
    title = "内部资料字样"               # short Chinese name of the entry
    terms = ["内部资料", "内部文件"]
    terms_from = ["marks.internal_material"]   # optional: words of pubguard/lexicon entries
                                      # (<file>.<entry>), added before `terms`
    severity = "medium"               # blocker | high | medium | low | info
    message = "..."                   # Chinese; "{term}" is replaced by the matched text
    suggestion = "..."
    basis = "..."
    replacement = "..."               # optional: the correct form (规范表述)
    exceptions = ["字样", "内部资料性出版物"]
    near = 12                         # window (characters) for exceptions not containing a term
    document_exceptions = ["公开征求意见"]
    context_before = ["（", "("]      # the hit must directly follow one of these
    whole_line = false                # the line holds only marking words
    ignore_quoted = false             # “内部资料” in quotes is only being talked about
    examples.match = ["..."]          # must produce a hit of this rule
    examples.no_match = ["..."]       # must not

  An exception that contains the matched term is a *covering context* (国家级开发区 covers
  国家级); any other exception suppresses the hit when it occurs within `near` characters in the
  same sentence (字样 in 标有“内部资料”字样). Every shipped rule carries examples, and the test
  suite runs all of them (the gitleaks / Vale way of keeping rules honest).

* Plain text (users' big lists): one term per line, `#` starts a comment; optional directive
  lines `#! severity: high`, `#! message: ...`, `#! suggestion: ...`, `#! basis: ...`,
  `#! label: ...` set the values every term of the file shares; their hits are reported under
  the rule `custom_term`.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pubguard.errors import PubGuardError
from pubguard.finding import Severity

WORDLIST_DIR = Path(__file__).resolve().parent

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_RULE_RE = re.compile(r"^[a-z][a-z0-9_]*$")

DEFAULT_FINDING_RULE = "custom_term"
TXT_DEFAULT_MESSAGE = "命中自定义词表“{label}”中的词语“{term}”，发布前请核实。"
TXT_DEFAULT_SUGGESTION = "核实该词语在文中的用法，确属不宜公开的内容应删除或改写后再发布。"
TXT_DEFAULT_BASIS = "本单位自定义敏感词表"


class WordlistError(PubGuardError):
    code = "wordlist"


@dataclass(frozen=True)
class Rule:
    list_name: str
    id: str
    terms: tuple[str, ...]
    severity: Severity
    message: str
    suggestion: str = ""
    basis: str = ""
    replacement: str = ""
    title: str = ""  # short Chinese name (rule listings, SARIF)
    label: str = ""  # the list's label
    exceptions: tuple[str, ...] = ()
    near: int = 12
    document_exceptions: tuple[str, ...] = ()
    context_before: tuple[str, ...] = ()
    whole_line: bool = False
    ignore_quoted: bool = False
    examples_match: tuple[str, ...] = ()
    examples_no_match: tuple[str, ...] = ()
    source: str = ""  # file the rule came from
    finding_rule: str = DEFAULT_FINDING_RULE  # Finding.rule of its hits

    @property
    def full_id(self) -> str:
        """Entry id, unique across lists: `<list>.<id>`."""
        return f"{self.list_name}.{self.id}"

    def render_message(self, term: str) -> str:
        return self.message.replace("{term}", term).replace("{label}", self.label)


@dataclass
class WordList:
    name: str
    label: str
    description: str = ""
    rule: str = DEFAULT_FINDING_RULE
    rules: list[Rule] = field(default_factory=list)
    path: Path | None = None


def shipped_paths() -> list[Path]:
    """The default lists shipped with PubGuard (sorted, so rule order is stable)."""
    return sorted(WORDLIST_DIR.glob("*.toml"))


def _safe_name(stem: str) -> str:
    """A rule-id-safe list name from a file name; names that lose characters get a short hash
    so two lists (本单位词表.txt, 项目代号.txt) never share rule ids."""
    safe = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-_")
    if safe == stem.lower():
        return safe
    digest = hashlib.sha1(stem.encode("utf-8")).hexdigest()[:6]
    return f"{safe}-{digest}" if safe else f"list-{digest}"


def _err(path: Path, what: str) -> WordlistError:
    return WordlistError(f"词表文件 {path.name} 有误：{what}")


def _str_list(value: object, path: Path, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _err(path, f"“{key}”应为字符串列表")
    return tuple(v for v in value if v.strip())


def _severity(value: object, path: Path) -> Severity:
    try:
        return Severity(str(value).lower())
    except ValueError:
        raise _err(path, f"未知的严重程度“{value}”（应为 blocker/high/medium/low/info）") from None


def _lexicon_terms(value: object, path: Path, rid: str) -> tuple[str, ...]:
    """The words of the lexicon entries a rule names in `terms_from` (one home for shared lists)."""
    from pubguard import lexicon

    out: list[str] = []
    for ref in _str_list(value, path, "terms_from"):
        file, _, name = ref.partition(".")
        try:
            out += lexicon.words(file, name)
        except lexicon.LexiconError as exc:
            raise _err(path, f"规则“{rid}”的 terms_from“{ref}”无效：{exc.message}") from None
    return tuple(dict.fromkeys(out))


def load_toml(path: Path) -> WordList:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise _err(path, f"无法读取（{type(exc).__name__}）") from None
    except tomllib.TOMLDecodeError as exc:
        raise _err(path, f"TOML 格式错误：{exc}") from None
    meta = data.get("meta", {})
    name = str(meta.get("name") or _safe_name(path.stem))
    if not _ID_RE.match(name):
        raise _err(path, f"词表名“{name}”只能由小写字母、数字、-、_ 组成")
    if "rules" not in data:
        # A TOML file may hold only other detectors' tables ([classification_marks] ...).
        return WordList(name=name, label=str(meta.get("label") or name), path=path)
    label = str(meta.get("label") or name)
    default_sev = meta.get("severity", "medium")
    finding_rule = str(meta.get("rule") or DEFAULT_FINDING_RULE)
    if not _RULE_RE.match(finding_rule):
        raise _err(path, f"规则名“{finding_rule}”只能由小写字母、数字、_ 组成")
    wl = WordList(
        name=name,
        label=label,
        description=str(meta.get("description", "")),
        rule=finding_rule,
        path=path,
    )
    seen: set[str] = set()
    for i, raw in enumerate(data.get("rules", [])):
        rid = str(raw.get("id") or f"rule{i + 1}")
        if not _ID_RE.match(rid):
            raise _err(path, f"规则编号“{rid}”只能由小写字母、数字、-、_ 组成")
        if rid in seen:
            raise _err(path, f"规则编号“{rid}”重复")
        seen.add(rid)
        terms = _lexicon_terms(raw.get("terms_from"), path, rid) + _str_list(raw.get("terms"), path, "terms")
        if not terms:
            raise _err(path, f"规则“{rid}”没有 terms")
        examples = raw.get("examples", {})
        message = str(raw.get("message") or meta.get("message") or TXT_DEFAULT_MESSAGE)
        wl.rules.append(
            Rule(
                list_name=name,
                id=rid,
                terms=terms,
                severity=_severity(raw.get("severity", default_sev), path),
                message=message,
                suggestion=str(raw.get("suggestion") or meta.get("suggestion", "")),
                basis=str(raw.get("basis") or meta.get("basis", "")),
                replacement=str(raw.get("replacement", "")),
                title=str(raw.get("title", "")),
                label=label,
                exceptions=_str_list(raw.get("exceptions"), path, "exceptions"),
                near=int(raw.get("near", 12)),
                document_exceptions=_str_list(raw.get("document_exceptions"), path, "document_exceptions"),
                context_before=_str_list(raw.get("context_before"), path, "context_before"),
                whole_line=bool(raw.get("whole_line", False)),
                ignore_quoted=bool(raw.get("ignore_quoted", False)),
                examples_match=_str_list(examples.get("match"), path, "examples.match"),
                examples_no_match=_str_list(examples.get("no_match"), path, "examples.no_match"),
                source=str(path),
                finding_rule=finding_rule,
            )
        )
    return wl


def load_txt(path: Path) -> WordList:
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise _err(path, f"无法读取（需 UTF-8 编码，{type(exc).__name__}）") from None
    directives: dict[str, str] = {}
    terms: list[str] = []
    for line in content.splitlines():
        line = line.strip()
        if line.startswith("#!"):
            key, _, value = line[2:].partition(":")
            directives[key.strip().lower()] = value.strip()
            continue
        line = line.split("#", 1)[0].strip()
        if line:
            terms.append(line)
    name = f"user-{_safe_name(path.stem)}"
    label = directives.get("label") or path.stem
    rules = []
    if terms:
        rules.append(
            Rule(
                list_name=name,
                id="terms",
                terms=tuple(dict.fromkeys(terms)),
                severity=_severity(directives.get("severity", "medium"), path),
                message=directives.get("message") or TXT_DEFAULT_MESSAGE,
                suggestion=directives.get("suggestion") or TXT_DEFAULT_SUGGESTION,
                basis=directives.get("basis") or TXT_DEFAULT_BASIS,
                title=f"自定义词表：{label}",
                label=label,
                source=str(path),
            )
        )
    return WordList(name=name, label=label, rules=rules, path=path)


def load_wordlist(path: Path | str) -> WordList:
    path = Path(path)
    if not path.is_file():
        raise WordlistError(f"找不到词表文件：{path}")
    if path.suffix.lower() == ".toml":
        return load_toml(path)
    return load_txt(path)


def load_wordlists(paths: list[Path] | tuple[Path, ...]) -> list[WordList]:
    return [load_wordlist(p) for p in paths]


__all__ = [
    "DEFAULT_FINDING_RULE",
    "Rule",
    "WordList",
    "WordlistError",
    "WORDLIST_DIR",
    "shipped_paths",
    "load_wordlist",
    "load_wordlists",
    "load_toml",
    "load_txt",
]
