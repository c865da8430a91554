"""Typed details of findings: what each detector's evidence carries.

`Finding.details` holds one of these models (never a bare dict). Each detector constructs its own
model; readers (clean/, the report, disclosure, the site report) use its typed attributes. The
JSON form (`to_json`) is part of the report contract (`pubguard.report/1`): a model emits its
fields in declaration order, and a field declared with `opt()` is left out while it holds its
default — exactly the keys the detectors wrote when details were dicts. Add fields, never rename
or drop them.

Stored findings (the scan JSON of a version, the site cache, baselines) come back through
`details_from_json`, which never fails: a key the model does not know, or a value of the wrong
type (an old row, another version), is kept as it was in `extra` and written out again; a
details value that is not an object loads as empty details.

A model is also a read-only mapping over its JSON form (`details["signals"]`), for tests and for
callers written against the dict; code in pubguard reads the attributes.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self, TypeVar

_OMIT = "omit"
_T = TypeVar("_T")


def opt(default: _T = None) -> _T:  # type: ignore[assignment]
    """A field left out of the JSON form while it holds `default` (an optional key)."""
    return field(default=default, metadata={_OMIT: True})  # type: ignore[no-any-return]


BBoxList = tuple[float, ...]
PixelBox = tuple[int, ...]
Range = tuple[int, int]  # [start, end) in `Document.text`


@dataclass(frozen=True)
class Boilerplate:
    """Set by the site scan on a finding that repeats on many pages of one template
    (`pubguard.site.boilerplate`): reported once, on its first page."""

    scope: str = "site"  # "site" or the 栏目 (section) path
    pages: int = 0  # pages the finding appears on
    scope_pages: int = 0  # pages in the scope
    examples: tuple[str, ...] = ()  # a few of those pages


@dataclass(frozen=True)
class Details(Mapping[str, Any]):
    """Base of every details model. `boilerplate` and `extra` are shared by all and come last in
    the JSON form; subclasses declare their own keys."""

    boilerplate: Boilerplate | None = field(default=None, kw_only=True)
    # Keys this model does not know, or values of another type, from stored data: kept verbatim.
    extra: Mapping[str, Any] = field(default_factory=dict, kw_only=True)

    _BASE_FIELDS: ClassVar[frozenset[str]] = frozenset({"boilerplate", "extra"})

    # -- JSON ----------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in _own_fields(type(self)):
            value = getattr(self, f.name)
            if f.metadata.get(_OMIT) and value == f.default:
                continue
            out[f.name] = _json(value)
        if self.boilerplate is not None:
            out["boilerplate"] = _json(self.boilerplate)
        for key, value in self.extra.items():
            out[key] = value
        return out

    @classmethod
    def from_json(cls, data: object) -> Self:
        """The model from its JSON form; never raises (see the module docstring)."""
        if not isinstance(data, Mapping):
            return cls()
        hints = _hints(cls)
        values: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for raw_key, value in data.items():
            key = str(raw_key)
            tp = hints.get(key) if key != "extra" else None
            ok, converted = _convert(value, tp) if tp is not None else (False, None)
            if ok:
                values[key] = converted
            else:
                extra[key] = value
        return cls(**values, extra=extra)

    # -- read-only mapping over the JSON form ----------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self.to_json()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_json())

    def __len__(self) -> int:
        return len(self.to_json())

    def with_boilerplate(self, boilerplate: Boilerplate) -> Self:
        return dataclasses.replace(self, boilerplate=boilerplate)


@dataclass(frozen=True)
class RawDetails(Details):
    """Details of a finding without a model (a category this version does not know): every key
    is in `extra`."""


# -- red_header ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RedHeaderDetails(Details):
    signals: tuple[str, ...] = ()  # organ_mark / red_rule / doc_number, in that order
    sources: Mapping[str, str] = field(default_factory=dict)  # signal -> how it was seen ("image", "ocr" …)
    organ_mark: str | None = opt()  # the 发文机关标志 text, when it has text
    doc_number: str | None = opt()  # the 发文字号

    @property
    def picture(self) -> bool:
        """One of the signals came from a picture (a 红头 pasted as an image)."""
        return "image" in self.sources.values()


# -- seal ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ElectronicSealDetails(Details):
    """electronic_seal: an OFD / PDF signature record."""

    source: str = "electronic"
    kind: str = "seal"  # "seal" | "sign"
    signature_source: str = ""  # the record's path in the file
    provider: str | None = opt()
    signed_at: str | None = opt()
    seal_name: str | None = opt()


@dataclass(frozen=True)
class SealDetails(Details):
    """official_seal / personal_seal: what the pixels or the vector shapes showed, and where the
    picture is (the target: `image`, `paragraph`, the box inside the picture)."""

    source: str = ""  # "image" | "scan" | "vector" | "render"
    shape: str | None = opt()  # round / oval / square / rectangle
    ring_coverage: float | None = opt()
    star: bool | None = opt()
    rim_text: bool | None = opt()
    diameter_px: float | None = opt()
    diameter_mm: float | None = opt()
    framed: bool | None = opt()
    side_px: float | None = opt()
    side_mm: float | None = opt()
    pixel_bbox: PixelBox | None = opt()  # scans: the seal in the page raster's pixels
    image_pixel_bbox: PixelBox | None = opt()  # pictures: the seal in the picture's own pixels
    image: str | None = opt()  # `ImageItem.name` (DOCX: the relationship id)
    paragraph: int | None = opt()  # DOCX: the paragraph holding the picture or the shapes


@dataclass(frozen=True)
class SignatureDetails(Details):
    """signature: a handwritten signature picture."""

    source: str = "image"
    ink: str = "dark"  # "blue" | "dark"
    strokes: int = 0
    stroke_px: float = 0.0
    straight_fraction: float = 0.0
    image_pixel_bbox: PixelBox | None = opt()
    image: str | None = opt()
    paragraph: int | None = opt()


# -- classification_mark ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SecretLevelDetails(Details):
    """secret_level: the 密级 mark, one finding per mark with the pages it appears on (a running
    header repeats it)."""

    level: str = ""  # 绝密 / 机密 / 秘密
    term: str | None = None  # the 保密期限 written with it
    position: str | None = None  # top / header / footer / red …; None outside the mark positions
    fen_hao: bool = False  # a 份号 goes with it (the cleaner removes it too)
    pages: tuple[int, ...] = ()
    occurrences: int = 1


@dataclass(frozen=True)
class MarkDetails(Details):
    """The other marks (内部资料, 紧急程度 …): the mark as written, where, and on which pages."""

    mark: str = ""
    position: str | None = None
    pages: tuple[int, ...] = ()
    occurrences: int = 1


@dataclass(frozen=True)
class TelegramDetails(Details):
    """telegram_header: the 电报 报头 word and the header fields seen."""

    word: str | None = None
    fields: tuple[str, ...] = ()
    red: bool = False


# -- leader_annotation -----------------------------------------------------------------------------
@dataclass(frozen=True)
class AnnotationDetails(Details):
    form: str = ""  # the 批示 form matched (拟同意, label …)
    evidence: tuple[str, ...] = ()  # what made it an annotation: ink, comment, signed, text_box …
    signer: str | None = None  # the signer as shown (masked)


# -- personal_data ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonalDataDetails(Details):
    recognizer: str = ""  # the Chinese label of what was recognised
    checks: tuple[str, ...] = ()  # why it is taken for one (checksum, context …)
    column: str | None = opt()  # the table column's header, in a roster
    masked: bool = opt(False)  # the value is already masked in the source


@dataclass(frozen=True)
class RosterDetails(Details):
    """roster: a table / page listing many people."""

    rows_with_id: int = 0
    scope: str = ""  # "table" | "page"


# -- hidden_content --------------------------------------------------------------------------------
@dataclass(frozen=True)
class HiddenContentDetails(Details):
    """Every hidden-content check; each sets the keys of its own evidence. `offsets` (a summary
    finding's ranges) and `fields` (document properties carrying a name) are the targets the
    cleaner acts on."""

    anchor: Range | None = opt()  # comment: the passage it is anchored to
    reason: str | None = opt()  # hidden_text / white_text: how it is hidden
    revision: str | None = opt()  # tracked_change: insert | delete
    color: str | None = opt()  # white_text: the text colour (#rrggbb)
    background: str | None = opt()  # white_text: the colour it stands on
    method: str | None = opt()  # white_text shading / fake_redaction dark_box, annot:redact
    ranges: tuple[Range, ...] | None = opt()  # fake_redaction: the characters under the box
    kind: str | None = opt()  # javascript: vba | javascript
    count: int | None = opt()  # summary / embedded / scripts: how many
    offsets: tuple[Range, ...] | None = opt()  # summary: the ranges (first 100)
    fields: tuple[str, ...] | None = opt()  # metadata_person: the property fields


# -- sensitive_term --------------------------------------------------------------------------------
@dataclass(frozen=True)
class SensitiveTermDetails(Details):
    rule_id: str = ""  # list.rule
    title: str = ""
    list: str = ""  # the word list (drafts, confidential …)
    list_label: str = ""
    term: str = ""
    replacement: str | None = opt()
    hidden: bool = opt(False)  # invisible on the page, still in the file


# -- proofreading ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProofreadingDetails(Details):
    corrected: str | None = opt()  # doc_number_format: the number written right
    wrong: str | None = opt()  # confusion: the word as written
    right: str | None = opt()  # confusion: the right word
    marks: Mapping[str, int] | None = opt()  # mixed_punctuation: half-width mark -> count
    count: int | None = opt()  # the overflow finding: how many were not listed


# -- registry --------------------------------------------------------------------------------------
# (category, rule) first, then (category, None).
_MODELS: dict[tuple[str, str | None], type[Details]] = {
    ("red_header", None): RedHeaderDetails,
    ("seal", "electronic_seal"): ElectronicSealDetails,
    ("seal", "signature"): SignatureDetails,
    ("seal", None): SealDetails,
    ("classification_mark", "secret_level"): SecretLevelDetails,
    ("classification_mark", "telegram_header"): TelegramDetails,
    ("classification_mark", None): MarkDetails,
    ("leader_annotation", None): AnnotationDetails,
    ("personal_data", "roster"): RosterDetails,
    ("personal_data", None): PersonalDataDetails,
    ("hidden_content", None): HiddenContentDetails,
    ("sensitive_term", None): SensitiveTermDetails,
    ("proofreading", None): ProofreadingDetails,
}


def details_model(category: str, rule: str) -> type[Details]:
    """The model of a finding's details (RawDetails for a category without one)."""
    key = str(category)
    return _MODELS.get((key, rule)) or _MODELS.get((key, None)) or RawDetails


def details_from_json(category: str, rule: str, data: object) -> Details:
    """Stored details (a dict from JSON) as the finding's model; never raises."""
    if isinstance(data, Details):
        return data
    model = details_model(category, rule)
    try:
        return model.from_json(data)
    except (TypeError, ValueError):  # a model's own checks refused the values: keep them raw
        return RawDetails(extra=dict(data) if isinstance(data, Mapping) else {})


# -- helpers ---------------------------------------------------------------------------------------
_FIELDS: dict[type, tuple[dataclasses.Field[Any], ...]] = {}
_HINTS: dict[type, dict[str, Any]] = {}


def _own_fields(cls: type[Details]) -> tuple[dataclasses.Field[Any], ...]:
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple(f for f in dataclasses.fields(cls) if f.name not in Details._BASE_FIELDS)
    return found


def _hints(cls: type) -> dict[str, Any]:
    found = _HINTS.get(cls)
    if found is None:
        found = _HINTS[cls] = typing.get_type_hints(cls)
    return found


def _json(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_json(v) for v in value]
    if isinstance(value, Details):
        return value.to_json()
    if isinstance(value, Mapping):
        return {k: _json(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def _convert(value: Any, tp: Any) -> tuple[bool, Any]:
    """(ok, value as `tp`): JSON arrays become tuples, objects dicts / dataclasses; numbers keep
    their JSON type (an int stays an int in a float field, so it writes back the same)."""
    if tp is Any:
        return True, value
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            ok, out = _convert(value, arg)
            if ok:
                return True, out
        return False, None
    if tp is type(None):
        return value is None, None
    if tp is bool:
        return isinstance(value, bool), value
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool), value
    if tp is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool), value
    if tp is str:
        return isinstance(value, str), value
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            return False, None
        args = typing.get_args(tp)
        items = args[:1] * len(value) if len(args) == 2 and args[1] is Ellipsis else args
        if len(items) != len(value):
            return False, None
        out = []
        for item, arg in zip(value, items, strict=True):
            ok, conv = _convert(item, arg)
            if not ok:
                return False, None
            out.append(conv)
        return True, tuple(out)
    if origin in (dict, Mapping, typing.Mapping):
        if not isinstance(value, Mapping):
            return False, None
        _, vtype = typing.get_args(tp)
        result: dict[str, Any] = {}
        for k, v in value.items():
            ok, conv = _convert(v, vtype)
            if not isinstance(k, str) or not ok:
                return False, None
            result[k] = conv
        return True, result
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            return False, None
        hints = _hints(tp)
        kwargs: dict[str, Any] = {}
        for k, v in value.items():
            if k not in hints:
                return False, None
            ok, conv = _convert(v, hints[k])
            if not ok:
                return False, None
            kwargs[k] = conv
        return True, tp(**kwargs)
    return False, None


__all__ = [
    "AnnotationDetails",
    "Boilerplate",
    "Details",
    "ElectronicSealDetails",
    "HiddenContentDetails",
    "MarkDetails",
    "PersonalDataDetails",
    "ProofreadingDetails",
    "RawDetails",
    "RedHeaderDetails",
    "RosterDetails",
    "SealDetails",
    "SecretLevelDetails",
    "SensitiveTermDetails",
    "SignatureDetails",
    "TelegramDetails",
    "details_from_json",
    "details_model",
]
