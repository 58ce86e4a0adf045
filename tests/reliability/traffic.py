"""Citizen traffic for fault tests and the benchmark: web and WeChat messages, what came back, what was stored.

`Sent` records every HTTP answer of one message (first try and retries); `verify_exactly_once` then checks
the whole run against the inbox, the work orders, the WeChat customer-service sends and the web pushes.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from channels.render import outcome_texts
from channels.wechat_crypto import signature
from channels.wechat_oa import CAPABILITIES
from channels.xmlsafe import parse_flat

WECHAT_TOKEN = "reliability-oa-token-2026"
WECHAT_APPID = "wx00reliability0001"
WECHAT_SECRET = "reliability-oa-secret-0123456789"

# Written for these tests: colloquial appeals, typos, full-width punctuation, emoji, one long letter.
COMPLAINTS = (
    "小区门口的垃圾堆了一个星期没人清理，臭得不行",
    "楼下烧烤店油烟太大，晚上12点还在营业😤",
    "我们村的路灯坏了快一个月了，晚上黑漆漆的不安全",
    "工地半夜还在打桩，吵得孩子睡不着觉！！",
    "公交站台的顶棚被风刮坏了，下雨天没地方躲",
    "隔壁装修天天电钻响，周末早上七点就开始了",
    "小区电梯又坏了，老人上下楼太难了，物业不管",
    "马路上有个井盖没了，很危险，怕有人掉下去",
)
CONSULTATIONS = (
    "办理居住证需要带哪些材料？",
    "新生儿医保怎么办理，在网上能办吗",
    "公积金提取要多久能到账？",
)
EMERGENCIES = ("我家厨房着火了，火很大", "有人晕倒在路边，叫不醒")
LONG_LETTER = (
    "尊敬的领导：您好！我是幸福里小区的业主，想反映一个困扰我们很久的问题。"
    + "小区东门外的空地被人私自改成了停车场，每天晚上车辆进出鸣笛，噪音很大，" * 12
    + "希望有关部门能尽快调查处理，还居民一个安静的环境。谢谢！"
)

Channel = Literal["web", "wechat_oa"]
Answer = Literal["inline", "pending", "error"]


@dataclass
class Reply:
    status: int
    answer: Answer
    texts: tuple[str, ...]
    body: str
    seconds: float
    started: float = 0.0  # time.monotonic() when the request went out


@dataclass
class Sent:
    """One citizen message and every HTTP answer it got (the first try and any retries)."""

    channel: Channel
    key: str  # the session id (web) or the openid (WeChat): one per message in these tests
    message_id: str
    text: str
    replies: list[Reply] = field(default_factory=list)

    @property
    def external_id(self) -> str:
        return f"{self.key}:{self.message_id}" if self.channel == "web" else self.message_id

    @property
    def answered_inline(self) -> bool:
        return any(reply.answer == "inline" for reply in self.replies)

    @property
    def last(self) -> Reply:
        return self.replies[-1]


def wechat_push(openid: str, msg_id: str, text: str, create_time: int | None = None) -> bytes:
    create = int(time.time()) if create_time is None else create_time
    return (
        "<xml><ToUserName><![CDATA[gh_12345hotline]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{create}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    ).encode()


def wechat_params(nonce: str = "8127364509") -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {"timestamp": timestamp, "nonce": nonce, "signature": signature(WECHAT_TOKEN, timestamp, nonce)}


def wechat_env(api_base: str, reply_budget_seconds: float = 4.0) -> dict[str, str]:
    return {
        "HOTLINE_WECHAT_OA_TOKEN": WECHAT_TOKEN,
        "HOTLINE_WECHAT_OA_APPID": WECHAT_APPID,
        "HOTLINE_WECHAT_OA_SECRET": WECHAT_SECRET,
        "HOTLINE_WECHAT_OA_MODE": "plaintext",
        "HOTLINE_WECHAT_OA_API_BASE": api_base,
        "HOTLINE_WECHAT_OA_REPLY_BUDGET_SECONDS": str(reply_budget_seconds),
    }


async def send(client: httpx.AsyncClient, base: str, sent: Sent, timeout: float = 30) -> Reply:
    """Send (or resend) one message; a connection failure counts as an error answer, never as nothing."""
    began = time.monotonic()
    started = time.perf_counter()
    try:
        if sent.channel == "web":
            payload = {"session_id": sent.key, "message_id": sent.message_id, "text": sent.text}
            response = await client.post(f"{base}/channels/web/messages", json=payload, timeout=timeout)
        else:
            response = await client.post(
                f"{base}/channels/wechat-oa",
                params=wechat_params(),
                content=wechat_push(sent.key, sent.message_id, sent.text),
                timeout=timeout,
            )
    except httpx.HTTPError as error:
        reply = Reply(0, "error", (), f"{type(error).__name__}: {error}", time.perf_counter() - started, began)
        sent.replies.append(reply)
        return reply
    reply = classify(sent.channel, response, time.perf_counter() - started)
    reply.started = began
    sent.replies.append(reply)
    return reply


def classify(channel: Channel, response: httpx.Response, seconds: float) -> Reply:
    if response.status_code != 200:
        return Reply(response.status_code, "error", (), response.text[:500], seconds)
    if channel == "web":
        data = response.json()
        texts = tuple(str(item["text"]) for item in data["replies"])
        return Reply(200, "pending" if data["pending"] else "inline", texts, response.text, seconds)
    if response.text == "success":
        return Reply(200, "pending", (), response.text, seconds)
    content = parse_flat(response.content, 65536)["Content"]
    return Reply(200, "inline", (content,), response.text, seconds)


def is_clear_temporary_error(reply: Reply) -> bool:
    """503 with a JSON error code, the gateway's promise during an outage."""
    if reply.status != 503:
        return False
    try:
        code = json.loads(reply.body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return False
    return isinstance(code, str) and bool(code)


# --- what the database holds -------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxRow:
    id: int
    channel: str
    external_id: str
    status: str
    delivery: str | None
    outcome: dict[str, Any] | None


def inbox(database_url: str) -> list[InboxRow]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, channel, external_id, status, delivery, outcome FROM inbound_messages ORDER BY id")
            )
            return [
                InboxRow(
                    int(r.id),
                    str(r.channel),
                    str(r.external_id),
                    str(r.status),
                    r.delivery,
                    r.outcome if isinstance(r.outcome, dict) or r.outcome is None else json.loads(r.outcome),
                )
                for r in rows
            ]
    finally:
        engine.dispose()


