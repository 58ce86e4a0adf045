"""A short PostgreSQL outage: clear temporary errors (or queued answers) meanwhile, then full recovery."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.reliability.conftest import Cluster
from tests.reliability.settle import settle
from tests.reliability.test_redis_loss import messages, retry_errors, send_all
from tests.reliability.traffic import (
    COMPLAINTS,
    CONSULTATIONS,
    EMERGENCIES,
    LONG_LETTER,
    is_clear_temporary_error,
    send,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


@pytest.mark.parametrize("cluster", [{"wechat_budget": 2.0, "web_budget": 2.0}], indirect=True)
def test_short_postgres_outage_answers_clearly_then_recovers(cluster: Cluster) -> None:
    gateway, _worker = cluster.start(gateways=1, workers=1)
    base = str(gateway.url)

    before = messages("pg-before", COMPLAINTS[:4])
    asyncio.run(send_all(base, before))
    assert all(item.last.answer == "inline" for item in before), [i.last for i in before]

    # The outage starts in the middle of a burst: some messages are stored, some are being processed.
    burst = messages("pg-burst", (*COMPLAINTS[4:], *CONSULTATIONS, LONG_LETTER, EMERGENCIES[1]))

    async def burst_with_cut() -> None:
        async with httpx.AsyncClient() as client:
            tasks = [asyncio.create_task(send(client, base, item)) for item in burst]
            await asyncio.sleep(0.3)
            cluster.proxy.cut()
            await asyncio.gather(*tasks)

    asyncio.run(burst_with_cut())
    during = messages("pg-during", (COMPLAINTS[0], CONSULTATIONS[0], EMERGENCIES[0]))
    asyncio.run(send_all(base, during))
    for item in [*burst, *during]:
        assert item.last.answer != "error" or is_clear_temporary_error(item.last), item.last
    assert all(is_clear_temporary_error(item.last) for item in during), [i.last for i in during]
    assert httpx.get(f"{base}/readyz", timeout=5).status_code == 503

    time.sleep(2)
    cluster.proxy.restore()
    asyncio.run(retry_errors(base, [*burst, *during]))
    assert all(item.last.answer != "error" for item in [*burst, *during]), [i.last for i in [*burst, *during]]

    verdict = settle(cluster, [*before, *burst, *during], timeout=45)
    assert not verdict.problems, "\n".join(verdict.problems) + "\n" + cluster.logs()
    assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200
