"""Server-sent events: frames, keepalives, and what each role receives, on the twin and on Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from gateway.api.events import event_stream, frame, visible
from gateway.state import PubSub
from gateway.state.memory import MemoryPubSub
from gateway.workorders.lifecycle import Actor, Role

AGENT = Actor("agent.wang", Role.AGENT)
CITY = Actor("city.li", Role.DEPARTMENT, "市城市管理局")
CREATED = {"type": "created", "ticket": "12345-20261201-000001", "department": "市城市管理局", "status": "受理"}
OTHER = {"type": "changed", "ticket": "12345-20261201-000002", "department": "市水务局", "status": "派单"}
ALERT = {"type": "emergency", "services": ["119"], "referral_id": 7}


Ready = Callable[[], Awaitable[None]]


@pytest.fixture(params=["memory", "redis"])
async def pubsub(request: pytest.FixtureRequest) -> AsyncIterator[tuple[PubSub, Ready]]:
    """The pub/sub and a wait until the stream's two subscriptions are registered."""
    if request.param == "memory":

        async def registered() -> None:
            await asyncio.sleep(0)

        yield MemoryPubSub(), registered
        return
    from redis.asyncio import Redis

    from gateway.state.redis import RedisPubSub
    from tests.conftest import REDIS_URL

    prefix = request.getfixturevalue("redis_prefix")
    client = Redis.from_url(REDIS_URL)

    async def subscribed() -> None:
        channels = [f"{prefix}:events:work_orders", f"{prefix}:events:alerts"]
        for _ in range(200):
            counts = await client.pubsub_numsub(*channels)
            if all(n >= 1 for _c, n in counts):
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the stream never subscribed")

    yield RedisPubSub(client, prefix), subscribed
    await client.aclose()


async def collect(source: tuple[PubSub, Ready], actor: Actor, expected: int) -> list[str]:
    pubsub, ready = source

    async def never() -> bool:
        return False

    frames: list[str] = []

    async def read() -> None:
        async for chunk in event_stream(pubsub, actor, never, keepalive=5):
            frames.append(chunk)

    reader = asyncio.create_task(read())
    while not frames:
        await asyncio.sleep(0.01)
    await ready()
    await pubsub.publish("work_orders", json.dumps(CREATED, ensure_ascii=False))
    await pubsub.publish("work_orders", json.dumps(OTHER, ensure_ascii=False))
    await pubsub.publish("alerts", json.dumps(ALERT))
    for _ in range(100):
        if len(frames) >= expected:
            break
        await asyncio.sleep(0.01)
    # A little longer, so frames that should not come would have come.
    await asyncio.sleep(0.1)
    reader.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await reader
    return frames


async def test_agent_receives_every_order_and_alerts(pubsub: tuple[PubSub, Ready]) -> None:
    frames = await collect(pubsub, AGENT, 4)
    assert len(frames) == 4
    assert frames[0].startswith("retry: 3000")
    assert frames[1] == frame("work_order", json.dumps(CREATED, ensure_ascii=False))
    assert "市水务局" in frames[2]
    assert frames[3].startswith("event: alert\n") and '"referral_id": 7' in frames[3]


async def test_department_receives_only_its_orders(pubsub: tuple[PubSub, Ready]) -> None:
    frames = await collect(pubsub, CITY, 2)
    assert len(frames) == 2
    assert "12345-20261201-000001" in frames[1] and "市水务局" not in "".join(frames)


async def test_keepalive_and_disconnect() -> None:
    gone = False

    async def disconnected() -> bool:
        return gone

    stream = event_stream(MemoryPubSub(), AGENT, disconnected, keepalive=0.05)
    await anext(stream)
    assert await anext(stream) == ": keepalive\n\n"
    gone = True
    with pytest.raises(StopAsyncIteration):
        await anext(stream)


@pytest.mark.parametrize(
    ("actor", "event", "payload", "seen"),
    [
        (CITY, "alert", ALERT, False),
        (CITY, "work_order", {"type": "duplicate", "ticket": "t"}, False),
        (Actor("kb.zhou", Role.MAINTAINER), "work_order", CREATED, False),
        (Actor("sup.chen", Role.SUPERVISOR), "alert", ALERT, True),
    ],
)
def test_visibility(actor: Actor, event: str, payload: dict[str, Any], seen: bool) -> None:
    assert visible(actor, event, payload) is seen


def test_frames_split_lines() -> None:
    assert frame("work_order", "a\nb") == "event: work_order\ndata: a\ndata: b\n\n"
