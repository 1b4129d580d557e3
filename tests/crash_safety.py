"""Crash safety (issue 9): `kill -9` a `lotledger import` at a random moment, then prove the database
opens, verifies, holds only whole events, and that running the import again completes it exactly.

Shared by bench/crash.py (100,000 events, ten kills per backend) and tests/cli/test_crash_safety.py
(a few thousand events, a few kills, in the normal suite). Each round:

1. a fresh, empty database; `lotledger import FILE --db URL` in its own process group;
2. SIGKILL to the group after a chosen time (a fraction of a measured full import);
3. `lotledger verify --db URL` must exit 0 (the hash chain, and every projection against a replay);
4. what verify does not look at, checked here ("whole events"): the stored events are the file's
   first K events in file order, K is a whole number of the import's transactions (chunks); the
   chain's head row is the last link; each stored event has exactly the rows (lots, movements,
   event_lots, voids, genealogy edges, holds) it has in a clean import of the same file, and no
   other event has any; the closure, customer reach and balances agree with the rows they are
   derived from; master data rows each have their change record;
5. the import again, to the end: it reports the K events as already recorded and stores the rest;
   then N events, verify exits 0, and every table equals the clean import's, row for row (by
   natural keys: row ids may differ).
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, text

from lotledger.demo import cycles_for, plant
from lotledger.services.importing import CHUNK
from lotledger.storage.engine import make_engine
from lotledger.storage.trace import MAX_DEPTH

LOTLEDGER = str(Path(sys.executable).with_name("lotledger"))
KILL_WINDOW = (0.05, 0.95)  # kills fall between 5% and 95% of a full import's duration
STORED = re.compile(
    r"(\d+) events stored, (\d+) already recorded, \d+ master-data records saved \(\d+ unchanged\), (\d+) lines refused"
)


# --- the file ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlantFile:
    path: Path
    event_ids: list[str]  # in file order; every event line carries its id

    @property
    def events(self) -> int:
        return len(self.event_ids)


def write_plant(path: Path, events: int, seed: int = 7) -> PlantFile:
    """The demo bakery as JSON Lines, cut after exactly `events` events (master data first)."""
    ids: list[str] = []
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        for record in plant(cycles_for(events) + cycles_for(events) // 20 + 10, seed):
            if "id" in record:
                if len(ids) == events:
                    break
                ids.append(record["id"])
            elif ids:
                raise AssertionError("master data after the first event: chunk boundaries would move")
            handle.write(json.dumps(record, separators=(",", ":")) + "\n")
    if len(ids) != events or len(set(ids)) != events:
        raise AssertionError(f"the plant gave {len(ids)} events ({len(set(ids))} distinct ids), wanted {events}")
    return PlantFile(path, ids)


# --- databases -----------------------------------------------------------------------------------


class Databases:
    """Fresh, empty (not yet migrated) databases on one backend: files in `workdir`, or databases
    on the PostgreSQL server at `server` (a URL to its `postgres` database)."""

    def __init__(self, backend: str, workdir: Path, server: str | None = None, prefix: str = "crash_") -> None:
        if backend == "postgresql" and server is None:
            raise ValueError("PostgreSQL needs a server URL")
        self.backend, self.workdir, self.server, self.prefix = backend, workdir, server, prefix
        self.workdir.mkdir(parents=True, exist_ok=True)

    def new(self, name: str) -> str:
        name = self.prefix + name
        if self.server is None:
            for suffix in ("", "-wal", "-shm"):
                (self.workdir / f"{name}.db{suffix}").unlink(missing_ok=True)
            return f"sqlite:///{self.workdir / name}.db"
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
        return self.server.rsplit("/", 1)[0] + "/" + name

    def settle(self, url: str, timeout: float = 120) -> None:
        """Wait until the server has noticed the killed client: its session gone, its transaction
        rolled back (or, if COMMIT had reached the server, committed). SQLite: nothing to wait for."""
        if self.server is None:
            return
        deadline = time.monotonic() + timeout
        query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()")
        admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                while conn.execute(query, {"name": url.rsplit("/", 1)[1]}).scalar_one():
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"the killed import's session on {url} is still there after {timeout} s")
                    time.sleep(0.05)
        finally:
            admin.dispose()

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        if self.server is None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.workdir / name}{suffix}").unlink(missing_ok=True)
        else:
            self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def _admin(self, *statements: str) -> None:
        assert self.server is not None
        admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                for statement in statements:
                    conn.execute(text(statement))
        finally:
            admin.dispose()


# --- the command line ----------------------------------------------------------------------------


@dataclass
class Finished:
    returncode: int
    output: str
    seconds: float


def lotledger(args: list[str], log: Path, timeout: float) -> Finished:
    """Run `lotledger ARGS` to the end; its output (stdout and stderr) goes to `log` and comes back."""
    start = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run([LOTLEDGER, *args], stdout=out, stderr=subprocess.STDOUT, timeout=timeout, check=False)
    return Finished(done.returncode, log.read_text(errors="replace"), time.perf_counter() - start)


def verify(url: str, log: Path, timeout: float = 3600) -> Finished:
    return lotledger(["verify", "--db", url], log, timeout)


def import_with_kill(file: Path, url: str, kill_after: float, log: Path) -> tuple[bool, float]:
    """Start the import in its own process group and SIGKILL the group `kill_after` seconds later.
    (True, when the kill was sent) if it was killed; (False, its duration) if it ended first."""
    with log.open("w") as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            [LOTLEDGER, "import", str(file), "--db", url], stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            while (elapsed := time.perf_counter() - start) < kill_after and process.poll() is None:
                time.sleep(min(0.005, kill_after - elapsed))
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            elapsed = time.perf_counter() - start
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode == -signal.SIGKILL, elapsed


# --- what is stored, by natural keys ---------------------------------------------------------------


def _lot(alias: str, column: str) -> str:
    """Join the lot `column` refers to as `alias` and its item as `alias`i."""
    return f" JOIN lots {alias} ON {alias}.id = {column} JOIN items {alias}i ON {alias}i.id = {alias}.item_id"


# Per table: rows as natural keys (never row ids). For event-keyed tables the event id comes first.
QUERIES = {
    "events": "SELECT e.id, e.type, e.time, l.code, p.code, e.reference, e.document, e.body_hash, e.recorded_by,"
    " e.client FROM events e JOIN locations l ON l.id = e.location_id LEFT JOIN partners p ON p.id = e.partner_id",
    "lots": "SELECT x.first_event_id, xi.sku, x.code, x.expiry, x.origin, p.code, x.supplier_lot FROM items xi"
    " JOIN lots x ON x.item_id = xi.id LEFT JOIN partners p ON p.id = x.supplier_id",
    "movements": "SELECT m.event_id, xi.sku, x.code, l.code, m.container, m.kind, m.qty, p.code FROM movements m"
    + _lot("x", "m.lot_id")
    + " JOIN locations l ON l.id = m.location_id LEFT JOIN partners p ON p.id = m.partner_id",
    "event_lots": "SELECT el.event_id, xi.sku, x.code FROM event_lots el" + _lot("x", "el.lot_id"),
    "voids": "SELECT void_id, target_id FROM voids",
    "lot_edges": "SELECT g.event_id, ai.sku, a.code, di.sku, d.code, g.parent_qty, g.child_qty FROM lot_edges g"
    + _lot("a", "g.parent_id")
    + _lot("d", "g.child_id"),
    "holds": "SELECT h.event_id, xi.sku, x.code, h.reason, h.released_by FROM holds h" + _lot("x", "h.lot_id"),
    "balances": "SELECT xi.sku, x.code, l.code, b.container, b.qty FROM balances b"
    + _lot("x", "b.lot_id")
    + " JOIN locations l ON l.id = b.location_id",
    "lot_closure": "SELECT ai.sku, a.code, di.sku, d.code, c.depth, ci.sku FROM lot_closure c"
    + _lot("a", "c.ancestor_id")
    + _lot("d", "c.descendant_id")
    + " JOIN items ci ON ci.id = c.item_id",
    "lot_reach": "SELECT ai.sku, a.code, p.code, i.sku, r.qty, r.lines FROM lot_reach r"
    + _lot("a", "r.ancestor_id")
    + " JOIN partners p ON p.id = r.partner_id JOIN items i ON i.id = r.item_id",
    "items": "SELECT sku, name, uom, gtin, shelf_life_days, active FROM items",
    "locations": "SELECT l.code, l.name, l.kind, p.code, l.gln, l.active FROM locations l"
    " LEFT JOIN locations p ON p.id = l.parent_id",
    "partners": "SELECT code, name, role, gln, active FROM partners",
    "master_changes": "SELECT kind, code, document, recorded_by, client FROM master_changes",
}
# Rows an event adds and nothing changes or removes later.
APPEND_ONLY = ("events", "lots", "movements", "event_lots", "voids")
# Rows an event adds that a later void removes (its genealogy edges, a hold it placed).
REMOVED_BY_VOIDS = ("lot_edges", "holds")
MASTER = ("items", "locations", "partners")

Row = tuple[Any, ...]


@dataclass
class Snapshot:
    order: list[str]  # event ids by recording order
    chain: list[tuple[int, str, str]]  # (position, event id, link) by position
    head: list[tuple[int, str]]  # the chain_head row, if any
    tables: dict[str, Counter[Row]]


def _schema_exists(conn: Connection) -> bool:
    try:
        conn.execute(text("SELECT 1 FROM chain_head")).all()
    except Exception:
        conn.rollback()
        return False
    return True


def snapshot(url: str) -> Snapshot | None:
    """Everything stored, by natural keys; None while the schema is not created yet."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not _schema_exists(conn):
                return None
            order: list[str] = list(conn.execute(text("SELECT id FROM events ORDER BY seq")).scalars())
            chain = [(int(r[0]), r[1], r[2]) for r in conn.execute(text(QUERIES_CHAIN))]
            head = [(int(r[0]), r[1]) for r in conn.execute(text("SELECT position, link FROM chain_head"))]
            tables = {name: Counter(tuple(row) for row in conn.execute(text(sql))) for name, sql in QUERIES.items()}
    finally:
        engine.dispose()
    return Snapshot(order, chain, head, tables)


