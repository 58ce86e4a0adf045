"""Server-sent events: new and changed work orders and emergency alerts, live from pub/sub.

Department handlers receive only their department's orders; emergency alerts go to the 12345 centre.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from gateway.api.deps import ActorDep, ServicesDep
from gateway.api.errors import ErrorTranslatingRoute
from gateway.state import PubSub
from gateway.workorders.errors import ActionForbidden
from gateway.workorders.lifecycle import SEES_ALL, Actor, Role
from gateway.workorders.wiring import ALERTS_CHANNEL, WORK_ORDERS_CHANNEL

router = APIRouter(prefix="/api", tags=["events"], route_class=ErrorTranslatingRoute)

KEEPALIVE_SECONDS = 15.0
_SOURCES = ((WORK_ORDERS_CHANNEL, "work_order"), (ALERTS_CHANNEL, "alert"))


def visible(actor: Actor, event: str, payload: dict[str, object]) -> bool:
    if actor.role in SEES_ALL:
        return True
    if actor.role is Role.DEPARTMENT and event == "work_order":
        # Duplicate-link notices carry no department: handlers see them through their queue instead.
        return payload.get("department") == actor.department
    return False


def frame(event: str, data: str) -> str:
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"event: {event}\n{lines}\n"


async def event_stream(
    pubsub: PubSub,
    actor: Actor,
    disconnected: Callable[[], Awaitable[bool]],
    keepalive: float = KEEPALIVE_SECONDS,
) -> AsyncIterator[str]:
    """SSE frames for one console until it disconnects."""
    inbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue(maxsize=1000)

    async def pump(channel: str, event: str) -> None:
        async for data in pubsub.subscribe(channel):
            with contextlib.suppress(asyncio.QueueFull):
                inbox.put_nowait((event, data))

    pumps = [asyncio.create_task(pump(channel, event)) for channel, event in _SOURCES]
    # Let the subscriptions register before telling the console it is connected.
    await asyncio.sleep(0)
    try:
        yield "retry: 3000\n: connected\n\n"
        while True:
            try:
                event, data = await asyncio.wait_for(inbox.get(), keepalive)
            except TimeoutError:
                if await disconnected():
                    return
                yield ": keepalive\n\n"
                continue
            try:
                payload = json.loads(data)
            except json.JSONDecodeError:
                continue
            if isinstance(payload, dict) and visible(actor, event, payload):
                yield frame(event, data)
    finally:
        for task in pumps:
            task.cancel()
        for task in pumps:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


@router.get("/events", summary="Server-sent events of new and changed work orders (and alerts)")
async def events(request: Request, actor: ActorDep, services: ServicesDep) -> StreamingResponse:
    if actor.role not in SEES_ALL and actor.role is not Role.DEPARTMENT:
        raise ActionForbidden(f"role {actor.role.value} has no work-order events")
    return StreamingResponse(
        event_stream(services.pubsub, actor, request.is_disconnected),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
