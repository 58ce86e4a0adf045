"""A citizen files a complaint in the chat widget; the agent sees it arrive live in the console, corrects its
category (training feedback) and replies; the citizen reads the reply in the widget."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
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
    # Late-night barbecue smoke and noise on the street is a matter for 城管 (the reply says so).
    preferred = agent.locator('.clf button[data-category="城乡建设/城市建设和市政管理"]')
    alternative = preferred if preferred.count() else agent.locator(".clf button[data-category]").first
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
    agent.evaluate("window.scrollTo(0, 0); document.getElementById('toast').classList.add('hidden')")
    screenshot(agent, "console", full_page=True)

    expect(citizen.locator(".bubble.agent")).to_contain_text("今晚会安排人员到现场核查", timeout=15_000)
    screenshot(citizen, "widget-mobile")

    # After a reload the conversation comes back from the server, ticket included.
    citizen.reload()
    expect(citizen.locator(".bubble.me").first).to_contain_text("烧烤店")
    expect(citizen.locator(".bubble .ticket strong").first).to_have_text(ticket)


def test_emergency_reply_is_unmistakable_with_a_tap_to_call_link(served: Served, new_page: Any) -> None:
    agent = new_page(1280, 800)
    sign_in(agent, served.base, "/console", "agent.wang")
    expect(agent.locator("#live")).to_have_text("实时更新")
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
    # Agents are alerted at once on their console.
    expect(agent.locator("#alerts").get_by_role("alert")).to_contain_text("119")


HOST_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>某市人民政府门户网站</title></head>
<body style="font-family:sans-serif;margin:0"><header style="background:#1a4f8b;color:#fff;padding:16px">
<h1 style="margin:0;font-size:20px">某市人民政府</h1></header><main style="padding:16px"><h2>政务公开</h2>
<p>关于做好2026年冬季供暖工作的通知……</p></main>
<script src="{base}/widget.js" data-base="{base}" defer></script></body></html>"""


@pytest.fixture
def portal(served: Served) -> Iterator[str]:
    """A government site on another origin (its own port) whose page includes the widget script."""
    body = HOST_PAGE.format(base=served.base).encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/portal.html"
    server.shutdown()
    server.server_close()


def test_widget_script_embeds_the_chat_in_another_site(portal: str, new_page: Any) -> None:
    page = new_page(1280, 800)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(portal)
    button = page.get_by_role("button", name="12345 在线留言")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    chat = page.frame_locator("iframe[title='12345 在线留言']")
    expect(chat.locator("#status")).to_have_text("在线")
    chat.get_by_label("留言内容").fill("小区门口的共享单车乱停乱放，把盲道都占满了，盲人朋友根本没法走，希望管一管")
    chat.get_by_role("button", name="发送").click()
    expect(chat.locator(".bubble .ticket strong").first).to_have_text(re.compile(r"^12345-\d{8}-\d+$"), timeout=30_000)
    assert not errors, errors
    screenshot(page, "widget-embedded")
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
