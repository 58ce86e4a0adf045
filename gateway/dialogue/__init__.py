"""Channel-independent dialogue: the policy, its plain data, and the readings of short replies."""

from gateway.dialogue.model import (
    Action,
    AnswerFromKnowledge,
    Context,
    Decision,
    Handoff,
    KnowledgeAnswer,
    OpenWorkOrder,
    RecordRating,
    ReferEmergency,
    SendReply,
    TicketView,
    Understanding,
    UpdateWorkOrder,
)
from gateway.dialogue.policy import decide

__all__ = [
    "Action",
    "AnswerFromKnowledge",
    "Context",
    "Decision",
    "Handoff",
    "KnowledgeAnswer",
    "OpenWorkOrder",
    "RecordRating",
    "ReferEmergency",
    "SendReply",
    "TicketView",
    "Understanding",
    "UpdateWorkOrder",
    "decide",
]
