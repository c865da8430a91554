"""`pubguard review …` and `pubguard audit …`: the whole review flow without the web UI.

Every command calls the same `ReviewService` methods as the web API; nothing here decides a
rule. `--as USER` names the acting user (env PUBGUARD_USER); the database comes from `--db`
(env PUBGUARD_DATABASE_URL) or SQLite under `--data-dir` (default ./data).

Exit codes: 0 done; 1 refused (permission, state, conflict, release gate, failed audit check);
2 bad input or something not found.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from pubguard.labels import label, labels
from pubguard.review.errors import GateClosed, InvalidInput, NotFound, ReviewError

review_app = typer.Typer(
    help="稿件审核流程（三审三校、先审后发）：送审、待办、审批、退回、发布、撤稿、归档。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
audit_app = typer.Typer(
    help="审计记录：查看与校验（哈希链）。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])

DbOpt = Annotated[
    str | None, typer.Option("--db", envvar="PUBGUARD_DATABASE_URL", help="数据库地址（默认 SQLite）。")
]
DataOpt = Annotated[
    Path | None, typer.Option("--data-dir", envvar="PUBGUARD_DATA_DIR", help="数据目录（默认 ./data）。")
]
ActorOpt = Annotated[str, typer.Option("--as", "-u", envvar="PUBGUARD_USER", help="以哪个用户的身份操作。")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON。")]


@review_app.callback()
def _review_options(ctx: typer.Context, db: DbOpt = None, data_dir: DataOpt = None) -> None:
    ctx.obj = {"db": db, "data_dir": data_dir}


@audit_app.callback()
def _audit_options(ctx: typer.Context, db: DbOpt = None, data_dir: DataOpt = None) -> None:
    ctx.obj = {"db": db, "data_dir": data_dir}


def _service(ctx: typer.Context):  # type: ignore[no-untyped-def]
    from pubguard.review.service import open_review

    obj = ctx.obj or {}
    data_dir = obj.get("data_dir")
    return open_review(obj.get("db"), str(data_dir) if data_dir else None)


def _fail(message: str, code: int) -> None:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(code)


def handles_errors(fn: F) -> F:
    """Review errors become a Chinese message on stderr and an exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except GateClosed as exc:
            typer.echo("错误：稿件不满足发布条件：", err=True)
            for reason in exc.details.get("reasons", []):
                typer.echo(f"  - {reason}", err=True)
            raise typer.Exit(1) from exc
        except (InvalidInput, NotFound) as exc:
            _fail(exc.message, 2)
        except ReviewError as exc:
            _fail(exc.message, 1)
        except OSError as exc:
            _fail(f"无法读写文件：{exc.strerror or exc}", 2)

    return wrapper  # type: ignore[return-value]


