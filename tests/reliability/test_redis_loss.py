"""Redis restarted with its data lost: queued messages come back from the inbox, none twice."""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from pathlib import Path

import httpx
import pytest

from tests.reliability.cluster import RecordingWeChatApi, RedisServer
from tests.reliability.conftest import Cluster
from tests.reliability.settle import settle
from tests.reliability.traffic import (
    COMPLAINTS,
    CONSULTATIONS,
    EMERGENCIES,
    WECHAT_APPID,
    WECHAT_SECRET,
    WECHAT_TOKEN,
    Sent,
    is_clear_temporary_error,
    send,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

FAST_BUDGETS = {"wechat_budget": 1.5, "web_budget": 1.5}


def messages(tag: str, texts: tuple[str, ...]) -> list[Sent]:
    out = []
    for index, text in enumerate(texts):
        if index % 2:
            out.append(Sent("wechat_oa", f"o{tag}{index:04d}", f"{zlib.crc32(tag.encode()) % 10**8}{index:04d}", text))
        else:
            out.append(Sent("web", f"{tag}-{index:04d}", f"m{index}", text))
    return out


async def send_all(base: str, batch: list[Sent]) -> None:
    async with httpx.AsyncClient() as client:
        await asyncio.gather(*(send(client, base, item) for item in batch))


async def retry_errors(base: str, batch: list[Sent], tries: int = 5) -> None:
    """What clients (and WeChat) do with a 503: send the same message again a little later."""
    async with httpx.AsyncClient() as client:
        for _ in range(tries):
            failed = [item for item in batch if item.last.answer == "error"]
            if not failed:
                return
            await asyncio.gather(*(send(client, base, item) for item in failed))
            await asyncio.sleep(1)


@pytest.mark.parametrize("cluster", [FAST_BUDGETS], indirect=True)
def test_redis_restart_without_data_loses_nothing_and_duplicates_nothing(cluster: Cluster) -> None:
    gateway, worker = cluster.start(gateways=1, workers=1)
    base = str(gateway.url)

    before = messages("before", COMPLAINTS[:4])
    asyncio.run(send_all(base, before))
    assert all(item.last.answer == "inline" for item in before), [i.last for i in before]

    # The worker stalls: the next messages wait in the Redis stream, and Redis loses them.
    worker.pause()
    # Web and WeChat: the WeChat quota records go with Redis too, and the late replies must still be pushed.
    queued = messages("queued", (*COMPLAINTS[4:], *CONSULTATIONS, *COMPLAINTS[:5]))
    asyncio.run(send_all(base, queued))
    assert all(item.last.answer == "pending" for item in queued), [i.last for i in queued]

    cluster.redis.kill()
    # Redis is down: a clear temporary error (or a queued answer), never a 500 and never silence.
    during = messages("during", (COMPLAINTS[1], COMPLAINTS[2], EMERGENCIES[0]))
    asyncio.run(send_all(base, during))
    for item in during:
        assert item.last.answer == "pending" or is_clear_temporary_error(item.last), item.last

    cluster.redis.start()  # same port, empty: no stream, no consumer group, no sessions
    client = cluster.redis.client()
    try:
        assert client.dbsize() == 0
    finally:
        client.close()
    cluster.web_pushes.wait_subscribed()
    asyncio.run(retry_errors(base, during))
    assert all(item.last.answer != "error" for item in during), [i.last for i in during]

    worker.resume()  # its connections are dead; it reconnects, recreates the group, the reconciler re-queues
    verdict = settle(cluster, [*before, *queued, *during], timeout=45)
    assert not verdict.problems, "\n".join(verdict.problems) + "\n" + cluster.logs()
    assert verdict.pushed >= len(queued)


async def test_wechat_late_reply_is_pushed_after_redis_lost_the_quota(tmp_path: Path) -> None:
    from fastapi import FastAPI
    from redis.asyncio import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    from channels import wechat_oa
    from channels.base import ChannelServices, Outcome, Recipient, Reply
    from gateway.state.redis import RedisDeduper, RedisPubSub, RedisRateLimiter, RedisSessionStore

    redis = RedisServer(tmp_path / "redis")
    redis.start()
    api = RecordingWeChatApi()

    def handler(request: httpx.Request) -> httpx.Response:
        status, payload = api.handle(request.url.path, dict(request.url.params), request.content)
        return httpx.Response(status, json=payload)

    client = Redis.from_url(redis.url)
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    try:
        services = ChannelServices(
            intake=None,  # type: ignore[arg-type]  # deliver never submits
            broadcast=RedisPubSub(client, "t"),
            dedup=RedisDeduper(client, "t"),
            rate_limits=RedisRateLimiter(client, "t"),
            sessions=RedisSessionStore(client, "t"),
            http=http,
            register_sender=lambda _name, _deliver: None,
            on_shutdown=lambda _hook: None,
        )
        settings = wechat_oa.WeChatOASettings(
            token=WECHAT_TOKEN, appid=WECHAT_APPID, secret=WECHAT_SECRET, api_base="https://api.weixin.test"
        )
        channel = wechat_oa.WeChatOA(settings, services, FastAPI())
        await channel.quota.opened("oQuotaLost0001")  # the citizen wrote; the gateway opened the window
        redis.restart_empty()
        for _ in range(3):  # the pooled connection died with the old server: the next one is fresh
            with contextlib.suppress(RedisConnectionError):
                await client.ping()
                break
        outcome = Outcome("24580000000000001", (Reply("已为您登记工单，编号12345-20261128-000321。"),))
        await channel.deliver(Recipient("wechat_oa", "oQuotaLost0001", "24580000000000001"), outcome)
        assert api.texts_for("oQuotaLost0001") == ["已为您登记工单，编号12345-20261128-000321。"]
    finally:
        await http.aclose()
        await client.aclose()
        redis.kill()


async def test_lost_quota_record_and_wechat_refusal_route_the_rest_to_sms_without_retrying_the_api() -> None:
    """No record after the loss: the send is tried; WeChat says 45047, so SMS takes it and the next reply too."""
    from fastapi import FastAPI

    from channels import wechat_oa
    from channels.base import ChannelServices, Outcome, Recipient, Reply
    from gateway.state import build_state

    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/cgi-bin/token":
            return httpx.Response(200, json={"access_token": "TOKEN_1", "expires_in": 7200})
        return httpx.Response(200, json={"errcode": 45047, "errmsg": "out of response count limit"})

    class Sms:
        def __init__(self) -> None:
            self.sent: list[tuple[str, str]] = []

        async def send(self, phone: str, text: str) -> None:
            self.sent.append((phone, text))

    state = build_state("", "quota-lost")
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    app = FastAPI()
    app.state.sms_outbound = Sms()
    try:
        services = ChannelServices(
            intake=None,  # type: ignore[arg-type]  # deliver never submits
            broadcast=state.pubsub,
            dedup=state.dedup,
            rate_limits=state.rate_limits,
            sessions=state.sessions,
            http=http,
            register_sender=lambda _name, _deliver: None,
            on_shutdown=lambda _hook: None,
        )
        settings = wechat_oa.WeChatOASettings(
            token=WECHAT_TOKEN, appid=WECHAT_APPID, secret=WECHAT_SECRET, api_base="https://api.weixin.test"
        )
        channel = wechat_oa.WeChatOA(settings, services, app)
        citizen = Recipient("wechat_oa", "oQuotaGone0002", "24580000000000002", contact="13912345678")
        first = Outcome("24580000000000002", (Reply("工单12345-20261128-000322已转交区市容环卫局。"),))
        await channel.deliver(citizen, first)
        second = Outcome("24580000000000003", (Reply("工单12345-20261128-000322已办结，请评价。"),))
        await channel.deliver(citizen, second)
    finally:
        await http.aclose()
        await state.close()

    assert calls.count("/cgi-bin/message/custom/send") == 1, "the refusal is remembered: no second refused call"
    assert app.state.sms_outbound.sent == [
        ("13912345678", "工单12345-20261128-000322已转交区市容环卫局。"),
        ("13912345678", "工单12345-20261128-000322已办结，请评价。"),
    ]
