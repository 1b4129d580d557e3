"""How fast each web page answers at the size of the 1 M-event benchmark (issue 11: < 100 ms each).

    python bench/pages.py [--events 1000000] [--backend sqlite|postgresql|both] [--db URL] [--repeat 20]

The demo bakery of `bench/run.py` is imported (or an existing database named with --db is used),
a quality-role user logs in through the login form, and each page is asked for `--repeat` times
through the application in process (routing, session, services, SQL, template): p50, p95, max.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from lotledger import demo
from lotledger.api.app import create_app
from lotledger.bootstrap import App, bootstrap
from lotledger.config import Settings
from lotledger.domain.accounts import Caller
from lotledger.domain.recording import Attribution
from lotledger.domain.records import EventFilter
from lotledger.interchange.jsonl import read_lines
from lotledger.services.importing import import_lines
from run import OUT, generate  # bench/run.py: the same plant as the trace benchmarks

USER, PASSWORD = "bench-admin", "bench pages password"


def load(app: App, data: Path) -> None:
    with data.open() as handle:
        report = import_lines(
            app.recording,
            app.master_data,
            read_lines(handle),
            Attribution("bench", "bench"),
            after_bulk=app.refresh_statistics,
        )
    assert not report.errors, report.errors[:3]


def logged_in(app: App) -> TestClient:
    if USER not in {u.username for u in app.accounts.users()}:
        app.accounts.add_user(USER, PASSWORD, "admin")
    client = TestClient(create_app(app))
    form = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf
    answer = client.post(
        "/login", data={"csrf": csrf.group(1), "username": USER, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return client


def targets(app: App) -> dict[str, str]:
    """The pages to time, on the demo plant's lots, pallets and events."""
    latest = app.queries.events(EventFilter(type="ship"), limit=1).events[0]
    who = Caller(app.accounts.user(USER), Attribution(f"user:{USER}", "bench"))
    drill = {"kind": "mock", "reason": "bench: page timing", "lots": [{"item": "FLOUR", "lot": "F-00005"}]}
    recall = app.recalls.open(drill, who).case.id
    return {
        "dashboard": "/",
        "search (lot code)": "/search?q=W-0001",
        "search (GS1 scan)": f"/search?q=(00){demo.sscc(1)}",
        "lot page: bread": "/lots/BREAD-W/W-0001",
        "lot page: hub salt (all descendants)": "/lots/SALT/S-HUB",
        "pallet page": f"/pallets/{demo.sscc(1)}",
        "event page": f"/events/{latest.id}",
        "recall list": "/recalls",
        "recall case (one flour lot)": f"/recalls/{recall}",
        "floor: ship": "/floor/ship",
        "admin: items": "/admin/items",
    }


def measure(client: TestClient, url: str, repeat: int) -> dict[str, float]:
    for _ in range(2):
        answer = client.get(url, follow_redirects=False)
        assert answer.status_code in (200, 303), (url, answer.status_code, answer.text[:300])
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url, follow_redirects=False)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "p50": round(statistics.median(times), 1),
        "p95": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
        "max": round(times[-1], 1),
    }


def bench(url: str, data: Path | None, repeat: int) -> dict[str, object]:
    app = bootstrap(Settings(url, gs1_company_prefix=demo.COMPANY_PREFIX))
    if data is not None:
        load(app, data)
    client = logged_in(app)
    result: dict[str, object] = {"backend": url.split(":", 1)[0], "pages_ms": {}}
    for name, target in targets(app).items():
        result["pages_ms"][name] = measure(client, target, repeat)  # type: ignore[index]
        print(f"  {name:42} {result['pages_ms'][name]}", flush=True)  # type: ignore[index]
    app.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--db", help="an existing database holding the demo plant (skips the import)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    results = []
    if args.db:
        results.append(bench(args.db, None, args.repeat))
    else:
        data = generate(args.events)
        if args.backend in ("sqlite", "both"):
            db = OUT / f"pages-{args.events}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            results.append(bench(f"sqlite:///{db}", data, args.repeat))
        if args.backend in ("postgresql", "both"):
            from tests.pg import Cluster

            cluster = Cluster()
            try:
                admin = create_engine(cluster.url, isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    conn.execute(text("CREATE DATABASE pages"))
                admin.dispose()
                results.append(bench(cluster.url.rsplit("/", 1)[0] + "/pages", data, args.repeat))
            finally:
                cluster.stop()
    out = OUT / f"pages-{args.events}.json"
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
