"""The work-order state machine of GB/T 44190 6.2.3, as data: statuses, actions, who may take them.

受理 → 派单 → 签收 → 办理 → 办结 → 审核 → 回访 → 归档, with 退单 (returned with a reason, then dispatched
again), 审核 rejection (back to 办理), and 直接办结 for consultations an agent answers on the spot.
延期, 督办, 预警 and ratings change an order without moving its status; they are actions too, so every
change goes through one audited path.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gateway.workorders.errors import ActionForbidden, IllegalTransition


class Status(StrEnum):
    ACCEPTED = "受理"
    DISPATCHED = "派单"
    SIGNED = "签收"
    HANDLING = "办理"
    COMPLETED = "办结"
    REVIEWED = "审核"
    CALLED_BACK = "回访"
    ARCHIVED = "归档"
    RETURNED = "退单"


class Action(StrEnum):
    DISPATCH = "dispatch"  # 派单 (also 重新派单 after 退单)
    SIGN = "sign"  # 签收
    RETURN = "return"  # 退单
    START = "start"  # 办理
    COMPLETE = "complete"  # 办结, with the reply to the citizen
    RESOLVE = "resolve"  # 直接办结: the agent answered a consultation at intake
    APPROVE = "approve"  # 审核通过
    REJECT = "reject"  # 审核不通过: back to the department
    CALLBACK = "callback"  # 回访
    ARCHIVE = "archive"  # 归档
    REQUEST_EXTENSION = "request_extension"  # 延期申请
    APPROVE_EXTENSION = "approve_extension"  # 延期审批通过
    REJECT_EXTENSION = "reject_extension"  # 延期审批不通过
    SUPERVISE = "supervise"  # 督办
    WARN = "warn"  # 预警
    RATE = "rate"  # 好差评


class Role(StrEnum):
    AGENT = "agent"
    DEPARTMENT = "department"
    SUPERVISOR = "supervisor"
    MAINTAINER = "maintainer"
    ADMIN = "admin"
    # Not accounts: the gateway's own sweeps and the citizen rating in the conversation.
    SYSTEM = "system"
    CITIZEN = "citizen"


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role
    department: str | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls("system", Role.SYSTEM)

    @classmethod
    def citizen(cls) -> Actor:
        return cls("citizen", Role.CITIZEN)


_OPEN_FOR_HANDLING = frozenset({Status.SIGNED, Status.HANDLING})
# Orders still waiting for the department's answer: they can be warned about and supervised.
UNFINISHED = frozenset({Status.ACCEPTED, Status.DISPATCHED, Status.SIGNED, Status.HANDLING, Status.RETURNED})
FINISHED = frozenset({Status.COMPLETED, Status.REVIEWED, Status.CALLED_BACK, Status.ARCHIVED})

# action -> (statuses it may start from, status it leads to; None keeps the status)
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status | None]] = {
    Action.DISPATCH: (frozenset({Status.ACCEPTED, Status.RETURNED, Status.DISPATCHED}), Status.DISPATCHED),
    Action.SIGN: (frozenset({Status.DISPATCHED}), Status.SIGNED),
    Action.RETURN: (frozenset({Status.DISPATCHED, Status.SIGNED}), Status.RETURNED),
    Action.START: (frozenset({Status.SIGNED}), Status.HANDLING),
    Action.COMPLETE: (frozenset({Status.HANDLING}), Status.COMPLETED),
    Action.RESOLVE: (frozenset({Status.ACCEPTED}), Status.COMPLETED),
    Action.APPROVE: (frozenset({Status.COMPLETED}), Status.REVIEWED),
    Action.REJECT: (frozenset({Status.COMPLETED}), Status.HANDLING),
    Action.CALLBACK: (frozenset({Status.REVIEWED}), Status.CALLED_BACK),
    Action.ARCHIVE: (frozenset({Status.CALLED_BACK}), Status.ARCHIVED),
    Action.REQUEST_EXTENSION: (_OPEN_FOR_HANDLING, None),
    Action.APPROVE_EXTENSION: (_OPEN_FOR_HANDLING, None),
    Action.REJECT_EXTENSION: (_OPEN_FOR_HANDLING, None),
    Action.SUPERVISE: (UNFINISHED, None),
    Action.WARN: (UNFINISHED, None),
    Action.RATE: (frozenset({Status.COMPLETED, Status.REVIEWED, Status.CALLED_BACK}), None),
}

_CENTRE = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
_DEPARTMENT = frozenset({Role.DEPARTMENT, Role.ADMIN})
_SUPERVISION = frozenset({Role.SUPERVISOR, Role.ADMIN})

# Who may take each action: the 12345 centre dispatches, reviews and calls back; departments handle.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.DISPATCH: _CENTRE,
    Action.SIGN: _DEPARTMENT,
    Action.RETURN: _DEPARTMENT,
    Action.START: _DEPARTMENT,
    Action.COMPLETE: _DEPARTMENT,
    Action.RESOLVE: _CENTRE,
    Action.APPROVE: _CENTRE,
    Action.REJECT: _CENTRE,
    Action.CALLBACK: _CENTRE,
    Action.ARCHIVE: _CENTRE,
    Action.REQUEST_EXTENSION: _DEPARTMENT,
    Action.APPROVE_EXTENSION: _SUPERVISION,
    Action.REJECT_EXTENSION: _SUPERVISION,
    Action.SUPERVISE: _SUPERVISION | {Role.SYSTEM},
    Action.WARN: _SUPERVISION | {Role.SYSTEM},
    Action.RATE: _CENTRE | {Role.CITIZEN},
}

# Roles that see every order; department handlers see their department's; others see none.
SEES_ALL = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.SYSTEM})


def target_of(action: Action, status: str) -> Status | None:
    """The status after `action`, or IllegalTransition when the action is not legal from `status`."""
    sources, target = TRANSITIONS[action]
    if status not in sources:
        allowed = "、".join(s.value for s in sorted(sources, key=list(Status).index))
        raise IllegalTransition(f"{action.value} is not allowed in status {status} (allowed from {allowed})")
    return target


def can_see(actor: Actor, department: str) -> bool:
    if actor.role in SEES_ALL:
        return True
    return actor.role is Role.DEPARTMENT and actor.department is not None and actor.department == department


def check_allowed(actor: Actor, action: Action, department: str) -> None:
    """ActionForbidden unless the actor's role may take the action on an order of this department."""
    if actor.role not in PERMISSIONS[action]:
        raise ActionForbidden(f"role {actor.role.value} may not {action.value}")
    if actor.role is Role.DEPARTMENT and actor.department != department:
        raise ActionForbidden("the order belongs to another department")
