"""Core commands: serve, worker, prepare, db upgrade, version."""

from __future__ import annotations

import asyncio
import signal

import typer

from gateway import __version__

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
    workers: int = typer.Option(
        None, help="Embedded queue workers in this process (HOTLINE_EMBEDDED_WORKERS)."
    ),
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
    )


def worker(
    concurrency: int = typer.Option(2, min=1, max=64, help="Concurrent consumers in this process."),
) -> None:
    """Consume the intake queue (Redis Streams) outside the gateway; run as many as the load needs."""
    from gateway.logging_setup import configure_logging
    from gateway.runtime import Runtime
    from gateway.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    if not settings.redis_url:
        typer.echo(
            "hotline worker needs HOTLINE_REDIS_URL: without Redis the queue lives inside `hotline serve`.",
            err=True,
        )
        raise typer.Exit(2)

    async def main() -> None:
        runtime = Runtime.build(settings)
        await runtime.start(concurrency)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        typer.echo(f"worker consuming with {concurrency} consumers; Ctrl+C stops after the messages in hand")
        await stop.wait()
        await runtime.stop()

    asyncio.run(main())


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