QUERIES_CHAIN = "SELECT position, event_id, link FROM event_chain ORDER BY position"


# --- the checks ----------------------------------------------------------------------------------


def _differences(name: str, found: Counter[Row], expected: Counter[Row]) -> list[str]:
    extra, missing = found - expected, expected - found
    if not extra and not missing:
        return []
    example = next(iter(extra or missing))
    shown = repr(example) if len(repr(example)) < 300 else repr(example)[:300] + "..."
    return [f"{name}: {sum(extra.values())} rows too many, {sum(missing.values())} missing (e.g. {shown})"]


def closure_of(edges: Iterable[Row]) -> Counter[Row]:
    """lot_closure as it should be for these genealogy edges: every (ancestor, descendant) pair with
    the shortest depth, at most MAX_DEPTH, a lot never its own ancestor, the descendant's item."""
    children: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for _, parent_sku, parent, child_sku, child, *_ in edges:
        children[(parent_sku, parent)].add((child_sku, child))
    found: Counter[Row] = Counter()
    for root in children:
        depth = {root: 0}
        queue = deque([root])
        while queue:
            lot = queue.popleft()
            if depth[lot] == MAX_DEPTH:
                continue
            for child in children.get(lot, ()):
                if child not in depth:
                    depth[child] = depth[lot] + 1
                    queue.append(child)
        for lot, d in depth.items():
            if lot != root:
                found[(*root, *lot, d, lot[0])] += 1
    return found


