"""WeChat sends the same MsgId three times, concurrently: one inbox row, one work order, one reply."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.reliability.conftest import Cluster
from tests.reliability.settle import settle
from tests.reliability.traffic import Sent, send

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


async def three_at_once(base: str, item: Sent) -> None:
    async with httpx.AsyncClient() as client:
        await asyncio.gather(*(send(client, base, item) for _ in range(3)))


@pytest.mark.parametrize("cluster", [{"wechat_budget": 2.0}], indirect=True)
def test_three_concurrent_retries_make_one_order_and_one_reply(cluster: Cluster) -> None:
    gateway, worker = cluster.start(gateways=1, workers=1)
    base = str(gateway.url)

    # The worker stalls: every try runs out of its budget and answers `success`; the reply is pushed later, once.
    slow = Sent("wechat_oa", "oRetrySlowCitizen01", "24570000000000001", "楼下烧烤店油烟太大，晚上12点还在营业😤")
    worker.pause()
    asyncio.run(three_at_once(base, slow))
    assert [reply.answer for reply in slow.replies] == ["pending"] * 3, slow.replies

    worker.resume()
    # With a worker running: all three tries wait for the same outcome.
    fast = Sent("wechat_oa", "oRetryFastCitizen01", "24570000000000002", "小区电梯又坏了，老人上下楼太难了，物业不管")
    asyncio.run(three_at_once(base, fast))
    assert all(reply.status == 200 for reply in fast.replies), fast.replies
    inline = {reply.texts for reply in fast.replies if reply.answer == "inline"}
    assert len(inline) <= 1, f"retries got different replies: {inline}"

    verdict = settle(cluster, [slow, fast], timeout=30)
    assert not verdict.problems, "\n".join(verdict.problems) + "\n" + cluster.logs()
    assert verdict.work_orders == 2

    # A fourth try after the late reply went out is answered `success` and sends nothing more.
    asyncio.run(three_at_once(base, slow))
    assert [reply.answer for reply in slow.replies[3:]] == ["pending"] * 3
    again = settle(cluster, [slow, fast], timeout=10)
    assert not again.problems, "\n".join(again.problems)
