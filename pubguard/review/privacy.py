"""Masking of text a citizen wrote before anyone but the register sees it (政民互动 messages,
依申请公开 requests), and the re-scan that proves the masked text is clean.

Two layers, both needed:
1. The values we know — the writer's name, phone, address, e-mail and whatever they asked to
   keep secret — are masked wherever they occur (phone numbers also with spaces or dashes).
2. The text then goes through PubGuard's scan (`pubguard.scan.scan_bytes`, the same entry as
   every upload); every personal-data finding with a text range is masked with the site's
   masking rules (`pubguard.masking`). A second scan of the result must find no personal data
   and none of the known values may remain (compared without separators).

Nothing here logs or raises with a private value in it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pubguard.clean.common import squash
from pubguard.masking import MaskingConfig, mask_email, mask_name, mask_value, redact_text

HIDDEN = "（已隐去）"
ADDRESS_HIDDEN = "（地址已隐去）"
# Personal data at or above this severity blocks publication of a Q&A after masking.
BLOCKING = ("blocker", "high", "medium")


@dataclass(frozen=True)
class PrivateValues:
    """What identifies a writer or applicant (kept in memory, never logged)."""

    name: str = ""
    phone: str = ""
    address: str = ""
    email: str = ""
    id_number: str = ""
    secrets: tuple[str, ...] = ()

    def values(self) -> list[str]:
        """Every non-trivial value, for leak checks."""
        out = [self.name, self.phone, self.address, self.email, self.id_number, *self.secrets]
        return [v.strip() for v in out if v and len(v.strip()) >= 2]

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> PrivateValues:
        data = data or {}
        secrets = data.get("secrets") or ()
        if isinstance(secrets, str):
            secrets = [p for p in re.split(r"[；;、\n]+", secrets)]
        return cls(
            name=str(data.get("name") or "").strip(),
            phone=str(data.get("phone") or "").strip(),
            address=str(data.get("address") or "").strip(),
            email=str(data.get("email") or "").strip(),
            id_number=str(data.get("id_number") or "").strip(),
            secrets=tuple(s.strip() for s in secrets if str(s).strip()),
        )


def _digits_pattern(value: str) -> re.Pattern[str] | None:
    digits = re.sub(r"\D", "", value)
    if len(digits) < 5:
        return None
    sep = r"[\s\-－—.]*"
    return re.compile(r"(?<!\d)" + sep.join(re.escape(d) for d in digits) + r"(?!\d)")


def _masker(kind: str, config: MaskingConfig | None) -> Callable[[re.Match[str]], str]:
    return lambda m: mask_value(m.group(0), kind, config)


def mask_known(text: str, private: PrivateValues, config: MaskingConfig | None = None) -> str:
    """Mask every occurrence of the known private values."""
    if not text:
        return text
    # Longest first, so a secret that contains the name is hidden as a whole.
    for secret in sorted(private.secrets, key=len, reverse=True):
        if len(secret) >= 2:
            text = text.replace(secret, HIDDEN)
    if len(private.address) >= 2:
        text = text.replace(private.address, ADDRESS_HIDDEN)
    if private.email:
        text = re.sub(re.escape(private.email), mask_email(private.email), text, flags=re.IGNORECASE)
    for number, kind in ((private.id_number, "id_card"), (private.phone, "")):
        pattern = _digits_pattern(number)
        if pattern is None:
            continue
        if not kind:
            kind = "mobile" if re.fullmatch(r"1[3-9]\d{9}", re.sub(r"\D", "", number)) else "landline"
        text = pattern.sub(_masker(kind, config), text)
    if len(private.name) >= 2:
        text = text.replace(private.name, mask_name(private.name, (config or MaskingConfig()).name_style))
    return text


@dataclass
class MaskCheck:
    """The result of masking a text: the masked text and whether its re-scan is clean."""

    text: str
    masked: list[dict[str, str]] = field(default_factory=list)  # rule + masked evidence
    problems: list[str] = field(default_factory=list)  # Chinese, never with a private value

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "masked": self.masked, "problems": self.problems}


Scanner = Callable[..., Any]


def _personal(result: Any) -> list[Any]:
    return [f for f in result.findings if str(f.category) == "personal_data"]


def mask_text(
    text: str,
    private: PrivateValues,
    scanner: Scanner,
    *,
    config: Any = None,
    identity: str = "message",
    extra_forbidden: Iterable[str] = (),
) -> MaskCheck:
    """Mask the known values, then every personal-data finding of the scan, then re-scan.
    `extra_forbidden`: further texts that must not appear (a leader's 批示)."""
    masking = getattr(config, "masking", None)
    step1 = mask_known(text, private, masking)
    first = scanner(step1.encode("utf-8"), "text.txt", config, identity=identity)
    spans = []
    masked = []
    for f in _personal(first):
        s, e = f.location.start, f.location.end
        if s is None or e is None or e <= s or f.rule == "roster" or e > len(step1):
            continue
        spans.append((s, e, f.rule))
        masked.append({"rule": f.rule, "evidence": f.evidence})
    step2 = redact_text(step1, spans, masking) if spans else step1
    problems = check_text(step2, private, scanner, config=config, identity=identity)
    flat = squash(step2)
    for forbidden in extra_forbidden:
        forbidden = (forbidden or "").strip()
        if len(forbidden) >= 6 and _shares_run(squash(forbidden), flat, 8):
            problems.append("文本中含有领导批示内容，批示不得公开。")
            break
    return MaskCheck(step2, masked, problems)


def check_text(
    text: str, private: PrivateValues, scanner: Scanner, *, config: Any = None, identity: str = "message"
) -> list[str]:
    """The re-scan: problems left in an already masked text (Chinese, no private values)."""
    problems = []
    result = scanner(text.encode("utf-8"), "text.txt", config, identity=identity)
    left = [f for f in _personal(result) if str(f.severity) in BLOCKING]
    if left:
        kinds = sorted({f.rule for f in left})
        problems.append(f"脱敏后复查仍发现个人信息（{'、'.join(kinds)}）。")
    blockers = [
        f for f in result.findings if str(f.severity) == "blocker" and str(f.category) != "personal_data"
    ]
    if blockers:
        problems.append(f"复查发现不得公开的内容（{'、'.join(sorted({f.message for f in blockers}))}）。")
    flat = squash(text).upper()
    leaked = sum(1 for v in private.values() if len(squash(v)) >= 2 and squash(v).upper() in flat)
    if leaked:
        problems.append(f"文本中仍有 {leaked} 项来信人/申请人信息未隐去。")
    return problems


def _shares_run(needle: str, haystack: str, n: int) -> bool:
    """Whether `haystack` contains any run of `n` characters of `needle` (or all of a shorter
    needle)."""
    if len(needle) <= n:
        return needle in haystack
    return any(needle[i : i + n] in haystack for i in range(len(needle) - n + 1))
