"""What the agent console needs beside the work-order API: the catalogue to correct labels from, the
conversation behind an order, and the classifier's current reading of it with alternatives."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Request

from gateway.api.deps import ActorDep, ServicesDep
from gateway.api.errors import ErrorTranslatingRoute
from gateway.workorders.lifecycle import Actor, Role
from gateway.workorders.records import WorkOrderRecord

router = APIRouter(prefix="/api", tags=["agents"], route_class=ErrorTranslatingRoute)


def _models(request: Request) -> Any:
    return request.app.state.runtime.models


def sees_personal_data(actor: Actor, order: WorkOrderRecord) -> bool:
    """The rule of the order detail: a 保密 citizen's data stays with the 12345 centre."""
    if actor.role in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
        return True
    return actor.role is Role.DEPARTMENT and not order.confidential


@router.get("/catalogue", summary="Appeal types and categories (with department and deadline) to correct labels")
async def catalogue(request: Request, actor: ActorDep) -> dict[str, Any]:
    from classifier.labels import APPEAL_TYPES
    from gateway.workorders.errors import ActionForbidden

    if actor.role not in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.DEPARTMENT, Role.MAINTAINER):
        raise ActionForbidden(f"role {actor.role.value} has no use for the catalogue")
    cat = _models(request).catalogue
    categories = []
    for l1, l2s in cat.categories.items():
        entries = []
        for l2 in l2s:
            route = cat.route(l1, l2)
            entries.append(
                {"l2": l2, "department": route.department, "deadline_working_days": route.deadline_working_days}
            )
        categories.append({"l1": l1, "l2": entries})
    return {"appeal_types": list(APPEAL_TYPES), "categories": categories}


@router.get("/workorders/{ticket}/conversation", summary="The citizen's messages and the gateway's replies")
async def conversation(ticket: str, actor: ActorDep, services: ServicesDep) -> dict[str, Any]:
    from nlu.pii import mask_pii

    order = await to_thread.run_sync(services.workorders.get, ticket, actor)
    records = await to_thread.run_sync(services.store.conversation_messages, order.conversation_id)
    full = sees_personal_data(actor, order)

    def shown(text: str) -> str:
        return text if full else mask_pii(text)

    messages = []
    for record in records:
        replies = (record.outcome or {}).get("replies") or []
        messages.append(
            {
                "id": record.id,
                "at": record.received_at.isoformat(),
                "text": shown(record.text),
                "this_order": record.id == order.inbound_message_id,
                "replies": [{"text": shown(str(r.get("text", ""))), "kind": r.get("kind", "text")} for r in replies],
            }
        )
    return {"ticket": ticket, "channel": order.channel, "masked": not full, "messages": messages}


@router.get("/workorders/{ticket}/classification", summary="The current model's reading with alternatives")
async def classification(ticket: str, request: Request, actor: ActorDep, services: ServicesDep) -> dict[str, Any]:
    order = await to_thread.run_sync(services.workorders.get, ticket, actor)
    models = _models(request)
    prediction = await to_thread.run_sync(models.classifier.predict, order.description)
    doc: dict[str, Any] = prediction.to_dict()
    cat = models.catalogue
    alternatives = []
    for item in doc["ranking"]:
        l1, _, l2 = str(item["category"]).partition("/")
        department = cat.route(l1, l2 or None).department if cat.has(l1, l2) else None
        alternatives.append(
            {"category_l1": l1, "category_l2": l2, "confidence": item["confidence"], "department": department}
        )
    return {
        "ticket": ticket,
        "model_version": doc.get("model_version"),
        "appeal_type": doc.get("appeal_type"),
        "intent_ranking": doc["intent_ranking"],
        "category_l1": doc.get("category_l1"),
        "category_l2": doc.get("category_l2"),
        "category_confidence": doc["category_confidence"],
        "low_confidence": doc["low_confidence"],
        "alternatives": alternatives,
        "order": {
            "appeal_type": order.appeal_type,
            "category_l1": order.category_l1,
            "category_l2": order.category_l2,
            "confidence": order.confidence,
            "department": order.department,
        },
    }