def _dump(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _print_draft(d: dict[str, Any]) -> None:
    typer.echo(f"稿件 {d['id']}：{d['title']}（站点 {d['site']}，栏目 {d['column'] or '—'}）")
    version = (
        f"第{d['current_version']}版（版本号 {d['current_version_id']}）" if d["current_version"] else "无"
    )
    typer.echo(
        f"  状态：{d['status_label']}{'（已退回修改）' if d['returned'] else ''}    当前版本：{version}"
    )
    attr = d["disclosure"]
    typer.echo(
        f"  公开属性：{attr['attribute'] or '未设置'}（系统建议：{attr['proposed'] or '—'}）"
        + (f"，终审确认：{attr['confirmed_by']}" if attr["confirmed_by"] else "")
    )
    ic = d.get("info_class")
    if ic:
        proposal = ic["proposal"]["class_label"] if ic.get("proposal") else "—"
        typer.echo(f"  信息类别：{ic['label'] or '未设置'}（系统建议：{proposal}）")
    if d["deadline"]:
        typer.echo(f"  时限：{d['deadline']['text']}")
    marks = []
    for st in d["steps"]:
        sign = "✓" if st["status"] == "approved" else ("→" if st["active"] else "·")
        who = st["approved_by"] or st["assignee"] or ""
        marks.append(f"{sign}{st['name']}{'(' + who + ')' if who else ''}")
    typer.echo("  流程：" + " ".join(marks))
    if d["open_findings"]:
        typer.echo(
            "  待处理问题："
            + "，".join(f"{label('severity', k)} {v}" for k, v in d["open_findings"].items() if v)
        )


def _print_findings(findings: list[dict[str, Any]]) -> None:
    if not findings:
        typer.echo("  （没有检查出问题）")
    for f in findings:
        page = f"第{f['page']}页 " if f["page"] else ""
        decided = f"（{f['decision_reason']}）" if f["decision_reason"] else ""
        sev = label("severity", f["severity"])
        typer.echo(f"  [{f['id']}] {sev} {f['status_label']}{decided} {page}{f['message']}")
        if f["evidence"]:
            typer.echo(f"        证据：{f['evidence']}")


# ------------------------------------------------------------------ setup


@review_app.command("init")
@handles_errors
def init_cmd(ctx: typer.Context) -> None:
    """创建或升级审核数据库。"""
    svc = _service(ctx)
    typer.echo(f"数据库已就绪：{svc.db.url.split('@')[-1]}")
    svc.close()


@review_app.command("site-add")
@handles_errors
def site_add(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="站点标识，如 gov-example")],
    name: Annotated[str, typer.Argument(help="站点名称")],
    workflow: Annotated[str, typer.Option(help="工作流名称或 TOML 路径")] = "default",
    publish_dir: Annotated[Path | None, typer.Option(help="发布到此目录（默认 数据目录/published）")] = None,
    webhook: Annotated[str | None, typer.Option(help="发布到 CMS 接口（URL）")] = None,
    webhook_token: Annotated[str | None, typer.Option(envvar="PUBGUARD_WEBHOOK_TOKEN")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="网站地址（发布目录 站点/ 对应的网址），发布记录据此显示网页地址")
    ] = None,
    column: Annotated[
        list[str] | None, typer.Option("--column", help="栏目（可多次，按菜单顺序）；上传时从中选择")
    ] = None,
) -> None:
    """添加站点。"""
    publish: dict[str, Any] | None = None
    if webhook:
        publish = {"type": "webhook", "url": webhook, "token": webhook_token}
    elif publish_dir:
        publish = {"type": "folder", "path": str(publish_dir.resolve())}
    if base_url:
        publish = dict(publish or {"type": "folder"}, base_url=base_url)
    with _service(ctx) as svc:
        svc.create_site(key, name, workflow=workflow, publish=publish, columns=column or ())
    typer.echo(f"已添加站点 {key}（{name}）。")


@review_app.command("site-columns")
@handles_errors
def site_columns(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="站点标识")],
    columns: Annotated[
        list[str] | None, typer.Argument(help="栏目，按菜单顺序；不给则清空（上传时可自由填写）")
    ] = None,
) -> None:
    """设置站点的栏目列表（上传稿件时从中选择）。"""
    with _service(ctx) as svc:
        site = svc.set_site_columns(key, columns or ())
    typer.echo(f"站点 {key} 的栏目：{'、'.join(site['columns']) or '（未设置，上传时自由填写）'}")


def _parse_roles(roles: list[str]) -> list[tuple[str, str]]:
    out = []
    for r in roles:
        site, sep, role = r.rpartition(":")
        if not sep or not site:
            raise InvalidInput(f"角色格式应为 站点:角色（如 gov:editor），收到：{r}")
        out.append((site, role))
    return out


@review_app.command("user-add")
@handles_errors
def user_add(
    ctx: typer.Context,
    username: str,
    name: Annotated[str, typer.Option(help="显示名")] = "",
    role: Annotated[
        list[str] | None,
        typer.Option(
            help="站点:角色，可重复（角色：editor proofreader reviewer1 reviewer2 reviewer3 publisher admin）"
        ),
    ] = None,
    admin: Annotated[bool, typer.Option(help="系统管理员")] = False,
    password_stdin: Annotated[bool, typer.Option(help="从标准输入读取密码")] = False,
) -> None:
    """添加用户（本机操作员权限）。"""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    if password is not None and len(password) < 8:
        raise InvalidInput("密码至少 8 位。")
    with _service(ctx) as svc:
        user = svc.create_user(
            username, display_name=name, password=password, is_admin=admin, roles=_parse_roles(role or [])
        )
    roles = "、".join(f"{r['site']}：{label('role', r['role'])}" for r in user["roles"]) or "无"
    typer.echo(f"已添加用户 {username}（角色：{roles}{'，系统管理员' if admin else ''}）。")


