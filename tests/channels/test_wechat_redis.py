"""The WeChat access_token and customer-service quota live in Redis, shared by every gateway process."""

from __future__ import annotations

import httpx
import pytest

from channels.wechat_api import WeChatApi
from channels.wechat_cs import CustomerServiceQuota
from tests.channels.fakes import FakeWeChatApi

pytestmark = pytest.mark.redis


async def test_two_processes_share_one_token_and_one_quota(redis_prefix: str) -> None:
    from redis.asyncio import Redis

    from gateway.state.redis import RedisSessionStore
    from tests.conftest import REDIS_URL

    fake = FakeWeChatApi(appid="wxredis0000000001", secret="s")
    clients = [Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)]  # one connection per "process"
    stores = [RedisSessionStore(client, redis_prefix) for client in clients]
    http = httpx.AsyncClient(transport=httpx.MockTransport(fake))
    try:
        apis = [
            WeChatApi(http, store, "wxredis0000000001", "s", "https://api.weixin.test", "wechat_oa") for store in stores
        ]
        await apis[0].send_text("oShared", "来自进程一")
        await apis[1].send_text("oShared", "来自进程二")
        assert fake.tokens_issued == 1
        fake.custom_errors = [40001]  # WeChat invalidated the token: one refresh, seen by both
        await apis[1].send_text("oShared", "刷新之后")
        await apis[0].send_text("oShared", "仍用新令牌")
        assert fake.tokens_issued == 2
        assert fake.texts() == ["来自进程一", "来自进程二", "刷新之后", "仍用新令牌"]

        quotas = [CustomerServiceQuota(store, "wechat_oa", limit=3) for store in stores]
        await quotas[0].opened("oShared")
        taken = [await quotas[i % 2].take("oShared") for i in range(5)]
        assert taken == [True, True, True, False, False]
        ttl = await clients[0].ttl(f"{redis_prefix}:session:wechat_oa:cs_quota:oShared")
        assert 0 < ttl <= 48 * 3600
    finally:
        await http.aclose()
        for client in clients:
            await client.aclose()
