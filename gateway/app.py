"""The FastAPI application: the only place that turns the product into HTTP."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from channels import BUILTIN_CHANNELS
from channels.base import ChannelServices
from channels.errors import ChannelError
from channels.web import WebSettings
from gateway import __version__
from gateway.api.outages import install_outage_handlers
from gateway.limits import BodySizeLimit
from gateway.logging_setup import configure_logging
from gateway.observability import RequestContext
from gateway.runtime import Runtime
from gateway.settings import Settings, get_settings

log = logging.getLogger(__name__)
_STATIC = Path(__file__).with_name("static")

# API routers of the gateway, mounted in this order (channels mount their own from the channel registry).
# Each entry is a module exposing `router: APIRouter`.
_ROUTERS: list[str] = [
    "gateway.api.health",
    "gateway.api.auth",
    "gateway.api.agents",
    "gateway.api.workorders",
    "gateway.api.events",
    "gateway.api.reports",
    "gateway.api.linkage",
    "gateway.api.metrics",
    "gateway.api.knowledge",
    "gateway.api.desk",
    "gateway.api.dashboard",
    "gateway.api.training",
    "gateway.api.pages",
]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import httpx

        runtime = await to_thread.run_sync(Runtime.build, settings)
        shutdown: list[Callable[[], Awaitable[None]]] = []
        http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))
        services = ChannelServices(
            intake=runtime.intake,
            broadcast=runtime.state.pubsub,
            dedup=runtime.state.dedup,
            rate_limits=runtime.state.rate_limits,
            sessions=runtime.state.sessions,
            http=http,
            register_sender=runtime.senders.__setitem__,
            on_shutdown=shutdown.append,
        )
        app.state.runtime = runtime
        app.state.intake = runtime.intake
        for channel in BUILTIN_CHANNELS.values():
            setup = getattr(channel, "setup", None)
            if setup is not None:
                await setup(app, services)
        await runtime.start(settings.embedded_workers)
        log.info("gateway ready: store=%s state=%s", runtime.store.engine.dialect.name, runtime.state.kind)
        try:
            yield
        finally:
            for close in reversed(shutdown):
                await close()
            await runtime.stop()
            await http.aclose()

    app = FastAPI(
        title="12345 hotline intake gateway",
        version=__version__,
        description="Omnichannel intake for 12345 government service hotlines (GB/T 44190-2024).",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.web_settings = WebSettings(
        max_text_chars=settings.max_text_chars,
        max_body_bytes=settings.max_body_bytes,
        reply_budget_seconds=settings.web_reply_budget_seconds,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Authorization", "X-Request-Id"],
        )
    app.add_middleware(RequestContext)
    for module_name in _ROUTERS:
        app.include_router(importlib.import_module(module_name).router)
    for channel in BUILTIN_CHANNELS.values():
        app.include_router(channel.router)
    _mount_static(app)
    _install_error_handlers(app)
    install_outage_handlers(app)
    return app


def _mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=_STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def chat_page() -> FileResponse:
        return FileResponse(_STATIC / "index.html", media_type="text/html; charset=utf-8")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ChannelError)
    async def channel_error(_request: Request, error: ChannelError) -> JSONResponse:
        return JSONResponse({"error": {"code": error.code, "detail": error.detail}}, status_code=error.status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        return JSONResponse({"error": {"code": "invalid_payload", "detail": problems}}, status_code=422)
