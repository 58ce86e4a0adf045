"""`kill -9` of a worker inside a late-reply push: the reply was stored, not delivered; it is pushed once later.

The recording WeChat API holds the first customer-service send open (the worker is now between saving the
outcome and WeChat taking the reply), the worker is killed, and the held request is never answered. Another
worker's reconciler finds the stored-but-undelivered reply once the dead pusher's claim is stale.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest

from tests.reliability.cluster import RecordingWeChatApi
from tests.reliability.conftest import Cluster
from tests.reliability.settle import settle
from tests.reliability.traffic import COMPLAINTS, CONSULTATIONS, Sent, inbox, send

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


class HoldFirstSend:
    """Wraps the recording API: the first customer-service send blocks until released and is not recorded."""

    def __init__(self, api: RecordingWeChatApi) -> None:
        self.forward = api.handle  # bound before the API's handler is replaced by this one
        self.held = threading.Event()
        self.release = threading.Event()
        self._taken = False
        self._lock = threading.Lock()

    def handle(self, path: str, query: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        if path == "/cgi-bin/message/custom/send":
            with self._lock:
                first, self._taken = not self._taken, True
            if first:
                self.held.set()
                self.release.wait(timeout=60)
                # The caller is dead by now: this answer reaches nobody, so WeChat never sent the message.
                return 500, {"errcode": -1, "errmsg": "system busy"}
        return self.forward(path, query, body)


@pytest.mark.parametrize("cluster", [{"wechat_budget": 1.0, "web_budget": 1.0}], indirect=True)
def test_worker_killed_between_saving_and_pushing_a_reply_gets_it_pushed_once(cluster: Cluster) -> None:
    gateway, doomed = cluster.start(gateways=1, workers=1)
    hold = HoldFirstSend(cluster.wechat)
    cluster.wechat.handle = hold.handle  # type: ignore[method-assign]
    messages = [
        Sent("wechat_oa", "oPushCrash0001", "9200000000000001", COMPLAINTS[3]),
        Sent("wechat_oa", "oPushCrash0002", "9200000000000002", CONSULTATIONS[1]),
        Sent("web", "push-crash-0003", "m3", COMPLAINTS[5]),
        Sent("wechat_oa", "oPushCrash0004", "9200000000000004", COMPLAINTS[6]),
    ]

    # The worker is stalled, so every request runs out of its budget: each reply is to be pushed later.
    doomed.pause()

    async def send_all() -> None:
        async with httpx.AsyncClient() as client:
            await asyncio.gather(*(send(client, str(gateway.url), item) for item in messages))

    asyncio.run(send_all())
    assert all(item.last.answer == "pending" for item in messages), [item.last for item in messages]

    doomed.resume()
    assert hold.held.wait(timeout=30), "the worker never pushed a reply\n" + cluster.logs()
    doomed.kill9()
    hold.release.set()

    stranded = [row for row in inbox(cluster.database_url) if row.status == "done" and row.delivery == "async"]
    assert stranded, "no reply was stored and left undelivered by the crash; nothing was tested"

    cluster.worker("rescuer")
    verdict = settle(cluster, messages, timeout=45)
    assert not verdict.problems, "\n".join(verdict.problems) + "\n" + cluster.logs()
    assert verdict.pushed == len(messages)
