"""Dialogue policy: from what a message means and the conversation so far, decide what to do.

A pure function of (understanding, state, context). The order is fixed: an emergency overrides every state;
then the question the conversation is waiting on (a detail, a confirmation, feedback, a rating); then a new
message (status query, handoff, small talk, knowledge answer, appeal).

An appeal becomes a work order at once, so nothing is lost if the citizen leaves; the details the catalogue
asks for are then collected one question at a time, confirmed, and added to that work order.
"""

from __future__ import annotations

from typing import Any

from gateway import replies
from gateway.dialogue import understanding_text as said
from gateway.dialogue.details import DETAIL_LABELS, answer_for, detail_of_correction, prefill
from gateway.dialogue.model import (
    AnswerFromKnowledge,
    Context,
    Decision,
    Handoff,
    OpenWorkOrder,
    RecordRating,
    ReferEmergency,
    SendReply,
    Understanding,
    UpdateWorkOrder,
)

SMALL_TALK = frozenset({"greet", "thanks", "goodbye"})
CONSULTATIONS = frozenset({"咨询", "在线办理指导"})
# Help requests and complaints that ask how/where/whether are often consultations the KB can answer.
QUESTION_ASKING = frozenset({"求助", "投诉"})
# Messages this short carry too little to open a work order on ("在吗", "喂").
MIN_APPEAL_CHARS = 6
# A reply this long with another category is a new topic, not the answer to the question asked.
NEW_TOPIC_CHARS = 15
# After this many turns the policy could not read, a human takes over.
MAX_UNCLEAR_TURNS = 2


def may_answer(u: Understanding) -> bool:
    """Whether a knowledge-base answer may stand in for a work order: consultations, and help requests or
    complaints phrased as a question (the answer still asks whether it helped; "no" opens the work order)."""
    if u.appeal_type in CONSULTATIONS:
        return True
    return u.appeal_type in QUESTION_ASKING and said.asks_how(u.normalized)


def decide(u: Understanding, state: dict[str, Any], ctx: Context) -> Decision:
    decision = _decide(u, state, ctx)
    decision.state["offered"] = list(offered_choices(decision))
    return decision


def chosen_option(text: str, state: dict[str, Any]) -> str:
    """Channels without buttons show them numbered ("1. 正确"): a bare number picks that option."""
    offered = state.get("offered") or []
    value = text.strip().rstrip(".。")
    if value.isdigit() and 1 <= int(value) <= len(offered):
        return str(offered[int(value) - 1])
    return text


def offered_choices(decision: Decision) -> tuple[str, ...]:
    for action in reversed(decision.actions):
        if isinstance(action, SendReply) and action.buttons and action.kind != "emergency":
            return action.buttons
        if isinstance(action, OpenWorkOrder) and action.follow_up_buttons:
            return action.follow_up_buttons
        if isinstance(action, AnswerFromKnowledge):
            return replies.FEEDBACK_BUTTONS
    return ()


def overriding_emergency(u: Understanding) -> bool:
    """A rule-found emergency overrides everything; a model-only one is advised while the message goes on."""
    return bool(u.emergency) and (u.emergency or {}).get("source") != "model"


def _decide(u: Understanding, state: dict[str, Any], ctx: Context) -> Decision:
    decision = Decision(state=dict(state))
    decision.state["turns"] = int(state.get("turns", 0)) + 1
    if overriding_emergency(u):
        return _emergency(u, decision)
    if u.emergency:
        _possible_emergency(u, decision)
    for key, handler in _WAITING:
        if key in decision.state:
            handled = handler(u, decision, ctx)
            if handled is not None:
                return handled
            if key not in _RESUMABLE:
                decision.state.pop(key, None)
    return _new_message(u, decision, ctx)


# -- emergencies --------------------------------------------------------------------------------------


def _emergency(u: Understanding, decision: Decision) -> Decision:
    services = _refer_emergency(u, decision)
    return decision.say(replies.emergency(services), buttons=services, kind="emergency")


def _possible_emergency(u: Understanding, decision: Decision) -> None:
    """Only the statistical model saw danger: advise the emergency number, refer it to agents, and go on
    with the message as usual, so an ordinary appeal the model misread still gets its work order."""
    services = _refer_emergency(u, decision)
    decision.say(replies.possible_emergency(services), buttons=services, kind="emergency")


def _refer_emergency(u: Understanding, decision: Decision) -> tuple[str, ...]:
    emergency = u.emergency or {}
    services = tuple(str(s) for s in emergency.get("services", ()))
    decision.state["last_emergency"] = list(services)
    decision.actions.append(
        ReferEmergency(
            services=services,
            severity=str(emergency.get("severity", "critical")),
            evidence=str(emergency.get("evidence", "")),
            reason=str(emergency.get("reason", "")),
        )
    )
    return services


