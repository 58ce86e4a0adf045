"""Liveness and readiness: `/healthz` says the process is up, `/readyz` that it can serve citizens."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from gateway import __version__

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get("/readyz", summary="Store, Redis (when configured) and models are ready")
async def readyz(request: Request) -> JSONResponse:
    checks: dict[str, Any] = {}
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is None:
        return JSONResponse({"status": "starting", "checks": {"runtime": "not built"}}, status_code=503)
    try:
        await to_thread.run_sync(runtime.store.ping)
        checks["store"] = runtime.store.engine.dialect.name
    except Exception as error:
        checks["store"] = f"unavailable: {type(error).__name__}"
    try:
        await runtime.state.ping()
        checks["state"] = runtime.state.kind
    except Exception as error:
        checks["state"] = f"unavailable: {type(error).__name__}"
    checks["models"] = runtime.models.classifier_version()
    ready = all(not str(value).startswith("unavailable") for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "degraded", "checks": checks}, status_code=200 if ready else 503
    )
