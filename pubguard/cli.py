"""`pubguard` command line. Messages to users are Chinese; exit codes are a contract for CI:

0  nothing at or above --fail-on
1  findings at or above --fail-on
2  usage error, missing path, or no file could be read
3  partial scan (some files unreadable) and nothing reached --fail-on
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer import _click as click
from typer.core import TyperCommand, TyperGroup

from pubguard import cli_zh
from pubguard.config import ScanConfig
from pubguard.finding import SEVERITY_LABELS, Severity
from pubguard.scan import FileResult

# Command groups of later layers (clean copies, web service, review workflow): imported only
# when one of their commands runs or help lists them, so `pubguard scan` never loads FastAPI,
# SQLAlchemy or the review models. name -> "module:function" where function(app) mounts it.
LAZY_COMMANDS: dict[str, str] = {
    "clean": "pubguard.cli:_mount_clean",
    "annotate": "pubguard.cli:_mount_clean",
    "serve": "pubguard.api.cli:register",
    "worker": "pubguard.api.cli:register",
    "demo-seed": "pubguard.api.cli:register",
    "user": "pubguard.api.cli:register",
    "review": "pubguard.cli:_mount_review",
    "audit": "pubguard.cli:_mount_review",
    "duty": "pubguard.cli:_mount_review",
    "key": "pubguard.cli:_mount_key",
}


# The pip extra that brings each lazily loaded layer (`pip install 'pubguard[web]'`).
EXTRA_FOR = {"pubguard.api.cli:register": "web", "pubguard.cli:_mount_review": "web"}


def _missing_extra_command(name: str, exc: ImportError) -> click.Command:
    """A stand-in for a command whose layer is not installed: it says which extra to install."""
    extra = EXTRA_FOR.get(LAZY_COMMANDS[name], "all")
    missing = exc.name or str(exc)

    def explain() -> None:
        _err(f"“pubguard {name}”需要安装 {extra} 组件（缺少 {missing}）：pip install 'pubguard[{extra}]'")
        raise typer.Exit(EXIT_USAGE)

    return TyperCommand(
        name,
        callback=explain,
        help=f"（未安装 {extra} 组件，见 pip install 说明）",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )


class LazyGroup(TyperGroup):
    """The `pubguard` group: core commands are defined here, the rest load on first use."""

    _mounted: dict[str, dict[str, click.Command]] = {}

    def _lazy(self, name: str) -> click.Command | None:
        target = LAZY_COMMANDS.get(name)
        if target is None:
            return None
        if target not in self._mounted:
            import importlib

            module, func = target.split(":")
            holder = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
            try:
                getattr(importlib.import_module(module), func)(holder)
            except ImportError as exc:  # an optional layer that is not installed
                self._mounted[target] = {
                    n: _missing_extra_command(n, exc) for n, t in LAZY_COMMANDS.items() if t == target
                }
                return self._mounted[target].get(name)
            holder.callback()(lambda: None)  # a group even when it mounts a single command
            group = typer.main.get_group(holder)
            self._mounted[target] = dict(group.commands)
        return self._mounted[target].get(name)

    context_class = cli_zh.ChineseContext

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name) or self._lazy(cmd_name)
        return cli_zh.adopt(command) if command is not None else None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Usage errors in Chinese (`cli_zh.show_error`) instead of Click's English ones."""
        try:
            rv = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except click.ClickException as exc:
            if not standalone_mode:
                raise
            cli_zh.show_error(exc)
            sys.exit(exc.exit_code)
        except typer.Abort:
            if not standalone_mode:
                raise
            _err("已中止。")
            sys.exit(1)
        if standalone_mode:
            sys.exit(rv if isinstance(rv, int) else 0)
        return rv

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        return names + [n for n in LAZY_COMMANDS if n not in names and self._lazy(n) is not None]


