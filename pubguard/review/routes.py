"""分级审批: information classes and the route each one picks, as data in the workflow file.

A workflow TOML may list `[[classes]]` (see `workflows/default.toml`): each class has a key, a
label, the scanner suggestions it answers to, steps it leaves out (`omit`) or adds (with their
own role, e.g. the 本级人民政府办公室's `gov_office`), and flags (`important`,
`needs_interpretation`). A workflow without classes works as before (no class, no route check).

The route of a draft is the workflow's steps (with 通读 when important) minus `omit` plus the
class's extra steps. On a change of class a step keeps its approval only when every step before
it in the new route also came before it in the old one (so it was approved having seen at least
the same reviews); every other step of the new route restarts. The gate (`route_problems`)
refuses a release whose steps are not the route of its class.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pubguard.review.base import Actor, ServiceBase
from pubguard.review.errors import InvalidInput, InvalidState
from pubguard.review.gate import STATUS_LABELS
from pubguard.review.models import Draft, DraftStep
from pubguard.review.readmodels import DraftSummaryView, InfoClassDefView, InfoClassView

if TYPE_CHECKING:
    pass
from pubguard.review.workflow import StepDef, WorkflowDef, load_workflow, load_workflow_data, parse_step

REVIEWER_ROLES = ("reviewer1", "reviewer2", "reviewer3")


@dataclass(frozen=True)
class InfoClassDef:
    key: str
    label: str
    description: str = ""
    suggest: tuple[str, ...] = ()
    omit: tuple[str, ...] = ()
    extra_steps: tuple[tuple[StepDef, str], ...] = ()  # (step, key it follows)
    important: bool = False
    needs_interpretation: bool = False

    def to_dict(self) -> InfoClassDefView:
        return {
            "key": self.key,
            "label": self.label,
            "description": self.description,
            "important": self.important,
            "needs_interpretation": self.needs_interpretation,
            "extra_steps": [s.name for s, _ in self.extra_steps],
            "omit": list(self.omit),
        }


@dataclass(frozen=True)
class Routes:
    default: str
    classes: tuple[InfoClassDef, ...]

    def get(self, key: str | None) -> InfoClassDef | None:
        return next((c for c in self.classes if c.key == key), None)

    def of(self, draft: Draft) -> InfoClassDef | None:
        """The class of a draft; a draft from before classes existed (NULL) is in the default."""
        return self.get(draft.info_class or self.default)

    def require(self, key: str) -> InfoClassDef:
        cls = self.get(key)
        if cls is None:
            names = "、".join(f"{c.key}（{c.label}）" for c in self.classes)
            raise InvalidInput(f"信息类别无效：{key or '（空）'}。可选：{names}。")
        return cls

    def for_suggestion(self, suggested: str | None) -> InfoClassDef:
        """The site's class for a scanner suggestion (`pubguard.infoclass` keys)."""
        for c in self.classes:
            if suggested in c.suggest:
                return c
        return self.get(suggested) or self.require(self.default)


def parse_routes(data: dict, where: str = "") -> Routes | None:
    raw = data.get("classes") or []
    if not raw:
        return None
    base_keys = {str(s.get("key")) for s in data.get("steps", [])}
    base_keys |= {str(s.get("key")) for s in data.get("important", {}).get("steps", [])}
    classes = []
    for c in raw:
        try:
            key, label = str(c["key"]), str(c["label"])
        except KeyError as exc:
            raise InvalidInput(f"工作流 {where} 的信息类别缺少字段 {exc.args[0]}。") from exc
        extra = tuple((parse_step(s, where), str(s.get("after", ""))) for s in c.get("steps", []))
        omit = tuple(str(k) for k in c.get("omit", []))
        unknown = [k for k in omit if k not in base_keys]
        if unknown:
            raise InvalidInput(f"工作流 {where} 的信息类别 {key} 省略了不存在的步骤：{'、'.join(unknown)}。")
        clash = [s.key for s, _ in extra if s.key in base_keys]
        if clash:
            raise InvalidInput(
                f"工作流 {where} 的信息类别 {key} 新增步骤与已有步骤重名：{'、'.join(clash)}。"
            )
        classes.append(
            InfoClassDef(
                key=key,
                label=label,
                description=str(c.get("description", "")),
                suggest=tuple(str(x) for x in c.get("suggest", [key])),
                omit=omit,
                extra_steps=extra,
                important=bool(c.get("important", False)),
                needs_interpretation=bool(c.get("needs_interpretation", False)),
            )
        )
    keys = [c.key for c in classes]
    if len(keys) != len(set(keys)):
        raise InvalidInput(f"工作流 {where} 的信息类别标识重复。")
    default = str(data.get("routes", {}).get("default", keys[0]))
    if default not in keys:
        raise InvalidInput(f"工作流 {where} 的默认信息类别 {default} 不存在。")
    return Routes(default=default, classes=tuple(classes))


