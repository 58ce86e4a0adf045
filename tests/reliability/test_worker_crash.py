"""`kill -9` of a worker in the middle of a burst: every message still gets exactly one reply, at most one order."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.reliability.conftest import Cluster
from tests.reliability.settle import settle
from tests.reliability.traffic import COMPLAINTS, CONSULTATIONS, EMERGENCIES, LONG_LETTER, Sent, send

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def burst(tag: str, count: int) -> list[Sent]:
    texts = [*COMPLAINTS, *CONSULTATIONS, LONG_LETTER, *EMERGENCIES]
    messages = []
    for index in range(count):
        text = texts[index % len(texts)]
        if index % 2:
            messages.append(Sent("wechat_oa", f"o{tag}Citizen{index:04d}", f"{9_100_000_000 + index}", text))
        else:
            messages.append(Sent("web", f"{tag}-session-{index:04d}", f"m{index}", text))
    return messages


def held_by(cluster: Cluster, pid: int) -> int:
    """Queue entries the worker process `pid` has read and not acknowledged (its consumers are `pid-i`)."""
    client = cluster.redis.client()
    try:
        consumers = client.xinfo_consumers(f"{cluster.env.redis_prefix}:intake", "workers")
    except Exception:
        return 0
    finally:
        client.close()
    return sum(int(c["pending"]) for c in consumers if str(c["name"], "utf-8").startswith(f"{pid}-"))


def test_kill_9_of_a_worker_mid_burst_loses_and_duplicates_nothing(cluster: Cluster) -> None:
    gateway, doomed, survivor = cluster.start(gateways=1, workers=2)
    messages = burst("crash", 40)

    async def run() -> int:
        async with httpx.AsyncClient() as client:
            requests = [asyncio.create_task(send(client, str(gateway.url), item)) for item in messages]
            # Kill the worker the moment it holds messages it has read but not finished.
            held = 0
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and held == 0:
                held = await asyncio.to_thread(held_by, cluster, doomed.process.pid)
                if held == 0:
                    await asyncio.sleep(0.02)
            doomed.kill9()
            await asyncio.gather(*requests)
            return held

    held = asyncio.run(run())
    assert held > 0, "the worker never held a message; nothing was tested\n" + cluster.logs()
    assert not doomed.alive and survivor.alive

    verdict = settle(cluster, messages, timeout=45)
    assert not verdict.problems, "\n".join(verdict.problems) + "\n" + cluster.logs()
    assert all(reply.answer != "error" for item in messages for reply in item.replies)
    assert verdict.inline + verdict.pushed == len(messages)
    assert verdict.work_orders >= 1
    # Graceful shutdown: SIGTERM drains the messages in hand and exits cleanly.
    assert survivor.terminate() == 0, survivor.log()[-3000:]
