"""Migration 0002 creates exactly the tables knowledge/db.py declares."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from knowledge.db import metadata
from knowledge.models import ArticleContent
from knowledge.store import ArticleStore


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    from gateway.store.database import upgrade_database

    url = (
        f"sqlite:///{tmp_path / 'm.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    )
    upgrade_database(url)
    return url


def test_schema_matches_the_models(migrated_url: str) -> None:
    engine = create_engine(migrated_url)
    try:
        with engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection), metadata)
        ours = [d for d in diffs if "kb_" in repr(d)]
        assert ours == []
    finally:
        engine.dispose()


def test_store_works_on_the_migrated_database(migrated_url: str) -> None:
    store = ArticleStore.from_url(migrated_url)
    try:
        assert store.revision() == 0
        store.create(ArticleContent(title="结婚登记", question="结婚登记需要带什么材料？", answer="身份证。"), "m")
        assert store.revision() == 1
    finally:
        store.dispose()
