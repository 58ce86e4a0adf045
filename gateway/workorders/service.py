"""Work-order operations with roles and audit: queue, claim, reclassify, transitions, notes, sweeps.

Each operation is one locked transaction with its audit event (actor, time, data); callers publish the
returned Change on pub/sub. The service is synchronous (SQL); async callers run it in a thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from gateway.store.models import WorkOrder
from gateway.workdays import HolidayCalendar
from gateway.workorders.errors import (
    ActionForbidden,
    AlreadyClaimed,
    IllegalTransition,
    MissingField,
    WorkOrderError,
    WorkOrderNotFound,
)
from gateway.workorders.lifecycle import (
    SEES_ALL,
    Action,
    Actor,
    Role,
    Status,
    can_see,
    check_allowed,
    target_of,
)
from gateway.workorders.places import place_key
from gateway.workorders.records import NoteRecord, WorkOrderRecord
from gateway.workorders.repository import QueueFilter, WorkOrderRepository
from gateway.workorders.transitions import (
    Rules,
    TransitionInput,
    apply,
)

_CENTRE = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True)
class Change:
    """One applied change: the order after it, what happened and who did it."""

    order: WorkOrderRecord
    kind: str
    actor: str
    previous_status: str
    data: dict[str, Any] = field(default_factory=dict)

    def message(self) -> dict[str, Any]:
        """The pub/sub payload consoles receive (no citizen data beyond the ticket)."""
        return {
            "type": "changed",
            "kind": self.kind,
            "ticket": self.order.ticket,
            "status": self.order.status,
            "previous_status": self.previous_status,
            "department": self.order.department,
            "category": self.order.category_l1,
            "assignee": self.order.assignee,
            "deadline": self.order.deadline.isoformat(),
            "actor": self.actor,
        }


class FeedbackRecorder(Protocol):
    def __call__(
        self, *, text: str, before: dict[str, Any], after: dict[str, Any], actor: str, ticket: str
    ) -> None: ...


class RouteLookup(Protocol):
    """Department and deadline of a category (the catalogue's `route`)."""

    def __call__(self, category_l1: str, category_l2: str | None, appeal_type: str) -> tuple[str, int]: ...


@dataclass
class SweepResult:
    warned: list[Change] = field(default_factory=list)
    supervised: list[Change] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    rated: list[Change] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "warned": [c.order.ticket for c in self.warned],
            "supervised": [c.order.ticket for c in self.supervised],
            "linked": list(self.linked),
            "rated": [c.order.ticket for c in self.rated],
        }


