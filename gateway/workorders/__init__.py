"""Work orders after they are opened: the GB/T 44190 6.2.3 lifecycle, queue, hot spots, reports, staffing.

service = WorkOrderService(WorkOrderRepository(store.engine), calendar)
actor = Actor("zhang.san", Role.AGENT)
change = service.act(ticket, Action.DISPATCH, actor, TransitionInput(department="市城管局"))
"""

from gateway.workorders.errors import (
    ActionForbidden,
    ChannelUnavailable,
    IllegalTransition,
    InvalidValue,
    MissingField,
    WorkOrderError,
    WorkOrderNotFound,
)
from gateway.workorders.lifecycle import Action, Actor, Role, Status

__all__ = [
    "Action",
    "ActionForbidden",
    "Actor",
    "ChannelUnavailable",
    "IllegalTransition",
    "InvalidValue",
    "MissingField",
    "Role",
    "Status",
    "WorkOrderError",
    "WorkOrderNotFound",
]
