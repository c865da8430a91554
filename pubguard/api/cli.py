"""Command line of the web service: `pubguard serve`, `pubguard worker`, `pubguard user
create` and `pubguard demo-seed`. `register(app)` mounts them on the main `pubguard` app."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

user_app = typer.Typer(help="用户管理（管理员）。", no_args_is_help=True, add_completion=False)

DataOpt = Annotated[Path, typer.Option("--data", help="数据目录（数据库、文件存储、发布目录）")]
DbOpt = Annotated[
    str | None,
    typer.Option("--database-url", help="数据库 URL（默认 PUBGUARD_DATABASE_URL 或数据目录下的 SQLite）"),
]


def _settings(data: Path, database_url: str | None, **kw):  # type: ignore[no-untyped-def]
    from pubguard.api.settings import ApiSettings

    return ApiSettings(data_dir=data, database_url=database_url, **kw)


def serve(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    data: DataOpt = Path("data"),
    database_url: DbOpt = None,
    scan_workers: Annotated[
        int, typer.Option("--scan-workers", help="随服务启动的检查线程数（0：只用 pubguard worker）")
    ] = 1,
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", help="单个上传文件上限（MB）")] = 100,
    secure_cookies: Annotated[bool, typer.Option("--secure-cookies", help="经 HTTPS 访问时打开")] = False,
) -> None:
    """启动网页服务（审核界面与 /api/v1 接口，接口文档在 /docs）。"""
    import uvicorn

    from pubguard.api.app import create_app

    settings = _settings(
        data,
        database_url,
        worker_threads=scan_workers,
        max_upload_bytes=max_upload_mb * 1024 * 1024,
        cookie_secure=secure_cookies,
    )
    app = create_app(settings)
    typer.echo(f"PubGuard 发布审核服务：http://{host}:{port}/ （接口文档 /docs，数据目录 {data.resolve()}）")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)


def worker(
    data: DataOpt = Path("data"),
    database_url: DbOpt = None,
    threads: Annotated[int, typer.Option(help="检查线程数")] = 1,
    once: Annotated[bool, typer.Option("--once", help="处理完队列中的任务后退出")] = False,
    duty: Annotated[
        bool, typer.Option("--duty", help="同时每天为各站点运行一次值班读网复查（pubguard duty run）")
    ] = False,
) -> None:
    """运行后台检查任务（可与网页服务分开、多进程运行；PostgreSQL 上多个进程互不重复领取）。"""
    from pubguard.review import ReviewService
    from pubguard.review.jobs import WorkerPool

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    svc = ReviewService(_settings(data, database_url).review_settings())
    pool = WorkerPool(svc, threads, duty=duty)
    try:
        if once:
            n = pool.run_until_empty()
            typer.echo(f"已处理 {n} 个检查任务。")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        pool.start()
        typer.echo(f"检查进程已启动（{threads} 个线程），按 Ctrl-C 停止。")
        stop.wait()
        typer.echo("正在停止（等待进行中的检查完成）……")
        pool.stop()
    finally:
        svc.close()


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[
        list[str] | None,
        typer.Option(
            "--role",
            help="站点角色，格式 站点:角色，可重复；角色：editor proofreader reviewer1 reviewer2 reviewer3 publisher admin",
        ),
    ] = None,
    display_name: Annotated[str, typer.Option("--display-name", help="显示名称")] = "",
    password: Annotated[str | None, typer.Option(help="密码（不给则交互输入）")] = None,
    admin: Annotated[bool, typer.Option("--admin", help="系统管理员")] = False,
    email: Annotated[str, typer.Option("--email", help="电子邮箱（配置 SMTP 后消息同时发邮件）")] = "",
    data: DataOpt = Path("data"),
    database_url: DbOpt = None,
) -> None:
    """创建用户（本机管理员操作，直接写数据库）。"""
    from pubguard.review import ReviewError, ReviewService

    roles = []
    for item in role or []:
        site, sep, name = item.partition(":")
        if not sep or not site or not name:
            typer.echo(f"角色格式应为 站点:角色，如 demo:editor（收到 {item}）。", err=True)
            raise typer.Exit(2)
        roles.append((site, name))
    if password is None:
        password = typer.prompt("密码", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        typer.echo("密码至少 8 位。", err=True)
        raise typer.Exit(2)
    svc = ReviewService(_settings(data, database_url).review_settings())
    try:
        user = svc.create_user(
            username, display_name=display_name, password=password, is_admin=admin, roles=roles, email=email
        )
    except ReviewError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None
    finally:
        svc.close()
    granted = "、".join(f"{r['site']}:{r['role']}" for r in user["roles"]) or "无"
    typer.echo(f"已创建用户 {user['username']}（角色：{granted}{'，系统管理员' if admin else ''}）。")


@user_app.command("token")
def user_token(
    username: Annotated[str, typer.Argument(help="用户名")],
    scope: Annotated[
        str,
        typer.Option("--scope", help="check：只能调用发布前检查接口（供内容管理系统使用）；api：完整接口"),
    ] = "check",
    days: Annotated[int, typer.Option("--days", min=1, max=3650, help="有效天数")] = 365,
    data: DataOpt = Path("data"),
    database_url: DbOpt = None,
) -> None:
    """为用户签发 Bearer 令牌（只显示一次，数据库只保存其散列）。"""
    import datetime as dt

    from pubguard.review import ReviewError, ReviewService

    if scope not in ("check", "api"):
        typer.echo("--scope 只能是 check 或 api。", err=True)
        raise typer.Exit(2)
    svc = ReviewService(_settings(data, database_url).review_settings())
    try:
        token = svc.issue_token(username, kind=scope, ttl=dt.timedelta(days=days))
    except ReviewError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None
    finally:
        svc.close()
    typer.echo(token)
    typer.echo(
        f"已为 {username} 签发 {scope} 令牌，{days} 天有效；请妥善保存，此令牌不会再次显示。", err=True
    )


def demo_seed(
    data: DataOpt = Path("data"),
    database_url: DbOpt = None,
    samples: Annotated[Path, typer.Option(help="示例稿件目录")] = Path("samples"),
) -> None:
    """建立演示站点、演示用户和示例稿件（可重复运行，不会重复创建）。"""
    from pubguard.api.demo import DEMO_PASSWORD, DEMO_USERS, seed
    from pubguard.api.demo_registers import REGISTER_USERS
    from pubguard.review import ReviewService

    svc = ReviewService(_settings(data, database_url).review_settings())
    try:
        summary = seed(svc, samples)
    finally:
        svc.close()
    typer.echo(f"演示数据就绪：新建用户 {summary['users']} 个，新建稿件 {summary['drafts']} 件。")
    typer.echo(
        f"演示账号（密码均为 {DEMO_PASSWORD}）："
        + "、".join(f"{u}（{label}）" for u, label, _ in [*DEMO_USERS, *REGISTER_USERS])
    )


def register(app: typer.Typer) -> None:
    """Mount the web-service commands on the main `pubguard` CLI."""
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.command("demo-seed")(demo_seed)
    app.add_typer(user_app, name="user")
