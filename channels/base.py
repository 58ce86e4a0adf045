"""The contract between channels and the gateway: a normalised inbound Message and the Outcome to render."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

MessageKind = Literal["text", "voice", "image", "location", "link", "event", "unknown"]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Message:
    """One citizen message from any channel, normalised; `raw` keeps the payload exactly as received."""

    channel: str
    # The channel's own message id: the dedup key (WeChat MsgId, SMS id, Message-ID, web client id).
    external_id: str
    # What makes one conversation on this channel (web session id, openid, phone number, mail thread).
    session_key: str
    sender: str
    text: str
    raw: str
    kind: MessageKind = "text"
    contact: str | None = None
    received_at: datetime = field(default_factory=utcnow)
    meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[str, ...] = ()
    # "emergency" replies are shown prominently by channels that can.
    kind: Literal["text", "emergency", "ticket", "answer"] = "text"

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": list(self.buttons), "kind": self.kind}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        return cls(text=str(data["text"]), buttons=tuple(data.get("buttons", ())), kind=data.get("kind", "text"))


@dataclass(frozen=True)
class Outcome:
    """What the pipeline decided for one message; stored with the inbox row so retries get the same answer."""

    message_id: str
    replies: tuple[Reply, ...]
    emergency: dict[str, Any] | None = None
    work_order: dict[str, Any] | None = None
    pending: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["replies"] = [reply.to_dict() for reply in self.replies]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        return cls(
            message_id=str(data["message_id"]),
            replies=tuple(Reply.from_dict(r) for r in data.get("replies", ())),
            emergency=data.get("emergency"),
            work_order=data.get("work_order"),
            pending=bool(data.get("pending", False)),
        )


class Intake(Protocol):
    """What a channel hands its messages to (the gateway implements it)."""

    async def submit(self, message: Message, budget_seconds: float) -> Outcome:
        """Record durably, process, wait up to the budget; a pending Outcome means the reply comes later."""
        ...

    async def history(self, channel: str, session_key: str) -> list[dict[str, Any]]:
        """The conversation so far: each message with its outcome, oldest first."""
        ...


@dataclass(frozen=True)
class Recipient:
    """Who gets a reply that is sent later, with what the channel needs to address it."""

    channel: str
    sender: str
    external_id: str
    contact: str | None = None
    meta: dict[str, str] = field(default_factory=dict)


# Sends an outcome on its channel when the waiting request already answered "pending" (or for pushes).
Deliver = Callable[[Recipient, Outcome], Awaitable[None]]


class Broadcast(Protocol):
    """Pub/sub across gateway processes."""

    async def publish(self, channel: str, data: str) -> None: ...

    def subscribe(self, channel: str) -> AsyncIterator[str]: ...


class KeyValueGuards(Protocol):
    """Dedup keys and rate limits (Redis or the in-process twin)."""

    async def first_seen(self, key: str, ttl_seconds: int) -> bool: ...


class RateLimits(Protocol):
    async def hit(self, key: str, limit: int, window_seconds: int) -> bool: ...


@dataclass
class ChannelServices:
    """What the gateway gives each channel at startup (`setup(app, services)` in the channel module)."""

    intake: Intake
    broadcast: Broadcast
    dedup: KeyValueGuards
    rate_limits: RateLimits
    sessions: Any
    http: Any  # one shared httpx.AsyncClient for every outbound API
    register_sender: Callable[[str, Deliver], None]
    on_shutdown: Callable[[Callable[[], Awaitable[None]]], None]
