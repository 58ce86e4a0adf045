"""Sessions, dedup keys, rate limits, the intake queue and pub/sub: in-process twins and Redis alike."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from gateway.state import StateBackends, build_state
from tests.conftest import REDIS_URL


@pytest.fixture(params=["memory", "redis"])
async def state(request: pytest.FixtureRequest) -> AsyncIterator[StateBackends]:
    if request.param == "memory":
        backends = build_state("", "unused")
    else:
        backends = build_state(REDIS_URL, request.getfixturevalue("redis_prefix"))
    yield backends
    await backends.close()


async def test_session_round_trip_and_expiry(state: StateBackends) -> None:
    await state.sessions.set("conv:1", {"slots": {"地点": "幸福小区东门"}, "turns": 2}, ttl_seconds=1)
    assert await state.sessions.get("conv:1") == {"slots": {"地点": "幸福小区东门"}, "turns": 2}
    await asyncio.sleep(1.2)
    assert await state.sessions.get("conv:1") is None


async def test_session_values_are_copies(state: StateBackends) -> None:
    value = {"turns": 1}
    await state.sessions.set("conv:2", value, ttl_seconds=60)
    value["turns"] = 99
    assert await state.sessions.get("conv:2") == {"turns": 1}
    await state.sessions.delete("conv:2")
    assert await state.sessions.get("conv:2") is None


async def test_dedup_first_seen_once(state: StateBackends) -> None:
    assert await state.dedup.first_seen("wechat:MsgId:6054768590064713728", ttl_seconds=60)
    assert not await state.dedup.first_seen("wechat:MsgId:6054768590064713728", ttl_seconds=60)
    await state.dedup.forget("wechat:MsgId:6054768590064713728")
    assert await state.dedup.first_seen("wechat:MsgId:6054768590064713728", ttl_seconds=60)


async def test_rate_limit_counts_per_key(state: StateBackends) -> None:
    results = [await state.rate_limits.hit("sms:+8613800000000", limit=3, window_seconds=60) for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert await state.rate_limits.hit("sms:+8613900000000", limit=3, window_seconds=60)


async def test_queue_delivers_in_order_and_keeps_unacked_entries(state: StateBackends) -> None:
    for i in range(3):
        await state.queue.publish({"inbound_id": str(i)})
    first = await state.queue.consume("worker-a", count=2, block_ms=100)
    assert [e.fields["inbound_id"] for e in first] == ["0", "1"]
    await state.queue.ack(first[0].entry_id)
    rest = await state.queue.consume("worker-b", count=10, block_ms=100)
    assert [e.fields["inbound_id"] for e in rest] == ["2"]
    assert await state.queue.depth() == 2  # entry 1 (unacked) and entry 2
    await state.queue.ack(rest[0].entry_id)
    # worker-a "crashed" holding entry 1: another worker reclaims it once idle.
    await asyncio.sleep(0.05)
    reclaimed = await state.queue.reclaim("worker-c", min_idle_ms=10, count=10)
    assert [e.fields["inbound_id"] for e in reclaimed] == ["1"]
    await state.queue.ack(reclaimed[0].entry_id)
    assert await state.queue.depth() == 0


async def test_queue_consume_blocks_then_times_out(state: StateBackends) -> None:
    assert await state.queue.consume("worker-a", count=1, block_ms=50) == []


async def test_pubsub_reaches_subscribers(state: StateBackends) -> None:
    received: list[str] = []

    async def listen() -> None:
        async for data in state.pubsub.subscribe("outcomes"):
            received.append(data)
            if len(received) == 2:
                return

    task = asyncio.create_task(listen())
    await asyncio.sleep(0.2)
    await state.pubsub.publish("outcomes", '{"inbound_id": 1}')
    await state.pubsub.publish("outcomes", '{"inbound_id": 2}')
    await asyncio.wait_for(task, timeout=5)
    assert received == ['{"inbound_id": 1}', '{"inbound_id": 2}']


async def test_locks_are_exclusive_until_released_or_expired(state: StateBackends) -> None:
    token = await state.locks.acquire("conv:1", ttl_ms=300, wait_ms=0)
    assert token is not None
    assert await state.locks.acquire("conv:1", ttl_ms=300, wait_ms=50) is None
    assert await state.locks.acquire("conv:2", ttl_ms=300, wait_ms=0) is not None
    await state.locks.release("conv:1", "not-the-token")
    assert await state.locks.acquire("conv:1", ttl_ms=300, wait_ms=0) is None
    await state.locks.release("conv:1", token)
    second = await state.locks.acquire("conv:1", ttl_ms=100, wait_ms=0)
    assert second is not None
    # An expired lock passes to the next caller; the late release of the old holder does not free it.
    third = await state.locks.acquire("conv:1", ttl_ms=5000, wait_ms=1000)
    assert third is not None
    await state.locks.release("conv:1", second)
    assert await state.locks.acquire("conv:1", ttl_ms=300, wait_ms=0) is None
