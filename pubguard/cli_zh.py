"""Chinese for the command line's own texts (help layout, usage errors) and help at full width.

Typer ≥ 0.22 ships its own copy of Click (`typer._click`) whose texts are English literals, not
gettext calls, so a translation catalogue cannot reach them. Click's extension points can:
`Context.formatter_class` (the help formatter: usage prefix, section titles, "[required]",
"[default: …]", the help option's text) and handling usage errors ourselves by running the root
group with `standalone_mode=False` (`show_error`). The help is laid out by Click's plain
formatter (no Rich panels, which cut long Chinese help text with "…") at the terminal's full
width (`MAX_WIDTH`), wrapping, never truncating.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import IO, Any

from typer._click.core import Command, Context
from typer._click.exceptions import ClickException, UsageError
from typer._click.formatting import HelpFormatter
from typer._click.utils import echo
from typer.core import TyperGroup

MAX_WIDTH = 200  # help uses the terminal's width up to this (Click's default cap is 80)

SECTIONS = {"Options": "选项", "Arguments": "参数", "Commands": "命令"}

# Whole texts and fragments of help rows, in order (the first that matches wins for a row).
HELP_TEXTS: tuple[tuple[str, str], ...] = (
    ("Show this message and exit.", "显示本帮助并退出。"),
    ("[required]", "［必填］"),
    ("required", "必填"),
    ("(dynamic)", "（动态）"),
    ("(deprecated) ", "（已弃用）"),
)
_DEFAULT = re.compile(r"\[default: (.*?)\]")
_ENVVAR = re.compile(r"\[env var: (.*?)\]")

# Usage-error messages of Click/Typer -> Chinese (regex on the formatted message; "\v" marks
# the part that is itself a converter's message, translated by VALUE_TEXTS).
MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"^Invalid value for (.+?): (?:Value error, )?(.*)$", "参数 \\1 的值无效：\v\\2"),
        (r"^Invalid value: (?:Value error, )?(.*)$", "值无效：\v\\1"),
        (r"^Missing argument (.+?)\.(?: (.*))?$", r"缺少参数 \1。\2"),
        (r"^Missing option (.+?)\.(?: (.*))?$", r"缺少选项 \1。\2"),
        (r"^Missing parameter:? ?(.*?)\.?$", r"缺少参数 \1。"),
        (r"^No such option: (\S+)(?: \(Possible options: (.+)\))?$", r"没有这个选项：\1。可用的选项：\2"),
        (r"^No such command '(.+)'\.$", r"没有这个命令：\1。"),
        (r"^Missing command\.$", "缺少子命令。"),
        (r"^Got unexpected extra arguments? \((.*)\)$", r"多余的参数：\1。"),
        (r"^Option '(.+)' requires an argument\.$", r"选项 \1 需要一个值。"),
        (r"^Option '(.+)' requires (\d+) arguments\.$", r"选项 \1 需要 \2 个值。"),
        (r"^Option '(.+)' does not take a value\.$", r"选项 \1 不接受值。"),
    )
)
# Inside "值无效" messages: the type converters' own English.
VALUE_TEXTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"'(.*?)' is not one of (.*?)\.?$", r"“\1”不是可选值之一（可选：\2）。"),
        (r"'(.*?)' is not a valid integer( range)?\.", r"“\1”不是有效的整数。"),
        (r"'(.*?)' is not a valid float( range)?\.", r"“\1”不是有效的数字。"),
        (r"'(.*?)' is not a valid boolean\.", r"“\1”不是有效的是/否值。"),
        (r"'(.*?)' is not a valid UUID\.", r"“\1”不是有效的 UUID。"),
        (r"'(.*?)' does not match the formats? (.*)\.", r"“\1”不符合格式 \2。"),
        (r"(File|Directory|Path) '(.*?)' does not exist\.", r"路径“\2”不存在。"),
        (r"(File|Directory|Path) '(.*?)' is a directory\.", r"路径“\2”是文件夹。"),
        (r"(File|Directory|Path) '(.*?)' is a file\.", r"路径“\2”是文件。"),
        (r"(File|Directory|Path) '(.*?)' is not readable\.", r"路径“\2”不可读。"),
        (r"(File|Directory|Path) '(.*?)' is not writable\.", r"路径“\2”不可写。"),
        (r"(\S+) is not in the range (.*)\.", r"\1 不在范围 \2 内。"),
        (r"^Input should be a valid integer.*$", "应为整数。"),
        (r"^Input should be a valid number.*$", "应为数字。"),
        (r"^Input should be a valid boolean.*$", "应为是/否值（true/false）。"),
        (r"^Input should be a valid date.*$", "应为日期（如 2024-04-02）。"),
        (r"^Input should be (greater|less) than( or equal to)? (\S+)$", r"数值超出范围（\1\2 \3）。"),
    )
)


def help_text(text: str) -> str:
    for en, zh in HELP_TEXTS:
        text = text.replace(en, zh)
    text = _DEFAULT.sub(r"［默认：\1］", text)
    return _ENVVAR.sub(r"［环境变量：\1］", text)


def message(text: str) -> str:
    """A Click/Typer usage-error message in Chinese (unknown ones are left as they are)."""
    for pattern, repl in MESSAGES:
        if pattern.match(text):
            text = pattern.sub(repl, text)
            break
    head, _, value = text.partition("\v")
    for pattern, repl in VALUE_TEXTS:
        value = pattern.sub(repl, value)
    return (head + value).removesuffix("可用的选项：")


class ChineseHelpFormatter(HelpFormatter):
    def __init__(self, indent_increment: int = 2, width: int | None = None, max_width: int | None = None):
        super().__init__(indent_increment, width, max_width or MAX_WIDTH)

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{SECTIONS.get(heading, heading)}：\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, help_text(text)) for term, text in rows], col_max, col_spacing)


class ChineseContext(Context):
    formatter_class = ChineseHelpFormatter


def adopt(command: Command) -> Command:
    """Give `command` (and the commands of a group, recursively) the Chinese context."""
    command.context_class = ChineseContext
    if hasattr(command, "rich_markup_mode"):  # Typer's commands and groups: Click's plain help
        command.rich_markup_mode = None
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            adopt(sub)
    return command


def show_error(exc: ClickException, file: IO[Any] | None = None) -> None:
    file = file or sys.stderr
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, UsageError) and ctx is not None:
        echo(ctx.get_usage(), file=file)
        if ctx.command.get_help_option(ctx) is not None:
            echo(f"查看帮助：{ctx.command_path} {ctx.help_option_names[0]}\n", file=file)
    echo(f"错误：{message(exc.format_message())}", file=file)