@review_app.command("grant")
@handles_errors
def grant(ctx: typer.Context, username: str, site: str, role: str) -> None:
    """授予用户某站点的角色。"""
    with _service(ctx) as svc:
        svc.grant_role(username, site, role)
    typer.echo(f"已授予 {username} 站点 {site} 的「{label('role', role)}」角色。")


@review_app.command("revoke")
@handles_errors
def revoke(ctx: typer.Context, username: str, site: str, role: str) -> None:
    """收回用户某站点的角色。"""
    with _service(ctx) as svc:
        svc.revoke_role(username, site, role)
    typer.echo(f"已收回 {username} 站点 {site} 的「{label('role', role)}」角色。")


# ------------------------------------------------------------------ editor


@review_app.command("submit")
@handles_errors
def submit(
    ctx: typer.Context,
    actor: ActorOpt,
    file: Annotated[Path | None, typer.Argument(help="稿件文件（新稿件，或 --draft 的新版本）")] = None,
    draft: Annotated[
        int | None, typer.Option(help="已有稿件编号：上传新版本（如给出文件）并重新送审")
    ] = None,
    site: Annotated[str | None, typer.Option(help="站点（新稿件必填）")] = None,
    title: Annotated[str | None, typer.Option(help="标题（默认取文件名）")] = None,
    column: Annotated[str, typer.Option(help="栏目")] = "",
    important: Annotated[bool, typer.Option(help="重要信息（增加通读，3个工作日时限）")] = False,
    disclosure: Annotated[str | None, typer.Option(help="公开属性（默认采用系统建议）")] = None,
    basis: Annotated[str, typer.Option(help="非主动公开的法律依据")] = "",
    reason: Annotated[str, typer.Option(help="非主动公开的理由")] = "",
    formed_on: Annotated[str | None, typer.Option(help="信息形成日期 YYYY-MM-DD（默认今天）")] = None,
    note: Annotated[str, typer.Option(help="版本说明")] = "",
) -> None:
    """送审：上传稿件文件、检查、设置公开属性并送审。"""
    if file is None and draft is None:
        raise InvalidInput("请给出稿件文件，或用 --draft 指定已有稿件。")
    with _service(ctx) as svc:
        if draft is None:
            assert file is not None  # checked above: a file or --draft
            if not site:
                raise InvalidInput("新稿件须用 --site 指定站点。")
            formed = dt.date.fromisoformat(formed_on) if formed_on else None
            d = svc.create_draft(
                actor,
                site,
                title or file.stem,
                column=column,
                data=file.read_bytes(),
                filename=file.name,
                important=important,
                formed_on=formed,
                note=note,
            )
        else:
            if file is not None:
                svc.upload_version(actor, draft, file.name, file.read_bytes(), note=note)
            d = svc.get_draft(actor, draft)
        if d["scan_status"] == "error":
            version = d["versions"][-1]
            raise InvalidInput(f"文件检查失败：{version['scan_error']}")
        attr = d["disclosure"]
        if disclosure or attr["attribute"] is None:
            chosen = disclosure or attr["proposed"] or "主动公开"
            proposal = attr["proposal"] or {}
            if not disclosure and chosen != "主动公开":
                basis = basis or "；".join(proposal.get("basis", []))
                reason = reason or "；".join(proposal.get("reasons", []))
            svc.set_disclosure(actor, d["id"], chosen, basis=basis, reason=reason)
            typer.echo(f"公开属性：{chosen}{'（采用系统建议）' if not disclosure else ''}")
        svc.submit(actor, d["id"], d["current_version_id"])
        d = svc.get_draft(actor, d["id"])
    _print_draft(d)
    _print_findings([f for f in d["findings"] if f["status"] != "fixed"])


