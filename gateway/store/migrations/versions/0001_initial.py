"""Gateway tables: conversations, inbound messages, work orders, emergency referrals, tickets, events.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("session_key", sa.String(255), nullable=False),
        sa.Column("sender", sa.String(255), nullable=False),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("last_message_at", _TS, nullable=False),
        sa.UniqueConstraint("channel", "session_key", name="uq_conversations_channel_session"),
    )
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("conversation_id", sa.String(36), sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("sender", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("contact", sa.String(64), nullable=True),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("claimed_at", _TS, nullable=True),
        sa.Column("processed_at", _TS, nullable=True),
        sa.Column("outcome", sa.JSON, nullable=True),
        sa.Column("delivery", sa.String(16), nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.UniqueConstraint("channel", "external_id", name="uq_inbound_channel_external_id"),
    )
    op.create_index("ix_inbound_status_received", "inbound_messages", ["status", "received_at"])
    op.create_index("ix_inbound_conversation", "inbound_messages", ["conversation_id", "id"])
    op.create_table(
        "work_orders",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket", sa.String(32), nullable=False, unique=True),
        sa.Column("conversation_id", sa.String(36), sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column(
            "inbound_message_id",
            sa.Integer,
            sa.ForeignKey("inbound_messages.id"),
            nullable=False,
            unique=True,
        ),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("appeal_type", sa.String(16), nullable=False),
        sa.Column("category_l1", sa.String(64), nullable=False),
        sa.Column("category_l2", sa.String(64), nullable=True),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("department", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("contact", sa.String(64), nullable=True),
        sa.Column("entities", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("confidential", sa.Boolean, nullable=True),
    )
    op.create_index("ix_work_orders_status", "work_orders", ["status", "deadline"])
    op.create_table(
        "emergency_referrals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "inbound_message_id",
            sa.Integer,
            sa.ForeignKey("inbound_messages.id"),
            nullable=False,
            unique=True,
        ),
        sa.Column("conversation_id", sa.String(36), sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("services", sa.JSON, nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("linkage_status", sa.String(16), nullable=False),
    )
    op.create_table(
        "ticket_sequences",
        sa.Column("day", sa.String(8), primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("subject_type", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_events_subject", "events", ["subject_type", "subject_id"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("ticket_sequences")
    op.drop_table("emergency_referrals")
    op.drop_index("ix_work_orders_status", table_name="work_orders")
    op.drop_table("work_orders")
    op.drop_index("ix_inbound_conversation", table_name="inbound_messages")
    op.drop_index("ix_inbound_status_received", table_name="inbound_messages")
    op.drop_table("inbound_messages")
    op.drop_table("conversations")