@lru_cache(maxsize=32)
def load_routes(workflow: str) -> Routes | None:
    return parse_routes(load_workflow_data(workflow), workflow)


def route_steps(wf: WorkflowDef, cls: InfoClassDef | None, important: bool) -> list[StepDef]:
    """The ordered steps of a draft of class `cls` (None: the workflow's own steps)."""
    if cls is None:
        return wf.steps_for(important)
    steps = [s for s in wf.steps_for(important or cls.important) if s.key not in cls.omit]
    for extra, after in cls.extra_steps:
        keys = [s.key for s in steps]
        steps.insert(keys.index(after) + 1 if after in keys else len(steps), extra)
    if not any(s.confirms_disclosure for s in steps):
        raise InvalidInput(f"信息类别 {cls.key} 的流程没有确认公开属性的步骤（终审）。")
    return steps


def new_step_row(st: StepDef, version_id: int | None) -> DraftStep:
    return DraftStep(
        key=st.key,
        name=st.name,
        kind=st.kind,
        role=st.role,
        level=st.level,
        confirms_disclosure=st.confirms_disclosure,
        version_id=version_id,
    )


def route_problems(draft: Draft, steps: list[DraftStep]) -> list[str]:
    """Why the draft's steps are not the completed route of its class (for the release gate)."""
    routes = load_routes(draft.workflow)
    if routes is None:
        return []
    cls = routes.of(draft)
    if cls is None:
        return [f"信息类别「{draft.info_class}」不在本站类别表中，请重新设置信息类别。"]
    wanted = route_steps(load_workflow(draft.workflow), cls, draft.important)
    have = [st.key for st in steps]
    if have == [st.key for st in wanted]:
        return []
    names = {st.key: st.name for st in wanted}
    missing = [names[k] for k in names if k not in have]
    extra = [st.name for st in steps if st.key not in names]
    detail = "；".join(
        p
        for p in (
            f"缺少「{'」「'.join(missing)}」" if missing else "",
            f"多出「{'」「'.join(extra)}」" if extra else "",
        )
        if p
    )
    return [
        f"审批流程与信息类别「{cls.label}」的规定不符（{detail or '步骤顺序不同'}），请重新设置信息类别。"
    ]


def info_class_roles(draft: Draft) -> tuple[str, ...]:
    """Who may set the class: the editor (or admin) before submission, reviewers too after."""
    if draft.status in ("in_review", "approved"):
        return ("editor", "admin", *REVIEWER_ROLES)
    return ("editor", "admin")


def info_class_view(draft: Draft) -> InfoClassView | None:
    """The class block of a draft summary: the class, its label and flags, the suggestion."""
    routes = load_routes(draft.workflow)
    if routes is None:
        return None
    cls = routes.of(draft)
    proposal = draft.info_class_proposal
    key = draft.info_class or routes.default
    return {
        "key": key,
        "label": cls.label if cls else draft.info_class,
        "reason": draft.info_class_reason or "",
        "needs_interpretation": bool(cls and cls.needs_interpretation),
        "proposal": proposal,
        "differs": bool(proposal and proposal.get("class_key") != key),
        "choices": [{"key": c.key, "label": c.label} for c in routes.classes],
    }


