"""Alembic environment: the gateway's tables plus those the knowledge package owns."""

from __future__ import annotations

import importlib

from alembic import context
from sqlalchemy import MetaData

from gateway.store.database import create_engine_for
from gateway.store.models import Base

config = context.config


def _target_metadata() -> list[MetaData]:
    metadata = [Base.metadata]
    try:
        knowledge_db = importlib.import_module("knowledge.db")
    except ModuleNotFoundError:
        return metadata
    metadata.append(knowledge_db.metadata)
    return metadata


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is set by gateway.store.database.alembic_config"
    engine = create_engine_for(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=_target_metadata(),
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
