"""A citizen files a complaint in the chat widget; the agent sees it arrive live in the console, corrects its
category (training feedback) and replies; the citizen reads the reply in the widget."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Served, screenshot, sign_in

COMPLAINT = (
    "我要投诉！！楼下新开的烧烤店天天营业到凌晨两点，油烟直接往我家窗户里灌，"
    "吵得孩子睡不着觉😡 地址是东城区和平路12号，打了好几次电话都没人管"
)
REPLY = "您好，您反映的烧烤店油烟噪音问题已转城管执法部门，今晚会安排人员到现场核查。"


def test_complaint_reaches_the_console_live_and_the_reply_reaches_the_citizen(served: Served, new_page: Any) -> None:
    agent = new_page(1440, 900)
    sign_in(agent, served.base, "/console", "agent.wang")
    expect(agent.locator("#live")).to_have_text("实时更新")

    citizen = new_page(390, 844, mobile=True)
    citizen.goto(served.base + "/")
    expect(citizen.locator("#status")).to_have_text("在线")
    citizen.get_by_label("留言内容").fill(COMPLAINT)
    citizen.get_by_label("留言内容").press("Enter")
    ticket_el = citizen.locator(".bubble .ticket strong").first
    expect(ticket_el).to_have_text(re.compile(r"^12345-\d{8}-\d+$"), timeout=30_000)
    ticket = ticket_el.inner_text()

    # The row appears through server-sent events: the console is never reloaded.
    row = agent.locator(f'#queue tr[data-ticket="{ticket}"]')
    expect(row).to_be_visible(timeout=15_000)
    row.click()
    expect(agent.locator("#order-ticket")).to_have_text(ticket)
    expect(agent.locator("#order-text mark.e-address", has_text="东城区和平路12号")).to_have_count(1)
    expect(agent.locator("#conversation li.citizen").first).to_contain_text("烧烤店")

    # One click on an alternative the classifier offered corrects the category.
    alternative = agent.locator(".clf button[data-category]").first
    corrected = alternative.get_attribute("data-category") or ""
    l1, l2 = corrected.split("/", 1)
    alternative.click()
    expect(agent.locator("#order-category")).to_have_text(f"{l1} / {l2}")
    feedback = served.models_dir.parent / "feedback" / "corrections.jsonl"
    lines = [json.loads(line) for line in feedback.read_text(encoding="utf-8").splitlines()]
    assert any(c["ticket"] == ticket and c["category"] == corrected for c in lines)

    agent.locator("#reply-text").fill(REPLY)
    agent.get_by_role("button", name="发送给市民").click()
    expect(agent.locator("#conversation li.agent")).to_contain_text("城管执法部门")
    agent.evaluate("window.scrollTo(0, 0)")
    screenshot(agent, "console", full_page=True)

    expect(citizen.locator(".bubble.agent")).to_contain_text("今晚会安排人员到现场核查", timeout=15_000)
    screenshot(citizen, "widget-mobile")

    # After a reload the conversation comes back from the server, ticket included.
    citizen.reload()
    expect(citizen.locator(".bubble.me").first).to_contain_text("烧烤店")
    expect(citizen.locator(".bubble .ticket strong").first).to_have_text(ticket)


def test_emergency_reply_is_unmistakable_with_a_tap_to_call_link(served: Served, new_page: Any) -> None:
    citizen = new_page(390, 844, mobile=True)
    citizen.goto(served.base + "/")
    expect(citizen.locator("#status")).to_have_text("在线")
    citizen.get_by_label("留言内容").fill("救命！我家厨房着火了，火很大，烟已经冲到楼道里了")
    citizen.get_by_role("button", name="发送").click()
    alert = citizen.get_by_role("alert")
    expect(alert).to_contain_text("紧急情况", timeout=30_000)
    call = alert.get_by_role("link", name=re.compile("119"))
    expect(call).to_have_attribute("href", "tel:119")
    screenshot(citizen, "widget-emergency")
