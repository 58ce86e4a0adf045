"""Fixtures for the knowledge tests: one default encoder folder per test session (building takes ~10 s)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from knowledge.store import ArticleStore


@pytest.fixture(scope="session")
def encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from knowledge.embedding import build_default_encoder

    cached = os.environ.get("HOTLINE_ENCODER_CACHE")
    target = Path(cached) if cached else tmp_path_factory.mktemp("encoder") / "e5"
    return build_default_encoder(target)


@pytest.fixture(scope="session")
def encoder(encoder_dir: Path):  # type: ignore[no-untyped-def]
    from knowledge.embedding import load_encoder

    return load_encoder(str(encoder_dir))


@pytest.fixture(scope="session")
def _postgres_kb_url() -> Iterator[str]:
    """One PostgreSQL database for the knowledge tests of this session, dropped at the end."""
    from sqlalchemy import create_engine, text

    from tests.conftest import POSTGRES_ADMIN_URL, unavailable

    name = f"hotline_kb_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        unavailable("PostgreSQL", error)
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ArticleStore]:
    """An empty article store on SQLite or on the machine's PostgreSQL (tables emptied per test)."""
    from knowledge.db import metadata
    from knowledge.store import ArticleStore

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    else:
        url = request.getfixturevalue("_postgres_kb_url")
    s = ArticleStore.from_url(url)
    s.create_schema()
    try:
        yield s
    finally:
        with s.engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
        s.dispose()
