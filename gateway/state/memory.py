"""In-process twins of the Redis state: same behaviour, one process, nothing survives a restart."""

from __future__ import annotations

import asyncio
import copy
import itertools
import time
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import AsyncIterator
from typing import Any

from gateway.state.base import QueueEntry


class _Expiring:
    def __init__(self) -> None:
        self._data: dict[str, tuple[float, Any]] = {}

    def get(self, key: str) -> Any | None:
        item = self._data.get(key)
        if item is None:
            return None
        expires, value = item
        if expires <= time.monotonic():
            del self._data[key]
            return None
        return value

    def put(self, key: str, value: Any, ttl_seconds: float) -> None:
        self._data[key] = (time.monotonic() + ttl_seconds, value)

    def pop(self, key: str) -> None:
        self._data.pop(key, None)


class MemorySessionStore:
    def __init__(self) -> None:
        self._items = _Expiring()

    async def get(self, key: str) -> dict[str, Any] | None:
        value = self._items.get(key)
        return copy.deepcopy(value) if value is not None else None

    async def set(self, key: str, value: dict[str, Any], ttl_seconds: int) -> None:
        self._items.put(key, copy.deepcopy(value), ttl_seconds)

    async def delete(self, key: str) -> None:
        self._items.pop(key)


class MemoryDeduper:
    def __init__(self) -> None:
        self._items = _Expiring()

    async def first_seen(self, key: str, ttl_seconds: int) -> bool:
        if self._items.get(key) is not None:
            return False
        self._items.put(key, True, ttl_seconds)
        return True

    async def forget(self, key: str) -> None:
        self._items.pop(key)


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._counts = _Expiring()

    async def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        window = int(time.time() // window_seconds)
        bucket = f"{key}:{window}"
        count = int(self._counts.get(bucket) or 0) + 1
        self._counts.put(bucket, count, window_seconds)
        return count <= limit


class MemoryQueue:
    """A consumer-group queue: entries stay pending until acknowledged and can be reclaimed when idle."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._waiting: OrderedDict[str, dict[str, str]] = OrderedDict()
        self._pending: dict[str, tuple[str, float, dict[str, str]]] = {}
        self._available = asyncio.Condition()

    async def publish(self, fields: dict[str, str]) -> str:
        entry_id = f"{int(time.time() * 1000)}-{next(self._ids)}"
        async with self._available:
            self._waiting[entry_id] = dict(fields)
            self._available.notify()
        return entry_id

    async def consume(self, consumer: str, count: int, block_ms: int) -> list[QueueEntry]:
        async with self._available:
            if not self._waiting and block_ms > 0:
                try:
                    await asyncio.wait_for(self._available.wait(), block_ms / 1000)
                except TimeoutError:
                    return []
            entries: list[QueueEntry] = []
            while self._waiting and len(entries) < count:
                entry_id, fields = self._waiting.popitem(last=False)
                self._pending[entry_id] = (consumer, time.monotonic(), fields)
                entries.append(QueueEntry(entry_id, fields))
            return entries

    async def ack(self, entry_id: str) -> None:
        self._pending.pop(entry_id, None)

    async def reclaim(self, consumer: str, min_idle_ms: int, count: int) -> list[QueueEntry]:
        now = time.monotonic()
        taken: list[QueueEntry] = []
        for entry_id, (_owner, since, fields) in list(self._pending.items()):
            if len(taken) >= count:
                break
            if (now - since) * 1000 >= min_idle_ms:
                self._pending[entry_id] = (consumer, now, fields)
                taken.append(QueueEntry(entry_id, fields))
        return taken

    async def depth(self) -> int:
        return len(self._waiting) + len(self._pending)


class MemoryLocks:
    def __init__(self) -> None:
        self._held: dict[str, tuple[str, float]] = {}

    async def acquire(self, key: str, ttl_ms: int, wait_ms: int) -> str | None:
        deadline = time.monotonic() + wait_ms / 1000
        token = uuid.uuid4().hex
        while True:
            now = time.monotonic()
            holder = self._held.get(key)
            if holder is None or holder[1] <= now:
                self._held[key] = (token, now + ttl_ms / 1000)
                return token
            if now >= deadline:
                return None
            await asyncio.sleep(0.01)

    async def release(self, key: str, token: str) -> None:
        holder = self._held.get(key)
        if holder is not None and holder[0] == token:
            del self._held[key]


class MemoryPubSub:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[str]]] = defaultdict(set)

    async def publish(self, channel: str, data: str) -> None:
        for queue in list(self._subscribers.get(channel, ())):
            queue.put_nowait(data)

    async def subscribe(self, channel: str) -> AsyncIterator[str]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._subscribers[channel].add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._subscribers[channel].discard(queue)
