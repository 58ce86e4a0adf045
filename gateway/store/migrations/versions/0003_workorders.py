"""Work-order lifecycle columns, users and API tokens, notes, linkage deliveries.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)

# Additive only: every new work_orders column is nullable or has a server default.
_WORK_ORDER_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("assignee", sa.String(64)),
    ("reply_text", sa.Text()),
    ("completed_at", _TS),
    ("callback_at", _TS),
    ("archived_at", _TS),
    ("rating", sa.String(16)),
    ("rating_reason", sa.Text()),
    ("rated_at", _TS),
    ("extension_days", sa.Integer()),
    ("extension_reason", sa.Text()),
    ("warned_at", _TS),
    ("supervised_at", _TS),
    ("place_key", sa.String(128)),
    ("duplicate_of", sa.String(32)),
)


def upgrade() -> None:
    with op.batch_alter_table("work_orders") as batch:
        for name, type_ in _WORK_ORDER_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
        batch.add_column(sa.Column("supervision_count", sa.Integer(), nullable=False, server_default="0"))
    op.create_index("ix_work_orders_department", "work_orders", ["department", "status"])
    op.create_index("ix_work_orders_place", "work_orders", ["category_l1", "place_key"])
    op.create_index("ix_work_orders_duplicate_of", "work_orders", ["duplicate_of"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("department", sa.String(128), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=True),
        sa.Column("last_used_at", _TS, nullable=True),
        sa.Column("revoked_at", _TS, nullable=True),
    )
    op.create_table(
        "work_order_notes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket", sa.String(32), sa.ForeignKey("work_orders.ticket"), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", _TS, nullable=False),
    )
    op.create_index("ix_work_order_notes_ticket", "work_order_notes", ["ticket", "id"])
    op.create_table(
        "linkage_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("target", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", _TS, nullable=False),
        sa.Column("claimed_until", _TS, nullable=True),
        sa.Column("response_status", sa.Integer, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("delivered_at", _TS, nullable=True),
        sa.UniqueConstraint("kind", "subject", "target", name="uq_linkage_kind_subject_target"),
    )
    op.create_index("ix_linkage_status_next", "linkage_deliveries", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_linkage_status_next", table_name="linkage_deliveries")
    op.drop_table("linkage_deliveries")
    op.drop_index("ix_work_order_notes_ticket", table_name="work_order_notes")
    op.drop_table("work_order_notes")
    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_index("ix_work_orders_duplicate_of", table_name="work_orders")
    op.drop_index("ix_work_orders_place", table_name="work_orders")
    op.drop_index("ix_work_orders_department", table_name="work_orders")
    with op.batch_alter_table("work_orders") as batch:
        batch.drop_column("supervision_count")
        for name, _type in reversed(_WORK_ORDER_COLUMNS):
            batch.drop_column(name)
