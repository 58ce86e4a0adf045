"""Waiting, bounded, until a cluster has finished every message and pushed every late reply."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from tests.reliability.traffic import InboxRow, Sent, Verdict, inbox, verify_exactly_once, work_orders_per_message

if TYPE_CHECKING:
    from tests.reliability.conftest import Cluster


def settle(cluster: Cluster, sent: list[Sent], timeout: float = 40) -> Verdict:
    """Poll until every message is done and each late reply went out, then judge; bounded by `timeout`."""
    deadline = time.monotonic() + timeout
    verdict = Verdict(problems=["never checked"])
    while time.monotonic() < deadline:
        rows = inbox(cluster.database_url)
        verdict = verify_exactly_once(
            sent, rows, work_orders_per_message(cluster.database_url), cluster.wechat_sent(), cluster.web_pushes
        )
        if not verdict.problems:
            # Late pushes for one message could still be on their way twice: look once more after a pause.
            time.sleep(1.0)
            return verify_exactly_once(
                sent,
                inbox(cluster.database_url),
                work_orders_per_message(cluster.database_url),
                cluster.wechat_sent(),
                cluster.web_pushes,
            )
        time.sleep(0.5)
    return verdict


def unfinished(rows: list[InboxRow]) -> list[str]:
    return [f"{row.channel}:{row.external_id}={row.status}" for row in rows if row.status != "done"]
