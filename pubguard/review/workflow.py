"""Workflows as data: ordered steps with roles, loaded from TOML (`workflows/<name>.toml` in this
package, or a path). A draft copies its steps when it is created, so editing a workflow file
never changes drafts already under way."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pubguard import labels
from pubguard.review.errors import InvalidInput

WORKFLOW_DIR = Path(__file__).parent / "workflows"

ROLES: dict[str, str] = labels.ROLE  # the valid roles and their names; one home: pubguard.labels

STEP_KINDS = ("review", "proofread")


@dataclass(frozen=True)
class StepDef:
    key: str
    name: str
    kind: str
    role: str
    level: int | None = None
    confirms_disclosure: bool = False


@dataclass(frozen=True)
class AuthorityPolicy:
    """Who may dismiss a finding as 误报 (`[authority]` in the workflow TOML, per site).

    `dismiss_min_level`: review level a person must hold (reviewer1–3 → 1–3) to mark a finding
    of that severity 误报 — the same authority accepting it needs (default high → 复审 (2),
    blocker → 终审 (3)). `confirm`: severities whose dismissal must be confirmed by another
    person (not the author, level ≥ `confirm_min_level`) at a later step before release.
    `unmask_min_level` / `unmask_admin`: who may see a masked personal value in full, with a
    reason, audited (`pubguard.review.reveal`; default 复审 (2) and above, and administrators)."""

    dismiss_min_level: dict[str, int] = field(default_factory=lambda: {"blocker": 3, "high": 2})
    confirm: tuple[str, ...] = ("blocker", "high")
    confirm_min_level: int = 1
    unmask_min_level: int = 2
    unmask_admin: bool = True

    def dismiss_level(self, severity: str) -> int:
        return int(self.dismiss_min_level.get(severity, 0))


@dataclass(frozen=True)
class DutyPolicy:
    """Separation of duties beyond one-person-one-review-level (`[duties]`, per site, all on
    by default): authors never approve or publish; the steps in each `distinct` group are
    approved by different people; nobody approves both a 校 (proofread) and a 审 (review) step
    of one draft; the approvers of `not_publisher` steps (终审) do not publish."""

    author_never_approves: bool = True
    author_never_publishes: bool = True
    distinct: tuple[tuple[str, ...], ...] = (("proof1", "proof2", "proof3"),)
    proofread_and_review_apart: bool = True
    not_publisher: tuple[str, ...] = ("review3",)


@dataclass(frozen=True)
class WorkflowDef:
    name: str
    steps: tuple[StepDef, ...]
    important_steps: tuple[tuple[StepDef, str], ...] = ()  # (step, key it follows)
    reopen: str | tuple[str, ...] = "all"
    acceptance_min_level: dict[str, int] = field(default_factory=dict)
    authority: AuthorityPolicy = field(default_factory=AuthorityPolicy)
    duties: DutyPolicy = field(default_factory=DutyPolicy)
    # `[submit] open_blockers`: 送审 while 阻断 findings are open — "warn" (the editor confirms
    # knowingly; recorded in the audit entry) or "refuse" (decide or fix them first)
    submit_open_blockers: str = "warn"

    def steps_for(self, important: bool) -> list[StepDef]:
        """The ordered steps of a draft; important drafts get the extra steps inserted."""
        steps = list(self.steps)
        if important:
            for extra, after in self.important_steps:
                keys = [s.key for s in steps]
                pos = keys.index(after) + 1 if after in keys else len(steps)
                steps.insert(pos, extra)
        return steps

    def reopens(self, step: StepDef | str, kind: str | None = None) -> bool:
        """Whether a new version re-opens an approved step."""
        key = step if isinstance(step, str) else step.key
        kind = kind if kind is not None else (step.kind if isinstance(step, StepDef) else None)
        if isinstance(self.reopen, tuple):
            return key in self.reopen
        if self.reopen == "all":
            return True
        if self.reopen == "reviews":
            return kind == "review"
        return False

    def min_accept_level(self, severity: str) -> int:
        return int(self.acceptance_min_level.get(severity, 1))


def parse_step(d: dict, where: str) -> StepDef:
    try:
        step = StepDef(
            key=str(d["key"]),
            name=str(d["name"]),
            kind=str(d.get("kind", "review")),
            role=str(d["role"]),
            level=int(d["level"]) if d.get("level") is not None else None,
            confirms_disclosure=bool(d.get("confirms_disclosure", False)),
        )
    except KeyError as exc:
        raise InvalidInput(f"工作流 {where} 的步骤缺少字段 {exc.args[0]}。") from exc
    if step.kind not in STEP_KINDS:
        raise InvalidInput(f"工作流 {where} 的步骤 {step.key} 类型无效：{step.kind}。")
    if step.role not in ROLES:
        raise InvalidInput(f"工作流 {where} 的步骤 {step.key} 角色无效：{step.role}。")
    if step.kind == "review" and step.level is None:
        raise InvalidInput(f"工作流 {where} 的审核步骤 {step.key} 需要 level（审核级别）。")
    return step


def parse_workflow(data: dict, where: str = "") -> WorkflowDef:
    steps = tuple(parse_step(s, where) for s in data.get("steps", []))
    if not steps:
        raise InvalidInput(f"工作流 {where} 没有步骤。")
    extras = tuple(
        (parse_step(s, where), str(s.get("after", ""))) for s in data.get("important", {}).get("steps", [])
    )
    keys = [s.key for s in steps] + [s.key for s, _ in extras]
    if len(keys) != len(set(keys)):
        raise InvalidInput(f"工作流 {where} 的步骤标识重复。")
    reopen = data.get("reopen", "all")
    if isinstance(reopen, list):
        reopen = tuple(str(k) for k in reopen)
    elif reopen not in ("all", "reviews", "none"):
        raise InvalidInput(f"工作流 {where} 的 reopen 取值无效：{reopen}。")
    levels = data.get("acceptance", {}).get("min_level", {})
    return WorkflowDef(
        name=str(data.get("name", where)),
        steps=steps,
        important_steps=extras,
        reopen=reopen,
        acceptance_min_level={str(k): int(v) for k, v in levels.items()},
        authority=_parse_authority(data.get("authority", {})),
        duties=_parse_duties(data.get("duties", {})),
        submit_open_blockers=_parse_submit(data.get("submit", {}), where),
    )


def _parse_submit(d: dict, where: str) -> str:
    value = str(d.get("open_blockers", "warn"))
    if value not in ("warn", "refuse"):
        raise InvalidInput(f"工作流 {where} 的 submit.open_blockers 取值无效：{value}（可选 warn、refuse）。")
    return value


def _parse_authority(d: dict) -> AuthorityPolicy:
    base = AuthorityPolicy()
    return AuthorityPolicy(
        dismiss_min_level={
            str(k): int(v) for k, v in d.get("dismiss_min_level", base.dismiss_min_level).items()
        },
        confirm=tuple(str(x) for x in d.get("confirm", base.confirm)),
        confirm_min_level=int(d.get("confirm_min_level", base.confirm_min_level)),
        unmask_min_level=int(d.get("unmask_min_level", base.unmask_min_level)),
        unmask_admin=bool(d.get("unmask_admin", base.unmask_admin)),
    )


def _parse_duties(d: dict) -> DutyPolicy:
    base = DutyPolicy()
    return DutyPolicy(
        author_never_approves=bool(d.get("author_never_approves", base.author_never_approves)),
        author_never_publishes=bool(d.get("author_never_publishes", base.author_never_publishes)),
        distinct=tuple(tuple(str(k) for k in group) for group in d.get("distinct", base.distinct)),
        proofread_and_review_apart=bool(d.get("proofread_and_review_apart", base.proofread_and_review_apart)),
        not_publisher=tuple(str(k) for k in d.get("not_publisher", base.not_publisher)),
    )


def workflow_path(name_or_path: str) -> Path:
    """The TOML file of a workflow name (a file in `workflows/`) or path."""
    path = Path(name_or_path)
    if not path.suffix:
        if not name_or_path.replace("_", "").replace("-", "").isalnum():
            raise InvalidInput(f"工作流名称无效：{name_or_path}。")
        path = WORKFLOW_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise InvalidInput(f"找不到工作流：{name_or_path}。")
    return path


@lru_cache(maxsize=32)
def load_workflow_data(name_or_path: str = "default") -> dict:
    return tomllib.loads(workflow_path(name_or_path).read_text(encoding="utf-8"))


@lru_cache(maxsize=32)
def load_workflow(name_or_path: str = "default") -> WorkflowDef:
    """Load a workflow by name (a file in `workflows/`) or by path to a TOML file."""
    return parse_workflow(load_workflow_data(name_or_path), name_or_path)
