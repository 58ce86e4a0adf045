"""Redis implementations of the shared state; every key is prefixed and carries a TTL."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from gateway.state.base import QueueEntry

# Streams live as long as traffic flows; an idle deployment's stream expires after a week.
_STREAM_TTL_SECONDS = 7 * 24 * 3600


class RedisSessionStore:
    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self._prefix = f"{prefix}:session:"

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = await self._client.get(self._prefix + key)
        if raw is None:
            return None
        value: dict[str, Any] = json.loads(raw)
        return value

    async def set(self, key: str, value: dict[str, Any], ttl_seconds: int) -> None:
        await self._client.set(self._prefix + key, json.dumps(value, ensure_ascii=False), ex=ttl_seconds)

    async def delete(self, key: str) -> None:
        await self._client.delete(self._prefix + key)

    async def close(self) -> None:
        await self._client.aclose()


class RedisDeduper:
    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self._prefix = f"{prefix}:dedup:"

    async def first_seen(self, key: str, ttl_seconds: int) -> bool:
        return bool(await self._client.set(self._prefix + key, "1", nx=True, ex=ttl_seconds))

    async def forget(self, key: str) -> None:
        await self._client.delete(self._prefix + key)


class RedisRateLimiter:
    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self._prefix = f"{prefix}:rate:"

    async def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        name = self._prefix + key
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_seconds, nx=True)
            count, _ = await pipe.execute()
        return int(count) <= limit


class RedisQueue:
    """Redis Streams with one consumer group: many gateways publish, many workers consume."""

    def __init__(self, client: Redis, prefix: str, group: str = "workers") -> None:
        self._client = client
        self._stream = f"{prefix}:intake"
        self._group = group
        self._group_ready = False

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self._client.xgroup_create(self._stream, self._group, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        await self._client.expire(self._stream, _STREAM_TTL_SECONDS)
        self._group_ready = True

    async def publish(self, fields: dict[str, str]) -> str:
        await self._ensure_group()
        entry_id = await self._client.xadd(self._stream, fields)  # type: ignore[arg-type]
        await self._client.expire(self._stream, _STREAM_TTL_SECONDS)
        return str(entry_id)

    async def consume(self, consumer: str, count: int, block_ms: int) -> list[QueueEntry]:
        await self._ensure_group()
        try:
            response = await self._client.xreadgroup(
                self._group, consumer, {self._stream: ">"}, count=count, block=block_ms or None
            )
        except ResponseError as error:
            if "NOGROUP" not in str(error):
                raise
            # The stream vanished (Redis restarted without data): recreate the group.
            self._group_ready = False
            await self._ensure_group()
            return []
        entries: list[QueueEntry] = []
        stream_batches: list[Any] = list(response or [])
        for _stream, messages in stream_batches:
            for entry_id, fields in messages:
                entries.append(QueueEntry(_text(entry_id), {_text(k): _text(v) for k, v in fields.items()}))
        return entries

    async def ack(self, entry_id: str) -> None:
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.xack(self._stream, self._group, entry_id)
            pipe.xdel(self._stream, entry_id)
            await pipe.execute()

    async def reclaim(self, consumer: str, min_idle_ms: int, count: int) -> list[QueueEntry]:
        await self._ensure_group()
        result = await self._client.xautoclaim(
            self._stream, self._group, consumer, min_idle_time=min_idle_ms, start_id="0-0", count=count
        )
        claimed = result[1] if len(result) > 1 else []
        return [
            QueueEntry(_text(entry_id), {_text(k): _text(v) for k, v in fields.items()})
            for entry_id, fields in claimed
            if fields is not None
        ]

    async def depth(self) -> int:
        await self._ensure_group()
        return int(await self._client.xlen(self._stream))


# Delete the lock only if it still holds our token: an expired lock may have passed to another worker.
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


class RedisLocks:
    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self._prefix = f"{prefix}:lock:"

    async def acquire(self, key: str, ttl_ms: int, wait_ms: int) -> str | None:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + wait_ms / 1000
        while True:
            if await self._client.set(self._prefix + key, token, nx=True, px=ttl_ms):
                return token
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(0.02)

    async def release(self, key: str, token: str) -> None:
        await self._client.eval(_RELEASE, 1, self._prefix + key, token)


class RedisPubSub:
    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self._prefix = f"{prefix}:events:"

    async def publish(self, channel: str, data: str) -> None:
        await self._client.publish(self._prefix + channel, data)

    async def subscribe(self, channel: str) -> AsyncIterator[str]:
        pubsub = self._client.pubsub()
        await pubsub.subscribe(self._prefix + channel)
        try:
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    yield _text(message["data"])
        finally:
            await pubsub.unsubscribe()
            await pubsub.aclose()  # type: ignore[no-untyped-call]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
