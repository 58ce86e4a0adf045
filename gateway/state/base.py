"""Interfaces of the fast shared state: sessions, dedup keys, rate limits, the intake queue, pub/sub.

Each has an in-process twin (one process, tests, first run) and a Redis implementation (production);
one contract test suite runs against both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol


class SessionStore(Protocol):
    async def get(self, key: str) -> dict[str, Any] | None: ...

    async def set(self, key: str, value: dict[str, Any], ttl_seconds: int) -> None: ...

    async def delete(self, key: str) -> None: ...


class Deduper(Protocol):
    async def first_seen(self, key: str, ttl_seconds: int) -> bool:
        """True the first time a key is seen within its TTL (SET NX EX)."""
        ...

    async def forget(self, key: str) -> None: ...


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        """Count one hit; false when the key is over its limit in the current window."""
        ...


@dataclass(frozen=True)
class QueueEntry:
    entry_id: str
    fields: dict[str, str]


class IntakeQueue(Protocol):
    async def publish(self, fields: dict[str, str]) -> str: ...

    async def consume(self, consumer: str, count: int, block_ms: int) -> list[QueueEntry]: ...

    async def ack(self, entry_id: str) -> None: ...

    async def reclaim(self, consumer: str, min_idle_ms: int, count: int) -> list[QueueEntry]:
        """Take over entries another consumer read but never acknowledged (it crashed)."""
        ...

    async def depth(self) -> int:
        """Entries not yet acknowledged (waiting plus in flight)."""
        ...


class Locks(Protocol):
    async def acquire(self, key: str, ttl_ms: int, wait_ms: int) -> str | None:
        """A token when the lock is ours (it expires after ttl_ms), None if not had within wait_ms."""
        ...

    async def release(self, key: str, token: str) -> None:
        """Release only if the token still holds the lock (an expired lock may belong to someone else)."""
        ...


class PubSub(Protocol):
    async def publish(self, channel: str, data: str) -> None: ...

    def subscribe(self, channel: str) -> AsyncIterator[str]: ...


@dataclass(frozen=True)
class StateBackends:
    sessions: SessionStore
    dedup: Deduper
    rate_limits: RateLimiter
    queue: IntakeQueue
    pubsub: PubSub
    locks: Locks
    kind: str

    async def ping(self) -> None:
        await self.sessions.get("__ping__")

    async def close(self) -> None:
        closer = getattr(self.sessions, "close", None)
        if closer is not None:
            await closer()
