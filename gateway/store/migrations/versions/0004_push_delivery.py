"""Late-reply pushes are recorded: who is pushing (a claim with a time), how often, and when it went out.

A processor that decided to push a reply (delivery = 'async') and died before the channel took it left
no trace before this revision; the reconciler now finds such rows (outcome stored, not delivered) and
pushes them, one claimant at a time.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.add_column(sa.Column("push_claimed_at", _TS, nullable=True))
        batch.add_column(sa.Column("push_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("delivered_at", _TS, nullable=True))
    op.create_index("ix_inbound_delivery_pending", "inbound_messages", ["delivery", "delivered_at"])
    # Replies pushed before this revision left no record; they are taken as delivered rather than sent again.
    op.execute(
        "UPDATE inbound_messages SET delivered_at = processed_at "
        "WHERE delivery = 'async' AND outcome IS NOT NULL AND delivered_at IS NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_delivery_pending", table_name="inbound_messages")
    # Plain DROP COLUMN (SQLite >= 3.35 has it): batch mode would copy and drop inbound_messages, which the
    # work orders' foreign keys forbid while SQLite enforces them.
    for column in ("delivered_at", "push_attempts", "push_claimed_at"):
        op.drop_column("inbound_messages", column)
