"""The agent desk: queue with filters, claim, reclassify (training feedback), notes, replies to citizens,
utility referrals and the emergency referrals list."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from channels.base import Outcome, Reply
from gateway.api.deps import ActorDep, Centre, ServicesDep
from gateway.api.errors import ErrorTranslatingRoute
from gateway.processor import recipient_of
from gateway.workorders.errors import ChannelUnavailable, WorkOrderNotFound
from gateway.workorders.repository import QueueFilter
from gateway.workorders.service import actions_for

router = APIRouter(prefix="/api", tags=["agents"], route_class=ErrorTranslatingRoute)


@router.get("/queue", summary="Work orders visible to the caller, filtered, oldest deadline first")
async def queue(
    actor: ActorDep,
    services: ServicesDep,
    status: Annotated[list[str] | None, Query(description="受理, 派单, 签收, ... (repeatable)")] = None,
    category: str | None = None,
    channel: str | None = None,
    appeal_type: str | None = None,
    department: str | None = None,
    assignee: Annotated[str | None, Query(description="an agent's name, or `me`")] = None,
    overdue: bool | None = None,
    emergency: bool | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    where = QueueFilter(
        status=tuple(status or ()),
        category_l1=category,
        channel=channel,
        appeal_type=appeal_type,
        department=department,
        assignee=actor.name if assignee == "me" else assignee,
        overdue=overdue,
        emergency=emergency,
        created_from=created_from,
        created_to=created_to,
        limit=limit,
        offset=offset,
    )
    service = services.workorders
    orders, total = await to_thread.run_sync(lambda: service.queue(actor, where))
    today = service.today()
    return {
        "total": total,
        "items": [{**o.to_dict(today), "actions": list(actions_for(o, actor))} for o in orders],
    }


class ClaimBody(BaseModel):
    take_over: bool = False


@router.post("/workorders/{ticket}/claim", summary="Take an order (supervisors may take over)")
async def claim(ticket: str, user: Centre, services: ServicesDep, body: ClaimBody | None = None) -> dict[str, Any]:
    take_over = bool(body and body.take_over)
    change = await to_thread.run_sync(lambda: services.workorders.claim(ticket, user.actor, take_over=take_over))
    await services.publish(change)
    return change.order.to_dict(services.workorders.today())


class Reclassify(BaseModel):
    appeal_type: str = Field(min_length=1, max_length=16)
    category_l1: str = Field(min_length=1, max_length=64)
    category_l2: str = Field(min_length=1, max_length=64)


@router.post("/workorders/{ticket}/reclassify", summary="Correct appeal type and category (training feedback)")
async def reclassify(ticket: str, body: Reclassify, user: Centre, services: ServicesDep) -> dict[str, Any]:
    change = await to_thread.run_sync(
        lambda: services.workorders.reclassify(
            ticket,
            user.actor,
            appeal_type=body.appeal_type,
            category_l1=body.category_l1,
            category_l2=body.category_l2,
        )
    )
    await services.publish(change)
    return change.order.to_dict(services.workorders.today())


class NoteBody(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


@router.post("/workorders/{ticket}/notes", status_code=201, summary="Add an internal note")
async def add_note(ticket: str, body: NoteBody, actor: ActorDep, services: ServicesDep) -> dict[str, Any]:
    note = await to_thread.run_sync(lambda: services.workorders.add_note(ticket, actor, body.text))
    return note.to_dict()


@router.post("/workorders/{ticket}/reply", summary="Reply to the citizen through the channel the appeal came from")
async def reply(ticket: str, body: NoteBody, user: Centre, services: ServicesDep) -> dict[str, Any]:
    order = await to_thread.run_sync(services.workorders.get, ticket, user.actor)
    inbound = await to_thread.run_sync(services.store.get_inbound, order.inbound_message_id)
    if inbound is None:
        raise WorkOrderNotFound(f"the message behind {ticket} is gone")
    sender = services.senders.get(order.channel)
    if sender is None:
        raise ChannelUnavailable(f"channel {order.channel} cannot send replies now")
    text = body.text.strip()
    outcome = Outcome(
        message_id=f"{ticket}:reply",
        replies=(Reply(text, kind="text"),),
        work_order={"ticket": ticket, "status": order.status},
    )
    await sender(recipient_of(inbound), outcome)
    # Recorded after sending: the notes list only replies that went out.
    note = await to_thread.run_sync(lambda: services.workorders.add_note(ticket, user.actor, text, kind="reply"))
    return {"sent": True, "channel": order.channel, "note": note.to_dict()}


class UtilityBody(BaseModel):
    utility: str = Field(description="water, power, gas, heating or telecom")


@router.post("/workorders/{ticket}/utility-referral", status_code=202, summary="Refer to a public utility")
async def utility_referral(ticket: str, body: UtilityBody, user: Centre, services: ServicesDep) -> dict[str, Any]:
    await to_thread.run_sync(services.workorders.get, ticket, user.actor)
    delivery_id = await to_thread.run_sync(lambda: services.linkage.refer_utility(ticket, body.utility, user.username))
    # The order's own audit trail shows the referral next to its transitions.
    await to_thread.run_sync(
        lambda: services.store.record_event(
            "work_order.utility_referral",
            user.username,
            "work_order",
            ticket,
            {"utility": body.utility, "delivery_id": delivery_id},
        )
    )
    return {"delivery_id": delivery_id, "utility": body.utility}


@router.get("/emergencies", summary="Recent emergency referrals and their linkage status")
async def emergencies(
    _user: Centre, services: ServicesDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[dict[str, Any]]:
    return await to_thread.run_sync(services.store.emergencies, limit)
