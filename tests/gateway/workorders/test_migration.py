"""Migration 0003 and later ones apply, revert and apply again on SQLite and PostgreSQL, keeping orders."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from gateway.store import create_engine_for, upgrade_database
from gateway.store.database import alembic_config, current_revision
from tests.gateway.workorders.conftest import OpenOrder


def test_upgrade_downgrade_upgrade(database_url: str, open_order: OpenOrder) -> None:
    # open_order's store fixture has already migrated to head and can open an order.
    ticket = open_order()
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    assert head is not None and head >= "0003"
    assert current_revision(database_url) == head
    command.downgrade(alembic_config(database_url), "0002")
    engine = create_engine_for(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert not {"users", "api_tokens", "work_order_notes", "linkage_deliveries"} & tables
        columns = {c["name"] for c in inspect(engine).get_columns("work_orders")}
        assert "assignee" not in columns and "ticket" in columns
    finally:
        engine.dispose()
    upgrade_database(database_url)
    assert current_revision(database_url) == head
    engine = create_engine_for(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT ticket, supervision_count FROM work_orders").all()
        assert [tuple(r) for r in rows] == [(ticket, 0)]
    finally:
        engine.dispose()
