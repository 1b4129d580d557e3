"""HTTP benchmarks of issue 3 (numbers go to docs/performance.md).

    python bench/api.py --db sqlite:///bench/out/bench-1000000.db [--seconds 15] [--connections 64]

Starts `lotledger serve` on loopback against an existing database (the 1M-event
one that bench/run.py builds), then:
1. captures: wrk (Debian's `wrk`, a second process) posts single receive events,
   each a new lot, for --seconds; events/s, non-2xx answers, and the server's CPU
   time per capture (user + system, from /proc: what the rate costs, whatever
   else runs on the machine);
2. while the captures run: random lots traced both ways through
   GET /api/v1/lots/trace, one at a time: p50/p95/max latency;
3. the same traces on the idle server.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
LUA = """
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"type":"receive","time":"2026-11-25T08:00:00Z","location":"RAW",'
    .. '"partner":"MILLCO","reference":"BENCH","lines":[{"item":"FLOUR","lot":"%s%d-%d","qty":"1","uom":"kg"}]}',
    "RUN", tid, counter)
  return wrk.format("POST", "/api/v1/events",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer TOKEN"}, body)
end
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=f"sqlite:///{ROOT / 'bench/out/bench-1000000.db'}")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("install the load generator first: apt-get install wrk")
    lotledger = str(Path(sys.executable).parent / "lotledger")
    name = f"bench-{uuid.uuid4().hex[:6]}"
    subprocess.run(
        [lotledger, "user", "add", name, "--role", "operator", "--password", "bench-password", "--db", args.db],
        check=True,
        capture_output=True,
    )
    created = subprocess.run(
        [lotledger, "token", "create", name, "--name", "bench", "--db", args.db],
        check=True,
        capture_output=True,
        text=True,
    )
    token = created.stdout.strip().splitlines()[-1].strip()
    server = subprocess.Popen(
        [lotledger, "serve", "--port", str(args.port), "--db", args.db],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}/api/v1"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        result: dict[str, object] = {
            "db": args.db.split(":")[0],
            "workers": args.workers,
            "connections": args.connections,
        }
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA.replace("TOKEN", token).replace("RUN", f"B{random.randrange(10**4):04d}"))
        lots = _lots(args.db)
        cpu_before = _cpu_seconds(server.pid)
        load = subprocess.Popen(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "-s", script.name, base],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(1)  # traces while the captures run, from the second second on
        result["http_trace_during_captures_ms"] = _traces(base, token, lots, until=lambda: load.poll() is not None)
        out, _ = load.communicate()
        run = subprocess.CompletedProcess(load.args, load.returncode, out, "")
        cpu = _cpu_seconds(server.pid) - cpu_before
        rate = re.search(r"Requests/sec:\s+([\d.]+)", run.stdout)
        failed = re.search(r"Non-2xx or 3xx responses: (\d+)", run.stdout)
        latency = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", run.stdout)
        result["captures_per_s"] = round(float(rate.group(1))) if rate else None
        result["capture_non_2xx"] = int(failed.group(1)) if failed else 0
        result["capture_latency_avg"] = latency.group(1) if latency else None
        requests = re.search(r"(\d+) requests in", run.stdout)
        if requests:
            result["server_cpu_us_per_capture"] = round(cpu / int(requests.group(1)) * 1e6)
        result["http_trace_idle_ms"] = _traces(base, token, lots)
        print(json.dumps(result), flush=True)
    finally:
        server.terminate()
        server.wait(10)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (and its waited-for children), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _lots(db: str) -> list[tuple[str, str]]:
    engine = create_engine(db)
    with engine.connect() as conn:
        lots = conn.execute(
            text(
                "SELECT i.sku, l.code FROM lots l JOIN items i ON i.id = l.item_id "
                "WHERE l.code <> 'S-HUB' AND l.code NOT LIKE 'B%-%'"
            )
        ).all()
    engine.dispose()
    return [(sku, code) for sku, code in lots]


def _traces(base: str, token: str, lots: list[tuple[str, str]], until=lambda: False) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Random lots traced both ways, one at a time: 300 of them, or fewer if `until()` comes first."""
    times = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        for sku, code in random.Random(1).sample(lots, 300):
            if until():
                break
            start = time.perf_counter()
            answer = client.get("/lots/trace", params={"item": sku, "lot": code, "direction": "both"})
            times.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200, answer.text
    times.sort()
    return {
        "n": len(times),
        "p50": round(statistics.median(times), 2),
        "p95": round(times[int(len(times) * 0.95)], 2),
        "max": round(times[-1], 2),
    }


if __name__ == "__main__":
    main()