app = typer.Typer(
    name="pubguard",
    cls=LazyGroup,
    help="PubGuard 发布审核与保密审查：检查待发布稿件中的密级标志、红头、印章、领导批示、个人信息、隐藏内容等。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # Click's plain help at full width, in Chinese (pubguard.cli_zh)
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
SEVERITY_CHOICES = "、".join(f"{code}={name}" for code, name in SEVERITY_LABELS.items())


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    csv = "csv"
    html = "html"
    xlsx = "xlsx"


def _err(message: str) -> None:
    typer.echo(message, err=True)


def run_scan(jobs: list, config: ScanConfig, workers: int, progress: bool, cache=None):
    """Scan jobs with a progress bar (files/s, ETA) on stderr when it is a terminal."""
    from pubguard.site.runner import run_jobs

    if not progress:
        return run_jobs(jobs, config, workers, cache=cache)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("检查中"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:.1f} 个/秒"), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    )  # fmt: skip
    task = bar.add_task("scan", total=len(jobs), rate=0.0)
    # Pages of the file being read (long PDFs), shown under the files bar once a total is known;
    # reported only where files are scanned one at a time (one file, or --workers 1).
    pages = Progress(
        TextColumn("  第 {task.fields[page]} / {task.fields[pages]} 页（{task.fields[stage]}）"), BarColumn(),
        TimeRemainingColumn(), console=bar.console, transient=True,
    )  # fmt: skip
    page_task = pages.add_task("pages", total=None, visible=False, page=0, pages=0, stage="")
    t0 = time.perf_counter()
    done = 0

    def tick(_result: FileResult) -> None:
        nonlocal done
        done += 1
        bar.update(task, completed=done, rate=done / max(time.perf_counter() - t0, 1e-6))
        pages.update(page_task, visible=False)

    def on_pages(page: int, total: int, stage: str) -> None:
        if total > 1:  # one bar over both stages (pubguard.progress.bar_value)
            fields: dict[str, Any] = {"page": page, "pages": total, "stage": STAGE_LABELS.get(stage, "")}
            if page == 0 and stage == READ:
                pages.reset(page_task, total=2 * total, visible=True, **fields)
            else:
                pages.update(page_task, completed=bar_value(page, total, stage), visible=True, **fields)

    from rich.console import Group
    from rich.live import Live

    from pubguard.progress import READ, STAGE_LABELS, bar_value, page_progress

    live = Live(Group(bar, pages), console=bar.console, transient=True, refresh_per_second=10)
    with live, page_progress(on_pages):
        return run_jobs(jobs, config, workers, cache=cache, on_result=tick)


def exit_code_for(results: list[FileResult], fail_on: Severity) -> int:
    if not results or all(r.status == "error" for r in results):
        return EXIT_USAGE
    if any(f.severity.at_least(fail_on) for r in results for f in r.findings):
        return EXIT_FINDINGS
    if any(r.status == "error" for r in results):
        return EXIT_PARTIAL
    return EXIT_OK


def render(
    results: list[FileResult], fmt: OutputFormat, extra: dict | None = None, exit_code: int | None = None
) -> str:
    from pubguard import report

    if fmt is OutputFormat.json:
        return report.to_json(results, extra) + "\n"
    if fmt is OutputFormat.sarif:
        return report.to_sarif(results, exit_code) + "\n"
    if fmt is OutputFormat.csv:
        return report.to_csv(results)
    return report.to_text(results)


@app.command()
def scan(
    paths: Annotated[list[Path], typer.Argument(help="要检查的文件或文件夹（递归）")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="报告格式")] = OutputFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="报告写入文件（默认标准输出）")
    ] = None,
    fail_on: Annotated[
        Severity, typer.Option("--fail-on", help=f"达到该级别即返回 1（{SEVERITY_CHOICES}）")
    ] = Severity.HIGH,
    wordlist: Annotated[
        list[Path] | None, typer.Option("--wordlist", help="附加词表（.toml 或 .txt，可多次）")
    ] = None,
    config_file: Annotated[Path | None, typer.Option("--config", help="配置文件 pubguard.toml")] = None,
    workers: Annotated[int, typer.Option("--workers", "-j", help="并行进程数（0 = 自动）")] = 0,
    no_ocr: Annotated[bool, typer.Option("--no-ocr", help="不对扫描页做文字识别")] = False,
    annotate: Annotated[
        Path | None, typer.Option("--annotate", help="把标出问题位置的页面图片写入该文件夹")
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="基线文件：其中已接受的问题不再报告")
    ] = None,
    write_baseline: Annotated[
        Path | None, typer.Option("--write-baseline", help="把本次全部问题写成基线文件")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="站点镜像对应的网址前缀，报告中显示页面网址")
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache", help="增量缓存文件夹：未变化的文件不再重复检查")
    ] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", help="单个文件检查超时（秒）")] = None,
    history: Annotated[
        Path | None, typer.Option("--history", help="历次报告文件夹（HTML 报告画趋势图，并保存本次结果）")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask 调度器地址，如 tcp://host:8786（多机分布式检查）")
    ] = None,
    include: Annotated[
        list[str] | None,
        typer.Option("--include", help="只检查匹配的文件（gitignore 写法，如 '*.pdf'、'xxgk/**'，可多次）"),
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="不检查匹配的文件或文件夹（gitignore 写法，可多次）")
    ] = None,
    no_default_ignore: Annotated[
        bool,
        typer.Option(
            "--no-default-ignore",
            help="不使用默认忽略清单（源代码、配置、字体等默认不检查；另见 .pubguardignore）",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="不显示进度条和提示信息（错误仍然显示）")
    ] = False,
    diff: Annotated[
        str | None,
        typer.Option(
            "--diff", help="只检查自该 git 提交/分支以来改动的文件（如 origin/main），用于静态站点仓库的 CI"
        ),
    ] = None,
) -> None:
    """检查文件或文件夹，输出问题报告。"""

    def info(message: str) -> None:
        if not quiet:
            _err(message)

    from pubguard.site.runner import iter_jobs

    missing = [p for p in paths if not p.exists()]
    if missing:
        _err("路径不存在：" + "、".join(str(p) for p in missing))
        raise typer.Exit(EXIT_USAGE)
    try:
        config = ScanConfig.load(config_file)
    except (OSError, ValueError) as exc:
        _err(f"配置文件无法读取：{exc}")
        raise typer.Exit(EXIT_USAGE) from None
    for wl in wordlist or []:
        if not wl.is_file():
            _err(f"词表文件不存在：{wl}")
            raise typer.Exit(EXIT_USAGE)
        config.wordlists.append(wl)
    if no_ocr:
        config.ocr = False
    if timeout:
        config.limits.timeout_seconds = timeout
    base = None
    if baseline:
        from pubguard.site.baseline import Baseline

        try:
            base = Baseline.load(baseline)
        except (OSError, ValueError) as exc:
            _err(f"基线文件无法读取：{exc}")
            raise typer.Exit(EXIT_USAGE) from None
    from pubguard.site.ignore import FileFilter

    file_filter = FileFilter(
        exclude=list(exclude or []), include=list(include or []), use_defaults=not no_default_ignore
    )
    jobs = list(iter_jobs(paths, base_url, file_filter))
    nothing_changed = False
    if diff:
        from pubguard.site.gitdiff import GitDiffError, changed_files

        try:
            changed = changed_files(diff, paths)
        except GitDiffError as exc:
            _err(f"--diff 无法使用：{exc}")
            raise typer.Exit(EXIT_USAGE) from None
        jobs = [j for j in jobs if os.path.realpath(j.path) in changed]
        nothing_changed = not jobs
        if nothing_changed:
            _err(f"自 {diff} 以来没有改动的文件需要检查。")
    if not jobs and not nothing_changed:
        _err("没有找到可检查的文件。")
        raise typer.Exit(EXIT_USAGE)
    if workers <= 0:
        workers = 1 if len(jobs) < 4 else (os.cpu_count() or 1)
    cache = None
    if cache_dir:
        from pubguard.site.cache import ResultCache

        cache = ResultCache(cache_dir / "pubguard-cache.sqlite", config)
    if nothing_changed:
        from pubguard.site.runner import RunStats

        results, stats = [], RunStats()
    elif scheduler:
        from importlib.util import find_spec

        if find_spec("distributed") is None:
            _err("--scheduler 需要安装 Dask 组件：pip install 'pubguard[dask]'")
            raise typer.Exit(EXIT_USAGE)
        from pubguard.site.distributed import run_jobs_dask
        from pubguard.site.runner import RunStats

        results = run_jobs_dask(jobs, config, scheduler)
        stats = RunStats(files=len(results))
        stats.inline_suppressed = sum(r.suppressed for r in results)
    else:
        results, stats = run_scan(
            jobs, config, workers, progress=sys.stderr.isatty() and not quiet, cache=cache
        )
    if cache is not None:
        cache.close()
    extra_summary: dict = {
        "inline_suppressed": stats.inline_suppressed,
        "cached": stats.cached,
        "boilerplate_templates": stats.boilerplate_templates,
        "boilerplate_collapsed": stats.boilerplate_collapsed,
    }
    if write_baseline:
        from pubguard.site.baseline import Baseline

        Baseline.from_results(results).save(write_baseline)
        info(f"已写入基线 {write_baseline}（{sum(len(r.findings) for r in results)} 项）")
    if base is not None:
        extra_summary.update(base.apply(results))
    code = EXIT_OK if nothing_changed else exit_code_for(results, fail_on)
    text = render_report(results, format, extra_summary, history, code)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            output.write_bytes(text)
        else:
            output.write_text(text, encoding="utf-8")
        info(f"报告已写入 {output}")
    elif isinstance(text, bytes):
        _err("XLSX 报告需要用 --output 指定文件。")
        raise typer.Exit(EXIT_USAGE)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if annotate:
        from pubguard.report.annotate import write_annotated_pages

        written = write_annotated_pages(results, annotate, config)
        info(f"已在 {annotate} 写入 {written} 张标注页面图片")
    raise typer.Exit(code)


