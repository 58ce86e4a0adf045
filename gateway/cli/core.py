"""Core commands: serve, worker, prepare, db upgrade, version."""

from __future__ import annotations

import asyncio
import signal
from typing import TYPE_CHECKING, Any

import typer

from gateway import __version__

if TYPE_CHECKING:
    from gateway.worker import WorkerTiming

db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(worker)
    app.command()(prepare)
    app.command()(version)
    app.add_typer(db_app, name="db")


def serve(
    host: str = typer.Option(None, help="Interface to bind (default HOTLINE_HOST, 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default HOTLINE_PORT, 8000)."),
    workers: int = typer.Option(None, help="Embedded queue workers in this process (HOTLINE_EMBEDDED_WORKERS)."),
) -> None:
    """Run the gateway: HTTP API, channels, chat page and embedded workers."""
    import uvicorn

    from gateway.app import create_app
    from gateway.settings import get_settings

    settings = get_settings()
    if workers is not None:
        settings.embedded_workers = workers
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        # uvicorn's own loggers (access lines, "Exception in ASGI application" tracebacks) go through the
        # app's handler: JSON when asked, personal data masked. Its default config bypassed both.
        log_config=None,
    )


def _duration(default: float, envvar: str, help: str) -> Any:
    """A worker timing in seconds, also read from the environment (deployments set them there)."""
    return typer.Option(default, min=0.1, envvar=envvar, help=help)


def worker(
    concurrency: int = typer.Option(2, min=1, max=64, help="Concurrent consumers in this process."),
    reclaim_idle: float = _duration(
        60.0,
        "HOTLINE_WORKER_RECLAIM_IDLE_SECONDS",
        "Take over queue entries another worker read and left idle this long (it crashed).",
    ),
    reconcile_every: float = _duration(
        30.0,
        "HOTLINE_WORKER_RECONCILE_EVERY_SECONDS",
        "How often to reclaim idle entries and look for unfinished inbox rows.",
    ),
    reconcile_after: float = _duration(
        120.0,
        "HOTLINE_WORKER_RECONCILE_AFTER_SECONDS",
        "Queue an inbox row again when it is still unfinished this long after it arrived.",
    ),
    claim_stale: float = _duration(
        120.0,
        "HOTLINE_WORKER_CLAIM_STALE_SECONDS",
        "A processing claim older than this belongs to a crashed worker and may be taken over.",
    ),
) -> None:
    """Consume the intake queue (Redis Streams) outside the gateway; run as many as the load needs.

    SIGTERM or Ctrl+C stops taking new entries and finishes the messages in hand before exiting.
    """
    from gateway.logging_setup import configure_logging
    from gateway.settings import get_settings
    from gateway.worker import WorkerTiming

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    if not settings.redis_url:
        typer.echo(
            "hotline worker needs HOTLINE_REDIS_URL: without Redis the queue lives inside `hotline serve`.",
            err=True,
        )
        raise typer.Exit(2)
    timing = WorkerTiming(
        reclaim_idle_ms=int(reclaim_idle * 1000),
        reconcile_every_seconds=reconcile_every,
        reconcile_after_seconds=reconcile_after,
        claim_stale_seconds=claim_stale,
    )
    asyncio.run(_run_worker(concurrency, timing))


async def _run_worker(concurrency: int, timing: WorkerTiming) -> None:
    import httpx
    from anyio import to_thread
    from fastapi import FastAPI

    from gateway.runtime import Runtime
    from gateway.settings import get_settings

    settings = get_settings()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    runtime = await to_thread.run_sync(Runtime.build, settings)
    # The channels' senders push replies finished after the gateway stopped waiting; they keep their
    # state on an app object, which this process never serves.
    holder = FastAPI()
    holder.state.settings = settings
    http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))
    shutdown = await runtime.setup_channels(holder, http)
    try:
        await runtime.start(concurrency, timing)
        typer.echo(f"worker consuming with {concurrency} consumers; Ctrl+C stops after the messages in hand")
        await stop.wait()
        typer.echo("worker stopping: finishing the messages in hand")
        await runtime.drain()
    finally:
        for close in reversed(shutdown):
            await close()
        await runtime.close()
        await http.aclose()


def prepare() -> None:
    """Apply migrations and build what the configuration needs: classifier model, encoder, indexes."""
    from gateway.prepare import prepare_all
    from gateway.settings import get_settings

    for line in prepare_all(get_settings()):
        typer.echo(line)


def version() -> None:
    """Print the version."""
    typer.echo(__version__)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply database migrations (SQLite under HOTLINE_DATA_DIR or HOTLINE_DATABASE_URL)."""
    from gateway.settings import get_settings
    from gateway.store import upgrade_database
    from gateway.store.database import current_revision

    settings = get_settings()
    url = settings.resolved_database_url
    upgrade_database(url, revision)
    typer.echo(f"database at revision {current_revision(url)}")


@db_app.command("current")
def db_current() -> None:
    """Print the database's migration revision."""
    from gateway.settings import get_settings
    from gateway.store.database import current_revision

    typer.echo(current_revision(get_settings().resolved_database_url) or "empty")
