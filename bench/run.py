"""Benchmarks of issue 2 (numbers go to docs/performance.md).

    python bench/run.py [--events 1000000] [--backend sqlite|postgresql|both] [--skip-import]

1. generate the demo bakery as a JSON Lines file of about --events events;
2. import it (lotledger's import service, all invariants checked) and time it;
3. trace 300 random lots both ways through the Python API: p50/p95/max;
4. the hub salt lot S-HUB: forward summary with customer roll-up (best/median of 9),
   the full forward trace with every lot and shipment as objects (best/median of 3), and
   the full forward trace as the command line writes it, JSON to /dev/null (best/median of 3, with CPU time:
   `lotledger trace SALT S-HUB --down --format json`, in this process, without its start-up);
5. check the closure answer equals the recursive CTE for the hub.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import sys
import time
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from lotledger.bootstrap import bootstrap
from lotledger.config import Settings
from lotledger.demo import cycles_for, plant
from lotledger.domain.model import LotKey
from lotledger.domain.recording import Attribution
from lotledger.interchange.read_ahead import read_file_lines
from lotledger.services.importing import import_lines
from lotledger.storage.engine import make_engine
from lotledger.storage.trace import relatives, walk

OUT = Path(__file__).parent / "out"
PG_SETTINGS = {"shared_buffers": "4GB", "work_mem": "64MB", "maintenance_work_mem": "1GB", "max_wal_size": "8GB"}


def generate(events: int) -> Path:
    path = OUT / f"plant-{events}.jsonl"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        with path.open("w") as handle:
            for record in plant(cycles_for(events)):
                handle.write(json.dumps(record, separators=(",", ":")) + "\n")
    return path


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _progress_log(start: float, every: int = 500_000):  # type: ignore[no-untyped-def]
    """A progress callback printing events so far and the running rate to stderr (long runs)."""
    done = [0, every]

    def progress(n: int) -> None:
        done[0] += n
        if done[0] >= done[1]:
            done[1] += every
            seconds = time.perf_counter() - start
            print(f"{done[0]:,} lines in {seconds:,.0f} s: {done[0] / seconds:,.0f}/s", file=sys.stderr, flush=True)

    return progress


def bench(url: str, data: Path, skip_import: bool) -> dict[str, object]:
    app = bootstrap(Settings(url))
    engine = make_engine(url)  # below the services: the trace SQL itself is measured too
    result: dict[str, object] = {"backend": engine.dialect.name}
    if not skip_import:
        start, cpu = time.perf_counter(), time.process_time()
        # the path `lotledger import` takes: a large file read and sealed in a second process
        with closing(read_file_lines(data)) as lines:
            attribution = Attribution("bench", "bench")
            report = import_lines(
                app.recording,
                app.master_data,
                lines,
                attribution,
                progress=_progress_log(start),
                after_bulk=app.refresh_statistics,
            )
        seconds = time.perf_counter() - start
        children = os.times()
        result["import_cpu_s"] = round(time.process_time() - cpu, 1)  # the writer (this process)
        result["reader_cpu_s"] = round(children.children_user + children.children_system, 1)
        assert not report.errors, report.errors[:3]
        result["events"] = report.events
        result["import_s"] = round(seconds, 1)
        result["import_events_per_s"] = round(report.events / seconds)
    with engine.connect() as conn:
        lots = [
            LotKey(r.sku, r.code)
            for r in conn.execute(
                text("SELECT i.sku, l.code FROM lots l JOIN items i ON i.id = l.item_id WHERE l.code <> 'S-HUB'")
            )
        ]
    sample = random.Random(1).sample(lots, min(300, len(lots)))
    times = []
    for key in sample:
        start = time.perf_counter()
        app.queries.backward(key)
        app.queries.forward(key)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    result["lot_trace_both_ms"] = {
        "p50": round(statistics.median(times), 2),
        "p95": round(times[int(len(times) * 0.95)], 2),
        "max": round(times[-1], 2),
    }
    hub = LotKey("SALT", "S-HUB")
    summary = app.queries.forward_summary(hub)
    summary_times = sorted(timed(lambda: app.queries.forward_summary(hub), 9))
    result["hub_descendants"] = summary.lots
    result["hub_customers"] = len({c.customer for c in summary.customers})
    result["hub_summary_ms"] = {
        "best": round(summary_times[0], 1),
        "median": round(statistics.median(summary_times), 1),
    }
    full_times = sorted(timed(lambda: app.queries.forward(hub), 3))
    result["hub_full_forward_ms"] = {"best": round(full_times[0], 1), "median": round(statistics.median(full_times), 1)}
    result["hub_full_trace_cli_json_ms"] = _cli_json(url, summary.lots)
    with engine.connect() as conn:
        hub_id = conn.execute(
            text("SELECT l.id FROM lots l JOIN items i ON i.id = l.item_id WHERE i.sku = 'SALT' AND l.code = 'S-HUB'")
        ).scalar_one()
        start = time.perf_counter()
        by_walk = walk(conn, hub_id, "down")
        result["hub_recursive_cte_ms"] = round((time.perf_counter() - start) * 1000, 1)
        start = time.perf_counter()
        by_closure = relatives(conn, hub_id, "down")
        result["hub_closure_ids_ms"] = round((time.perf_counter() - start) * 1000, 1)
    result["closure_equals_recursive_cte"] = by_walk == by_closure
    result["database_mb"] = round(_database_bytes(engine, url) / 2**20)
    app.close()
    engine.dispose()
    return result


def _cli_json(url: str, lots: int) -> dict[str, float]:
    """`lotledger trace SALT S-HUB --down --format json --db URL > /dev/null` through the command's own code
    (the Typer app, stdout to /dev/null), 3 times: wall and CPU milliseconds, and seconds per 100,000 lots."""
    from lotledger.cli import app as cli

    args = ["trace", "SALT", "S-HUB", "--down", "--format", "json", "--db", url]
    walls, cpus = [], []
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        for _ in range(3):
            start, cpu = time.perf_counter(), time.process_time()
            cli(args, standalone_mode=False)
            walls.append((time.perf_counter() - start) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
    best = min(walls)
    return {
        "best": round(best, 1),
        "median": round(statistics.median(walls), 1),
        "cpu_best": round(min(cpus), 1),
        "s_per_100k_lots": round(best / 1000 / lots * 100_000, 3),
    }


def _database_bytes(engine, url: str) -> int:  # type: ignore[no-untyped-def]
    """The database's size on disk: the SQLite file and its WAL, or PostgreSQL's pg_database_size."""
    if engine.dialect.name == "sqlite":
        path = url.removeprefix("sqlite:///")
        return sum(
            Path(f"{path}{suffix}").stat().st_size for suffix in ("", "-wal") if Path(f"{path}{suffix}").exists()
        )
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--skip-import", action="store_true", help="reuse the databases of an earlier run")
    args = parser.parse_args()
    data = generate(args.events)
    results = []
    if args.backend in ("sqlite", "both"):
        db = OUT / f"bench-{args.events}.db"
        if not args.skip_import:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        results.append(bench(f"sqlite:///{db}", data, args.skip_import))
        print(json.dumps(results[-1]), flush=True)
    if args.backend in ("postgresql", "both"):
        from tests.pg import Cluster

        # A server sized for the data (the tests' default has 128 MB of buffers),
        # kept in bench/out so --skip-import can measure the reads again.
        pg_data = OUT / f"pg-{args.events}"
        if not args.skip_import:
            shutil.rmtree(pg_data, ignore_errors=True)
        cluster = Cluster(pg_data, PG_SETTINGS)
        try:
            if not args.skip_import:
                admin = create_engine(cluster.url, isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    conn.execute(text("CREATE DATABASE bench"))
                admin.dispose()
            results.append(bench(cluster.url.rsplit("/", 1)[0] + "/bench", data, args.skip_import))
            print(json.dumps(results[-1]), flush=True)
        finally:
            cluster.stop(keep=True)


if __name__ == "__main__":
    main()
