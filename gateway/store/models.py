"""SQLAlchemy 2 table definitions of the gateway. Migrations in gateway/store/migrations mirror these."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    # The channel's notion of one conversation: web session id, WeChat openid, phone number, mail thread.
    session_key: Mapped[str] = mapped_column(String(255))
    sender: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_message_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("channel", "session_key", name="uq_conversations_channel_session"),)


class InboundMessage(Base):
    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(255))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    sender: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32), default="text")
    text: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Channel details a later reply needs (mail subject and thread, WeChat app id, SMS provider).
    meta: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # received -> processing -> done | failed
    status: Mapped[str] = mapped_column(String(16), default="received")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    # Who delivers the reply: NULL (undecided), "ready" (the waiting request), "async" (the processor).
    delivery: Mapped[str | None] = mapped_column(String(16), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # A pushed ("async") reply (migration 0004): who holds the push since when, how many tries, when the
    # channel took it. Outcome stored + delivery "async" + no delivered_at = a push the reconciler owes.
    push_claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    push_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_inbound_channel_external_id"),
        Index("ix_inbound_status_received", "status", "received_at"),
        Index("ix_inbound_conversation", "conversation_id", "id"),
        Index("ix_inbound_delivery_pending", "delivery", "delivered_at"),
    )


class WorkOrder(Base):
    __tablename__ = "work_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket: Mapped[str] = mapped_column(String(32), unique=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    # One citizen message opens at most one work order, whatever the retries.
    inbound_message_id: Mapped[int] = mapped_column(ForeignKey("inbound_messages.id"), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    appeal_type: Mapped[str] = mapped_column(String(16))
    category_l1: Mapped[str] = mapped_column(String(64))
    category_l2: Mapped[str | None] = mapped_column(String(64), nullable=True)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    department: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="受理")
    deadline: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(64), nullable=True)
    entities: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Details the dialogue collected (location, time, contact, employer ...) and the citizen's 保密 choice.
    details: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    confidential: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    # Lifecycle columns (migration 0003, additive): who holds the order, what was answered, how it was rated.
    assignee: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reply_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    callback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rating: Mapped[str | None] = mapped_column(String(16), nullable=True)
    rating_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    rated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # A pending 延期 request: working days asked for and why (cleared when approved or rejected).
    extension_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    extension_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    warned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    supervised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    supervision_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Duplicate appeals (same place and category within a window) point at the first order: a hot spot.
    place_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    duplicate_of: Mapped[str | None] = mapped_column(String(32), nullable=True)

    __table_args__ = (
        Index("ix_work_orders_status", "status", "deadline"),
        Index("ix_work_orders_department", "department", "status"),
        Index("ix_work_orders_place", "category_l1", "place_key"),
        Index("ix_work_orders_duplicate_of", "duplicate_of"),
    )


class EmergencyReferral(Base):
    __tablename__ = "emergency_referrals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inbound_message_id: Mapped[int] = mapped_column(ForeignKey("inbound_messages.id"), unique=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    services: Mapped[list[str]] = mapped_column(JSON)
    severity: Mapped[str] = mapped_column(String(16))
    evidence: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # pending -> pushed | failed (linkage webhooks)
    linkage_status: Mapped[str] = mapped_column(String(16), default="pending")


class TicketSequence(Base):
    """Per-day counter behind ticket numbers such as 12345-20261128-000123."""

    __tablename__ = "ticket_sequences"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Event(Base):
    """Audit log: every state change with its actor."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(128))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_events_subject", "subject_type", "subject_id"),)


# -- work orders, users and linkage (migration 0003) -----------------------------------------------


class User(Base):
    """A person or system working the queue: agent, department handler, supervisor, maintainer, admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    # Argon2id hash; NULL for accounts that only use API tokens.
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    role: Mapped[str] = mapped_column(String(16))
    # Department handlers see only the orders of this department.
    department: Mapped[str | None] = mapped_column(String(128), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """Long-lived tokens for systems (department back offices, linkage gateways); only a hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, shown in listings so people can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WorkOrderNote(Base):
    """Notes on a work order: internal remarks and the replies sent to the citizen."""

    __tablename__ = "work_order_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket: Mapped[str] = mapped_column(ForeignKey("work_orders.ticket"))
    author: Mapped[str] = mapped_column(String(64))
    # note (internal) | reply (sent to the citizen)
    kind: Mapped[str] = mapped_column(String(16), default="note")
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_work_order_notes_ticket", "ticket", "id"),)


class LinkageDelivery(Base):
    """One push to a linkage endpoint (110/119/120/122, a utility, 好差评), retried with backoff."""

    __tablename__ = "linkage_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # emergency | utility | rating
    kind: Mapped[str] = mapped_column(String(16))
    # The referral id or the ticket the push is about.
    subject: Mapped[str] = mapped_column(String(64))
    # The configured endpoint key: 110, 119, 120, 122, water, power, gas, heating, telecom, rating.
    target: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    # pending -> delivered | failed
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A sender holds the row until then; another process may take it over afterwards.
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (
        UniqueConstraint("kind", "subject", "target", name="uq_linkage_kind_subject_target"),
        Index("ix_linkage_status_next", "status", "next_attempt_at"),
    )
