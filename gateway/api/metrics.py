"""`/metrics` in the Prometheus text format."""

from __future__ import annotations

import contextlib

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from gateway.metrics import QUEUE_DEPTH

router = APIRouter(tags=["operations"])


@router.get("/metrics", summary="Prometheus metrics of this process", include_in_schema=False)
async def metrics(request: Request) -> Response:
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is not None:
        # A scrape must not fail because Redis blinked; the gauge keeps its last value.
        with contextlib.suppress(Exception):
            QUEUE_DEPTH.set(await runtime.state.queue.depth())
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
