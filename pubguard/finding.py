"""The `Finding` contract shared by every detector, report writer and the review layer.

The JSON shape of a finding is a public contract (`pubguard.report/1`): fields may be added,
never renamed or dropped.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pubguard import labels
from pubguard.details import Details, RawDetails, details_from_json
from pubguard.document import BBox
from pubguard.targets import Target, merge_repeat


class Severity(StrEnum):
    BLOCKER = "blocker"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: Severity | str) -> bool:
        return self.rank >= Severity(other).rank


_RANK = {Severity.INFO: 0, Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.BLOCKER: 4}

SEVERITY_LABELS: dict[str, str] = labels.SEVERITY  # keyed by Severity (a str); one home: pubguard.labels
# One set of severity colours for every place people see them: the web UI (app.css, tested to
# match), the CLI HTML report and the boxes of annotated page images.
SEVERITY_COLOURS = {
    Severity.BLOCKER: "#c62828",
    Severity.HIGH: "#ef6c00",
    Severity.MEDIUM: "#f9a825",
    Severity.LOW: "#1565c0",
    Severity.INFO: "#607d8b",
}


class Category(StrEnum):
    CLASSIFICATION_MARK = "classification_mark"
    RED_HEADER = "red_header"
    SEAL = "seal"
    LEADER_ANNOTATION = "leader_annotation"
    PERSONAL_DATA = "personal_data"
    SENSITIVE_TERM = "sensitive_term"
    HIDDEN_CONTENT = "hidden_content"
    PROOFREADING = "proofreading"


CATEGORY_LABELS: dict[str, str] = (
    labels.CATEGORY
)  # keyed by Category (a str): plain category strings look up too


@dataclass(slots=True)
class Location:
    page: int | None = None
    bbox: BBox | None = None
    start: int | None = None
    end: int | None = None
    # Inside an archive or an embedded file: the member's path ("名单.xls", nested
    # "材料.zip!/名单.xls"); page, bbox and offsets then refer to that member.
    member: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "page": self.page,
            "bbox": [round(v, 2) for v in self.bbox] if self.bbox else None,
            "start": self.start,
            "end": self.end,
        }
        if self.member:
            d["member"] = self.member
        return d


@dataclass(slots=True)
class Finding:
    category: str
    rule: str
    severity: Severity
    message: str  # Chinese, says what was found and why it matters
    evidence: str  # already masked where it is personal data
    location: Location = field(default_factory=Location)
    suggestion: str = ""
    basis: str = ""  # the rule or article it rests on
    fingerprint: str = ""  # set by the scan from `evidence_hash` and the document identity
    # Hash of the normalised *raw* evidence: lets decisions and baselines follow a finding
    # across versions without storing personal data. Never the raw value itself.
    evidence_hash: str = ""
    confidence: float = 1.0
    block_kind: str | None = None  # where the text sat (body, comment, metadata ...)
    # Detector-specific, no raw PII: the detector's model (pubguard.details). A dict given here
    # (stored data, tests) becomes that model.
    details: Details = field(default_factory=RawDetails)
    # Typed target for the cleaner (pubguard.targets); in-process only, not part of to_dict().
    target: Target | None = None
    # The same problem repeated (one term, one punctuation mark thousands of times): one
    # finding, `location` = the first occurrence, `locations` = every occurrence in order.
    count: int = 1
    locations: list[Location] = field(default_factory=list)
    # Fingerprints under keys kept from earlier rotations (pubguard.keys); in memory only.
    previous_fingerprints: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not isinstance(self.details, Details):
            self.details = details_from_json(str(self.category), self.rule, self.details)

    def to_dict(self) -> dict[str, Any]:
        d = {
            "category": str(self.category),
            "rule": self.rule,
            "severity": str(self.severity),
            "message": self.message,
            "evidence": self.evidence,
            "location": self.location.to_dict(),
            "suggestion": self.suggestion,
            "basis": self.basis,
            "fingerprint": self.fingerprint,
            "confidence": round(self.confidence, 3),
            "block_kind": self.block_kind,
        }
        details = self.details.to_json()
        if details:
            d["details"] = details
        if self.count > 1:
            d["count"] = self.count
            d["locations"] = [loc.to_dict() for loc in self.locations]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        return cls(
            category=d["category"],
            rule=d["rule"],
            severity=Severity(d["severity"]),
            message=d.get("message", ""),
            evidence=d.get("evidence", ""),
            location=_location(d.get("location") or {}),
            suggestion=d.get("suggestion", ""),
            basis=d.get("basis", ""),
            fingerprint=d.get("fingerprint", ""),
            confidence=d.get("confidence", 1.0),
            block_kind=d.get("block_kind"),
            details=details_from_json(d["category"], d["rule"], d.get("details")),
            count=int(d.get("count") or 1),
            locations=[_location(x) for x in d.get("locations") or ()],
        )


def _location(loc: dict[str, Any]) -> Location:
    bbox = loc.get("bbox")
    return Location(
        loc.get("page"), tuple(bbox) if bbox else None, loc.get("start"), loc.get("end"), loc.get("member")
    )


# Categories whose repeats are merged into one finding by `aggregate_repeats`: text findings
# that a reviewer decides once for all occurrences. Personal data, seals, headers and hidden
# content stay one finding per occurrence (each is masked or removed at its own place).
AGGREGATED_CATEGORIES = frozenset({"sensitive_term", "proofreading"})


def aggregate_repeats(findings: list[Finding]) -> list[Finding]:
    """One finding per category + rule + evidence hash (in `AGGREGATED_CATEGORIES`), with the
    count and every location; the first occurrence (in the given order) stands for the rest,
    so its fingerprint (occurrence 0) and decisions made on it are kept."""
    groups: dict[tuple[str, str, str], Finding] = {}
    out: list[Finding] = []
    for f in findings:
        if str(f.category) not in AGGREGATED_CATEGORIES:
            out.append(f)
            continue
        key = (str(f.category), f.rule, f.evidence_hash or evidence_hash(f.evidence))
        head = groups.get(key)
        if head is None:
            groups[key] = f
            out.append(f)
            continue
        if head.count == 1:
            head.locations = [head.location]
        head.locations.extend(f.locations if f.count > 1 else [f.location])
        head.target = merge_repeat(head.target, f.target)
        head.count += f.count
    return out


def normalise_evidence(raw: str) -> str:
    """Normal form for hashing: NFKC, no whitespace or hyphens, lower case."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-_").lower()