@review_app.command("upload")
@handles_errors
def upload(ctx: typer.Context, actor: ActorOpt, draft: int, file: Path, note: str = "") -> None:
    """上传修改后的新版本（不自动送审）。"""
    with _service(ctx) as svc:
        v = svc.upload_version(actor, draft, file.name, file.read_bytes(), note=note)
        d = svc.get_draft(actor, draft)
    typer.echo(
        f"已上传第{v['number']}版（版本号 {v['id']}），检查：{label('scan_status', v['scan_status'])}。"
    )
    _print_draft(d)


@review_app.command("clean")
@handles_errors
def clean_cmd(
    ctx: typer.Context,
    actor: ActorOpt,
    draft: int,
    version: Annotated[int | None, typer.Option(help="要清理的版本号（默认当前版本）")] = None,
    mask_preset: Annotated[str | None, typer.Option(help="脱敏方式：site、id6-4 或 last4")] = None,
    drop_columns: Annotated[bool, typer.Option(help="删除名单中的身份证号、银行卡号、电话列")] = False,
    revisions: Annotated[str | None, typer.Option(help="修订处理：accept 或 reject")] = None,
    note: str = "",
) -> None:
    """生成清理稿，作为新版本加入稿件并复查（与网页中的「生成清理稿」相同）。"""
    options = {"mask_preset": mask_preset, "drop_columns": drop_columns, "revisions": revisions}
    with _service(ctx) as svc:
        vid = _version(svc, actor, draft, version)
        v = svc.make_clean_version(actor, draft, vid, options, note=note)
        report = svc.get_clean_report(actor, draft, v["id"])
    review = report["review"]
    typer.echo(
        f"已生成清理稿：第{v['number']}版（版本号 {v['id']}），检查：{label('scan_status', v['scan_status'])}。"
    )
    typer.echo(json.dumps(review, ensure_ascii=False, indent=1)[:2000])


@review_app.command("disclosure")
@handles_errors
def disclosure_cmd(
    ctx: typer.Context, actor: ActorOpt, draft: int, attribute: str, basis: str = "", reason: str = ""
) -> None:
    """设置公开属性：主动公开 / 依申请公开 / 不予公开（后两者须 --basis 与 --reason）。"""
    with _service(ctx) as svc:
        svc.set_disclosure(actor, draft, attribute, basis=basis, reason=reason)
    typer.echo(f"稿件 {draft} 公开属性已设为「{attribute}」。")


@review_app.command("class")
@handles_errors
def info_class_cmd(
    ctx: typer.Context, actor: ActorOpt, draft: int, info_class: str, reason: str = ""
) -> None:
    """分级审批：设置信息类别（如 general、major、policy、public_release）；送审后须 --reason，相关步骤重新审核。"""
    with _service(ctx) as svc:
        d = svc.set_info_class(actor, draft, info_class, reason=reason)
    typer.echo(f"稿件 {draft} 信息类别已设为「{d['info_class']['label']}」。")
    _print_draft(d)


@review_app.command("classes")
@handles_errors
def info_classes_cmd(ctx: typer.Context, workflow: str = "default", as_json: JsonOpt = False) -> None:
    """列出工作流的信息类别及其审批流程（分级审批）。"""
    with _service(ctx) as svc:
        classes = svc.info_classes(workflow)
    if as_json:
        _dump(classes)
        return
    for c in classes:
        extra = f"；另加：{'、'.join(c['extra_steps'])}" if c["extra_steps"] else ""
        omit = f"；省略：{'、'.join(c['omit'])}" if c["omit"] else ""
        typer.echo(f"{c['key']:<16} {c['label']}：{c['description']}{extra}{omit}")


@review_app.command("recall")
@handles_errors
def recall(ctx: typer.Context, actor: ActorOpt, draft: int, comment: str = "") -> None:
    """撤回送审（回到草稿）。"""
    with _service(ctx) as svc:
        svc.recall(actor, draft, comment)
    typer.echo(f"稿件 {draft} 已撤回。")


# ------------------------------------------------------------------ reviewers


@review_app.command("notify")
@handles_errors
def notify_cmd(ctx: typer.Context) -> None:
    """发送公开时限将到 / 已超期的消息（工作进程空闲时每 10 分钟自动运行一次）。"""
    with _service(ctx) as svc:
        n = svc.notify_deadlines()
    typer.echo(f"已发送 {n} 条时限消息。")


