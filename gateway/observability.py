"""Request ids and HTTP metrics for every request (pure ASGI, so WebSockets and streams pass untouched)."""

from __future__ import annotations

import contextvars
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.metrics import REQUEST_SECONDS, REQUESTS

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = _route_of(scope)
            REQUESTS.labels(scope.get("method", ""), route, str(status)).inc()
            REQUEST_SECONDS.labels(route).observe(time.perf_counter() - started)
            request_id.reset(token)


def _route_of(scope: Scope) -> str:
    # The route template keeps label cardinality bounded (no session ids or tickets in labels).
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"