@dataclass
class WorkOrderService:
    repo: WorkOrderRepository
    calendar: HolidayCalendar
    warn_working_days: int = 1
    duplicate_window_days: int = 7
    # Overdue orders are supervised again after this many days without an answer.
    resupervise_days: int = 1
    record_feedback: FeedbackRecorder | None = None
    route: RouteLookup | None = None
    # Called after every committed change (linkage pushes ratings from here).
    after_change: list[Callable[[Change], None]] = field(default_factory=list)

    def today(self) -> date:
        return self.calendar.today(self.repo.clock())

    # -- reading ---------------------------------------------------------------------------------

    def get(self, ticket: str, actor: Actor) -> WorkOrderRecord:
        """The order if the actor may see it; other departments' orders do not exist for a handler."""
        if actor.role not in SEES_ALL and actor.role is not Role.DEPARTMENT:
            raise ActionForbidden(f"role {actor.role.value} has no access to work orders")
        order = self.repo.get(ticket)
        if order is None or not can_see(actor, order.department):
            raise WorkOrderNotFound(f"no work order {ticket}")
        return order

    def queue(self, actor: Actor, where: QueueFilter, today: date | None = None) -> tuple[list[WorkOrderRecord], int]:
        if actor.role is Role.DEPARTMENT:
            # A handler's queue is always their own department's, whatever the filter says.
            where = QueueFilter(**{**where.__dict__, "department": actor.department or ""})
        elif actor.role not in SEES_ALL:
            raise ActionForbidden(f"role {actor.role.value} has no access to work orders")
        return self.repo.query(where, today or self.today())

    def detail(self, ticket: str, actor: Actor) -> dict[str, Any]:
        order = self.get(ticket, actor)
        return {
            "order": order,
            "history": self.repo.history(ticket),
            "notes": self.repo.notes(ticket),
            "duplicates": self.repo.duplicates_of(ticket),
        }

    # -- lifecycle -------------------------------------------------------------------------------

    def act(
        self,
        ticket: str,
        action: Action,
        actor: Actor,
        data: TransitionInput | None = None,
        today: date | None = None,
    ) -> Change:
        """Apply one lifecycle action; refused with IllegalTransition, MissingField or ActionForbidden."""
        data = data or TransitionInput()
        day = today or self.today()
        if actor.role is Role.CITIZEN:
            # The dialogue verified the citizen (ticket and phone digits); the permission table limits them.
            if self.repo.get(ticket) is None:
                raise WorkOrderNotFound(f"no work order {ticket}")
        else:
            self.get(ticket, actor)

        def mutate(row: WorkOrder) -> dict[str, Any]:
            check_allowed(actor, action, row.department)
            target = target_of(action, row.status)
            extra = apply(self.rules, action, row, data, day)
            if target is not None:
                row.status = target.value
            return extra

        order, previous = self.repo.change(ticket, f"work_order.{action.value}", actor.name, mutate)
        return self._committed(Change(order, action.value, actor.name, previous))

    @property
    def rules(self) -> Rules:
        return Rules(self.calendar, self.repo.clock, self.warn_working_days)

    # -- agent desk ------------------------------------------------------------------------------

    def claim(self, ticket: str, actor: Actor, *, take_over: bool = False) -> Change:
        if actor.role not in _CENTRE:
            raise ActionForbidden(f"role {actor.role.value} may not claim orders")
        if take_over and actor.role is Role.AGENT:
            raise ActionForbidden("only supervisors take over claimed orders")

        def mutate(row: WorkOrder) -> dict[str, Any]:
            if row.assignee and row.assignee != actor.name and not take_over:
                raise AlreadyClaimed(f"{row.ticket} is claimed by {row.assignee}")
            previous = row.assignee
            row.assignee = actor.name
            return {"assignee": actor.name, "previous_assignee": previous}

        self.get(ticket, actor)
        order, previous = self.repo.change(ticket, "work_order.claimed", actor.name, mutate)
        return self._committed(Change(order, "claim", actor.name, previous))

    def reclassify(
        self, ticket: str, actor: Actor, *, appeal_type: str, category_l1: str, category_l2: str | None
    ) -> Change:
        """Correct the labels; an order not yet dispatched also gets the new category's department.

        The correction is kept as training data (classifier feedback) with the labels before and after.
        """
        if actor.role not in _CENTRE:
            raise ActionForbidden(f"role {actor.role.value} may not reclassify orders")
        if not appeal_type.strip() or not category_l1.strip():
            raise MissingField("reclassify needs an appeal type and a category")
        route = self.route(category_l1, category_l2, appeal_type) if self.route else None
        before: dict[str, Any] = {}

        def mutate(row: WorkOrder) -> dict[str, Any]:
            before.update(_labels(row.appeal_type, row.category_l1, row.category_l2))
            row.appeal_type, row.category_l1, row.category_l2 = appeal_type, category_l1, category_l2
            extra: dict[str, Any] = {"before": dict(before)}
            if route is not None and row.status in (Status.ACCEPTED, Status.RETURNED):
                department, working_days = route
                row.department = department
                row.deadline = self.calendar.deadline(row.created_at, working_days)
                extra.update(department=department, deadline=row.deadline.isoformat())
            extra["after"] = _labels(appeal_type, category_l1, category_l2)
            return extra

        self.get(ticket, actor)
        order, previous = self.repo.change(ticket, "work_order.reclassified", actor.name, mutate)
        if self.record_feedback is not None:
            self.record_feedback(
                text=order.description,
                before=before,
                after=_labels(appeal_type, category_l1, category_l2),
                actor=actor.name,
                ticket=ticket,
            )
        return self._committed(Change(order, "reclassify", actor.name, previous, {"before": before}))

    def add_note(self, ticket: str, actor: Actor, text: str, *, kind: str = "note") -> NoteRecord:
        if not text.strip():
            raise MissingField("a note needs text")
        if kind == "reply" and actor.role not in _CENTRE:
            raise ActionForbidden("replies to citizens go through the 12345 centre")
        self.get(ticket, actor)
        return self.repo.add_note(ticket, actor.name, kind, text.strip(), {"length": len(text.strip())})

    def rate(self, ticket: str, rating: str, reason: str | None, actor: Actor | None = None) -> Change:
        """The citizen's 好差评 (from the conversation, or recorded by an agent on a callback)."""
        data = TransitionInput(rating=rating, reason=reason)
        return self.act(ticket, Action.RATE, actor or Actor.citizen(), data)

    def citizen_status(self, ticket: str, phone_last_four: str) -> dict[str, Any] | None:
        """What a citizen may learn about their order after proving the contact number's last four digits.

        None both for a wrong ticket and wrong digits, so tickets cannot be probed.
        """
        order = self.repo.find_by_contact_suffix(ticket.strip(), phone_last_four.strip())
        if order is None:
            return None
        return {
            "ticket": order.ticket,
            "status": order.status,
            "department": order.department,
            "deadline": order.deadline.isoformat(),
            "reply": order.reply_text if order.finished else None,
            "can_rate": order.status in (Status.COMPLETED, Status.REVIEWED, Status.CALLED_BACK)
            and order.rating is None,
        }

    # -- duplicates and sweeps -------------------------------------------------------------------

    def link_duplicate(self, ticket: str) -> str | None:
        """Examine a new order once: remember its place; link it to the first same-place, same-category order
        of the window (a hot spot). Returns the root ticket when linked."""
        order = self.repo.get(ticket)
        if order is None:
            raise WorkOrderNotFound(f"no work order {ticket}")
        if order.place_key is not None:
            return order.duplicate_of
        since = order.created_at - timedelta(days=self.duplicate_window_days)
        # Earlier orders first, whatever order the notifications came in: the first report stays the root.
        for earlier in self.repo.unexamined_before(order.id, order.category_l1, since):
            self.link_duplicate(earlier)
        key = place_key(order.entities)
        root = self.repo.duplicate_root(order.id, order.category_l1, key, since) if key else None

        def mutate(row: WorkOrder) -> dict[str, Any]:
            if row.place_key is not None:
                raise _AlreadyExamined(row.duplicate_of or "")
            row.place_key = key
            row.duplicate_of = root
            return {"place": key, "duplicate_of": root}

        try:
            kind = "work_order.duplicate_linked" if root else "work_order.place_recorded"
            changed, previous = self.repo.change(ticket, kind, "system", mutate)
        except _AlreadyExamined as done:
            return done.detail or None
        if root:
            self._committed(Change(changed, "duplicate_linked", "system", previous, {"root": root}))
        return root

    def sweep(self, today: date | None = None) -> SweepResult:
        """预警 before deadlines, 督办 of overdue orders, duplicate linking of new orders."""
        day = today or self.today()
        result = SweepResult()
        system = Actor.system()
        horizon = self.calendar.add_working_days(day, self.warn_working_days)
        for ticket in self.repo.unfinished_due_by(horizon):
            order = self.repo.get(ticket)
            if order is None:
                continue
            try:
                if order.deadline < day:
                    if self._supervision_due(order, day):
                        result.supervised.append(self.act(ticket, Action.SUPERVISE, system, today=day))
                elif order.warned_at is None and self.rules.in_warning_window(order.deadline, day):
                    result.warned.append(self.act(ticket, Action.WARN, system, today=day))
            except (IllegalTransition, WorkOrderNotFound):
                # Changed by someone else since the query: the next sweep sees the new state.
                continue
        for ticket in self.repo.unexamined_for_duplicates():
            root = self.link_duplicate(ticket)
            if root:
                result.linked.append(ticket)
        result.rated = self.adopt_ratings()
        return result

    def adopt_ratings(self, days: int = 30) -> list[Change]:
        """Ratings the dialogue logged as events become the order's rating (validated, pushed by hooks)."""
        adopted = []
        for ticket, level, reason in self.repo.unadopted_ratings(self.repo.clock() - timedelta(days=days)):
            try:
                adopted.append(self.rate(ticket, level, reason))
            except WorkOrderError:
                # Not ratable (unknown level, not finished): the event stays in the audit log only.
                continue
        return adopted

    def _supervision_due(self, order: WorkOrderRecord, day: date) -> bool:
        if order.supervised_at is None:
            return True
        return self.calendar.date_of(order.supervised_at) + timedelta(days=self.resupervise_days) <= day

    def hotspots(self, days: int, min_orders: int = 2) -> list[dict[str, Any]]:
        return self.repo.hotspots(self.repo.clock() - timedelta(days=days), min_orders)

    def _committed(self, change: Change) -> Change:
        for hook in self.after_change:
            hook(change)
        return change


class _AlreadyExamined(WorkOrderError):
    code = "already_examined"


def _labels(appeal_type: str, category_l1: str, category_l2: str | None) -> dict[str, Any]:
    return {"appeal_type": appeal_type, "category_l1": category_l1, "category_l2": category_l2}


def actions_for(order: WorkOrderRecord, actor: Actor) -> Sequence[str]:
    """Actions the actor could take on the order now (consoles show these as buttons)."""
    from gateway.workorders.lifecycle import PERMISSIONS, TRANSITIONS

    out = []
    for action, (sources, _target) in TRANSITIONS.items():
        if order.status in sources and actor.role in PERMISSIONS[action]:
            if actor.role is Role.DEPARTMENT and actor.department != order.department:
                continue
            out.append(action.value)
    return out
