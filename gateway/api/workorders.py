"""Work-order detail, dispatch and lifecycle transitions, sweeps and hot spots; starts the background jobs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, Field

from gateway.api.deps import ActorDep, Centre, ServicesDep, Supervisor
from gateway.api.errors import ErrorTranslatingRoute
from gateway.workorders.background import Background
from gateway.workorders.citizen import notify_completion
from gateway.workorders.lifecycle import Action, Actor, Role
from gateway.workorders.service import actions_for
from gateway.workorders.transitions import TransitionInput
from gateway.workorders.wiring import Services, build_services, ensure_bootstrap_admin


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Runs inside the app's lifespan, after the runtime exists."""
    services = build_services(app.state.runtime)
    app.state.workorder_services = services
    await to_thread.run_sync(ensure_bootstrap_admin, services.users, services.settings)
    background = Background(services)
    await background.start()
    try:
        yield
    finally:
        await background.stop()


router = APIRouter(prefix="/api", tags=["work orders"], route_class=ErrorTranslatingRoute, lifespan=lifespan)

# Roles that see the citizen's contact number in full: the people who may have to call back.
_SEE_CONTACT = frozenset({Role.AGENT, Role.DEPARTMENT, Role.SUPERVISOR, Role.ADMIN})


@router.get("/workorders/{ticket}", summary="One order with its audit history, notes and duplicates")
async def detail(ticket: str, actor: ActorDep, services: ServicesDep) -> dict[str, Any]:
    found = await to_thread.run_sync(services.workorders.detail, ticket, actor)
    order = found["order"]
    # 保密: a confidential citizen's number stays with the 12345 centre, never with the department.
    hidden = bool(order.confidential) and actor.role is Role.DEPARTMENT
    view = order.to_dict(services.workorders.today(), include_contact=actor.role in _SEE_CONTACT and not hidden)
    if hidden:
        view = _without_identity(view)
    return {
        "order": view,
        "actions": list(actions_for(order, actor)),
        "history": found["history"],
        "notes": [n.to_dict() for n in found["notes"]],
        "duplicates": found["duplicates"],
    }


def _without_identity(view: dict[str, Any]) -> dict[str, Any]:
    """What a department sees of a 保密 order: the problem and its place, not who reported it."""
    from nlu import mask_pii

    masked = dict(view)
    masked["description"] = mask_pii(str(view.get("description") or ""))
    masked["entities"] = [e for e in view.get("entities") or [] if e.get("type") not in _IDENTITY_ENTITIES]
    return masked


_IDENTITY_ENTITIES = frozenset({"phone", "id_card", "person"})


class DispatchBody(BaseModel):
    department: str | None = Field(default=None, max_length=128)
    note: str | None = Field(default=None, max_length=2000)


@router.post("/workorders/{ticket}/dispatch", summary="派单: send the order to a department")
async def dispatch(
    ticket: str, actor: ActorDep, services: ServicesDep, body: DispatchBody | None = None
) -> dict[str, Any]:
    data = TransitionInput(department=body.department if body else None, note=body.note if body else None)
    return await _transition(ticket, Action.DISPATCH, actor, services, data)


class TransitionBody(BaseModel):
    action: Action
    department: str | None = Field(default=None, max_length=128)
    reason: str | None = Field(default=None, max_length=2000)
    reply: str | None = Field(default=None, max_length=10000)
    days: int | None = None
    rating: str | None = None
    note: str | None = Field(default=None, max_length=2000)


@router.post("/workorders/{ticket}/transitions", summary="Any lifecycle action (签收, 退单, 办结, 审核, 延期, ...)")
async def transition(ticket: str, body: TransitionBody, actor: ActorDep, services: ServicesDep) -> dict[str, Any]:
    data = TransitionInput(
        department=body.department,
        reason=body.reason,
        reply=body.reply,
        days=body.days,
        rating=body.rating,
        note=body.note,
    )
    return await _transition(ticket, body.action, actor, services, data)


async def _transition(
    ticket: str, action: Action, actor: Actor, services: Services, data: TransitionInput
) -> dict[str, Any]:
    change = await to_thread.run_sync(lambda: services.workorders.act(ticket, action, actor, data))
    await services.publish(change)
    notified = None
    if action in (Action.COMPLETE, Action.RESOLVE):
        notified = await notify_completion(services, change.order)
    return {
        "order": change.order.to_dict(services.workorders.today()),
        "previous_status": change.previous_status,
        "actions": list(actions_for(change.order, actor)),
        "citizen_notified": notified,
    }


@router.post("/workorders/sweep", summary="Run 预警 / 督办 / duplicate linking now (supervisors)")
async def sweep(_user: Supervisor, services: ServicesDep) -> dict[str, Any]:
    result = await to_thread.run_sync(services.workorders.sweep)
    for change in [*result.warned, *result.supervised]:
        await services.publish(change)
    return result.to_dict()


@router.get("/hotspots", summary="Places with repeated appeals of one category (duplicate groups)")
async def hotspots(
    _user: Centre,
    services: ServicesDep,
    days: Annotated[int, Query(ge=1, le=365)] = 7,
    min_orders: Annotated[int, Query(ge=2, le=1000)] = 2,
) -> list[dict[str, Any]]:
    return await to_thread.run_sync(services.workorders.hotspots, days, min_orders)