def reach_of(closure: Iterable[Row], movements: Iterable[Row]) -> Counter[Row]:
    """lot_reach as it should be: for each lot and every ancestor, its shipments per customer and item
    (quantity shipped, and lines: +1 per shipment line, -1 per voided one); all-zero rows left out."""
    ancestors: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for ancestor_sku, ancestor, sku, lot, *_ in closure:
        ancestors[(sku, lot)].append((ancestor_sku, ancestor))
    reach: dict[Row, list[int]] = defaultdict(lambda: [0, 0])
    for _, sku, lot, _, _, kind, qty, partner in movements:
        if kind != "ship" or partner is None:
            continue
        for ancestor in [(sku, lot), *ancestors[(sku, lot)]]:
            total = reach[(*ancestor, partner, sku)]
            total[0] -= qty
            total[1] += 1 if qty < 0 else -1
    return Counter((*key, qty, lines) for key, (qty, lines) in reach.items() if qty or lines)


def balances_of(movements: Iterable[Row]) -> Counter[Row]:
    """Stock per lot, place and container as the movements add it up (zero left out)."""
    sums: Counter[Row] = Counter()
    for _, sku, lot, location, container, _, qty, _ in movements:
        sums[(sku, lot, location, container)] += qty
    return Counter((*key, qty) for key, qty in sums.items() if qty)


