"""`pubguard` command line. Messages to users are Chinese; exit codes are a contract for CI:

0  nothing at or above --fail-on
1  findings at or above --fail-on
2  usage error, missing path, or no file could be read
3  partial scan (some files unreadable) and nothing reached --fail-on
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pubguard.config import ScanConfig
from pubguard.finding import Severity
from pubguard.scan import FileResult, scan_path

app = typer.Typer(
    name="pubguard",
    help="PubGuard 发布审核与保密审查：检查待发布稿件中的密级标志、红头、印章、领导批示、个人信息、隐藏内容等。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    csv = "csv"


def _err(message: str) -> None:
    typer.echo(message, err=True)


def iter_files(paths: list[Path]) -> Iterator[tuple[Path, str]]:
    """Files under the given paths (recursively), skipping hidden files and folders."""
    for root in paths:
        if root.is_file():
            yield root, str(root)
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for fn in sorted(filenames):
                if fn.startswith("."):
                    continue
                p = Path(dirpath) / fn
                yield p, str(p)


def _scan_one(args: tuple[str, str, ScanConfig]) -> FileResult:
    path, display, config = args
    return scan_path(path, config, display=display)


def run_scan(files: list[tuple[Path, str]], config: ScanConfig, workers: int, progress: bool) -> list[FileResult]:
    """Scan files in order; a process pool when workers > 1. Results keep input order."""
    results: list[FileResult | None] = [None] * len(files)
    bar = None
    if progress:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        bar = Progress(
            TextColumn("检查中"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:.1f} 个/秒"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        bar.start()
        task = bar.add_task("scan", total=len(files), rate=0.0)
    import time

    t0 = time.perf_counter()

    def advance(done: int) -> None:
        if bar is not None:
            bar.update(task, completed=done, rate=done / max(time.perf_counter() - t0, 1e-6))

    try:
        if workers <= 1 or len(files) <= 1:
            for i, (p, display) in enumerate(files):
                results[i] = scan_path(p, config, display=display)
                advance(i + 1)
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                futures = {pool.submit(_scan_one, (str(p), d, config)): i for i, (p, d) in enumerate(files)}
                for done, fut in enumerate(as_completed(futures), start=1):
                    i = futures[fut]
                    try:
                        results[i] = fut.result()
                    except Exception as exc:  # a crashed worker must not stop the batch
                        results[i] = FileResult(
                            path=files[i][1], status="error", error=f"检查进程异常退出（{type(exc).__name__}）。",
                            error_code="crash",
                        )
                    advance(done)
    finally:
        if bar is not None:
            bar.stop()
    return [r for r in results if r is not None]


def exit_code_for(results: list[FileResult], fail_on: Severity) -> int:
    if not results or all(r.status == "error" for r in results):
        return EXIT_USAGE
    if any(f.severity.at_least(fail_on) for r in results for f in r.findings):
        return EXIT_FINDINGS
    if any(r.status == "error" for r in results):
        return EXIT_PARTIAL
    return EXIT_OK


def render(results: list[FileResult], fmt: OutputFormat) -> str:
    from pubguard import report

    if fmt is OutputFormat.json:
        return report.to_json(results) + "\n"
    if fmt is OutputFormat.sarif:
        return report.to_sarif(results) + "\n"
    if fmt is OutputFormat.csv:
        return report.to_csv(results)
    return report.to_text(results)


@app.command()
def scan(
    paths: Annotated[list[Path], typer.Argument(help="要检查的文件或文件夹（递归）")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="报告格式")] = OutputFormat.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="报告写入文件（默认标准输出）")] = None,
    fail_on: Annotated[Severity, typer.Option("--fail-on", help="达到该级别即返回 1")] = Severity.HIGH,
    wordlist: Annotated[list[Path] | None, typer.Option("--wordlist", help="附加词表（.toml 或 .txt，可多次）")] = None,
    config_file: Annotated[Path | None, typer.Option("--config", help="配置文件 pubguard.toml")] = None,
    workers: Annotated[int, typer.Option("--workers", "-j", help="并行进程数（0 = 自动）")] = 0,
    no_ocr: Annotated[bool, typer.Option("--no-ocr", help="不对扫描页做文字识别")] = False,
    annotate: Annotated[Path | None, typer.Option("--annotate", help="把标出问题位置的页面图片写入该文件夹")] = None,
) -> None:
    """检查文件或文件夹，输出问题报告。"""
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
    files = list(iter_files(paths))
    if not files:
        _err("没有找到可检查的文件。")
        raise typer.Exit(EXIT_USAGE)
    if workers <= 0:
        workers = 1 if len(files) < 4 else (os.cpu_count() or 1)
    results = run_scan(files, config, workers, progress=sys.stderr.isatty())
    text = render(results, format)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        _err(f"报告已写入 {output}")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if annotate:
        from pubguard.report.annotate import write_annotated_pages

        written = write_annotated_pages(results, annotate, config)
        _err(f"已在 {annotate} 写入 {written} 张标注页面图片")
    raise typer.Exit(exit_code_for(results, fail_on))


@app.command()
def rules() -> None:
    """列出全部检测器和规则。"""
    from pubguard.detectors import load_all

    for name, cls in sorted(load_all().items()):
        typer.echo(f"{name}（{cls.category}）")
        for rule_id, text in cls.rules.items():
            typer.echo(f"    {rule_id}: {text}")


def _mount_optional() -> None:
    """Sub-command groups from later layers, mounted when present."""
    import importlib.util

    if importlib.util.find_spec("pubguard.review.cli") is None:
        return
    from pubguard.review.cli import audit_app, review_app

    app.add_typer(review_app, name="review")
    app.add_typer(audit_app, name="audit")


_mount_optional()


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
