"""`pubguard key show|rotate`: the fingerprint key (never printed, only its id and file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

key_app = typer.Typer(
    help="指纹密钥（HMAC）：查看密钥标识、轮换密钥。密钥本身从不输出。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
FileOpt = Annotated[
    Path | None,
    typer.Option("--file", help="密钥文件（默认：PUBGUARD_KEY_FILE、数据目录 keys/ 或用户配置目录）。"),
]
DataOpt = Annotated[
    Path | None, typer.Option("--data-dir", envvar="PUBGUARD_DATA_DIR", help="审核服务的数据目录。")
]


def _path(file: Path | None, data_dir: Path | None) -> Path:
    from pubguard import keys

    if file is not None:
        return file
    if data_dir is not None:
        return data_dir.resolve() / "keys" / "fingerprint.key"
    return keys.key_path()


@key_app.command("show")
def show(file: FileOpt = None, data_dir: DataOpt = None) -> None:
    """显示密钥文件位置和密钥标识（不显示密钥）。"""
    from pubguard import keys

    path = _path(file, data_dir)
    ring = keys.load_or_create(path)
    typer.echo(f"密钥文件：{path}\n密钥标识：{ring.key_id}\n保留的旧密钥：{len(ring.previous)} 个")


@key_app.command("rotate")
def rotate(file: FileOpt = None, data_dir: DataOpt = None) -> None:
    """生成新密钥，旧密钥保留用于比对（基线仍可匹配）；请随后重启服务和检查进程。"""
    from pubguard import keys

    path = _path(file, data_dir)
    ring = keys.rotate(path)
    typer.echo(
        f"已轮换指纹密钥：{path}\n新密钥标识：{ring.key_id}；保留旧密钥 {len(ring.previous)} 个。"
        "请重启 pubguard serve / worker 使新密钥生效。"
    )
