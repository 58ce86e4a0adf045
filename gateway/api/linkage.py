"""Linkage deliveries (110/119/120/122, utilities, 好差评): what was pushed, what failed, retry."""

from __future__ import annotations

from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Path, Query

from gateway.api.deps import ServicesDep, Supervisor
from gateway.api.errors import ErrorTranslatingRoute

router = APIRouter(prefix="/api/linkage", tags=["linkage"], route_class=ErrorTranslatingRoute)


@router.get("/deliveries", summary="Recent linkage pushes with their status and attempts")
async def deliveries(
    _user: Supervisor,
    services: ServicesDep,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    found = await to_thread.run_sync(lambda: services.linkage.deliveries(limit, status))
    return [d.to_dict() for d in found]


@router.post("/deliveries/{delivery_id}/retry", summary="Queue a failed push again")
async def retry(
    delivery_id: Annotated[int, Path(ge=1, le=2**31 - 1)], user: Supervisor, services: ServicesDep
) -> dict[str, Any]:
    delivery = await to_thread.run_sync(services.linkage.retry, delivery_id, user.username)
    return delivery.to_dict()