def render_report(
    results: list[FileResult],
    fmt: OutputFormat,
    summary_extra: dict,
    history: Path | None,
    exit_code: int | None = None,
):
    """Text for text/json/sarif/csv/html, bytes for xlsx."""
    from pubguard import report

    if fmt is OutputFormat.json:
        data = report.build_report(results)
        data["summary"].update(summary_extra)
        import json

        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt in (OutputFormat.html, OutputFormat.xlsx):
        from pubguard.site import sitereport

        if fmt is OutputFormat.xlsx:
            return sitereport.to_xlsx(results)
        return sitereport.to_html(results, summary_extra, history)
    return render(results, fmt, exit_code=exit_code)


@app.command()
def crawl(
    url: Annotated[str, typer.Argument(help="起始网址（或 sitemap.xml 的网址）")],
    out: Annotated[Path, typer.Option("--out", "-o", help="镜像保存文件夹")] = Path("data/mirror"),
    max_pages: Annotated[int, typer.Option("--max-pages", help="最多抓取页面数")] = 500,
    depth: Annotated[int, typer.Option("--depth", help="最大链接深度")] = 5,
    delay: Annotated[float, typer.Option("--delay", help="两次请求的最小间隔（秒）")] = 0.5,
) -> None:
    """抓取同一站点的网页和附件（遵守 robots.txt，限速），保存为镜像供 scan 检查。"""
    from urllib.parse import urlparse

    from pubguard.site.crawl import crawl as do_crawl

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        _err("网址无效：需要 http:// 或 https:// 开头的完整网址。")
        raise typer.Exit(EXIT_USAGE)
    res = do_crawl(url, out, max_pages=max_pages, max_depth=depth, delay=delay)
    _err(
        f"已保存 {len(res.saved)} 个文件到 {out}；robots.txt 禁止 {len(res.skipped_robots)} 个；失败 {len(res.errors)} 个。"
    )
    _err(f"检查镜像：pubguard scan {out} --base-url {parsed.scheme}://{parsed.netloc}")
    raise typer.Exit(EXIT_OK if res.saved else EXIT_USAGE)


