"""Erlang C against values worked out by hand and the textbook table for 10 Erlangs."""

from __future__ import annotations

import math

import pytest

from gateway.workorders.staffing import (
    DEFAULT_HOURLY_PROFILE,
    StaffingError,
    agents_needed,
    daily_plan,
    daily_volume_from_population,
    erlang_c,
    service_level,
)


@pytest.mark.parametrize(
    ("agents", "traffic", "expected"),
    [
        # By hand: A=1, N=2: (1/2·2/1) / (1 + 1 + 1) = 1/3.
        (2, 1.0, 1 / 3),
        # By hand: A=2, N=3: (8/6·3/1) / (1 + 2 + 2 + 4) = 4/9.
        (3, 2.0, 4 / 9),
        # The classic table for 10 Erlangs (100 calls per half hour, 3 minutes each).
        (11, 10.0, 0.6821),
        (12, 10.0, 0.4494),
        (13, 10.0, 0.2853),
        (14, 10.0, 0.1741),
        (10, 10.0, 1.0),  # no spare capacity: every call waits
    ],
)
def test_erlang_c(agents: int, traffic: float, expected: float) -> None:
    assert erlang_c(agents, traffic) == pytest.approx(expected, abs=5e-5)


def test_erlang_c_matches_the_factorial_formula_for_large_teams() -> None:
    def direct(n: int, a: float) -> float:
        top = a**n / math.factorial(n) * n / (n - a)
        return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)

    for n, a in [(25, 20.0), (60, 52.5), (120, 110.0)]:
        assert erlang_c(n, a) == pytest.approx(direct(n, a), rel=1e-9)
    # The recursion stays finite where factorials overflow floats.
    assert 0 < erlang_c(1200, 1150.0) < 1


def test_service_level_by_hand() -> None:
    # A=1, N=2, AHT 60 s, T=60 s: 1 - 1/3 · e^(-(2-1)·60/60) = 1 - e^-1/3.
    assert service_level(2, 1.0, 60, 60) == pytest.approx(1 - math.exp(-1) / 3)
    assert service_level(2, 1.0, 60, 0) == pytest.approx(2 / 3)


def test_textbook_80_20_example() -> None:
    # 200 calls an hour, 180 s each = 10 Erlangs; 13 agents give 79.6%, so 80/20 needs 14 (88.8%).
    plan = agents_needed(200, 180, 0.8, 20)
    assert plan.traffic_erlangs == pytest.approx(10.0)
    assert plan.agents == 14
    assert plan.service_level == pytest.approx(0.8884, abs=1e-4)
    assert plan.occupancy == pytest.approx(10 / 14)
    assert plan.asa_seconds == pytest.approx(0.1741 * 180 / 4, abs=0.01)
    assert agents_needed(200, 180, 0.79, 20).agents == 13


def test_shrinkage_and_occupancy_cap() -> None:
    plan = agents_needed(200, 180, 0.8, 20, shrinkage=0.3)
    assert plan.agents == 14 and plan.seats == 20  # ceil(14 / 0.7)
    capped = agents_needed(200, 180, 0.8, 20, max_occupancy=0.7)
    assert capped.agents == 15 and capped.occupancy <= 0.7  # 10/14 = 0.714 is over the cap


def test_zero_calls_need_no_agents() -> None:
    plan = agents_needed(0, 180)
    assert (plan.agents, plan.seats, plan.service_level) == (0, 0, 1.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"calls_per_hour": 100, "aht": 0},
        {"calls_per_hour": 100, "aht": 180, "target": 1.2},
        {"calls_per_hour": -1, "aht": 180},
        {"calls_per_hour": 100, "aht": 180, "shrinkage": 1.0},
    ],
)
def test_bad_inputs(kwargs: dict[str, float]) -> None:
    with pytest.raises(StaffingError):
        agents_needed(**kwargs)  # type: ignore[arg-type]


def test_daily_plan_spreads_the_volume_and_finds_the_peak() -> None:
    # A flat profile over 24 hours: 4800 calls a day = 200 an hour, every hour the 14-agent case.
    plan = daily_plan(4800, 180, 0.8, 20, profile=[1.0] * 24, shrinkage=0.3)
    assert [h["agents"] for h in plan["hours"]] == [14] * 24
    assert plan["agents"] == 14 and plan["seats"] == 20 and plan["peak"]["hour"] == 0
    assert plan["agent_hours"] == 14 * 24
    # Two busy hours hold all the calls: the peak is the first of them.
    profile = [0.0] * 24
    profile[9], profile[10] = 1.0, 1.0
    busy = daily_plan(400, 180, 0.8, 20, profile=profile)
    assert busy["peak"]["hour"] == 9 and busy["agents"] == 14
    assert busy["hours"][3]["agents"] == 0
    with pytest.raises(StaffingError):
        daily_plan(400, 180, profile=[1.0] * 23)


def test_population_gives_the_daily_volume() -> None:
    # 2,000,000 residents at 2.4 daily contacts per thousand = 4800 contacts a day.
    assert daily_volume_from_population(2_000_000, 2.4) == pytest.approx(4800)
    default = daily_plan(4800, 180, 0.8, 20)
    assert default["peak"]["hour"] == max(range(24), key=lambda h: DEFAULT_HOURLY_PROFILE[h])
    with pytest.raises(StaffingError):
        daily_volume_from_population(0, 2.4)
