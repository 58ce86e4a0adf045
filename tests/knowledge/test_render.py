"""Replies carry source, validity and the feedback question, and fit the channel."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.models import Answer
from knowledge.render import FEEDBACK_QUESTION, markdown_to_text, render_answer, validity_note

ANSWER = Answer(
    id="tax-002",
    title="个人所得税专项附加扣除",
    answer="按月扣除标准：\n- **子女教育**：每个子女 2000 元/月；\n- 赡养老人：独生子女 3000 元/月；\n"
    "- 住房贷款利息：1000 元/月。\n在[个人所得税 APP](https://etax.chinatax.gov.cn) 中填报。",
    score=0.95,
    source="《个人所得税专项附加扣除暂行办法》",
    valid_until=date(2027, 12, 31),
)


def test_markdown_becomes_plain_text() -> None:
    text = markdown_to_text(ANSWER.answer)
    assert "**" not in text and "· 子女教育：每个子女 2000 元/月；" in text
    assert "个人所得税 APP（https://etax.chinatax.gov.cn）" in text


def test_full_reply_has_source_validity_and_question() -> None:
    reply = render_answer(ANSWER)
    assert reply.endswith(FEEDBACK_QUESTION)
    assert "来源：《个人所得税专项附加扣除暂行办法》" in reply
    assert "有效期至：2027年12月31日" in reply


@pytest.mark.parametrize("limit", [70, 120, 200])
def test_sms_budget_is_respected_and_tail_kept(limit: int) -> None:
    reply = render_answer(ANSWER, max_chars=limit)
    assert len(reply) <= limit
    assert reply.endswith(FEEDBACK_QUESTION)
    assert "来源：" in reply


def test_markdown_kept_for_web() -> None:
    assert "**子女教育**" in render_answer(ANSWER, markdown=True)


@pytest.mark.parametrize(("today", "note"), [(date(2027, 12, 20), "本条目将在 11 天后到期"), (date(2027, 1, 1), "")])
def test_validity_note(today: date, note: str) -> None:
    assert validity_note(ANSWER, today) == note


def test_fit_answer_text_cuts_the_body_and_keeps_source_validity_and_question() -> None:
    from knowledge.render import fit_answer_text

    line = "携带身份证到社保卡服务网点申请补办，部分地区支持线上申请、邮寄到家📮。"
    body = "\n".join(f"{i}. {line}" for i in range(1, 12))
    tail = f"来源：人力资源社会保障部社会保障卡服务说明\n有效期至：2026年12月31日\n{FEEDBACK_QUESTION}"
    fitted = fit_answer_text(f"【社会保障卡补办】\n{body}\n{tail}", 200)
    assert len(fitted.encode("utf-16-le")) // 2 <= 200
    assert fitted.startswith("【社会保障卡补办】\n1. 携带身份证")
    assert fitted.endswith(tail)
    assert "……" in fitted and "11." not in fitted
    assert fit_answer_text("【短】\n答案\n来源：某\n" + FEEDBACK_QUESTION, 200).count("……") == 0