def _nonzero(rows: Counter[Row]) -> Counter[Row]:
    return Counter({row: n for row, n in rows.items() if any(row[-2:])})


def whole_event_problems(found: Snapshot | None, plant_file: PlantFile, reference: Snapshot) -> list[str]:
    """What is wrong with `found` as the state of an import of `plant_file` stopped at any moment,
    `reference` being a clean import of the whole file on the same backend. [] when nothing."""
    if found is None:
        return []  # killed before the schema was created: nothing stored, nothing to check
    problems: list[str] = []
    stored = len(found.order)
    if found.order != plant_file.event_ids[:stored]:
        at = next(i for i, (a, b) in enumerate(zip(found.order, plant_file.event_ids, strict=False)) if a != b)
        problems.append(f"the {stored} stored events are not the file's first {stored}: event {at + 1} differs")
    if stored % CHUNK and stored != plant_file.events:
        problems.append(f"{stored} events stored: not a whole number of the import's transactions of {CHUNK}")
    if [(p, e) for p, e, _ in found.chain] != list(enumerate(found.order, start=1)):
        problems.append("event_chain does not link the stored events in recording order, one link each")
    expected_head = [(found.chain[-1][0], found.chain[-1][2])] if found.chain else []
    if found.head != expected_head:
        problems.append(f"chain_head is {found.head}, the last link is {expected_head}")
    prefix = set(found.order)
    # Events voided by a void not stored yet: their edges and holds are still there.
    voided_later = {target for void, target in reference.tables["voids"] if void not in prefix}
    for name in (*APPEND_ONLY, *REMOVED_BY_VOIDS):
        expected = Counter({row: n for row, n in reference.tables[name].items() if row[0] in prefix})
        rows = found.tables[name]
        if name == "holds":  # which event released a hold depends on how far the import got
            expected, rows = Counter(r[:4] for r in expected.elements()), Counter(r[:4] for r in rows.elements())
        if name in REMOVED_BY_VOIDS:
            expected.update(row for row in rows.elements() if row[0] in voided_later)
        problems += _differences(name, rows, expected)
    problems += _differences("lot_closure", found.tables["lot_closure"], closure_of(found.tables["lot_edges"]))
    expected_reach = reach_of(found.tables["lot_closure"], found.tables["movements"])
    problems += _differences("lot_reach", _nonzero(found.tables["lot_reach"]), expected_reach)
    balances = Counter(row for row in found.tables["balances"].elements() if row[-1])
    problems += _differences("balances", balances, balances_of(found.tables["movements"]))
    for name in (*MASTER, "master_changes"):
        found_rows, all_rows = found.tables[name], reference.tables[name]
        problems += _differences(name, found_rows, found_rows & all_rows)
    master_rows = sum(sum(found.tables[name].values()) for name in MASTER)
    if master_rows != sum(found.tables["master_changes"].values()):
        problems.append(f"{master_rows} master-data rows but {sum(found.tables['master_changes'].values())} changes")
    return problems


