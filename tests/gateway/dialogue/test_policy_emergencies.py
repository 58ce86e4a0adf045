"""The policy as a pure function: how rule-found and model-only emergencies meet a knowledge answer."""

from __future__ import annotations

from typing import Any

from gateway.dialogue import Context, KnowledgeAnswer, Understanding, decide
from gateway.dialogue.model import AnswerFromKnowledge, OpenWorkOrder, ReferEmergency
from tests.support.understanding import understanding

QUESTION = "我爸一个人在家做饭不方便，社区有老年食堂或者送餐吗"
ANSWER = KnowledgeAnswer("yl-003", "社区老年助餐", "可到社区服务中心登记老年助餐……", 1.2, "市民政局")


def consultation(emergency: dict[str, Any]) -> Understanding:
    return understanding(
        QUESTION, emergency=emergency, intent="咨询", appeal_type="咨询", category_l1="民政", category_l2="养老服务"
    )


def test_a_model_only_emergency_advises_and_the_consultation_is_still_answered() -> None:
    emergency = {"services": ["110"], "severity": "high", "evidence": "一个人", "reason": "p=0.7", "source": "model"}
    decision = decide(consultation(emergency), {}, Context(channel="web", answer=ANSWER))
    kinds = [type(action) for action in decision.actions]
    assert ReferEmergency in kinds and AnswerFromKnowledge in kinds
    assert OpenWorkOrder not in kinds


def test_a_rule_found_emergency_overrides_the_answer() -> None:
    emergency = {"services": ["119"], "severity": "critical", "evidence": "着火", "reason": "fire", "source": "rules"}
    decision = decide(consultation(emergency), {}, Context(channel="web", answer=ANSWER))
    kinds = [type(action) for action in decision.actions]
    assert ReferEmergency in kinds
    assert AnswerFromKnowledge not in kinds and OpenWorkOrder not in kinds
