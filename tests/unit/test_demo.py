"""The demo plant: deterministic, dated before the ledger's clock at any scale, and measured right."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from lotledger import demo


def times(cycles: int) -> list[datetime]:
    return [datetime.fromisoformat(r["time"]) for r in demo.plant(cycles) if "time" in r]


def test_the_default_demo_keeps_fifteen_minutes_between_its_regular_events() -> None:
    found = times(40)
    regular = [t for t in found if t.second == 0]  # corrections sit 112 s apart between two of them
    assert len(regular) == 294
    assert len(found) == 314
    assert regular[0] == demo.START + timedelta(minutes=15)
    assert {b - a for a, b in itertools.pairwise(regular)} == {timedelta(minutes=15)}
    assert found[-1] == datetime.fromisoformat("2026-01-08T07:30:00+00:00")


def test_a_large_demo_ends_before_the_end_of_its_window_in_time_order() -> None:
    cycles = demo.cycles_for(100_000)
    found = times(cycles)
    assert found == sorted(found)
    assert found[-1] < demo.END
    assert found[-1] > demo.END - timedelta(days=120)  # it still spreads over most of the window
    assert demo.tick_for(cycles) < timedelta(minutes=15)


def test_a_million_event_demo_is_spaced_to_fit_the_window() -> None:
    cycles = demo.cycles_for(1_000_000)
    # Each cycle takes fewer ticks than it has events (corrections sit between ticks): this bounds the last one.
    assert demo.START + demo.tick_for(cycles) * round(cycles * demo.EVENTS_PER_CYCLE + 2) <= demo.END


def test_events_per_cycle_is_the_measured_average() -> None:
    events = sum(1 for r in demo.plant(1000) if "time" in r)
    assert abs(events / 1000 - demo.EVENTS_PER_CYCLE) < 0.05


def test_the_same_seed_gives_the_same_plant_and_every_event_id_is_unique() -> None:
    first, again = list(demo.plant(60, seed=3)), list(demo.plant(60, seed=3))
    assert first == again
    ids = [r["id"] for r in first if "id" in r]
    assert len(ids) == len(set(ids))
    assert list(demo.plant(60, seed=4)) != first
