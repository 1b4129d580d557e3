"""Crash safety (issue 9) at small scale: `lotledger import` killed with SIGKILL at random points
leaves a database that verifies and holds only whole events, and a re-run completes it exactly.

The procedure is tests/crash_safety.py; bench/crash.py runs it at 100,000 events, ten kills per backend.
"""

from __future__ import annotations

import dataclasses
import os
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from lotledger.services.importing import CHUNK
from tests.crash_safety import Databases, PlantFile, Snapshot, campaign, whole_event_problems, write_plant

EVENTS = 5000  # three transactions of the import (2,000 + 2,000 + 1,000)
KILLS = {"sqlite": 3, "postgresql": 2}  # a PostgreSQL round costs more (slower import, server round trips)


@pytest.fixture(scope="module")
def plant_file(tmp_path_factory: pytest.TempPathFactory) -> PlantFile:
    return write_plant(tmp_path_factory.mktemp("crash") / "plant.jsonl", EVENTS)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_import_killed_at_random_points_leaves_whole_events_and_a_rerun_completes_it(
    backend: str, plant_file: PlantFile, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    server = request.getfixturevalue("pg_cluster") if backend == "postgresql" else None
    databases = Databases(backend, tmp_path / "db", server, prefix=f"crash_{os.getpid()}_")
    # CI replays the same kill points every run; a developer's machine tries new ones.
    seed = 9 if os.environ.get("CI") else random.SystemRandom().randrange(10**6)
    result = campaign(plant_file, databases, KILLS[backend], seed, tmp_path / "logs")
    failed = [f"round {r.number} (killed at {r.kill_after_s} s): {r.problems}" for r in result.rounds if not r.survived]
    assert not failed, f"seed {seed}, clean import {result.import_s} s, logs in {tmp_path / 'logs'}: {failed}"
    assert len(result.rounds) == KILLS[backend]
    _the_checks_name_half_stored_events(result.reference, plant_file)


def _without(snapshot: Snapshot, table: str, event_id: str) -> Snapshot:
    """A copy of `snapshot` without `table`'s rows of one event."""
    tables = dict(snapshot.tables)
    tables[table] = Counter({row: n for row, n in tables[table].items() if row[0] != event_id})
    return dataclasses.replace(snapshot, tables=tables)


def _the_checks_name_half_stored_events(reference: Snapshot, plant_file: PlantFile) -> None:
    """What verify does not see, the whole-event checks do: each half of an event alone is named."""
    assert whole_event_problems(reference, plant_file, reference) == []
    last_moving = next(e for e in reversed(reference.order) if any(r[0] == e for r in reference.tables["movements"]))
    problems = whole_event_problems(_without(reference, "movements", last_moving), plant_file, reference)
    assert any(p.startswith("movements: 0 rows too many, ") for p in problems), problems
    assert any(p.startswith("balances: ") for p in problems), problems  # they no longer add up to the stock
    last = reference.order[-1]
    rows_without_event = dataclasses.replace(
        _without(reference, "events", last), order=reference.order[:-1], chain=reference.chain[:-1]
    )
    problems = whole_event_problems(rows_without_event, plant_file, reference)
    assert any(p.startswith("chain_head is ") for p in problems), problems  # the head row names the lost link
    assert any(re.match(r"(movements|event_lots|lot_edges): [1-9]\d* rows too many", p) for p in problems), problems
    problems = whole_event_problems(
        dataclasses.replace(reference, order=reference.order[: CHUNK + 1]), plant_file, reference
    )
    assert f"{CHUNK + 1} events stored: not a whole number of the import's transactions of {CHUNK}" in problems