@review_app.command("queue")
@handles_errors
def queue(
    ctx: typer.Context,
    actor: ActorOpt,
    site: str | None = None,
    all_: Annotated[bool, typer.Option("--all", help="列出可见的全部稿件，而非我的待办")] = False,
    overdue: Annotated[bool, typer.Option(help="只列超期稿件")] = False,
    as_json: JsonOpt = False,
) -> None:
    """我的待办（或 --all 全部稿件）。"""
    with _service(ctx) as svc:
        rows = svc.list_drafts(actor, site=site, queue=not all_, overdue=True if overdue else None)
    if as_json:
        _dump(rows)
        return
    if not rows:
        typer.echo("没有待办稿件。" if not all_ else "没有稿件。")
    for d in rows:
        step = d["active_step"]["name"] if d["active_step"] else d["status_label"]
        late = f"  {d['deadline']['text']}" if d["deadline"] else ""
        typer.echo(f"{d['id']:>5}  {step:<4}  {d['title']}（{d['site']}）{late}")


@review_app.command("show")
@handles_errors
def show(ctx: typer.Context, actor: ActorOpt, draft: int, as_json: JsonOpt = False) -> None:
    """查看稿件：流程、问题、发布条件。"""
    with _service(ctx) as svc:
        d = svc.get_draft(actor, draft)
    if as_json:
        _dump(d)
        return
    _print_draft(d)
    _print_findings(d["findings"])
    if d["gate"]["ok"]:
        typer.echo("  发布条件：已满足")
    else:
        typer.echo("  发布条件：未满足")
        for r in d["gate"]["reasons"]:
            typer.echo(f"    - {r}")
    typer.echo("  可执行操作：" + ("、".join(labels("draft_action", d["actions"])) or "无"))


@review_app.command("findings")
@handles_errors
def findings_cmd(
    ctx: typer.Context, actor: ActorOpt, draft: int, version: int | None = None, as_json: JsonOpt = False
) -> None:
    """列出稿件（当前版本）的检查结果。"""
    with _service(ctx) as svc:
        rows = svc.list_findings(actor, draft, version)
    if as_json:
        _dump(rows)
    else:
        _print_findings(rows)


@review_app.command("decide")
@handles_errors
def decide(
    ctx: typer.Context,
    actor: ActorOpt,
    finding: int,
    decision: Annotated[
        str,
        typer.Argument(help="confirmed（确认须修改）| false_positive（误报）| accepted（接受发布）| open"),
    ],
    reason: str = "",
    level: Annotated[int | None, typer.Option(help="接受发布的审核级别 1/2/3")] = None,
) -> None:
    """对一个检查结果作出决定。"""
    with _service(ctx) as svc:
        f = svc.decide_finding(actor, finding, decision, reason=reason, level=level)
    typer.echo(f"问题 {finding}：{f['status_label']}。")


@review_app.command("claim")
@handles_errors
def claim(ctx: typer.Context, actor: ActorOpt, draft: int) -> None:
    """领取当前步骤。"""
    with _service(ctx) as svc:
        d = svc.claim(actor, draft)
    typer.echo(f"已领取稿件 {draft} 的「{d['active_step']['name']}」。")


def _version(svc, actor: str, draft: int, version: int | None) -> int:  # type: ignore[no-untyped-def]
    return version if version is not None else svc.get_draft(actor, draft)["current_version_id"]


@review_app.command("approve")
@handles_errors
def approve(
    ctx: typer.Context,
    actor: ActorOpt,
    draft: int,
    version: Annotated[int | None, typer.Option(help="所审核的版本号（默认当前版本）")] = None,
    comment: str = "",
) -> None:
    """审核通过当前步骤。"""
    with _service(ctx) as svc:
        before = svc.get_draft(actor, draft)
        step = before["active_step"]["name"] if before["active_step"] else "—"
        d = svc.approve(actor, draft, _version(svc, actor, draft, version), comment=comment)
    nxt = f"下一步：{d['active_step']['name']}" if d["active_step"] else f"状态：{d['status_label']}"
    typer.echo(f"稿件 {draft}「{step}」已通过。{nxt}")


