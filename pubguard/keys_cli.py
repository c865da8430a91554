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


DbOpt = Annotated[
    str | None,
    typer.Option("--db", envvar="PUBGUARD_DATABASE_URL", help="审核数据库地址（默认 数据目录下的 SQLite）。"),
]


@key_app.command("rotate")
def rotate(file: FileOpt = None, data_dir: DataOpt = None, db: DbOpt = None) -> None:
    """生成新密钥并重算审核数据库中保存的全部指纹（决定仍按指纹沿用）；旧密钥保留用于比对基线。
    轮换前请停止 pubguard serve / worker，完成后再启动。"""
    from pubguard import keys

    if data_dir is None and db is None:
        path = _path(file, None)
        ring = keys.rotate(path)
        typer.echo(
            f"已轮换指纹密钥：{path}\n新密钥标识：{ring.key_id}。未指定审核数据库（--data-dir / --db），"
            "只轮换了密钥文件。"
        )
        return
    from pubguard.review import open_review

    with open_review(db, str(data_dir) if data_dir is not None else None) as svc:
        path = keys.key_path()
        if file is not None and file.resolve() != path.resolve():
            raise typer.BadParameter(
                f"审核服务使用的密钥文件是 {path}，与 --file 不同。", param_hint="--file"
            )
        counts: dict[str, int] = {}

        def rekey(new_key: bytes) -> None:
            counts.update(svc.rekey_fingerprints(new_key))

        ring = keys.rotate(path, rekey=rekey)
    typer.echo(
        f"已轮换指纹密钥：{path}\n新密钥标识：{ring.key_id}；已重算审核数据库中的指纹："
        f"检查结果 {counts.get('findings', 0)} 条，版本检查报告 {counts.get('versions', 0)} 份。"
        "请启动 pubguard serve / worker 使新密钥生效。"
    )
