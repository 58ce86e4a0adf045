"""Seats for the hotline (GB/T 44190 6.1.1.1): Erlang C from call volume, handling time and service level.

Traffic A = calls per hour × average handling time / 3600 (Erlangs). With N agents (N > A):
    P(wait) = Erlang C(N, A), computed through the Erlang B recursion (no factorials, no overflow);
    service level = 1 − P(wait) · exp(−(N − A) · T / AHT) for an answer within T seconds;
    ASA = P(wait) · AHT / (N − A); occupancy = A / N.
The agents needed are the fewest N reaching the target (and an occupancy cap when given). Seats add
shrinkage (breaks, training, meetings): seats = ceil(N / (1 − shrinkage)).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

# An illustrative 12345 intake profile (share of the day's contacts per hour, 0-23): quiet nights, a morning
# peak 9-11, an afternoon peak 14-16. Replace it with the centre's own measured profile (--profile).
DEFAULT_HOURLY_PROFILE: tuple[float, ...] = (
    0.5, 0.3, 0.2, 0.2, 0.2, 0.4, 1.0, 2.5, 6.0, 9.0, 9.5, 8.0,
    5.5, 6.5, 8.5, 8.5, 7.5, 6.0, 4.0, 3.2, 2.8, 2.2, 1.6, 1.0,
)  # fmt: skip
MAX_AGENTS = 10_000


class StaffingError(ValueError):
    code = "invalid_staffing_input"


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a call waits; 1 when the agents cannot carry the traffic."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return agents * blocking / (agents - traffic * (1 - blocking))


def service_level(agents: int, traffic: float, aht: float, answer_within: float) -> float:
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return 1 - erlang_c(agents, traffic) * math.exp(-(agents - traffic) * answer_within / aht)


@dataclass(frozen=True)
class Staffing:
    calls_per_hour: float
    aht_seconds: float
    traffic_erlangs: float
    agents: int
    service_level: float
    occupancy: float
    probability_of_waiting: float
    asa_seconds: float
    seats: int

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("traffic_erlangs", "service_level", "occupancy", "probability_of_waiting", "asa_seconds"):
            out[key] = round(out[key], 4)
        return out


def _check(aht: float, target: float, answer_within: float, shrinkage: float) -> None:
    if aht <= 0:
        raise StaffingError("the average handling time must be positive")
    if not 0 < target < 1:
        raise StaffingError("the service level is a fraction between 0 and 1, e.g. 0.8")
    if answer_within < 0:
        raise StaffingError("answer-within is a number of seconds")
    if not 0 <= shrinkage < 1:
        raise StaffingError("shrinkage is a fraction from 0 to below 1, e.g. 0.3")


def agents_needed(
    calls_per_hour: float,
    aht: float,
    target: float = 0.8,
    answer_within: float = 20,
    *,
    shrinkage: float = 0.0,
    max_occupancy: float | None = None,
) -> Staffing:
    """The fewest agents reaching `target` of calls answered within `answer_within` seconds."""
    _check(aht, target, answer_within, shrinkage)
    if calls_per_hour < 0:
        raise StaffingError("calls per hour cannot be negative")
    traffic = calls_per_hour * aht / 3600
    if traffic == 0:
        return Staffing(calls_per_hour, aht, 0.0, 0, 1.0, 0.0, 0.0, 0.0, 0)
    agents = max(1, math.floor(traffic) + 1)
    while service_level(agents, traffic, aht, answer_within) < target or (
        max_occupancy is not None and traffic / agents > max_occupancy
    ):
        agents += 1
        if agents > MAX_AGENTS:
            raise StaffingError(f"more than {MAX_AGENTS} agents: check the inputs")
    waiting = erlang_c(agents, traffic)
    return Staffing(
        calls_per_hour=calls_per_hour,
        aht_seconds=aht,
        traffic_erlangs=traffic,
        agents=agents,
        service_level=service_level(agents, traffic, aht, answer_within),
        occupancy=traffic / agents,
        probability_of_waiting=waiting,
        asa_seconds=waiting * aht / (agents - traffic),
        seats=math.ceil(agents / (1 - shrinkage) - 1e-9),
    )


def daily_volume_from_population(population: int, calls_per_thousand: float) -> float:
    """Contacts per day from residents and the daily contacts per thousand residents."""
    if population <= 0 or calls_per_thousand <= 0:
        raise StaffingError("population and calls per thousand residents must be positive")
    return population / 1000 * calls_per_thousand


def daily_plan(
    daily_volume: float,
    aht: float,
    target: float = 0.8,
    answer_within: float = 20,
    *,
    profile: Sequence[float] = DEFAULT_HOURLY_PROFILE,
    shrinkage: float = 0.0,
    max_occupancy: float | None = None,
) -> dict[str, Any]:
    """Agents and seats for each hour of a day with `daily_volume` contacts spread by `profile`."""
    if len(profile) != 24 or any(w < 0 for w in profile) or sum(profile) <= 0:
        raise StaffingError("the hourly profile needs 24 non-negative weights, not all zero")
    if daily_volume < 0:
        raise StaffingError("the daily volume cannot be negative")
    total = sum(profile)
    hours = []
    for hour, weight in enumerate(profile):
        calls = daily_volume * weight / total
        plan = agents_needed(calls, aht, target, answer_within, shrinkage=shrinkage, max_occupancy=max_occupancy)
        hours.append({"hour": hour, **plan.to_dict(), "calls_per_hour": round(calls, 2)})
    peak = max(hours, key=lambda h: (h["seats"], h["agents"], -h["hour"]))
    return {
        "daily_volume": round(daily_volume, 2),
        "aht_seconds": aht,
        "target": {"service_level": target, "answer_within_seconds": answer_within},
        "shrinkage": shrinkage,
        "hours": hours,
        "peak": {"hour": peak["hour"], "agents": peak["agents"], "seats": peak["seats"]},
        "agents": peak["agents"],
        "seats": peak["seats"],
        "service_level": peak["service_level"],
        "occupancy": peak["occupancy"],
        "agent_hours": sum(h["agents"] for h in hours),
        "seat_hours": sum(h["seats"] for h in hours),
    }
