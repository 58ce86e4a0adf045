"""Shared fixtures: real PostgreSQL and Redis servers, each test with its own database or key prefix.

HOTLINE_REQUIRE_SERVICES=1 (set by CI) turns a missing server into a failure instead of a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from gateway.settings import Settings

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Building the knowledge index encodes every article (a minute on 2 cores): apps in tests run without the
# knowledge base unless a test turns it on with the shared `knowledge_index_dir`.
os.environ.setdefault("HOTLINE_KNOWLEDGE_ENABLED", "false")

POSTGRES_ADMIN_URL = os.environ.get(
    "HOTLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("HOTLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def services_required() -> bool:
    return os.environ.get("HOTLINE_REQUIRE_SERVICES", "") == "1"


def unavailable(what: str, error: Exception) -> None:
    message = f"{what} unreachable: {type(error).__name__}: {error}"
    if services_required():
        pytest.fail(message + " (HOTLINE_REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"hotline_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        unavailable("PostgreSQL", error)
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A unique key prefix on the machine's Redis; every key under it is deleted afterwards."""
    import redis

    prefix = f"hotline-test-{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except Exception as error:
        unavailable("Redis", error)
    try:
        yield prefix
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


@pytest.fixture(scope="session")
def trained_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in classifier trained once per test session, shared read-only by every app."""
    from classifier import train_default

    models = tmp_path_factory.mktemp("models")
    train_default(models)
    return models


@pytest.fixture
def gateway_settings(tmp_path: Path, trained_models_dir: Path) -> Settings:
    from gateway.settings import Settings

    return Settings(data_dir=tmp_path / "var", models_path=trained_models_dir, embedded_workers=2)


@pytest.fixture
def gateway_client(gateway_settings: Settings) -> Iterator[TestClient]:
    """The whole app in-process (lifespan included): SQLite, in-process twins, embedded workers."""
    from fastapi.testclient import TestClient

    from gateway.app import create_app

    with TestClient(create_app(gateway_settings)) as client:
        yield client


@pytest.fixture(scope="session")
def knowledge_index_dir(tmp_path_factory: pytest.TempPathFactory, trained_models_dir: Path) -> Path:
    """A knowledge index (and embedding cache) built once per session from the seed articles.

    Apps given this folder with their own database re-index from the warm cache instead of encoding anew.
    """
    from gateway.settings import Settings
    from gateway.store import upgrade_database
    from gateway.understanding import open_knowledge

    root = tmp_path_factory.mktemp("knowledge")
    settings = Settings(
        data_dir=root / "var",
        models_path=trained_models_dir,
        knowledge_enabled=True,
        knowledge_index_path=root / "index",
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_database(settings.resolved_database_url)
    open_knowledge(settings).close()
    return root / "index"