@review_app.command("reject")
@handles_errors
def reject(
    ctx: typer.Context,
    actor: ActorOpt,
    draft: int,
    comment: Annotated[str, typer.Option(help="退回意见（必填）")],
    to: Annotated[
        str | None, typer.Option("--to", help="退回到之前的某一步（步骤标识），默认退回编辑")
    ] = None,
    version: int | None = None,
) -> None:
    """退回：回到编辑，或回到之前的某一步。"""
    with _service(ctx) as svc:
        d = svc.reject(actor, draft, _version(svc, actor, draft, version), comment, to_step=to)
    where = f"「{d['active_step']['name']}」" if d["active_step"] else "编辑"
    typer.echo(f"稿件 {draft} 已退回{where}。")


@review_app.command("reassign")
@handles_errors
def reassign(ctx: typer.Context, actor: ActorOpt, draft: int, step: str, assignee: str) -> None:
    """把某一步转交给他人。"""
    with _service(ctx) as svc:
        svc.reassign(actor, draft, step, assignee)
    typer.echo(f"稿件 {draft} 的 {step} 已转交 {assignee}。")


@review_app.command("comment")
@handles_errors
def comment_cmd(
    ctx: typer.Context,
    actor: ActorOpt,
    draft: int,
    text: str,
    correction: Annotated[bool, typer.Option(help="校对修改意见")] = False,
    attach: Annotated[Path | None, typer.Option(help="附件（如校样）")] = None,
) -> None:
    """添加审核意见或校对修改。"""
    attachment = (attach.name, attach.read_bytes()) if attach else None
    with _service(ctx) as svc:
        svc.add_comment(
            actor, draft, text, kind="correction" if correction else "comment", attachment=attachment
        )
    typer.echo("意见已添加。")


# ------------------------------------------------------------------ publisher


@review_app.command("release")
@handles_errors
def release(ctx: typer.Context, actor: ActorOpt, draft: int, version: int | None = None) -> None:
    """发布（须满足发布条件）。"""
    with _service(ctx) as svc:
        r = svc.release(actor, draft, version)
    typer.echo(f"稿件 {draft} 已发布：{r['location']}")


@review_app.command("withdraw")
@handles_errors
def withdraw(
    ctx: typer.Context,
    actor: ActorOpt,
    draft: int,
    reason: Annotated[str, typer.Option(help="撤稿原因（必填）")],
) -> None:
    """撤稿：从网站撤下已发布的稿件。"""
    with _service(ctx) as svc:
        svc.withdraw(actor, draft, reason)
    typer.echo(f"稿件 {draft} 已撤稿。")


@review_app.command("reconcile")
@handles_errors
def reconcile(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """恢复中断的发布：完成已完整上线的、回滚未完成的，并清理残留的临时文件（服务启动时也会自动执行）。"""
    with _service(ctx) as svc:
        out = svc.reconcile()
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"已完成 {len(out['finished'])} 个、回滚 {len(out['rolled_back'])} 个中断的发布；"
        f"{len(out['retry'])} 个待重试；清理临时文件 {len(out['swept'])} 个。"
    )


@review_app.command("archive")
@handles_errors
def archive(ctx: typer.Context, actor: ActorOpt, draft: int, comment: str = "") -> None:
    """归档（依申请公开、不予公开或不再发布的稿件）。"""
    with _service(ctx) as svc:
        svc.archive(actor, draft, comment)
    typer.echo(f"稿件 {draft} 已归档。")


@review_app.command("export")
@handles_errors
def export(
    ctx: typer.Context,
    draft: int,
    output: Annotated[Path, typer.Option("--output", "-o", help="输出 zip 文件")],
    actor: Annotated[str | None, typer.Option("--as", "-u", envvar="PUBGUARD_USER")] = None,
) -> None:
    """导出稿件的全部档案（各版本文件、检查结果、决定、意见、审计记录）。"""
    with _service(ctx) as svc:
        blob = svc.export_archive(actor, draft)
    output.write_bytes(blob)
    typer.echo(f"已导出到 {output}（{len(blob)} 字节）。")


