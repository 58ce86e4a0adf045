"""Which help requests and complaints are really questions the knowledge base may answer."""

from __future__ import annotations

import pytest

from gateway.dialogue.understanding_text import asks_how


@pytest.mark.parametrize(
    "text",
    [
        "包工头跑了工钱找谁要",
        "宽带断了三天，报修没人来，能投诉吗？",
        "社保卡消磁了刷不了，咋补一张",
        "刚买的新房想开通燃气，要去哪办",
        "试用期老板说随时可以让我走，这合法吗",
        "辞职后公司不给开离职证明，怎么办",  # the policy reads the normalised (simplified) text
        "被骗了两万块钱 现在咋办",
        "生育津贴需要几天能到账",
    ],
)
def test_questions_about_how_where_or_whether(text: str) -> None:
    assert asks_how(text)


@pytest.mark.parametrize(
    "text",
    [
        "马路上的井盖丢了好几天，也没人来补，太危险了",  # "几天" is not a question
        "物业凭什么乱收费？",  # rhetorical
        "工资拖了三个月，到底有没有人管？",  # rhetorical, wants action
        "公司拖欠工资，麻烦派人来看看",
        "我要投诉，商家不给退款能不能退",
        "楼下烧烤店油烟太大，希望有关部门尽快处理，可以吗",
        "您好：" + "我们小区的电梯从上个月起就经常停运，老人上下楼非常困难，" * 6 + "请问该怎么办？",  # a letter
    ],
)
def test_grievances_rhetorical_questions_and_letters_are_not(text: str) -> None:
    assert not asks_how(text)
