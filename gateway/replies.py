"""What the hotline says, in one place, so wording is reviewed once and stays consistent."""

from __future__ import annotations

from datetime import date
from typing import Any

_SERVICE_NAMES = {
    "110": "110报警电话",
    "119": "119火警电话",
    "120": "120急救电话",
    "122": "122交通事故报警电话",
}


def emergency(services: tuple[str, ...]) -> str:
    numbers = "、".join(_SERVICE_NAMES.get(s, s) for s in services)
    return (
        f"【紧急】您反映的情况可能危及生命财产安全，请立即拨打{numbers}！"
        "12345热线不能代替紧急救援。我们已记录并同步通报，请在安全的地方等待救援，保持电话畅通。"
    )


def possible_emergency(services: tuple[str, ...]) -> str:
    numbers = "、".join(_SERVICE_NAMES.get(s, s) for s in services)
    return (
        f"【提示】如果您或他人正面临危险，请立即拨打{numbers}！12345热线不能代替紧急救援。"
        "您反映的事项我们也会继续受理。"
    )


def small_talk(intent: str) -> str:
    if intent == "thanks":
        return "不客气，感谢您对12345热线工作的支持！还有其他问题可以随时留言。"
    if intent == "goodbye":
        return "感谢您的来信，再见！如有需要，欢迎随时联系12345热线。"
    return (
        "您好，这里是12345政务服务便民热线。"
        "请详细描述您要咨询、求助、投诉或建议的事项（时间、地点、具体情况），我们会尽快为您办理。"
    )


def work_order_opened(ticket: str, appeal_type: str, department: str, deadline: date) -> str:
    return (
        f"您的{appeal_type}已受理，工单号：{ticket}。"
        f"我们将转交{department}办理，预计在{deadline.year}年{deadline.month}月{deadline.day}日前答复。"
        "您可凭工单号随时查询办理进度。"
    )


def utility(referral: dict[str, Any]) -> str:
    operator = referral.get("operator") or "相关公用事业单位"
    hotline = referral.get("hotline")
    contact = f"（服务热线{hotline}）" if hotline else ""
    return f"此类问题一般由{operator}{contact}负责抢修处理，我们已同步为您登记并转交。"


def temporary_failure() -> str:
    return "系统繁忙，您的留言已保存，我们处理后会尽快回复您。如遇紧急情况请直接拨打110、119、120或122。"


CONFIRM_BUTTONS = ("正确", "需要修改")
CONFIDENTIAL_BUTTONS = ("需要保密", "不需要保密")
FEEDBACK_BUTTONS = ("解决了", "没解决")
RATING_BUTTONS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
FEEDBACK_QUESTION = "这个回答解决您的问题了吗？"


def opened_with_question(ticket_reply: str, question: str) -> str:
    return f"{ticket_reply}\n为便于尽快办理，还需要补充几项信息。{question}"


def summary(description: str, details: dict[str, str], labels: dict[str, str]) -> str:
    lines = [f"请确认您反映的内容：\n事项：{_shorten(description)}"]
    for key, value in details.items():
        lines.append(f"{labels.get(key, key)}：{_mask_contact(key, value)}")
    lines.append("以上信息是否正确？")
    return "\n".join(lines)


def ask_correction() -> str:
    return "请直接告诉我需要修改的内容，例如“地点是幸福小区东门”或“电话是139xxxxxxxx”。"


def ask_confidential() -> str:
    return "您是否需要对个人信息保密？选择保密后，承办部门看不到您的姓名和电话。"


def appeal_completed(ticket: str, department: str, deadline: str, confidential: bool) -> str:
    secret = "已按您的要求对个人信息保密。" if confidential else ""
    return (
        f"工单{ticket}的信息已补充完整，{secret}将转交{department}办理，预计在{deadline}前答复。"
        "感谢您的反映！如需查询进度，请发送工单号。"
    )


def detail_skipped(question: str) -> str:
    return f"好的，这项可以不填。{question}"


def knowledge_answer(title: str, answer: str, source: str | None, valid_until: str | None) -> str:
    from knowledge.render import markdown_to_text

    # Articles are Markdown; no channel shows it, so it becomes plain text with its lists kept.
    lines = [f"【{title}】", markdown_to_text(answer).strip()]
    if source:
        lines.append(f"来源：{source}")
    if valid_until:
        lines.append(f"有效期至：{valid_until}")
    lines.append(FEEDBACK_QUESTION)
    return "\n".join(lines)


def answer_helped() -> str:
    return "很高兴能帮到您！还有其他问题可以随时留言。"


def answer_did_not_help() -> str:
    return "抱歉没能解决您的问题，我们为您转为工单，由相关部门答复。"


def status_of(view_ticket: str, status: str, department: str, deadline: str, reply_text: str | None) -> str:
    text = f"工单{view_ticket}当前状态：{status}，承办部门：{department}，办理时限：{deadline}。"
    if reply_text:
        text += f"\n办理答复：{reply_text}"
    return text


def ask_ticket() -> str:
    return "请发送您要查询的工单号（格式如12345-20261128-000123）。"


def ask_verification() -> str:
    return "为保护您的信息，请回复登记的联系电话后四位。"


def verification_failed() -> str:
    return "联系电话后四位不一致，无法查询该工单。如有疑问请拨打12345热线。"


def ticket_not_found(ticket: str) -> str:
    return f"没有找到工单{ticket}，请核对工单号后重新发送。"


def ask_rating(ticket: str) -> str:
    return f"请您对工单{ticket}的办理结果进行评价："


def rating_thanks(level: str) -> str:
    return f"感谢您的评价（{level}）！我们会持续改进服务。"


def ask_rating_reason() -> str:
    return "很抱歉让您不满意，请告诉我们不满意的原因，我们会督促改进。"


def rating_reason_thanks() -> str:
    return "已记录您的意见，相关部门会认真研究改进，必要时会与您联系。"


def handoff() -> str:
    return "正在为您转接人工客服，请稍候。工作时间外，您的留言会在上班后第一时间处理。"


def ask_details_again() -> str:
    return "抱歉，我没能理解您的意思。请具体描述您遇到的问题，包括时间、地点和具体情况；也可以回复“人工”转接人工客服。"


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mask_contact(key: str, value: str) -> str:
    if key == "contact" and value.startswith("+86"):
        value = value[3:]  # citizens know their number without the country code
    if key == "contact" and len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return value
