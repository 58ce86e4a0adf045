"""The state machine as a table: legal paths, illegal moves, and who may take each action."""

from __future__ import annotations

import pytest

from gateway.workorders.errors import ActionForbidden, IllegalTransition
from gateway.workorders.lifecycle import (
    PERMISSIONS,
    TRANSITIONS,
    Action,
    Actor,
    Role,
    Status,
    can_see,
    check_allowed,
    target_of,
)

MAIN_PATH = [
    (Action.DISPATCH, Status.ACCEPTED, Status.DISPATCHED),
    (Action.SIGN, Status.DISPATCHED, Status.SIGNED),
    (Action.START, Status.SIGNED, Status.HANDLING),
    (Action.COMPLETE, Status.HANDLING, Status.COMPLETED),
    (Action.APPROVE, Status.COMPLETED, Status.REVIEWED),
    (Action.CALLBACK, Status.REVIEWED, Status.CALLED_BACK),
    (Action.ARCHIVE, Status.CALLED_BACK, Status.ARCHIVED),
]


@pytest.mark.parametrize(("action", "source", "target"), MAIN_PATH)
def test_main_path_of_gb_t_44190(action: Action, source: Status, target: Status) -> None:
    assert target_of(action, source.value) is target


@pytest.mark.parametrize(
    ("action", "source", "target"),
    [
        (Action.RETURN, Status.DISPATCHED, Status.RETURNED),
        (Action.RETURN, Status.SIGNED, Status.RETURNED),
        (Action.DISPATCH, Status.RETURNED, Status.DISPATCHED),
        (Action.REJECT, Status.COMPLETED, Status.HANDLING),
        (Action.RESOLVE, Status.ACCEPTED, Status.COMPLETED),
    ],
)
def test_side_paths(action: Action, source: Status, target: Status) -> None:
    assert target_of(action, source.value) is target


@pytest.mark.parametrize(
    ("action", "source"),
    [
        (Action.SIGN, Status.ACCEPTED),  # nothing to sign before dispatch
        (Action.COMPLETE, Status.DISPATCHED),  # a department must sign and handle first
        (Action.ARCHIVE, Status.COMPLETED),  # no archive without review and callback
        (Action.CALLBACK, Status.HANDLING),
        (Action.DISPATCH, Status.ARCHIVED),
        (Action.RETURN, Status.COMPLETED),
        (Action.APPROVE, Status.ARCHIVED),
        (Action.REQUEST_EXTENSION, Status.ACCEPTED),
        (Action.SUPERVISE, Status.COMPLETED),
        (Action.RATE, Status.HANDLING),
    ],
)
def test_illegal_moves_are_refused_with_a_code(action: Action, source: Status) -> None:
    with pytest.raises(IllegalTransition) as refused:
        target_of(action, source.value)
    assert refused.value.code == "illegal_transition"
    assert source.value in refused.value.detail


def test_every_action_has_sources_and_permissions() -> None:
    assert set(TRANSITIONS) == set(Action) == set(PERMISSIONS)
    archived_exits = [a for a, (sources, _t) in TRANSITIONS.items() if Status.ARCHIVED in sources]
    assert archived_exits == []


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.AGENT, {"dispatch", "resolve", "approve", "reject", "callback", "archive", "rate"}),
        (
            Role.DEPARTMENT,
            {"sign", "return", "start", "complete", "request_extension"},
        ),
        (
            Role.SUPERVISOR,
            {
                "dispatch",
                "resolve",
                "approve",
                "reject",
                "callback",
                "archive",
                "rate",
                "approve_extension",
                "reject_extension",
                "supervise",
                "warn",
            },
        ),
        (Role.MAINTAINER, set()),
        (Role.CITIZEN, {"rate"}),
        (Role.SYSTEM, {"supervise", "warn"}),
    ],
)
def test_permissions_role_by_role(role: Role, allowed: set[str]) -> None:
    actor = Actor("someone", role, "市城市管理局" if role is Role.DEPARTMENT else None)
    granted = set()
    for action in Action:
        try:
            check_allowed(actor, action, "市城市管理局")
            granted.add(action.value)
        except ActionForbidden:
            pass
    assert granted == allowed


def test_department_handler_acts_only_on_its_department() -> None:
    handler = Actor("li.si", Role.DEPARTMENT, "市水务局")
    with pytest.raises(ActionForbidden, match="another department"):
        check_allowed(handler, Action.SIGN, "市城市管理局")
    check_allowed(handler, Action.SIGN, "市水务局")
    assert can_see(handler, "市水务局") and not can_see(handler, "市城市管理局")
    assert not can_see(Actor("x", Role.DEPARTMENT, None), "")
    assert not can_see(Actor("m", Role.MAINTAINER), "市水务局")