def evidence_hash(raw: str) -> str:
    """Hash of the raw evidence, used in memory only (grouping, the cleaner, fingerprints):
    never written to a report, the database or a cache — only keyed fingerprints are."""
    return hashlib.sha256(normalise_evidence(raw).encode("utf-8")).hexdigest()[:24]


def _fingerprint_message(category: str, rule: str, ev_hash: str, document: str, occurrence: int) -> str:
    msg = f"{category}\x1f{rule}\x1f{ev_hash}\x1f{document}"
    return msg + f"\x1f{occurrence}" if occurrence else msg


def compute_fingerprint(
    category: str, rule: str, ev_hash: str, document: str, occurrence: int = 0, *, key: bytes | None = None
) -> str:
    """Content fingerprint: HMAC-SHA256 of category + rule + evidence hash + document identity
    (+ occurrence when the same evidence repeats) under the installation's key chain
    (`pubguard.keys`; `key`: under that single key). Never line numbers or offsets, so edits
    above a finding do not make it new; keyed, so a masked number cannot be recovered by trying
    candidates without the key."""
    from pubguard.keys import chained_hashes, keyed_hash

    msg = _fingerprint_message(category, rule, ev_hash, document, occurrence)
    return keyed_hash(msg, key=key) if key is not None else chained_hashes(msg)[-1]


def assign_fingerprints(findings: list[Finding], document: str) -> None:
    """Fingerprints under the current key chain; `previous_fingerprints` (in memory only) under
    the chains before each rotation (and legacy single keys), so baselines made before a
    rotation still match."""
    from pubguard.keys import chained_hashes, keyed_hash, keyring

    ring = keyring()
    seen: dict[tuple[str, str, str], int] = {}
    for f in findings:
        key = (str(f.category), f.rule, f.evidence_hash or evidence_hash(f.evidence))
        n = seen.get(key, 0)
        seen[key] = n + 1
        msg = _fingerprint_message(key[0], key[1], key[2], document, n)
        values = chained_hashes(msg, ring.chain)
        f.fingerprint = values[-1]
        f.previous_fingerprints = [*values[-2::-1], *(keyed_hash(msg, key=old) for old in ring.legacy)]
