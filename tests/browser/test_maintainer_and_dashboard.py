"""The maintainer publishes an article and the widget answers from it; reviews an agent correction, trains,
reads the evaluation report and promotes; a supervisor reads the operations dashboard."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Served, screenshot, sign_in

QUESTION = "周末想带孩子去公园搭帐篷露营，需要预约吗？"
ARTICLE = {
    "title": "城市公园露营区开放与预约",
    "question": "公园里可以搭帐篷露营吗？",
    "paraphrases": "去公园露营要预约吗\n哪些公园可以搭帐篷\n公园露营怎么预约",
    "answer": "本市已在滨江公园、植物园南门草坪设立露营区，每日8:00—21:00开放，需提前通过“市民通”App"
    "“公园服务”预约；每顶帐篷占地不超过9平方米，露营区内禁止明火烧烤，离开时请带走垃圾。",
}


def citizen_says(served: Served, text: str) -> dict[str, Any]:
    body = {"session_id": "b-" + uuid.uuid4().hex, "message_id": uuid.uuid4().hex, "text": text}
    response = httpx.post(served.base + "/channels/web/messages", json=body, timeout=30)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def test_maintainer_publishes_an_article_and_the_widget_answers_from_it(served: Served, new_page: Any) -> None:
    page = new_page(1440, 900)
    # The maintainer's own sign-in opens the knowledge base: no shared token to type.
    sign_in(page, served.base, "/maintain", "kb.zhou")
    page.get_by_role("button", name="新建条目").click()
    page.get_by_label("标题").fill(ARTICLE["title"])
    page.get_by_label("标准问题").fill(ARTICLE["question"])
    page.get_by_label("相似问法（每行一个）").fill(ARTICLE["paraphrases"])
    page.get_by_label("答案").fill(ARTICLE["answer"])
    page.get_by_label("主管部门").fill("市园林绿化局")
    page.get_by_role("button", name="保存为草稿").click()
    expect(page.locator("#kb-editor-status")).to_contain_text("草稿")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("#kb-editor-status")).to_contain_text("待审核")
    page.get_by_role("button", name="审核通过并发布").click()
    expect(page.locator("#kb-editor-status")).to_contain_text("已发布")

    page.get_by_label("市民问题").fill(QUESTION)
    page.get_by_role("button", name="试一试").click()
    expect(page.locator("#kb-decision")).to_contain_text(ARTICLE["title"])
    screenshot(page, "maintain-knowledge")

    citizen = new_page(390, 844, mobile=True)
    citizen.goto(served.base + "/")
    expect(citizen.locator("#status")).to_have_text("在线")
    citizen.get_by_label("留言内容").fill(QUESTION)
    citizen.get_by_role("button", name="发送").click()
    expect(citizen.locator(".bubble.bot").last).to_contain_text("植物园南门草坪设立露营区", timeout=30_000)
    screenshot(citizen, "widget-answer")


def test_maintainer_reviews_a_correction_trains_evaluates_and_promotes(served: Served, new_page: Any) -> None:
    order = citizen_says(served, "小区里的路灯坏了半个月了，晚上出门黑乎乎的，老人摔了两次，谁来管管")["work_order"]
    agent = {"Authorization": f"Bearer {served.token('agent.wang')}"}
    fixed = httpx.post(
        f"{served.base}/api/workorders/{order['ticket']}/reclassify",
        json={"appeal_type": "求助", "category_l1": "城乡建设", "category_l2": "城市建设和市政管理"},
        headers=agent,
    )
    assert fixed.status_code == 200, fixed.text

    page = new_page(1440, 1000)
    sign_in(page, served.base, "/maintain", "kb.zhou")
    page.get_by_role("tab", name="训练数据审核").click()
    row = page.locator("#review-list tr", has_text=order["ticket"])
    expect(row).to_contain_text("城市建设和市政管理")
    row.get_by_role("button", name="采纳", exact=True).click()
    expect(page.locator("#review-list tr", has_text=order["ticket"])).to_contain_text("已采纳")

    page.get_by_role("tab", name="模型训练与发布").click()
    expect(page.locator("#model-list tr .badge", has_text="当前")).to_have_count(1)
    before = page.locator("#model-list tr").count()
    page.get_by_role("button", name="用已采纳的更正重新训练").click()
    progress = page.get_by_role("progressbar", name="训练进度")
    expect(progress).to_have_attribute("aria-valuenow", "100", timeout=120_000)
    expect(page.locator("#train-stage")).to_contain_text("并入 1 条已采纳更正")
    expect(page.locator("#model-list tr")).to_have_count(before + 1)
    report = page.locator("#report")
    expect(report.locator("svg.confusion")).to_have_count(2, timeout=60_000)
    expect(report.locator("table.per-class").first).to_contain_text("投诉")
    version = (page.locator("#report h2 .mono").inner_text()).strip()
    screenshot(page, "maintain-models", full_page=True)

    promote = page.locator("#promote")
    if promote.is_disabled():
        pytest.fail("the retrained model was refused: " + page.locator("#verdict").inner_text())
    promote.click()
    expect(page.locator(f'#model-list tr[data-version="{version}"]')).to_contain_text("当前")
    maintainer = {"Authorization": f"Bearer {served.token('kb.zhou')}"}
    current = [m for m in httpx.get(served.base + "/api/training/models", headers=maintainer).json() if m["current"]]
    assert [m["version"] for m in current] == [version]


def test_supervisor_reads_the_dashboard(served: Served, new_page: Any) -> None:
    citizen_says(served, "我们村的自来水三天没来了，烧饭洗衣都成问题，什么时候能恢复供水？")
    citizen_says(served, "快来人！十字路口两辆车撞了，有人倒在地上流了很多血")
    page = new_page(1440, 1100)
    sign_in(page, served.base, "/dashboard", "sup.chen")
    kpis = page.get_by_role("region", name="关键指标")
    expect(kpis).to_contain_text("紧急转接")
    orders = kpis.locator(".kpi", has_text="工单").first.locator("b")
    expect(orders).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(page.locator("#chart-channels svg rect").first).to_be_attached()
    expect(page.locator("#chart-emergencies svg rect").first).to_be_attached()
    expect(page.locator("#chart-queue")).to_contain_text("受理")
    screenshot(page, "dashboard", full_page=True)