# -- new messages -------------------------------------------------------------------------------------


def _new_message(u: Understanding, decision: Decision, ctx: Context) -> Decision:
    ticket = said.ticket_in(u.text)
    if ticket or u.intent == "query_status":
        return _status_query(ticket, decision, ctx)
    if u.intent == "request_human" or "人工" in u.text[:12]:
        decision.actions.append(Handoff(reason="citizen asked for an agent"))
        return decision.say(replies.handoff())
    short = len(u.normalized.strip()) < MIN_APPEAL_CHARS
    if u.intent in SMALL_TALK or (short and u.intent in {"affirm", "deny"}):
        decision.state.pop("unclear", None)
        return decision.say(replies.small_talk(u.intent))
    if ctx.answer is not None and may_answer(u):
        decision.actions.append(AnswerFromKnowledge(answer=ctx.answer, question=u.text))
        decision.state["answer"] = {
            "article_id": ctx.answer.article_id,
            "question": u.text,
            "appeal_type": u.appeal_type,
            "category_l1": u.category_l1,
            "category_l2": u.category_l2,
        }
        return decision
    category = _category(u)
    if short or category is None or u.intent == "out_of_scope":
        return _unclear(decision)
    return _open_appeal(u, category, decision, ctx)


def _category(u: Understanding) -> tuple[str, str | None] | None:
    if u.category_l1:
        return u.category_l1, u.category_l2
    for label, _score in u.ranking:
        l1, _, l2 = label.partition("/")
        return l1, l2 or None
    return None


def _unclear(decision: Decision) -> Decision:
    unclear = int(decision.state.get("unclear", 0)) + 1
    decision.state["unclear"] = unclear
    if unclear >= MAX_UNCLEAR_TURNS:
        decision.state.pop("unclear")
        decision.actions.append(Handoff(reason="the assistant could not understand the citizen twice"))
        return decision.say(replies.handoff())
    return decision.say(replies.ask_details_again(), buttons=("人工客服",))


def _open_appeal(
    u: Understanding,
    category: tuple[str, str | None],
    decision: Decision,
    ctx: Context,
    description: str = "",
) -> Decision:
    decision.state.pop("unclear", None)
    text = description or u.text
    wanted = list(ctx.required_details)
    if "contact" not in wanted:
        wanted.append("contact")
    details = prefill(wanted, u.entities, text)
    if ctx.contact and "contact" not in details:
        details["contact"] = ctx.contact
    missing = [d for d in wanted if d not in details]
    draft: dict[str, Any] = {
        "ticket": None,
        "category_l1": category[0],
        "description": text,
        "details": details,
        "missing": missing[1:],
        "last_filled": None,
    }
    if missing:
        draft["awaiting"] = missing[0]
        follow_up = ctx.detail_prompts.get(missing[0], "")
    else:
        draft["awaiting"] = "confirm"
        follow_up = replies.summary(text, details, dict(DETAIL_LABELS))
    if u.utility:
        decision.say(replies.utility(u.utility))
    decision.actions.append(
        OpenWorkOrder(
            appeal_type=u.appeal_type if u.appeal_type and u.appeal_type not in CONSULTATIONS else _fallback_type(u),
            category_l1=category[0],
            category_l2=category[1],
            confidence=u.category_confidence,
            description=text,
            details=details,
            follow_up=follow_up,
            follow_up_buttons=replies.CONFIRM_BUTTONS if not missing else (),
        )
    )
    decision.state["draft"] = draft
    return decision


def _fallback_type(u: Understanding) -> str:
    # A consultation the knowledge base cannot answer is still a consultation work order.
    return u.appeal_type or "求助"


def _status_query(ticket: str | None, decision: Decision, ctx: Context) -> Decision:
    if ticket is None:
        decision.state["status_query"] = {"awaiting": "ticket"}
        return decision.say(replies.ask_ticket())
    view = ctx.ticket
    if view is None or view.ticket != ticket:
        decision.state.pop("status_query", None)
        return decision.say(replies.ticket_not_found(ticket))
    known = ctx.contact[-4:] if ctx.contact else None
    if view.contact_last4 and known != view.contact_last4:
        decision.state["status_query"] = {"awaiting": "verify", "ticket": ticket}
        return decision.say(replies.ask_verification())
    decision.state.pop("status_query", None)
    return decision.say(replies.status_of(view.ticket, view.status, view.department, view.deadline, view.reply_text))


# -- answers to the question the conversation waits on -----------------------------------------------


