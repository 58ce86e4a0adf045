"""Channel test kit: a recording intake, the in-process state twins, and a small app per channel.

The small app mounts one channel's router with the gateway's error mapping, so HTTP-level behaviour
(signatures, sizes, status codes) is tested without loading models; end-to-end tests use the real app.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from channels.base import ChannelServices, Deliver, Message, Outcome, Reply
from channels.errors import ChannelError
from gateway.state.memory import MemoryDeduper, MemoryPubSub, MemoryRateLimiter, MemorySessionStore

Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class RecordingIntake:
    """Stands in for the gateway intake: remembers messages and answers like the real one (dedup included)."""

    answer: Callable[[Message], Outcome] | None = None
    pending: bool = False
    messages: list[Message] = field(default_factory=list)
    outcomes: dict[tuple[str, str], Outcome] = field(default_factory=dict)

    async def submit(self, message: Message, budget_seconds: float) -> Outcome:
        key = (message.channel, message.external_id)
        if key in self.outcomes and not self.pending:
            return self.outcomes[key]
        if key not in self.outcomes:
            self.messages.append(message)
        outcome = self.answer(message) if self.answer else default_outcome(message)
        self.outcomes[key] = outcome
        if self.pending:
            return Outcome(message_id=message.external_id, replies=(Reply("您的留言已收到"),), pending=True)
        return outcome

    async def history(self, channel: str, session_key: str) -> list[dict[str, Any]]:
        return [
            {
                "message_id": m.external_id,
                "text": m.text,
                **self.outcomes[(m.channel, m.external_id)].to_dict(),
            }
            for m in self.messages
            if m.channel == channel and m.session_key == session_key
        ]


def default_outcome(message: Message) -> Outcome:
    return Outcome(
        message_id=message.external_id,
        replies=(
            Reply("已为您登记工单，编号12345-20261128-000001。", kind="ticket"),
            Reply("请问问题解决了吗？", buttons=("已解决", "未解决")),
        ),
        work_order={"ticket": "12345-20261128-000001", "appeal_type": "投诉", "category": "城乡建设"},
    )


@dataclass
class Kit:
    intake: RecordingIntake
    services: ChannelServices
    senders: dict[str, Deliver]
    http_calls: list[httpx.Request]


def make_kit(handler: Handler | None = None) -> Kit:
    calls: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if handler is None:
            return httpx.Response(404, json={"errcode": 404, "errmsg": "no handler"})
        return handler(request)

    senders: dict[str, Deliver] = {}
    closers: list[Callable[[], Awaitable[None]]] = []
    intake = RecordingIntake()
    services = ChannelServices(
        intake=intake,
        broadcast=MemoryPubSub(),
        dedup=MemoryDeduper(),
        rate_limits=MemoryRateLimiter(),
        sessions=MemorySessionStore(),
        http=httpx.AsyncClient(transport=httpx.MockTransport(record)),
        register_sender=senders.__setitem__,
        on_shutdown=closers.append,
    )
    return Kit(intake=intake, services=services, senders=senders, http_calls=calls)


def channel_app(module: ModuleType, kit: Kit) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await module.setup(app, kit.services)
        yield

    app = FastAPI(lifespan=lifespan)
    app.include_router(module.router)

    @app.exception_handler(ChannelError)
    async def channel_error(_request: Request, error: ChannelError) -> JSONResponse:
        return JSONResponse({"error": {"code": error.code, "detail": error.detail}}, status_code=error.status)

    return app


@pytest.fixture
def kit() -> Kit:
    return make_kit()


@pytest.fixture
def client_for(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., TestClient]]:
    """client_for(module, kit, **env) -> a started TestClient for that channel with env settings."""
    clients: list[TestClient] = []

    def build(module: ModuleType, kit: Kit, **env: str) -> TestClient:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        client = TestClient(channel_app(module, kit), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


def json_body(request: httpx.Request) -> Any:
    return json.loads(request.content.decode("utf-8"))
