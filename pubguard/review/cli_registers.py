"""`pubguard review message …`, `pubguard review foi …` and `pubguard review annual-report`: the
政民互动 and 依申请公开 registers from the command line, through the same `ReviewService` methods as
the web API. Output never shows a writer's or applicant's data (the register views and 告知书 are
in the web UI / API, or `foi notice -o FILE`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pubguard.review.cli import ActorOpt, JsonOpt, _dump, _service, handles_errors

message_app = typer.Typer(
    help="政民互动：导入来信、待办、分办、答复、审阅、公开、统计。", no_args_is_help=True
)
foi_app = typer.Typer(help="依申请公开：申请、法定时限提醒、告知书。", no_args_is_help=True)
SiteOpt = Annotated[str, typer.Option("--site", help="站点代码。")]
YearOpt = Annotated[int, typer.Option("--year", min=2000, max=2100, help="年份。")]


def _print_message(m: dict) -> None:
    unit = m["unit"] or "未分办"
    typer.echo(
        f"{m['id']:>5}  {m['number']}  {m['status_label']:<5}  {m['subject']}（{m['type_label']}，{unit}）  {m['deadline']['text']}"
    )


@message_app.command("import")
@handles_errors
def message_import(ctx: typer.Context, file: Path, actor: ActorOpt, site: SiteOpt) -> None:
    """从 CSV（UTF-8 / GB18030）或 XLSX 导入来信（首行中文表头）。"""
    with _service(ctx) as svc:
        out = svc.import_messages(actor, site, file.read_bytes(), file.name)
    typer.echo(f"导入 {out['imported']} 条。")
    for e in out["errors"]:
        typer.echo(f"  第 {e['row']} 行未导入：{e['message']}")


@message_app.command("list")
@handles_errors
def message_list(
    ctx: typer.Context,
    actor: ActorOpt,
    site: Annotated[str | None, typer.Option("--site")] = None,
    todo: Annotated[bool, typer.Option("--todo", help="只看待我办理的来信")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="只看超期来信")] = False,
    as_json: JsonOpt = False,
) -> None:
    """来信列表（已隐去来信人信息）。"""
    with _service(ctx) as svc:
        rows = svc.list_messages(actor, site, todo=todo, overdue=True if overdue else None)
    if as_json:
        _dump(rows)
        return
    if not rows:
        typer.echo("没有来信。")
    for m in rows:
        _print_message(m)


@message_app.command("assign")
@handles_errors
def message_assign(ctx: typer.Context, message_id: int, unit: str, actor: ActorOpt) -> None:
    """分办到承办单位（单位名称或 id）。"""
    with _service(ctx) as svc:
        _print_message(svc.assign_message(actor, message_id, unit))


@message_app.command("reply")
@handles_errors
def message_reply(
    ctx: typer.Context,
    message_id: int,
    actor: ActorOpt,
    text: Annotated[str, typer.Option("--text", help="答复内容")],
    submit: Annotated[bool, typer.Option("--submit", help="同时提交单位负责人审阅")] = False,
) -> None:
    """拟写答复。"""
    with _service(ctx) as svc:
        _print_message(svc.draft_reply(actor, message_id, text, submit=submit))


@message_app.command("review")
@handles_errors
def message_review(
    ctx: typer.Context,
    message_id: int,
    actor: ActorOpt,
    approve: Annotated[bool, typer.Option("--approve/--reject", help="审阅通过或退回修改")] = True,
    comment: str = "",
) -> None:
    """单位负责人审阅答复。"""
    with _service(ctx) as svc:
        _print_message(svc.review_reply(actor, message_id, approve=approve, comment=comment))


@message_app.command("publish")
@handles_errors
def message_publish(ctx: typer.Context, message_id: int, actor: ActorOpt) -> None:
    """保密审查（脱敏并复查）后公开问答。"""
    with _service(ctx) as svc:
        m = svc.publish_message(actor, message_id)
    typer.echo(f"已公开：问：{m['published_question']}\n      答：{m['published_answer']}")


@message_app.command("stats")
@handles_errors
def message_stats(
    ctx: typer.Context,
    actor: ActorOpt,
    site: SiteOpt,
    year: YearOpt,
    month: Annotated[int | None, typer.Option(min=1, max=12)] = None,
    quarter: Annotated[int | None, typer.Option(min=1, max=4)] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="写出 XLSX")] = None,
    as_json: JsonOpt = False,
) -> None:
    """办理情况统计（月督查、季通报）。"""
    with _service(ctx) as svc:
        if output:
            output.write_bytes(svc.interaction_stats_xlsx(actor, site, year, month=month, quarter=quarter))
            typer.echo(f"已写出 {output}")
            return
        stats = svc.interaction_stats(actor, site, year, month=month, quarter=quarter)
    if as_json:
        _dump(stats)
        return
    t = stats["total"]
    typer.echo(
        f"{stats['period']}：受理 {t['received']}，办结 {t['answered']}（按期 {t['on_time']}），超期 {t['overdue']}，"
        f"按期办结率 {t['on_time_rate']}，满意率 {t['satisfaction_rate']}"
    )


@foi_app.command("list")
@handles_errors
def foi_list(
    ctx: typer.Context,
    actor: ActorOpt,
    todo: Annotated[bool, typer.Option("--todo", help="只看未答复的申请")] = False,
    as_json: JsonOpt = False,
) -> None:
    """依申请公开申请与法定时限（不显示申请人信息）。"""
    with _service(ctx) as svc:
        rows = svc.list_foi(actor, todo=todo)
    if as_json:
        _dump(rows)
        return
    if not rows:
        typer.echo("没有申请。")
    for r in rows:
        limits = "；".join(x["text"] for x in r["limits"]) or (r["answer"]["label"] or "")
        typer.echo(f"{r['id']:>5}  {r['number']}  {r['status_label']:<5}  {limits}")


@foi_app.command("reminders")
@handles_errors
def foi_reminders(ctx: typer.Context, actor: ActorOpt, as_json: JsonOpt = False) -> None:
    """即将到期或已超期的法定时限。"""
    with _service(ctx) as svc:
        rows = svc.foi_reminders(actor)
    if as_json:
        _dump(rows)
        return
    if not rows:
        typer.echo("没有即将到期的时限。")
    for x in rows:
        typer.echo(f"{x['number']}  {x['text']}")


@foi_app.command("notice")
@handles_errors
def foi_notice(
    ctx: typer.Context,
    request_id: int,
    actor: ActorOpt,
    output: Annotated[Path, typer.Option("--output", "-o", help="写出的文件（.docx 或 .pdf）")],
    kind: Annotated[
        str, typer.Option(help="answer（答复）、correction（补正）或 extension（延期）")
    ] = "answer",
) -> None:
    """出具告知书（含申请人姓名，仅依申请公开经办人员）。"""
    fmt = "pdf" if output.suffix.lower() == ".pdf" else "docx"
    with _service(ctx) as svc:
        _, data = svc.foi_notice(actor, request_id, kind, fmt)
    output.write_bytes(data)
    typer.echo(f"已写出 {output}")


@handles_errors
def annual_report(
    ctx: typer.Context,
    actor: ActorOpt,
    site: SiteOpt,
    year: YearOpt,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="写出 .xlsx 或 .docx")] = None,
) -> None:
    """政府信息公开工作年度报告统计表（收到和处理政府信息公开申请情况、主动公开）。"""
    with _service(ctx) as svc:
        if output is not None:
            if output.suffix.lower() == ".docx":
                output.write_bytes(svc.annual_report_docx(actor, site, year))
            else:
                output.write_bytes(svc.annual_report_xlsx(actor, site, year))
            typer.echo(f"已写出 {output}")
            return
        report = svc.annual_report(actor, site, year)
    width = max(len(r["label"]) for r in report["applications"])
    typer.echo("  ".join([" " * width, *report["columns"]]))
    for r in report["applications"]:
        cells = "  ".join(f"{v:>4}" for v in r["cells"]) if r["cells"] else ""
        typer.echo(f"{r['label']:<{width}}  {cells}")
    p = report["proactive"]
    typer.echo(
        f"主动公开：本年发布 {p['releases']} 条（撤稿 {p['withdrawn']}），公开问答 {p['qa_published']} 条。"
    )


def install(review_app: typer.Typer) -> None:
    review_app.add_typer(message_app, name="message")
    review_app.add_typer(foi_app, name="foi")
    review_app.command("annual-report")(annual_report)
