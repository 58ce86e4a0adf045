"""Shared fast state with two implementations: in-process twins and Redis."""

from __future__ import annotations

from gateway.state.base import (
    Deduper,
    IntakeQueue,
    Locks,
    PubSub,
    QueueEntry,
    RateLimiter,
    SessionStore,
    StateBackends,
)


def build_state(redis_url: str, prefix: str) -> StateBackends:
    """Redis when a URL is given, else the in-process twins."""
    if not redis_url:
        from gateway.state import memory

        return StateBackends(
            sessions=memory.MemorySessionStore(),
            dedup=memory.MemoryDeduper(),
            rate_limits=memory.MemoryRateLimiter(),
            queue=memory.MemoryQueue(),
            pubsub=memory.MemoryPubSub(),
            locks=memory.MemoryLocks(),
            kind="memory",
        )
    from redis.asyncio import Redis

    from gateway.state import redis as redis_state

    client = Redis.from_url(redis_url, decode_responses=False, health_check_interval=30)
    return StateBackends(
        sessions=redis_state.RedisSessionStore(client, prefix),
        dedup=redis_state.RedisDeduper(client, prefix),
        rate_limits=redis_state.RedisRateLimiter(client, prefix),
        queue=redis_state.RedisQueue(client, prefix),
        pubsub=redis_state.RedisPubSub(client, prefix),
        locks=redis_state.RedisLocks(client, prefix),
        kind="redis",
    )


__all__ = [
    "Deduper",
    "IntakeQueue",
    "Locks",
    "PubSub",
    "QueueEntry",
    "RateLimiter",
    "SessionStore",
    "StateBackends",
    "build_state",
]
