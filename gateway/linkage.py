"""Linkage and data exchange (GB/T 44190 4.3, 6.3): pushes to 110/119/120/122, utilities and 好差评.

Every push is a durable `linkage_deliveries` row first (one per referral and target, so retries and
several gateway processes never push twice), then an HTTP POST with retries and exponential backoff.
Each attempt is an audit event. Endpoints are configured by key in HOTLINE_LINKAGE_ENDPOINTS.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, String, cast, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gateway.clock import as_utc, utc_now
from gateway.store.models import EmergencyReferral, Event, InboundMessage, LinkageDelivery, WorkOrder

log = logging.getLogger(__name__)

EMERGENCY_TARGETS = ("110", "119", "120", "122")
UTILITY_TARGETS = ("water", "power", "gas", "heating", "telecom")
RATING_TARGET = "rating"
# Statuses worth retrying: the endpoint is overloaded or briefly away; other 4xx will not get better.
_RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})
_MAX_BACKOFF = timedelta(hours=1)
# A sender holds claimed rows this long; a crashed process's rows are taken over afterwards.
_HOLD = timedelta(minutes=2)


class LinkageError(Exception):
    code = "linkage_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UnknownTarget(LinkageError):
    code = "unknown_linkage_target"


@dataclass(frozen=True)
class LinkageConfig:
    endpoints: dict[str, str]
    token: str = ""
    max_attempts: int = 6
    backoff_seconds: float = 2.0
    timeout_seconds: float = 5.0

    def backoff(self, attempts: int) -> timedelta:
        return min(timedelta(seconds=self.backoff_seconds * 2 ** max(attempts - 1, 0)), _MAX_BACKOFF)


@dataclass(frozen=True)
class Delivery:
    id: int
    kind: str
    subject: str
    target: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    response_status: int | None
    last_error: str | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, row: LinkageDelivery) -> Delivery:
        return cls(
            id=row.id,
            kind=row.kind,
            subject=row.subject,
            target=row.target,
            payload=dict(row.payload),
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=as_utc(row.next_attempt_at) or utc_now(),
            response_status=row.response_status,
            last_error=row.last_error,
            delivered_at=as_utc(row.delivered_at),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "subject": self.subject,
            "target": self.target,
            "status": self.status,
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at.isoformat(),
            "response_status": self.response_status,
            "last_error": self.last_error,
            "delivered_at": self.delivered_at.isoformat() if self.delivered_at else None,
        }


class LinkageService:
    def __init__(self, engine: Engine, config: LinkageConfig, clock: Callable[[], datetime] = utc_now) -> None:
        self.config = config
        self.clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # -- recording what to push ------------------------------------------------------------------

    def refer_emergency(self, referral_id: int) -> list[int]:
        """Queue one push per emergency service of the referral that has an endpoint; idempotent."""
        with self._sessions.begin() as session:
            referral = session.get(EmergencyReferral, referral_id)
            if referral is None:
                raise LinkageError(f"no emergency referral {referral_id}")
            inbound = session.get(InboundMessage, referral.inbound_message_id)
            targets = [s for s in referral.services if s in self.config.endpoints]
            if not targets:
                if referral.linkage_status == "pending":
                    referral.linkage_status = "unconfigured"
                    session.add(self._event("linkage.unconfigured", str(referral_id), {"services": referral.services}))
                return []
            payload = {
                "type": "emergency_referral",
                "referral_id": referral.id,
                "services": list(referral.services),
                "severity": referral.severity,
                "evidence": referral.evidence,
                "reason": referral.reason,
                "channel": inbound.channel if inbound else None,
                "text": inbound.text if inbound else None,
                "contact": inbound.contact if inbound else None,
                "received_at": (as_utc(inbound.received_at) or self.clock()).isoformat() if inbound else None,
            }
        return [
            found
            for target in targets
            if (found := self._enqueue("emergency", str(referral_id), target, {**payload, "target": target}))
        ]

    def refer_utility(self, ticket: str, utility: str, actor: str) -> int:
        """Hand a work order to a public utility's hotline (water, power, gas, heating, telecom)."""
        if utility not in UTILITY_TARGETS:
            raise UnknownTarget(f"utility must be one of {', '.join(UTILITY_TARGETS)}")
        if utility not in self.config.endpoints:
            raise UnknownTarget(f"no linkage endpoint is configured for {utility}")
        with self._sessions() as session:
            order = session.scalar(select(WorkOrder).where(WorkOrder.ticket == ticket))
            if order is None:
                raise LinkageError(f"no work order {ticket}")
            payload = {
                "type": "utility_referral",
                "ticket": ticket,
                "utility": utility,
                "category": f"{order.category_l1}/{order.category_l2 or ''}",
                "description": order.description,
                "contact": order.contact,
                "referred_by": actor,
            }
        delivery = self._enqueue("utility", ticket, utility, payload)
        if delivery is None:
            raise LinkageError(f"{ticket} was already referred to {utility}")
        return delivery

    def push_rating(self, ticket: str) -> int | None:
        """Queue the order's 好差评 for the rating system, when one is configured."""
        if RATING_TARGET not in self.config.endpoints:
            return None
        with self._sessions() as session:
            order = session.scalar(select(WorkOrder).where(WorkOrder.ticket == ticket))
            if order is None or order.rating is None:
                return None
            payload = {
                "type": "rating",
                "ticket": ticket,
                "rating": order.rating,
                "reason": order.rating_reason,
                "department": order.department,
                "category": order.category_l1,
                "channel": order.channel,
                "rated_at": (as_utc(order.rated_at) or self.clock()).isoformat(),
            }
        return self._enqueue("rating", ticket, RATING_TARGET, payload)

    def _enqueue(self, kind: str, subject: str, target: str, payload: dict[str, Any]) -> int | None:
        now = self.clock()
        try:
            with self._sessions.begin() as session:
                row = LinkageDelivery(
                    kind=kind,
                    subject=subject,
                    target=target,
                    payload=payload,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
                session.add(row)
                session.flush()
                session.add(
                    self._event("linkage.queued", str(row.id), {"kind": kind, "subject": subject, "target": target})
                )
                return row.id
        except IntegrityError:
            return None

    def unpushed_referrals(self) -> list[int]:
        """Emergency referrals still pending with no delivery row (their alert was missed)."""
        with self._sessions() as session:
            queued = select(LinkageDelivery.subject).where(LinkageDelivery.kind == "emergency")
            return list(
                session.scalars(
                    select(EmergencyReferral.id)
                    .where(
                        EmergencyReferral.linkage_status == "pending",
                        cast(EmergencyReferral.id, String).not_in(queued),
                    )
                    .order_by(EmergencyReferral.id)
                )
            )

    # -- pushing ---------------------------------------------------------------------------------

    def claim_due(self, limit: int = 20, ids: list[int] | None = None) -> list[Delivery]:
        now = self.clock()
        claimed: list[Delivery] = []
        with self._sessions.begin() as session:
            statement = select(LinkageDelivery.id).where(
                LinkageDelivery.status == "pending",
                LinkageDelivery.next_attempt_at <= now,
                or_(LinkageDelivery.claimed_until.is_(None), LinkageDelivery.claimed_until < now),
            )
            if ids is not None:
                statement = statement.where(LinkageDelivery.id.in_(ids))
            for delivery_id in list(session.scalars(statement.order_by(LinkageDelivery.id).limit(limit))):
                # Compare-and-set: another process may have claimed the row since the select.
                taken = session.execute(
                    update(LinkageDelivery)
                    .where(
                        LinkageDelivery.id == delivery_id,
                        or_(LinkageDelivery.claimed_until.is_(None), LinkageDelivery.claimed_until < now),
                    )
                    .values(claimed_until=now + _HOLD)
                )
                if taken.rowcount:  # type: ignore[attr-defined]
                    row = session.get(LinkageDelivery, delivery_id)
                    if row is not None:
                        claimed.append(Delivery.of(row))
        return claimed

    async def push_due(self, client: httpx.AsyncClient, ids: list[int] | None = None) -> list[Delivery]:
        """POST every due delivery once; returns them as they are afterwards."""
        from anyio import to_thread

        due = await to_thread.run_sync(self.claim_due, 20, ids)
        done = []
        for delivery in due:
            status, error = await self._post(client, delivery)
            done.append(await to_thread.run_sync(self._settle, delivery.id, status, error))
        return done

    async def _post(self, client: httpx.AsyncClient, delivery: Delivery) -> tuple[int | None, str | None]:
        url = self.config.endpoints.get(delivery.target)
        if not url:
            return None, f"no endpoint configured for {delivery.target}"
        headers = {"Idempotency-Key": f"{delivery.kind}-{delivery.subject}-{delivery.target}"}
        if self.config.token:
            headers["Authorization"] = f"Bearer {self.config.token}"
        try:
            response = await client.post(
                url, json=delivery.payload, headers=headers, timeout=self.config.timeout_seconds
            )
        except httpx.HTTPError as error:
            return None, f"{type(error).__name__}: {error}"[:500]
        if 200 <= response.status_code < 300:
            return response.status_code, None
        return response.status_code, f"HTTP {response.status_code}"

    def _settle(self, delivery_id: int, status: int | None, error: str | None) -> Delivery:
        now = self.clock()
        with self._sessions.begin() as session:
            row = session.get(LinkageDelivery, delivery_id)
            assert row is not None, "claimed deliveries are never deleted"
            row.attempts += 1
            row.response_status = status
            row.last_error = error
            row.claimed_until = None
            if error is None:
                row.status, row.delivered_at = "delivered", now
            elif (status is None or status in _RETRYABLE) and row.attempts < self.config.max_attempts:
                row.next_attempt_at = now + self.config.backoff(row.attempts)
            else:
                row.status = "failed"
            session.add(
                self._event(
                    f"linkage.{'attempt' if row.status == 'pending' else row.status}",
                    str(row.id),
                    {"target": row.target, "attempt": row.attempts, "status": status, "error": error},
                )
            )
            if row.kind == "emergency" and row.status != "pending":
                self._settle_referral(session, int(row.subject))
            if row.status == "failed":
                log.warning("linkage push %s to %s failed: %s", row.id, row.target, error)
            return Delivery.of(row)

    @staticmethod
    def _settle_referral(session: Session, referral_id: int) -> None:
        statuses = set(
            session.scalars(
                select(LinkageDelivery.status).where(
                    LinkageDelivery.kind == "emergency", LinkageDelivery.subject == str(referral_id)
                )
            )
        )
        if "pending" in statuses:
            return
        referral = session.get(EmergencyReferral, referral_id)
        if referral is not None:
            referral.linkage_status = "failed" if "failed" in statuses else "pushed"

    def deliveries(self, limit: int = 100, status: str | None = None) -> list[Delivery]:
        with self._sessions() as session:
            statement = select(LinkageDelivery).order_by(LinkageDelivery.id.desc()).limit(limit)
            if status:
                statement = statement.where(LinkageDelivery.status == status)
            return [Delivery.of(row) for row in session.scalars(statement)]

    def retry(self, delivery_id: int, actor: str) -> Delivery:
        """Put a failed delivery back in the queue (an operator fixed the endpoint)."""
        with self._sessions.begin() as session:
            row = session.get(LinkageDelivery, delivery_id)
            if row is None:
                raise LinkageError(f"no linkage delivery {delivery_id}")
            row.status, row.attempts, row.next_attempt_at = "pending", 0, self.clock()
            session.add(self._event("linkage.retry", str(delivery_id), {"target": row.target}, actor))
            return Delivery.of(row)

    def _event(self, kind: str, subject: str, data: dict[str, Any], actor: str = "linkage") -> Event:
        return Event(at=self.clock(), kind=kind, actor=actor, subject_type="linkage", subject_id=subject, data=data)