def work_orders_per_message(database_url: str) -> Counter[int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT inbound_message_id FROM work_orders"))
            return Counter(int(r.inbound_message_id) for r in rows)
    finally:
        engine.dispose()


def all_done(database_url: str, expected: int) -> bool:
    rows = inbox(database_url)
    return len(rows) >= expected and all(row.status == "done" for row in rows)


# --- web replies pushed later (the web hub's pub/sub topic) -------------------------------------------


class WebPushRecorder:
    """Listens to the web reply topic on Redis and counts pushed replies per (session, message id).

    Resubscribes when Redis restarts (bounded by `stop()`), so a test can restart Redis under it.
    """

    NAME = "web-push-recorder"

    def __init__(self, redis_port: int, prefix: str) -> None:
        self.port = redis_port
        self.channel = f"{prefix}:events:web_replies"
        self.frames: list[dict[str, Any]] = []
        self.first_at: dict[tuple[str, str], float] = {}  # (session, message id) -> monotonic arrival
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="web-push-recorder", daemon=True)

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(timeout=10):
            raise RuntimeError("web push recorder did not subscribe within 10 s")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def wait_subscribed(self, timeout: float = 15) -> None:
        """Block until Redis lists this recorder's connection as subscribed (after a Redis restart, too)."""
        import redis

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
            try:
                clients = client.client_list()
            except redis.RedisError:
                clients = []
            finally:
                client.close()
            if any(c.get("name") == self.NAME and int(c.get("sub", 0)) > 0 for c in clients):
                return
            time.sleep(0.05)
        raise RuntimeError(f"web push recorder not subscribed within {timeout:.0f} s")

    def count(self, session_id: str, message_id: str) -> int:
        return sum(
            1 for f in list(self.frames) if f.get("session_id") == session_id and f.get("message_id") == message_id
        )

    def _run(self) -> None:
        import redis

        while not self._stop.is_set():
            client = redis.Redis(
                host="127.0.0.1", port=self.port, socket_timeout=1, socket_connect_timeout=1, client_name=self.NAME
            )
            try:
                pubsub = client.pubsub()  # type: ignore[no-untyped-call]
                pubsub.subscribe(self.channel)
                pubsub.get_message(timeout=1)  # the subscribe confirmation: from here on nothing is missed
                self._ready.set()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=0.2)
                    if message and message.get("type") == "message":
                        frame = json.loads(message["data"])
                        self.frames.append(frame)
                        key = (str(frame.get("session_id")), str(frame.get("message_id")))
                        self.first_at.setdefault(key, time.monotonic())
            except (redis.RedisError, OSError):
                time.sleep(0.2)
            finally:
                client.close()


