"""Linkage pushes with retries, backoff and audit, against httpx.MockTransport, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from channels.base import Message
from gateway.linkage import LinkageConfig, LinkageError, LinkageService, UnknownTarget
from gateway.store import Store
from gateway.store.models import Event
from gateway.workorders.lifecycle import Action, Actor, Role
from gateway.workorders.service import WorkOrderService
from gateway.workorders.transitions import TransitionInput
from tests.gateway.workorders.conftest import OpenOrder

ENDPOINTS = {
    "119": "https://linkage.test/119",
    "120": "https://linkage.test/120",
    "water": "https://linkage.test/water",
    "rating": "https://linkage.test/rating",
}


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def transport(script: list[int | Exception], seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        step = script.pop(0) if script else 200
        if isinstance(step, Exception):
            raise step
        return httpx.Response(step, json={})

    return httpx.MockTransport(handle)


def referral(store: Store, services: list[str], text: str = "楼下饭店着火了，有人被困") -> int:
    inbound, _ = store.record_inbound(
        Message(
            channel="sms",
            external_id=f"sms-{services}",
            session_key="13800001111",
            sender="13800001111",
            text=text,
            raw=text,
            contact="13800001111",
        )
    )
    return store.record_emergency(inbound, services, "critical", "着火", "fire with people trapped")


def events(store: Store, kind_prefix: str) -> list[dict[str, Any]]:
    with store.engine.connect() as connection:
        rows = connection.execute(select(Event.kind, Event.data).where(Event.kind.like(f"{kind_prefix}%"))).all()
    return [{"kind": k, **(d or {})} for k, d in rows]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def linkage(store: Store, clock: Clock) -> LinkageService:
    config = LinkageConfig(ENDPOINTS, token="t0ken", max_attempts=4, backoff_seconds=2.0, timeout_seconds=1.0)
    return LinkageService(store.engine, config, clock)


async def push(linkage: LinkageService, script: list[int | Exception], seen: list[httpx.Request]) -> Any:
    async with httpx.AsyncClient(transport=transport(script, seen)) as client:
        return await linkage.push_due(client)


async def test_emergency_is_pushed_to_each_configured_service(store: Store, linkage: LinkageService) -> None:
    referral_id = referral(store, ["119", "120", "110"])  # 110 has no endpoint here
    queued = linkage.refer_emergency(referral_id)
    assert len(queued) == 2 and linkage.refer_emergency(referral_id) == []  # idempotent
    seen: list[httpx.Request] = []
    done = await push(linkage, [], seen)
    assert {d.target for d in done} == {"119", "120"} and {d.status for d in done} == {"delivered"}
    body = json.loads(seen[0].content)
    assert body["type"] == "emergency_referral" and body["text"] == "楼下饭店着火了，有人被困"
    assert body["contact"] == "13800001111" and body["services"] == ["119", "120", "110"]
    assert seen[0].headers["authorization"] == "Bearer t0ken"
    assert seen[0].headers["idempotency-key"] == f"emergency-{referral_id}-{body['target']}"
    assert store.emergencies()[0]["linkage_status"] == "pushed"
    assert [e["kind"] for e in events(store, "linkage.")].count("linkage.delivered") == 2


async def test_retries_with_exponential_backoff_then_delivers(
    store: Store, linkage: LinkageService, clock: Clock
) -> None:
    linkage.refer_emergency(referral(store, ["119"]))
    seen: list[httpx.Request] = []
    first = await push(linkage, [503], seen)
    assert first[0].status == "pending" and first[0].attempts == 1
    assert first[0].next_attempt_at == clock.at + timedelta(seconds=2)
    # Not due yet: nothing is sent.
    assert await push(linkage, [], seen) == [] and len(seen) == 1
    clock.advance(2)
    second = await push(linkage, [httpx.ConnectError("refused")], seen)
    assert second[0].attempts == 2 and second[0].next_attempt_at == clock.at + timedelta(seconds=4)
    assert "ConnectError" in (second[0].last_error or "")
    clock.advance(4)
    third = await push(linkage, [200], seen)
    assert third[0].status == "delivered" and third[0].attempts == 3
    assert store.emergencies()[0]["linkage_status"] == "pushed"
    kinds = [e["kind"] for e in events(store, "linkage.")]
    assert kinds.count("linkage.attempt") == 2 and kinds.count("linkage.delivered") == 1


async def test_gives_up_after_max_attempts_or_on_a_client_error(
    store: Store, linkage: LinkageService, clock: Clock
) -> None:
    linkage.refer_emergency(referral(store, ["119"]))
    seen: list[httpx.Request] = []
    for _ in range(4):
        result = await push(linkage, [500], seen)
        clock.advance(3600)
    assert result[0].status == "failed" and result[0].attempts == 4
    assert store.emergencies()[0]["linkage_status"] == "failed"
    # An operator fixes the endpoint and retries.
    retried = linkage.retry(result[0].id, "sup.chen")
    assert retried.status == "pending" and retried.attempts == 0
    assert (await push(linkage, [200], seen))[0].status == "delivered"
    # A 400 is not retried: the payload will not get better.
    linkage.refer_emergency(referral(store, ["120"], text="老人摔倒了起不来"))
    rejected = await push(linkage, [400], seen)
    assert rejected[0].status == "failed" and rejected[0].attempts == 1 and rejected[0].response_status == 400


def test_unconfigured_services_are_recorded(store: Store, clock: Clock) -> None:
    bare = LinkageService(store.engine, LinkageConfig({}), clock)
    referral_id = referral(store, ["110"])
    assert bare.refer_emergency(referral_id) == []
    assert store.emergencies()[0]["linkage_status"] == "unconfigured"
    assert [e["kind"] for e in events(store, "linkage.")] == ["linkage.unconfigured"]
    with pytest.raises(LinkageError):
        bare.refer_emergency(999_999)


def test_missed_alerts_are_found_by_the_sweep(store: Store, linkage: LinkageService) -> None:
    first = referral(store, ["119"])
    assert linkage.unpushed_referrals() == [first]
    linkage.refer_emergency(first)
    assert linkage.unpushed_referrals() == []


async def test_utility_referral_and_rating_push(
    store: Store, linkage: LinkageService, service: WorkOrderService, open_order: OpenOrder
) -> None:
    ticket = open_order("我们小区停水两天了，自来水公司电话一直打不通")
    with pytest.raises(UnknownTarget):
        linkage.refer_utility(ticket, "nuclear", "agent.wang")
    with pytest.raises(UnknownTarget):
        linkage.refer_utility(ticket, "gas", "agent.wang")  # known utility, no endpoint configured
    linkage.refer_utility(ticket, "water", "agent.wang")
    with pytest.raises(LinkageError):
        linkage.refer_utility(ticket, "water", "agent.wang")
    assert linkage.push_rating(ticket) is None  # not rated yet
    service.after_change.append(
        lambda change: linkage.push_rating(change.order.ticket) if change.order.rating else None
    )
    service.act(ticket, Action.RESOLVE, Actor("agent.wang", Role.AGENT), TransitionInput(reply="已联系水务"))
    service.rate(ticket, "非常满意", None)
    seen: list[httpx.Request] = []
    done = await push(linkage, [], seen)
    assert {d.target for d in done} == {"water", "rating"}
    rating = next(json.loads(r.content) for r in seen if r.url.path == "/rating")
    assert rating == {**rating, "type": "rating", "ticket": ticket, "rating": "非常满意"}
    utility = next(json.loads(r.content) for r in seen if r.url.path == "/water")
    assert utility["ticket"] == ticket and utility["referred_by"] == "agent.wang"
    listed = linkage.deliveries()
    assert [d.status for d in listed] == ["delivered", "delivered"]


def test_two_senders_never_claim_the_same_delivery(store: Store, linkage: LinkageService) -> None:
    linkage.refer_emergency(referral(store, ["119", "120"]))
    first = linkage.claim_due()
    second = linkage.claim_due()
    assert len(first) == 2 and second == []