@review_app.command("precision")
@handles_errors
def precision(ctx: typer.Context, site: str | None = None, as_json: JsonOpt = False) -> None:
    """按检测器统计审核人员判定的准确率（误报率）。"""
    with _service(ctx) as svc:
        rows = svc.detector_precision(site)
    if as_json:
        _dump(rows)
        return
    if not rows:
        typer.echo("还没有判定数据。")
    for r in rows:
        p = f"{r['precision']:.0%}" if r["precision"] is not None else "—"
        typer.echo(
            f"{r['detector']:<20} 准确率 {p:>5}  确认 {r['confirmed']}  接受 {r['accepted']}  已修复 {r['fixed']}  "
            f"误报 {r['false_positive']}  未判定 {r['open']}"
        )


@review_app.command("worker")
@handles_errors
def worker(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option(help="处理完当前队列即退出")] = False,
    interval: Annotated[float, typer.Option(help="空闲时轮询间隔（秒）")] = 2.0,
    name: str = "cli-worker",
) -> None:
    """运行后台检查任务（上传时选择延后检查的版本）。"""
    import time

    with _service(ctx) as svc:
        while True:
            n = svc.run_pending_jobs(name)
            if n:
                typer.echo(f"已完成 {n} 个检查任务。")
            if once:
                return
            time.sleep(interval)


# ------------------------------------------------------------------ audit


@audit_app.command("checkpoint")
@handles_errors
def checkpoint(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Option("--file", help="检查点文件（默认 数据目录/audit-checkpoints.jsonl）")
    ] = None,
    webhook: Annotated[str | None, typer.Option(help="同时 POST 到此地址（库外存证）")] = None,
    as_json: JsonOpt = False,
) -> None:
    """写入审计链检查点：链头（序号 + 哈希）用安装密钥签名，保存在数据库之外，供 verify 比对。"""
    with _service(ctx) as svc:
        record = svc.audit_checkpoint(file, webhook=webhook)
    if as_json:
        _dump(record)
    else:
        typer.echo(f"已写入检查点：第 {record['seq']} 条，链头哈希 {record['hash']}")


@audit_app.command("verify")
@handles_errors
def verify(
    ctx: typer.Context,
    as_json: JsonOpt = False,
    checkpoints: Annotated[
        Path | None, typer.Option("--checkpoints", help="检查点文件（默认 数据目录/audit-checkpoints.jsonl）")
    ] = None,
) -> None:
    """校验审计记录的哈希链并与检查点比对；发现篡改时退出码为 1。"""
    with _service(ctx) as svc:
        result = svc.verify_audit(checkpoints)
    if as_json:
        _dump(result.to_dict())
    elif result.ok:
        typer.echo(f"审计链完整：{result.entries} 条记录，链头哈希 {result.head_hash}")
    else:
        typer.echo(f"审计链校验失败（共 {result.entries} 条记录）：", err=True)
        for p in result.problems:
            typer.echo(f"  第 {p['seq']} 条：{p['message']}", err=True)
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("log")
@handles_errors
def audit_log(
    ctx: typer.Context,
    draft: Annotated[int | None, typer.Option(help="只看某稿件")] = None,
    limit: int = 50,
    as_json: JsonOpt = False,
) -> None:
    """查看最近的审计记录（本机操作员权限）。"""
    with _service(ctx) as svc:
        rows = svc.audit_log(None, draft_id=draft, limit=limit)
    if as_json:
        _dump(rows)
        return
    for e in rows:
        target = f" 稿件{e['draft_id']}" if e["draft_id"] else ""
        step = f" 「{e['step_name']}」" if e.get("step_name") and not e.get("what") else ""
        note = f" — {e['comment']}" if e["comment"] else ""
        what = f"（{e['what']}）" if e.get("what") else ""
        action = label("audit_action", e["action"])
        typer.echo(f"{e['seq']:>6} {e['at'][:19]} {e['actor_name']:<10} {action}{what}{target}{step}{note}")


# 政民互动, 依申请公开 and the annual report (issue 16): `review message …`, `review foi …`,
# `review annual-report`.
from pubguard.review.cli_registers import install as _install_registers  # noqa: E402

_install_registers(review_app)
