"""Crash safety of issue 9: kill -9 at random points of an import, ten times per backend.

    python bench/crash.py [--events 100000] [--rounds 10] [--backend sqlite|postgresql|both] [--seed S]

Generates the demo bakery as a JSON Lines file of exactly --events events (once), then per backend:
a clean import into a fresh database (its duration times the kills; it is also the reference every
round is compared with), and --rounds times: a fresh database, `lotledger import` killed with
SIGKILL at a random point between 5% and 95% of that duration (one point in each tenth of the
window), `lotledger verify` (must exit 0), the whole-event checks, the import again to the end
(exactly --events events, verify exits 0, every table as in the clean import). The procedure is
tests/crash_safety.py, which the test suite runs at small scale. Results go to
bench/out/crash-<backend>.json; the exit code is 1 if any round failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from tests.crash_safety import KILL_WINDOW, Campaign, Databases, PlantFile, Round, campaign, write_plant

from lotledger.services.importing import CHUNK

OUT = Path(__file__).parent / "out"
console = Console(width=None if sys.stdout.isatty() else 160)  # a log file gets the whole table


def show_round(r: Round) -> None:
    verdict = "[green]survived[/green]" if r.survived else "[red]FAILED[/red]"
    console.print(
        f"round {r.number}: killed at {r.kill_after_s:.2f} s ({r.fraction:.0%}), {r.events_at_kill} events at the kill,"
        f" verify {r.verify_after_kill}; re-run: {r.events_after_rerun} events, verify {r.verify_after_rerun};"
        f" {r.seconds:.0f} s: {verdict}",
        highlight=False,
    )
    for problem in r.problems:
        console.print(f"  [red]{problem}[/red]", highlight=False)


def show_campaign(result: Campaign) -> None:
    table = Table(title=f"{result.backend}: {result.events:,} events, clean import {result.import_s:.1f} s")
    for column in ("round", "kill at s", "of import", "events at kill", "verify after kill", "whole events"):
        table.add_column(column, justify="right")
    for column in ("re-run stored / already", "events after re-run", "verify after re-run", "survived"):
        table.add_column(column, justify="right")
    for r in sorted(result.rounds, key=lambda r: r.kill_after_s):
        table.add_row(
            str(r.number),
            f"{r.kill_after_s:.2f}",
            f"{r.fraction:.0%}",
            f"{r.events_at_kill:,}",
            "exit 0" if r.verify_after_kill == 0 else f"[red]exit {r.verify_after_kill}[/red]",
            "yes" if not r.whole_events_problems else f"[red]{len(r.whole_events_problems)} problems[/red]",
            f"{r.rerun_stored:,} / {r.rerun_already_recorded:,}",
            f"{r.events_after_rerun:,}",
            "exit 0" if r.verify_after_rerun == 0 else f"[red]exit {r.verify_after_rerun}[/red]",
            "yes" if r.survived else "[red]no[/red]",
        )
    console.print(table)
    console.print(
        f"{result.backend}: crashes survived {result.survived} of {len(result.rounds)}"
        f" ({result.seconds / 60:.1f} min for the whole run)",
        highlight=False,
    )


def run(backend: str, server: str | None, args: argparse.Namespace, plant_file: PlantFile, work: Path) -> Campaign:
    console.print(f"[bold]{backend}[/bold]: a clean import of {plant_file.events:,} events, then {args.rounds} kills")
    databases = Databases(backend, work / backend, server)
    logs = OUT / "crash-logs" / backend  # each command's output, kept for a failed round
    result = campaign(plant_file, databases, args.rounds, args.seed, logs, show_round)
    show_campaign(result)
    figures = {**result.as_json(), "file": str(plant_file.path), "kill_window": KILL_WINDOW, "chunk": CHUNK}
    figures["machine"] = machine(server)
    OUT.mkdir(exist_ok=True)
    (OUT / f"crash-{backend}.json").write_text(json.dumps(figures, indent=2, default=str) + "\n")
    return result


def machine(server: str | None) -> dict[str, object]:
    found: dict[str, object] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    if server is None:
        found["sqlite"] = sqlite3.sqlite_version
    else:
        engine = create_engine(server)
        with engine.connect() as conn:
            found["postgresql"] = conn.execute(text("SHOW server_version")).scalar()
            found["postgresql_settings"] = "fsync=off (tests/pg.py's throwaway cluster; only the client is killed)"
        engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seed", type=int, default=None, help="of the kill points (default: a new one, printed)")
    args = parser.parse_args()
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(10**6)
    console.print(f"seed {args.seed}")
    start = time.perf_counter()
    plant_file = write_plant(OUT / f"crash-plant-{args.events}.jsonl", args.events)
    results = []
    with tempfile.TemporaryDirectory(prefix="lotledger-crash-") as work:
        if args.backend in ("sqlite", "both"):
            results.append(run("sqlite", None, args, plant_file, Path(work)))
        if args.backend in ("postgresql", "both"):
            from tests.pg import Cluster

            cluster = Cluster()
            try:
                results.append(run("postgresql", cluster.url, args, plant_file, Path(work)))
            finally:
                cluster.stop()
    for result in results:
        console.print(f"{result.backend}: crashes survived {result.survived} of {len(result.rounds)}", highlight=False)
    console.print(f"{(time.perf_counter() - start) / 60:.1f} min in all", highlight=False)
    if any(result.survived != len(result.rounds) for result in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