@app.command()
def rules(
    config_file: Annotated[Path | None, typer.Option("--config", help="配置文件 pubguard.toml")] = None,
) -> None:
    """列出全部检测器和规则，以及当前使用的人名识别引擎。"""
    from pubguard.detectors import load_all
    from pubguard.labels import label
    from pubguard.nlp import NlpUnavailable, engine_for

    try:
        config = ScanConfig.load(config_file)
        engine, why = engine_for(config.nlp)
    except (OSError, ValueError, NlpUnavailable) as exc:
        _err(f"配置无法使用：{exc}")
        raise typer.Exit(EXIT_USAGE) from None
    typer.echo(f"人名识别引擎：{engine.name}（{why}）")
    for name, cls in sorted(load_all().items()):
        typer.echo(f"{label('category', cls.category)}（检测器 {name}）")
        for rule_id, text in cls.rules.items():
            typer.echo(f"    {text}（规则 {rule_id}）")


def _mount_clean(target: typer.Typer) -> None:
    from pubguard.clean.cli import annotate_command, clean_command

    target.command("clean")(clean_command)
    target.command("annotate")(annotate_command)


def _mount_key(target: typer.Typer) -> None:
    from pubguard.keys_cli import key_app

    target.add_typer(key_app, name="key")


def _mount_review(target: typer.Typer) -> None:
    from pubguard.review.cli import audit_app, review_app

    target.add_typer(review_app, name="review")
    target.add_typer(audit_app, name="audit")
    from pubguard.review.duty_cli import duty_app

    target.add_typer(duty_app, name="duty")


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
