"""Work-order errors: each has a stable code; gateway/api turns codes into HTTP responses."""

from __future__ import annotations


class WorkOrderError(Exception):
    code = "work_order_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class WorkOrderNotFound(WorkOrderError):
    code = "work_order_not_found"


class IllegalTransition(WorkOrderError):
    """The action is not allowed from the order's current status (or state, for extensions)."""

    code = "illegal_transition"


class MissingField(WorkOrderError):
    """The action needs a reason, a reply, a department or a number of days that was not given."""

    code = "missing_field"


class InvalidValue(WorkOrderError):
    code = "invalid_value"


class ActionForbidden(WorkOrderError):
    """The actor's role may not take this action, or the order belongs to another department."""

    code = "action_forbidden"


class ChannelUnavailable(WorkOrderError):
    """No sender is registered for the channel the appeal came from."""

    code = "channel_unavailable"


class AlreadyClaimed(WorkOrderError):
    """Another agent holds the order; a supervisor may take it over."""

    code = "already_claimed"
