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
