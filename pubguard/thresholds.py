"""Thresholds, one documented place: the page zones and confidence weights detectors judge by.

A site overrides any of them in its configuration (``pubguard.toml`` or ``[tool.pubguard]``)::

    [thresholds.red_header]
    top_fraction = 0.5        # 上行文 templates put the 发文机关标志 lower

    [thresholds.classification_mark]
    top_lines = 10

    [thresholds.leader_annotation.weights]
    margin = 0.25

Unknown keys and values out of range are refused with a Chinese message naming the key, so a
typo never silently falls back to the default. Colour thresholds (what counts as red or as text
a reader cannot see) live in `pubguard.colour` with their reasons; they are not per site.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, get_type_hints

from pubguard.errors import PubGuardError


class ThresholdError(PubGuardError):
    code = "config"


def Field(
    default: float,
    *,
    description: str,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
) -> Any:  # noqa: N802
    """A threshold with its range and Chinese description (dataclasses only: no pydantic on the
    scan path, which must start fast)."""
    return field(default=default, metadata={"description": description, "ge": ge, "gt": gt, "le": le})


@dataclass(frozen=True)
class _Model:
    pass


@dataclass(frozen=True)
class RedHeaderZones(_Model):
    """红头 (detectors/red_header.py): where on page 1 the three signals may sit."""

    top_fraction: float = Field(0.45, gt=0, le=1, description="发文机关标志的中心须在首页上部这一比例内")
    rule_zone: float = Field(0.55, gt=0, le=1, description="红色分隔线须在首页上部这一比例内（上行文更低）")
    docx_mark_paragraphs: int = Field(6, ge=1, description="DOCX：发文机关标志须在前几段")
    docx_number_paragraphs: int = Field(10, ge=1, description="DOCX：发文字号须在前几段")
    html_window: int = Field(4, ge=1, description="网页：红色发文机关标志之后几段内须有发文字号或红色分隔线")


@dataclass(frozen=True)
class MarkZones(_Model):
    """密级与内部标识 (detectors/classification_mark.py): what counts as "the top" of a page."""

    top_lines: int = Field(8, ge=1, description="版式未知时（DOCX、文本、网页）首页前几行算顶部")
    top_lines_other_pages: int = Field(3, ge=0, description="其他页（附件另起一页）前几行算顶部")
    top_fraction: float = Field(0.30, gt=0, le=1, description="有坐标时首页上部这一比例算顶部")
    telegram_lines: int = Field(30, ge=1, description="电报报头字段在首页前几行中查找")
    telegram_fraction: float = Field(0.5, gt=0, le=1, description="电报报头字段在页面上部这一比例中查找")


@dataclass(frozen=True)
class LeaderWeights(_Model):
    """领导批示 (detectors/leader_annotation.py): confidence = base + the weight of each kind of
    evidence found (capped at 1)."""

    base: float = Field(0.55, ge=0, le=1, description="批示用语本身的置信度")
    margin: float = Field(0.2, ge=0, le=1, description="位于版心之外（页边空白处）")
    ink: float = Field(0.2, ge=0, le=1, description="字迹颜色与正文不同")
    handwriting: float = Field(0.2, ge=0, le=1, description="印刷页面上的手写（OCR识别）文字")
    comment: float = Field(0.25, ge=0, le=1, description="位于批注/注释中")
    signed: float = Field(0.2, ge=0, le=1, description="后附签名和日期")
    text_box: float = Field(0.1, ge=0, le=1, description="位于浮动文本框中")
    header: float = Field(0.1, ge=0, le=1, description="位于页眉页脚中")


@dataclass(frozen=True)
class LeaderAnnotation(_Model):
    weights: LeaderWeights = field(default_factory=LeaderWeights)


@dataclass(frozen=True)
class Thresholds(_Model):
    red_header: RedHeaderZones = field(default_factory=RedHeaderZones)
    classification_mark: MarkZones = field(default_factory=MarkZones)
    leader_annotation: LeaderAnnotation = field(default_factory=LeaderAnnotation)

    @classmethod
    def from_table(cls, table: dict[str, Any] | None) -> Thresholds:
        """The defaults with a site's ``[thresholds]`` table applied; refuses unknown keys and
        values of the wrong type or out of range."""
        problems: list[str] = []
        value = _build(cls, table or {}, "thresholds", problems)
        if problems:
            raise ThresholdError("配置文件中的阈值有误：" + "；".join(problems))
        return value


def _build(cls: type, table: object, where: str, problems: list[str]) -> Any:
    if not isinstance(table, dict):
        problems.append(f"{where}：应为表")
        return cls()
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for key, raw in table.items():
        key_where = f"{where}.{key}"
        if key not in fields:
            problems.append(f"{key_where}：未知的阈值")
            continue
        kind = hints[key]
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            values[key] = _build(kind, raw, key_where, problems)
            continue
        if (
            isinstance(raw, bool)
            or not isinstance(raw, int | float)
            or (kind is int and not isinstance(raw, int))
        ):
            problems.append(f"{key_where}：应为{'整数' if kind is int else '数值'}")
            continue
        meta = fields[key].metadata
        if (
            (meta.get("ge") is not None and raw < meta["ge"])
            or (meta.get("gt") is not None and raw <= meta["gt"])
            or (meta.get("le") is not None and raw > meta["le"])
        ):
            problems.append(f"{key_where}：取值 {raw} 超出范围")
            continue
        values[key] = kind(raw)
    return cls(**values)


def describe() -> list[tuple[str, Any, str]]:
    """(key, default, Chinese description) of every threshold, for documentation and `pubguard rules`."""
    out: list[tuple[str, Any, str]] = []

    def walk(obj: Any, prefix: str) -> None:
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if dataclasses.is_dataclass(value):
                walk(value, f"{prefix}.{f.name}")
            else:
                out.append((f"{prefix}.{f.name}", value, f.metadata.get("description", "")))

    walk(DEFAULT, "thresholds")
    return out


DEFAULT = Thresholds()

__all__ = [
    "DEFAULT",
    "describe",
    "LeaderWeights",
    "MarkZones",
    "RedHeaderZones",
    "ThresholdError",
    "Thresholds",
]
