"""`pubguard clean` and `pubguard annotate`. Registered by pubguard/cli.py; also usable alone as
the `app` sub-app. Exit codes follow the main CLI: 0 = the clean copy is releasable (or the
annotated draft was written), 1 = the clean copy still needs work, 2 = usage error or unreadable
file."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pubguard.clean.options import CleanOptions
from pubguard.config import ScanConfig

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

app = typer.Typer(help="生成公开稿（清理）与批注稿。", no_args_is_help=True, add_completion=False)


class MaskPreset(StrEnum):
    site = "site"
    id6_4 = "id6-4"
    last4 = "last4"


class NameStyle(StrEnum):
    surname = "surname"
    first_last = "first_last"


class Revisions(StrEnum):
    accept = "accept"
    reject = "reject"


def _config(config_file: Path | None, no_ocr: bool) -> ScanConfig:
    try:
        config = ScanConfig.load(config_file)
    except (OSError, ValueError) as exc:
        typer.echo(f"配置文件无法读取：{exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    if no_ocr:
        config.ocr = False
    return config


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        typer.echo(f"无法读取文件：{exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


def clean_command(
    file: Annotated[Path, typer.Argument(help="要清理的稿件（docx、pdf、xlsx 或扫描图片）")],
    output: Annotated[Path, typer.Option("--output", "-o", help="公开稿写入的文件")],
    mask_preset: Annotated[
        MaskPreset,
        typer.Option("--mask-preset", help="脱敏方式：site=站点配置，id6-4=身份证留前6后4，last4=仅留后4位"),
    ] = MaskPreset.site,
    name_style: Annotated[
        NameStyle | None, typer.Option("--name-style", help="姓名脱敏：surname=张*，first_last=张*明")
    ] = None,
    drop_columns: Annotated[
        bool, typer.Option("--drop-columns", help="名单表格中的身份证号、银行卡号、电话列整列删除")
    ] = False,
    revisions: Annotated[
        Revisions,
        typer.Option("--revisions", help="修订处理：accept=接受修订（默认，保留页面所见），reject=拒绝修订"),
    ] = Revisions.accept,
    keep_header_text: Annotated[
        bool, typer.Option("--keep-header-text", help="版头的发文机关名称改为黑色保留，而不是删除")
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="清理报告（JSON）写入的文件，默认为 <输出文件>.report.json"),
    ] = None,
    config_file: Annotated[Path | None, typer.Option("--config", help="配置文件 pubguard.toml")] = None,
    no_ocr: Annotated[bool, typer.Option("--no-ocr", help="不对扫描页做文字识别")] = False,
) -> None:
    """生成可公开发布的清理稿：去除版头、印章、批示、批注修订和隐藏内容，个人信息脱敏，并复查。"""
    from pubguard.clean.core import clean_bytes
    from pubguard.errors import PubGuardError

    config = _config(config_file, no_ocr)
    options = CleanOptions(
        revisions=revisions.value,
        mask_preset=mask_preset.value,
        name_style=name_style.value if name_style else None,
        drop_columns=drop_columns,
        keep_header_text=keep_header_text,
    )
    data = _read(file)
    try:
        result = clean_bytes(data, file.name, config, options, output_name=str(output))
    except PubGuardError as exc:
        typer.echo(f"无法生成清理稿：{exc.message}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    output.write_bytes(result.data)
    report_path = report or output.with_name(output.name + ".report.json")
    report_path.write_text(result.report.to_json() + "\n", encoding="utf-8")
    typer.echo(result.report.summary())
    typer.echo(f"清理报告：{report_path}")
    raise typer.Exit(EXIT_OK if result.report.releasable else EXIT_FINDINGS)


def annotate_command(
    file: Annotated[Path, typer.Argument(help="要批注的稿件（docx 或 pdf）")],
    output: Annotated[Path, typer.Option("--output", "-o", help="批注稿写入的文件（docx 或 pdf）")],
    config_file: Annotated[Path | None, typer.Option("--config", help="配置文件 pubguard.toml")] = None,
    no_ocr: Annotated[bool, typer.Option("--no-ocr", help="不对扫描页做文字识别")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="同时在标准输出打印检查结果（JSON）")] = False,
) -> None:
    """把检查结果写回稿件：Word 中每个问题一条批注并高亮，PDF 中加高亮和注释。"""
    from pubguard.clean.annotate import annotate_bytes
    from pubguard.errors import PubGuardError

    config = _config(config_file, no_ocr)
    data = _read(file)
    try:
        result = annotate_bytes(data, file.name, config)
    except PubGuardError as exc:
        typer.echo(f"无法生成批注稿：{exc.message}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    output.write_bytes(result.data)
    if as_json:
        typer.echo(json.dumps([f.to_dict() for f in result.findings], ensure_ascii=False, indent=2))
    typer.echo(f"已写入批注稿 {output}：{result.annotated} 条批注（共 {len(result.findings)} 个问题）。")
    raise typer.Exit(EXIT_OK)


app.command("clean")(clean_command)
app.command("annotate")(annotate_command)

__all__ = ["app", "clean_command", "annotate_command"]
