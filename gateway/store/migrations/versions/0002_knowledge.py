"""Knowledge base tables: articles, their version history, and the shared revision counter.

Mirrors knowledge/db.py (the knowledge package's own declarative base).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("paraphrases", sa.JSON, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("category", sa.String(200), nullable=False),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("source_url", sa.String(500), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=True),
        sa.Column("valid_until", sa.Date, nullable=True),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_index("ix_kb_articles_status", "kb_articles", ["status"])
    op.create_table(
        "kb_article_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.String(64), sa.ForeignKey("kb_articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("snapshot", sa.JSON, nullable=False),
        sa.Column("at", _TS, nullable=False),
    )
    op.create_index("ix_kb_article_versions_article", "kb_article_versions", ["article_id", "id"])
    state = op.create_table(
        "kb_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Integer, nullable=False),
        sa.UniqueConstraint("key", name="uq_kb_state_key"),
    )
    op.bulk_insert(state, [{"key": "revision", "value": 0}])


def downgrade() -> None:
    op.drop_table("kb_state")
    op.drop_index("ix_kb_article_versions_article", table_name="kb_article_versions")
    op.drop_table("kb_article_versions")
    op.drop_index("ix_kb_articles_status", table_name="kb_articles")
    op.drop_table("kb_articles")
