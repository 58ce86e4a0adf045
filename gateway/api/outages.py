"""Backend outages as clear temporary errors: 503 with a JSON error code and Retry-After, never a bare 500.

The inbox row is written before anything else, so a request that fails here either left nothing behind
(PostgreSQL down: the client's retry with the same message id is the first write) or left a durable row
that the reconciler queues again (Redis down after the write): a retry is always safe, never a duplicate.

Register with one line in `create_app`: `install_outage_handlers(app)` (from `gateway.api.outages`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import Counter
from redis import exceptions as redis_errors
from sqlalchemy import exc as sql_errors
from starlette.types import HTTPExceptionHandler

log = logging.getLogger(__name__)

# Seconds a client (or WeChat, which retries on its own) should wait before sending the same message again.
RETRY_AFTER_SECONDS = 5

BACKEND_UNAVAILABLE = Counter(
    "hotline_backend_unavailable_total", "Requests answered 503 because a backend was down", ["code"]
)


@dataclass(frozen=True)
class Outage:
    code: str
    detail: str


STORE_UNAVAILABLE = Outage("store_unavailable", "the message store is temporarily unavailable; retry shortly")
QUEUE_UNAVAILABLE = Outage("queue_unavailable", "the message queue is temporarily unavailable; retry shortly")

# Exception class -> the outage it means. Only connection-level failures: a constraint violation or a bad
# query is a bug and stays a 500.
OUTAGES: dict[type[Exception], Outage] = {
    sql_errors.OperationalError: STORE_UNAVAILABLE,
    sql_errors.InterfaceError: STORE_UNAVAILABLE,
    sql_errors.DisconnectionError: STORE_UNAVAILABLE,
    sql_errors.TimeoutError: STORE_UNAVAILABLE,
    redis_errors.ConnectionError: QUEUE_UNAVAILABLE,
    redis_errors.TimeoutError: QUEUE_UNAVAILABLE,
}


def outage_response(outage: Outage) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": outage.code, "detail": outage.detail, "retry_after": RETRY_AFTER_SECONDS}},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install_outage_handlers(app: FastAPI) -> None:
    for error_class, outage in OUTAGES.items():
        app.add_exception_handler(error_class, _handler(outage))


def _handler(outage: Outage) -> HTTPExceptionHandler:
    async def handle(request: Request, error: Exception) -> JSONResponse:
        BACKEND_UNAVAILABLE.labels(outage.code).inc()
        # The exception text can carry connection strings; the type is what operators need here.
        log.warning("%s during %s %s: %s", outage.code, request.method, request.url.path, type(error).__name__)
        return outage_response(outage)

    return handle