def same_as_reference(found: Snapshot | None, reference: Snapshot) -> list[str]:
    """Differences between a completed import and the clean one, table by table, by natural keys."""
    if found is None:
        return ["no schema"]
    problems = [] if found.order == reference.order else ["the events are not in the clean import's order"]
    for name in QUERIES:
        problems += _differences(name, found.tables[name], reference.tables[name])
    return problems


# --- a round ---------------------------------------------------------------------------------------


@dataclass
class Round:
    number: int
    fraction: float  # of the full import's duration
    duration_s: float  # that duration: the clean import's, or less if an import was seen to end sooner
    kill_after_s: float  # when the kill was sent, after the import started
    finished_first: int = 0  # attempts whose import ended before the kill (then tried again)
    events_at_kill: int = 0
    verify_after_kill: int = -1  # its exit code
    verify_after_kill_s: float = 0.0
    whole_events_problems: list[str] = field(default_factory=list)
    rerun_exit: int = -1
    rerun_stored: int = -1
    rerun_already_recorded: int = -1
    rerun_s: float = 0.0
    events_after_rerun: int = 0
    verify_after_rerun: int = -1
    verify_after_rerun_s: float = 0.0
    after_rerun_problems: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def survived(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "survived": self.survived}


def crash_round(
    number: int,
    fraction: float,
    duration: float,
    plant_file: PlantFile,
    databases: Databases,
    reference: Snapshot,
    logs: Path,
) -> Round:
    """Kill an import at `fraction` of `duration`, check what it left, import again, check the end."""
    start = time.perf_counter()
    url = databases.new(str(number))
    try:
        finished_first = 0
        while True:  # an import quicker than the measured one may end before its kill: again, sooner
            killed, seconds = import_with_kill(plant_file.path, url, fraction * duration, logs / f"{number}-import.log")
            if killed:
                break
            finished_first += 1
            if finished_first == 3:
                raise RuntimeError(f"round {number}: the import ended before the kill three times")
            duration = seconds
            url = databases.new(str(number))
        databases.settle(url)
        result = Round(number, fraction, round(duration, 2), round(seconds, 3), finished_first)
        check = verify(url, logs / f"{number}-verify-after-kill.log")
        result.verify_after_kill, result.verify_after_kill_s = check.returncode, round(check.seconds, 2)
        found, unreadable = _read(url)
        result.events_at_kill = len(found.order) if found else 0
        result.whole_events_problems = unreadable or whole_event_problems(found, plant_file, reference)
        rerun = lotledger(["import", str(plant_file.path), "--db", url], logs / f"{number}-rerun.log", 3600)
        result.rerun_exit, result.rerun_s = rerun.returncode, round(rerun.seconds, 2)
        if counts := STORED.search(rerun.output):
            result.rerun_stored, result.rerun_already_recorded = int(counts[1]), int(counts[2])
        check = verify(url, logs / f"{number}-verify-after-rerun.log")
        result.verify_after_rerun, result.verify_after_rerun_s = check.returncode, round(check.seconds, 2)
        final, unreadable = _read(url)
        result.events_after_rerun = len(final.order) if final else 0
        result.after_rerun_problems = unreadable or (
            whole_event_problems(final, plant_file, reference) + same_as_reference(final, reference)
        )
        result.problems = _round_problems(result, plant_file.events)
        result.seconds = round(time.perf_counter() - start, 1)
        return result
    finally:
        databases.drop(url)


