"""`pubguard duty …`: 值班读网 from the command line (cron / systemd timers: `pubguard duty run`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from pubguard.review.cli import ActorOpt, DataOpt, DbOpt, JsonOpt, _dump, _service, handles_errors

duty_app = typer.Typer(
    help="值班读网：值班表、每日复查网站（pubguard duty run）、值班读网日志与导出。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@duty_app.callback()
def _duty_options(ctx: typer.Context, db: DbOpt = None, data_dir: DataOpt = None) -> None:
    ctx.obj = {"db": db, "data_dir": data_dir}


def _day(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"日期格式应为 YYYY-MM-DD：{text}") from exc


@duty_app.command("run")
@handles_errors
def run(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Option(help="只复查这个站点（默认全部站点）")] = None,
    if_due: Annotated[bool, typer.Option("--if-due", help="今天已复查过的站点跳过")] = False,
    as_json: JsonOpt = False,
) -> None:
    """每日复查：重新检查网站上在线的每个页面（按今天的规则），与上次复查比较，新问题和页面异常记入值班读网日志。"""
    with _service(ctx) as svc:
        runs = svc.run_duty(site, only_if_due=if_due)
    if as_json:
        _dump(runs)
        return
    for r in runs:
        typer.echo(
            f"站点 {r['site']}：复查 {r['pages']} 个页面，发现 {r['findings']} 项，新增值班事项 {r['new_items']} 个。"
        )
        for e in r["errors"]:
            typer.echo(f"  无法检查：{e}")
    if not runs:
        typer.echo("没有需要复查的站点。")


@duty_app.command("roster")
@handles_errors
def roster(ctx: typer.Context, actor: ActorOpt, site: str, day: str, users: list[str]) -> None:
    """排定某天的值班人员（站点管理员）：pubguard duty roster SITE 2026-03-03 USER…"""
    with _service(ctx) as svc:
        rows = svc.set_roster(actor, site, _day(day), users)
    typer.echo(f"{day} 值班：{'、'.join(r['name'] for r in rows) or '（无）'}")


@duty_app.command("list")
@handles_errors
def list_cmd(
    ctx: typer.Context,
    actor: ActorOpt,
    site: str,
    status: Annotated[str | None, typer.Option(help="open（待处理）或 closed（已处理）")] = None,
    as_json: JsonOpt = False,
) -> None:
    """值班读网日志。"""
    with _service(ctx) as svc:
        items = svc.list_duty_items(actor, site, status=status)
    if as_json:
        _dump(items)
        return
    for it in items:
        what = (it["finding"] or {}).get("message") or ""
        done = (
            f" → {it['outcome_label']}（{it['checked_by']}：{it['found']}）"
            if it["status"] == "closed"
            else ""
        )
        typer.echo(
            f"[{it['id']}] {it['due_on']} {it['kind_label']} 稿件 {it['draft_id']}「{it['title']}」{what}{done}"
        )


@duty_app.command("recheck")
@handles_errors
def recheck(ctx: typer.Context, actor: ActorOpt, item: int) -> None:
    """按今天的规则重新检查事项对应的已发布页面。"""
    with _service(ctx) as svc:
        it = svc.recheck_item(actor, item)
    r = it["rescan"]
    typer.echo(f"复查完成：{len(r['findings'])} 项，其中发布审核后新增 {len(r['new'])} 项。{r['anomaly']}")
    for f in r["new"]:
        typer.echo(f"  [{f['severity']}] {f['message']} {f['evidence'] or ''}")


@duty_app.command("close")
@handles_errors
def close(
    ctx: typer.Context,
    actor: ActorOpt,
    item: int,
    found: Annotated[str, typer.Option(help="检查发现的情况")],
    outcome: Annotated[str, typer.Option(help="改正 / 撤稿 / 无问题（撤稿会立即撤下页面）")],
    reason: Annotated[str, typer.Option(help="撤稿原因（默认用检查发现）")] = "",
) -> None:
    """办结值班事项：谁检查、发现什么、如何处理（改正 / 撤稿 / 无问题）。"""
    with _service(ctx) as svc:
        it = svc.close_duty_item(actor, item, found=found, outcome=outcome, withdraw_reason=reason)
    typer.echo(f"事项 {it['id']} 已办结：{it['outcome_label']}。")


@duty_app.command("export")
@handles_errors
def export(
    ctx: typer.Context,
    actor: ActorOpt,
    site: str,
    output: Annotated[Path, typer.Option("--output", "-o", help="XLSX 文件")],
    start: Annotated[str | None, typer.Option(help="起始日期 YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option(help="截止日期 YYYY-MM-DD")] = None,
) -> None:
    """导出值班读网日志（XLSX）。"""
    with _service(ctx) as svc:
        data = svc.export_duty_log(actor, site, start=_day(start), end=_day(end))
    output.write_bytes(data)
    typer.echo(f"已导出到 {output}")


@duty_app.command("register")
@handles_errors
def register(
    ctx: typer.Context,
    actor: ActorOpt,
    site: Annotated[str | None, typer.Option(help="站点")] = None,
    start: Annotated[str | None, typer.Option(help="发布日期起 YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option(help="发布日期止 YYYY-MM-DD")] = None,
    info_class: Annotated[str | None, typer.Option("--class", help="信息类别")] = None,
    deadline: Annotated[str | None, typer.Option(help="met（按时）或 missed（超期）")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="导出为 XLSX 文件")] = None,
    as_json: JsonOpt = False,
) -> None:
    """发布登记：发布过的每一篇（各步骤审核人、信息类别、公开属性、日期、是否按时）。"""
    filters = {
        "site": site,
        "start": _day(start),
        "end": _day(end),
        "info_class": info_class,
        "deadline": deadline,
    }
    with _service(ctx) as svc:
        if output is not None:
            output.write_bytes(svc.release_register_xlsx(actor, **filters))
            typer.echo(f"已导出到 {output}")
            return
        rows = svc.release_register(actor, **filters)
    if as_json:
        _dump(rows)
        return
    for r in rows:
        steps = "；".join(f"{a['name']}:{a['by']}" for a in r["steps"])
        met = "按时" if r["deadline_met"] else "超期"
        typer.echo(
            f"#{r['release_id']} 稿件 {r['draft_id']}「{r['title']}」{r['info_class_label']} {r['disclosure']} {r['released_at'][:10]} {met}  {steps}"
        )