class RoutesMixin(ServiceBase):
    def routes_for(self, draft: Draft) -> Routes | None:
        return load_routes(draft.workflow)

    def info_classes(self, workflow: str = "default") -> list[InfoClassDefView]:
        routes = load_routes(workflow)
        return [c.to_dict() for c in routes.classes] if routes else []

    def _initial_route(self, workflow: str, important: bool) -> tuple[str | None, list[StepDef]]:
        routes = load_routes(workflow)
        cls = routes.require(routes.default) if routes else None
        return (cls.key if cls else None), route_steps(load_workflow(workflow), cls, important)

    def _draft_route(self, draft: Draft, important: bool) -> list[StepDef]:
        routes = load_routes(draft.workflow)
        cls = routes.of(draft) if routes else None
        return route_steps(self._workflow(draft), cls, important)

    def _store_class_proposal(self, draft: Draft, suggestion: dict[str, Any] | None) -> None:
        """Keep the scanner's suggestion (mapped onto the site's class list) with the draft."""
        routes = load_routes(draft.workflow)
        if routes is None or not suggestion:
            return
        cls = routes.for_suggestion(suggestion.get("suggested"))
        draft.info_class_proposal = dict(suggestion, class_key=cls.key, class_label=cls.label)

    def set_info_class(
        self, actor: Actor, draft_id: int, info_class: str, *, reason: str = ""
    ) -> DraftSummaryView:
        """Set or change the information class (editor before submission; editor, reviewers or
        admin later, with a reason). The steps become the class's route; after submission every
        step whose predecessors changed restarts. Audited as `draft.info_class`."""
        reason = (reason or "").strip()
        with self.db.write() as s:
            user = self._user(s, actor)
            draft = self._draft(s, draft_id, lock=True)
            routes = load_routes(draft.workflow)
            if routes is None:
                raise InvalidInput("本站工作流未设置信息类别（分级审批）。")
            cls = routes.require(info_class)
            submitted = draft.status in ("in_review", "approved")
            self._require_role(user, draft.site, *info_class_roles(draft), what="设置信息类别")
            if draft.status in ("released", "archived"):
                raise InvalidState(f"稿件状态为「{STATUS_LABELS[draft.status]}」，不能修改信息类别。")
            if submitted and not reason:
                raise InvalidInput("送审后修改信息类别须填写理由。")
            if draft.info_class == cls.key:
                return self._draft_summary(s, draft)
            before = draft.info_class
            old_order = [st.key for st in draft.steps]
            important = draft.important or cls.important
            wanted = route_steps(self._workflow(draft), cls, important)
            existing = {st.key: st for st in draft.steps}
            rows: list[DraftStep] = []
            restarted: list[str] = []
            added: list[str] = []
            for i, st in enumerate(wanted):
                row = existing.pop(st.key, None)
                if row is None:
                    row = new_step_row(st, draft.current_version_id)
                    added.append(st.key)
                elif row.status == "approved":
                    before_new = {w.key for w in wanted[:i]}
                    before_old = set(old_order[: old_order.index(st.key)])
                    if not before_new <= before_old:
                        row.status = "pending"
                        row.approved_by_id = None
                        row.approved_at = None
                        row.assignee_id = None
                        row.carried = False
                        restarted.append(st.key)
                        if row.confirms_disclosure:
                            self._clear_confirmation(draft)
                row.position = i
                rows.append(row)
            removed = list(existing)
            draft.steps = rows  # steps of the old route only are deleted (delete-orphan)
            draft.info_class = cls.key
            draft.info_class_reason = reason
            draft.important = important
            self._touch(draft)
            self._sync_status(draft)
            self._audit(
                s,
                user,
                "draft.info_class",
                draft=draft,
                comment=reason,
                details={
                    "from": before,
                    "to": cls.key,
                    "label": cls.label,
                    "added": added,
                    "removed": removed,
                    "restarted": restarted,
                    "status": draft.status,
                },
            )
            return self._draft_summary(s, draft)