def _draft(u: Understanding, decision: Decision, ctx: Context) -> Decision | None:
    draft = dict(decision.state["draft"])
    decision.state["draft"] = draft
    awaiting = draft.get("awaiting")
    ticket = draft.get("ticket")
    if not ticket:
        return None
    if awaiting == "confirm":
        return _confirm(u, draft, decision)
    if awaiting == "correction":
        return _apply_correction(u, u.text, draft, decision, ctx)
    if awaiting == "confidential":
        return _confidential(u, draft, decision, ctx)
    if said.ticket_in(u.text) or u.intent in {"query_status", "request_human"}:
        return None
    corrected = said.correction_value(u.text)
    if corrected is not None and draft.get("last_filled"):
        return _apply_correction(u, corrected, draft, decision, ctx, detail=str(draft["last_filled"]))
    if _is_new_topic(u, draft, str(awaiting)):
        return None
    if _is_more_description(u, str(awaiting)):
        draft["description"] = f"{draft.get('description', '')}\n{u.text.strip()}"
        decision.actions.append(UpdateWorkOrder(ticket=str(ticket), note=f"市民补充：{u.text.strip()}"))
        return decision.say("好的，已补充到工单。" + ctx.detail_prompts.get(str(awaiting), ""))
    if said.declines_detail(u.text) and awaiting != "location":
        return _next_step(draft, decision, ctx, skipped=True)
    value = answer_for(str(awaiting), u.entities, u.text)
    draft["details"] = {**draft.get("details", {}), str(awaiting): value}
    draft["last_filled"] = awaiting
    decision.actions.append(UpdateWorkOrder(ticket=str(ticket), details={str(awaiting): value}))
    return _next_step(draft, decision, ctx)


def _is_new_topic(u: Understanding, draft: dict[str, Any], awaiting: str) -> bool:
    if len(u.normalized) < NEW_TOPIC_CHARS or not u.appeal_type or answer_for(awaiting, u.entities, ""):
        return False
    if not u.category_l1 or u.category_l1 == draft.get("category_l1"):
        return False
    if awaiting in _FREE_TEXT_DETAILS:
        # "Where" and "when" are answered in free words: only a long, confidently different appeal is new.
        return len(u.normalized) >= 2 * NEW_TOPIC_CHARS and u.category_confidence >= _NEW_TOPIC_CONFIDENCE
    return True


def _is_more_description(u: Understanding, awaiting: str) -> bool:
    """A long message that does not answer a question with a precise answer (a phone, a plate) adds detail."""
    return (
        len(u.normalized) >= NEW_TOPIC_CHARS
        and awaiting in _ENTITY_DETAILS
        and not answer_for(awaiting, u.entities, "")
        and not said.declines_detail(u.text)
    )


def _next_step(draft: dict[str, Any], decision: Decision, ctx: Context, skipped: bool = False) -> Decision:
    missing = list(draft.get("missing", []))
    if missing:
        draft["awaiting"] = missing.pop(0)
        draft["missing"] = missing
        question = ctx.detail_prompts.get(draft["awaiting"], "")
        return decision.say(replies.detail_skipped(question) if skipped else question)
    draft["awaiting"] = "confirm"
    text = replies.summary(str(draft.get("description", "")), dict(draft.get("details", {})), dict(DETAIL_LABELS))
    return decision.say(text, buttons=replies.CONFIRM_BUTTONS)


def _confirm(u: Understanding, draft: dict[str, Any], decision: Decision) -> Decision | None:
    corrected = said.correction_value(u.text)
    if corrected is not None:
        return _apply_correction(u, corrected, draft, decision, None)
    if said.wants_change(u.text) or said.is_deny(u.text) or u.intent == "deny":
        draft["awaiting"] = "correction"
        return decision.say(replies.ask_correction())
    if said.is_affirm(u.text) or u.intent == "affirm":
        draft["awaiting"] = "confidential"
        return decision.say(replies.ask_confidential(), buttons=replies.CONFIDENTIAL_BUTTONS)
    return None


def _apply_correction(
    u: Understanding,
    value: str,
    draft: dict[str, Any],
    decision: Decision,
    ctx: Context | None,
    detail: str | None = None,
) -> Decision:
    target = detail_of_correction(u.entities, detail or draft.get("last_filled"))
    ticket = str(draft["ticket"])
    if target is None:
        note = f"市民补充：{u.text.strip()}"
        draft["description"] = f"{draft.get('description', '')}\n{u.text.strip()}"
        decision.actions.append(UpdateWorkOrder(ticket=ticket, note=note))
    else:
        corrected = answer_for(target, u.entities, value)
        draft["details"] = {**draft.get("details", {}), target: corrected}
        draft["last_filled"] = target
        decision.actions.append(UpdateWorkOrder(ticket=ticket, details={target: corrected}))
    if draft.get("awaiting") not in {"confirm", "correction"} and ctx is not None:
        question = ctx.detail_prompts.get(str(draft.get("awaiting")), "")
        return decision.say(f"好的，已更正。{question}")
    draft["awaiting"] = "confirm"
    text = replies.summary(str(draft.get("description", "")), dict(draft.get("details", {})), dict(DETAIL_LABELS))
    return decision.say("好的，已更正。\n" + text, buttons=replies.CONFIRM_BUTTONS)


