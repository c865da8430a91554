"""The FastAPI application factory. `create_app(settings)` wires the review service, the scan
worker pool (started and stopped with the app), the API routers under /api/v1, the web UI and
the static files (htmx is vendored: no CDN)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pubguard import __version__
from pubguard.api.deps import BodyLimitMiddleware
from pubguard.api.documents import DocumentViews
from pubguard.api.errors import NulGuard, install_error_handlers
from pubguard.api.security import LoginThrottle, load_secret
from pubguard.api.settings import ApiSettings
from pubguard.review import ReviewService
from pubguard.review.jobs import WorkerPool, startup_recovery

STATIC_DIR = Path(__file__).parent / "static"
MULTIPART_SLACK = 1024 * 1024  # form fields and boundaries around the file

DESCRIPTION = """PubGuard 发布审核服务接口（三审三校、公开属性、发布把关、审计）。

认证：`POST /api/v1/auth/token` 获取令牌后以 `Authorization: Bearer <令牌>` 调用；浏览器登录
（`/api/v1/auth/login`）使用 HTTP-only 会话 Cookie，修改类请求须带 `X-CSRF-Token` 请求头。

错误统一为 `{"code": ..., "message": "中文说明", "details": {...}}`；审核所依据的版本已过期时返回
409 `stale_version`。"""


class SecurityHeaders:
    """Conservative headers on every response: no framing, no MIME sniffing, scripts only from
    this origin (htmx is served locally)."""

    HEADERS = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
    ]
    CSP = (
        b"default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        b"script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )
    # Swagger UI's page starts it with an inline script; every asset is local (no https: sources).
    DOCS_CSP = b"default-src 'self' 'unsafe-inline' data:; frame-ancestors 'none'"

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith(("/docs", "/redoc"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                for k, v in self.HEADERS:
                    if k not in names:
                        headers.append((k, v))
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", self.DOCS_CSP if docs else self.CSP))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _mount_docs(app: FastAPI) -> None:
    """OpenAPI UI at /docs from the vendored Swagger UI 5 (static/swagger/: 5.x renders the
    OpenAPI 3.1 documents FastAPI produces; the 4.x of the swagger-ui-bundle package showed
    "Unable to render this definition"). No CDN: the docs work without Internet access."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="PubGuard 接口文档",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )


def create_app(settings: ApiSettings | None = None, *, service: ReviewService | None = None) -> FastAPI:
    settings = settings or ApiSettings()
    own_service = service is None
    svc = service or ReviewService(settings.review_settings(), scanner=settings.scanner, clock=settings.clock)
    pool = WorkerPool(
        svc, settings.worker_threads, poll_seconds=settings.worker_poll_seconds, scanner=settings.scanner
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        if settings.worker_threads > 0:
            pool.start()  # re-queues orphaned scans and reconciles interrupted releases
        else:
            startup_recovery(svc)
        app.state.views.sweep()  # page cache of archived drafts / past its retention
        try:
            yield
        finally:
            pool.stop()
            app.state.check_jobs.shutdown()
            if own_service:
                svc.close()

    app = FastAPI(
        title="PubGuard 发布审核服务",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # served below from the local Swagger UI bundle (no CDN)
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.service = svc
    app.state.pool = pool
    app.state.secret = load_secret(Path(settings.data_dir))
    app.state.views = DocumentViews(
        settings.cache_dir / "pages",
        settings.scan_config,
        settings.render_dpi,
        settings.max_render_pages,
        max_age_days=settings.page_cache_days,
        live=svc.live_version_shas,
    )
    from pubguard.api.checks import CheckJobs

    if settings.scanner is not None:
        scan = settings.scanner
    else:
        from pubguard.scan import scan_bytes as scan
    app.state.check_jobs = CheckJobs(
        Path(settings.data_dir) / "check-jobs",
        scan,
        settings.scan_config,
        ttl_seconds=settings.check_job_ttl_seconds,
        isolate=settings.scanner is None,
    )
    app.state.throttle = LoginThrottle(
        svc, settings.login_max_failures, settings.login_window_seconds, settings.login_max_failures_per_ip
    )
    install_error_handlers(app)

    from pubguard.api import (
        ui,
        ui_attachments,
        ui_clean,
        ui_duty,
        ui_foi,
        ui_interaction,
        ui_notify,
        ui_users,
    )
    from pubguard.api.routers import (
        attachments,
        audit,
        auth,
        check,
        clean,
        disclosure,
        drafts,
        duty,
        findings,
        foi,
        info_class,
        interaction,
        interpretation,
        notifications,
        releases,
        reports,
        versions,
        workflow,
    )

    for module in (
        auth,
        drafts,
        versions,
        attachments,
        clean,
        findings,
        workflow,
        disclosure,
        releases,
        audit,
        reports,
        check,
        notifications,
    ):
        app.include_router(module.router, prefix="/api/v1")
    app.include_router(interaction.router, prefix="/api/v1")
    for module in (info_class, interpretation, duty):  # 分级审批, 政策解读, 值班读网, 登记 (issue 15)
        app.include_router(module.router, prefix="/api/v1")
    app.include_router(foi.router, prefix="/api/v1")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _mount_docs(app)
    app.include_router(ui.router)
    app.include_router(ui_clean.router)
    app.include_router(ui_duty.router)
    app.include_router(ui_interaction.router)
    app.include_router(ui_foi.router)
    app.include_router(ui_users.router)
    app.include_router(ui_notify.router)
    app.include_router(ui_attachments.router)

    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_upload_bytes + MULTIPART_SLACK,
        file_limit=settings.max_upload_bytes,
    )
    app.add_middleware(NulGuard)
    app.add_middleware(SecurityHeaders)
    return app