# --- the verdict ---------------------------------------------------------------------------------------


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    inline: int = 0
    pushed: int = 0
    work_orders: int = 0

    def fail(self, sent: Sent, why: str) -> None:
        self.problems.append(f"{sent.channel} {sent.external_id}: {why}")


def verify_exactly_once(
    sent: list[Sent],
    rows: list[InboxRow],
    orders: Counter[int],
    wechat_sent: dict[str, list[str]],
    web_pushes: WebPushRecorder | None,
) -> Verdict:
    """Every message stored once and finished, answered exactly once (inline or pushed), at most one order."""
    verdict = Verdict()
    by_key = Counter((row.channel, row.external_id) for row in rows)
    index = {(row.channel, row.external_id): row for row in rows}
    for item in sent:
        key = (item.channel, item.external_id)
        if by_key[key] != 1:
            verdict.fail(item, f"{by_key[key]} inbox rows")
            continue
        row = index[key]
        if row.status != "done" or row.outcome is None:
            verdict.fail(item, f"not finished: status {row.status}")
            continue
        pushes = _pushes(item, row, wechat_sent, web_pushes)
        if item.answered_inline:
            if pushes:
                verdict.fail(item, f"answered inline and pushed {pushes} more time(s)")
            verdict.inline += 1
        elif row.delivery == "async":
            if pushes != 1:
                verdict.fail(item, f"reply pushed {pushes} times (expected once)")
            verdict.pushed += 1
        else:
            verdict.fail(item, f"never answered inline and delivery is {row.delivery!r}: the reply was lost")
        count = orders.get(row.id, 0)
        if count > 1:
            verdict.fail(item, f"{count} work orders")
        ticket = (row.outcome.get("work_order") or {}).get("ticket")
        if ticket and count != 1:
            verdict.fail(item, f"outcome names ticket {ticket} but {count} work orders exist")
        verdict.work_orders += count
    return verdict


def _pushes(item: Sent, row: InboxRow, wechat_sent: dict[str, list[str]], web_pushes: WebPushRecorder | None) -> int:
    """How many times the stored outcome was pushed to the citizen after the HTTP answer."""
    if item.channel == "web":
        return web_pushes.count(item.key, item.message_id) if web_pushes is not None else 0
    from channels.base import Outcome

    texts = wechat_sent.get(item.key, [])
    expected = outcome_texts(Outcome.from_dict(row.outcome or {}), CAPABILITIES)
    if not texts:
        return 0
    if not expected or len(texts) % len(expected) or texts != expected * (len(texts) // len(expected)):
        return -1  # something else was sent: never a correct delivery
    return len(texts) // len(expected)