def _confidential(u: Understanding, draft: dict[str, Any], decision: Decision, ctx: Context) -> Decision | None:
    choice = said.wants_confidential(u.text)
    if choice is None:
        return None
    ticket = str(draft["ticket"])
    decision.actions.append(UpdateWorkOrder(ticket=ticket, confidential=choice, note="市民已确认工单信息"))
    decision.state.pop("draft", None)
    decision.state["last_ticket"] = ticket
    return decision.say(
        replies.appeal_completed(
            ticket, str(draft.get("department", "承办部门")), str(draft.get("deadline", "办理时限")), choice
        ),
        kind="ticket",
    )


def _answer_feedback(u: Understanding, decision: Decision, ctx: Context) -> Decision | None:
    answer = decision.state.pop("answer")
    if said.is_affirm(u.text) or u.intent in {"affirm", "thanks"}:
        return decision.say(replies.answer_helped())
    if said.is_deny(u.text) or u.intent == "deny":
        question = str(answer.get("question", ""))
        # A complaint or help request answered from the KB stays what it was when it becomes a work order.
        appeal_type = str(answer.get("appeal_type") or "咨询")
        decision.say(replies.answer_did_not_help())
        fallback = Understanding(
            text=question,
            normalized=question,
            entities=u.entities,
            emergency=None,
            utility=None,
            intent=appeal_type,
            intent_confidence=u.intent_confidence,
            appeal_type=appeal_type,
            category_l1=answer.get("category_l1"),
            category_l2=answer.get("category_l2"),
            category_confidence=u.category_confidence,
        )
        chosen = _category(fallback)
        if chosen is None:
            return _unclear(decision)
        return _open_appeal(fallback, chosen, decision, ctx, description=question)
    return None


def _status_waiting(u: Understanding, decision: Decision, ctx: Context) -> Decision | None:
    waiting = dict(decision.state["status_query"])
    if waiting.get("awaiting") == "ticket":
        ticket = said.ticket_in(u.text)
        return _status_query(ticket, decision, ctx) if ticket else None
    digits = said.four_digits(u.text)
    if digits is None:
        return None
    decision.state.pop("status_query", None)
    view = ctx.ticket
    if view is None or view.ticket != waiting.get("ticket"):
        return decision.say(replies.ticket_not_found(str(waiting.get("ticket"))))
    if view.contact_last4 != digits:
        return decision.say(replies.verification_failed())
    return decision.say(replies.status_of(view.ticket, view.status, view.department, view.deadline, view.reply_text))


def _rating(u: Understanding, decision: Decision, ctx: Context) -> Decision | None:
    waiting = dict(decision.state["rating"])
    ticket = str(waiting["ticket"])
    if waiting.get("awaiting") == "reason":
        decision.state.pop("rating")
        decision.actions.append(RecordRating(ticket=ticket, level=str(waiting["level"]), reason=u.text.strip()))
        return decision.say(replies.rating_reason_thanks())
    level = said.rating_level(u.text)
    if level is None:
        return None
    if level in {"不满意", "非常不满意"}:
        decision.state["rating"] = {"ticket": ticket, "awaiting": "reason", "level": level}
        decision.actions.append(RecordRating(ticket=ticket, level=level))
        return decision.say(replies.ask_rating_reason())
    decision.state.pop("rating")
    decision.actions.append(RecordRating(ticket=ticket, level=level))
    return decision.say(replies.rating_thanks(level))


_NEW_TOPIC_CONFIDENCE = 0.4
# Details answered in the citizen's own words; others have a precise form (a phone number, a plate).
_FREE_TEXT_DETAILS = frozenset({"location", "time"})
_ENTITY_DETAILS = frozenset({"contact", "vehicle", "amount"})
# An unfinished appeal stays in the conversation (until the session expires) to be resumed.
_RESUMABLE = frozenset({"draft"})

# The questions a conversation can wait on; a handler returns None when the message is not an answer.
_WAITING = (
    ("rating", _rating),
    ("status_query", _status_waiting),
    ("answer", _answer_feedback),
    ("draft", _draft),
)