def _read(url: str) -> tuple[Snapshot | None, list[str]]:
    try:
        return snapshot(url), []
    except Exception as error:  # a schema half there, a table that does not read: a finding, not a crash here
        return None, [f"the database does not read: {str(error).splitlines()[0]}"]


def _round_problems(r: Round, events: int) -> list[str]:
    problems = [f"after the kill: {p}" for p in r.whole_events_problems]
    if r.verify_after_kill != 0:
        problems.append(f"verify after the kill exited {r.verify_after_kill}")
    if r.rerun_exit != 0:
        problems.append(f"the re-run import exited {r.rerun_exit}")
    if (r.rerun_stored, r.rerun_already_recorded) != (events - r.events_at_kill, r.events_at_kill):
        problems.append(
            f"the re-run stored {r.rerun_stored} and found {r.rerun_already_recorded} already recorded;"
            f" expected {events - r.events_at_kill} and {r.events_at_kill}"
        )
    if r.events_after_rerun != events:
        problems.append(f"{r.events_after_rerun} events after the re-run, the file has {events}")
    if r.verify_after_rerun != 0:
        problems.append(f"verify after the re-run exited {r.verify_after_rerun}")
    problems += [f"after the re-run: {p}" for p in r.after_rerun_problems]
    return problems


# --- rounds on one backend -----------------------------------------------------------------------------


@dataclass
class Campaign:
    backend: str
    events: int
    seed: int
    import_s: float  # the clean import whose duration the kills are fractions of
    verify_s: float
    reference: Snapshot  # the clean import, as stored
    rounds: list[Round] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def survived(self) -> int:
        return sum(r.survived for r in self.rounds)

    def as_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "events": self.events,
            "seed": self.seed,
            "import_s": self.import_s,
            "verify_s": self.verify_s,
            "rounds": [r.as_json() for r in self.rounds],
            "survived": self.survived,
            "of": len(self.rounds),
            "seconds": self.seconds,
        }


def kill_fractions(rounds: int, rng: random.Random) -> list[float]:
    """One random point in each of `rounds` equal slices of the kill window, in random order: random,
    yet spread over the whole import (startup, migrations, early and late chunks)."""
    low, high = KILL_WINDOW
    width = (high - low) / rounds
    fractions = [low + width * (i + rng.random()) for i in range(rounds)]
    rng.shuffle(fractions)
    return fractions


def campaign(
    plant_file: PlantFile,
    databases: Databases,
    rounds: int,
    seed: int,
    logs: Path,
    on_round: Callable[[Round], None] = lambda r: None,
) -> Campaign:
    """A clean import (the reference, and the duration the kills are timed by), then `rounds` kills."""
    start = time.perf_counter()
    logs.mkdir(parents=True, exist_ok=True)
    url = databases.new("reference")
    try:
        clean = lotledger(["import", str(plant_file.path), "--db", url], logs / "reference-import.log", 3600)
        if clean.returncode != 0:
            raise RuntimeError(f"the clean import failed ({clean.returncode}): {clean.output[-2000:]}")
        check = verify(url, logs / "reference-verify.log")
        reference = snapshot(url)
        if check.returncode != 0 or reference is None:
            raise RuntimeError(f"the clean import does not verify: {check.output[-2000:]}")
        problems = whole_event_problems(reference, plant_file, reference)
        if problems or len(reference.order) != plant_file.events:
            raise RuntimeError(f"the checks refuse even the clean import: {problems}")
        result = Campaign(
            databases.backend, plant_file.events, seed, round(clean.seconds, 2), round(check.seconds, 2), reference
        )
        duration = clean.seconds
        for number, fraction in enumerate(kill_fractions(rounds, random.Random(seed)), start=1):
            result.rounds.append(crash_round(number, fraction, duration, plant_file, databases, reference, logs))
            duration = min(duration, result.rounds[-1].duration_s)  # the clean import was slow: later kills too
            on_round(result.rounds[-1])
    finally:
        databases.drop(url)
    result.seconds = round(time.perf_counter() - start, 1)
    return result
