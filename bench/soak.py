"""Issue 9: many writers at once through the HTTP API, then the ledger is checked against what they saw.

    python bench/soak.py [--backend sqlite|postgresql|both] [--server-workers 1 2] [--writers 16] [--requests 300]

For each backend (a temporary SQLite file; PostgreSQL from a throwaway cluster, tests/pg.py) and each
`--server-workers` count, starts `lotledger serve` as a real process, adds an admin, an operator and
a quality user with the CLI, runs `run_soak` against it, stops it, runs `lotledger verify`, prints
the figures and writes them to bench/out/soak-<backend>[-workers<N>].json. Exit code 1 on any failure.

`run_soak(base_url, tokens)` is the driver; tests/api/test_concurrency_soak.py runs it, smaller, in
the test suite. It creates the master data and a few shared lots on an empty plant, then runs W
writer threads (one httpx client each) of about R requests each, a seeded random mix. Every request
is classified before it is sent:

- good: can never be refused (a fresh receipt, a top-up of a lot, a shipment from the writer's own
  lot, a hold of any lot, a release or void of the writer's own hold, a void of its own shipment, a
  query): must be answered 2xx;
- contended: consumes or ships shared lots others take too, releases a shared lot, voids a receipt
  others may have used: 201, or a 409 problem+json that names the lot (or the void's target);
- poisoned: 1e999999 in t or lb, a time in year 1 or 9999, a lone surrogate (the JSON escape), JSON
  nested 10,000 deep, an unknown field, an unknown lot, a body over 4 MiB, an Idempotency-Key reused
  for another body, a hold by an operator: must be the expected 4xx, problem+json, naming the field
  or the thing that is wrong;
- retry: the same body (and Idempotency-Key or event id) twice at once, then again later: every 2xx
  answer carries the same event id, which is recorded once.

Each writer keeps a tally of the events the server said it recorded (ids of 2xx answers) and of what
each did to stock (received − consumed − shipped, voids reversing their target). Afterwards: every
event the writers saw recorded is in GET /events, none twice, no other; every void marks its target;
every balance is >= 0 and equal to the tally; and `verify` (the chain and a replay) passes.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.pg and tests.api.live, when run as a script
OUT = ROOT / "bench" / "out"
API = "/api/v1"
MICRO = 1_000_000
TIMEOUT = 120.0
PROBLEM = "application/problem+json"

# Exact factors to each item's base unit (the ledger rounds half-even to a millionth of it).
FACTORS = {"kg": Decimal(1), "g": Decimal("0.001"), "t": Decimal(1000), "lb": Decimal("0.45359237")}
LITRES = {"L": Decimal(1), "mL": Decimal("0.001")}

ITEMS = [
    {"sku": "FLOUR", "name": "Flour", "uom": "kg"},
    {"sku": "SALT", "name": "Salt", "uom": "kg"},
    {"sku": "MILK", "name": "Milk", "uom": "L"},
    {"sku": "DOUGH", "name": "Dough", "uom": "kg"},
]
LOCATIONS = [
    {"code": "PLANT", "name": "Plant", "kind": "site"},
    {"code": "RAW", "name": "Raw store", "kind": "warehouse", "parent": "PLANT"},
    {"code": "LINE", "name": "Line 1", "kind": "line", "parent": "PLANT"},
]
PARTNERS = [
    {"code": "MILL", "name": "Mill", "role": "supplier"},
    {"code": "SHOP", "name": "Shop", "role": "customer"},
    {"code": "DELI", "name": "Deli", "role": "customer"},
]
# Lots every writer consumes and ships from (all at RAW): (item, lot, quantity received at the start).
SHARED = [("FLOUR", "S-F1", 400), ("FLOUR", "S-F2", 400), ("SALT", "S-S1", 150), ("MILK", "S-M1", 250)]
UNITS = {"FLOUR": FACTORS, "SALT": FACTORS, "DOUGH": FACTORS, "MILK": LITRES}

# What each writer does, and how often (weights). Each needs at most a few requests.
MIX = {
    "receive": 10,  # good: a fresh lot of the writer's own
    "top-up": 7,  # good: more of a shared lot
    "ship-own": 9,  # good: from the writer's own lot, never more than it has
    "hold-own": 4,  # good: hold, later release or void the hold
    "void-own-ship": 3,  # good
    "hold-shared": 2,  # good; its release, a few steps later, is contended
    "query": 8,  # good
    "ship-shared": 14,  # contended
    "produce-shared": 13,  # contended
    "void-top-up": 3,  # contended
    "conflict-own": 4,  # contended, and certain: ships more of its own lot than there is, or from it while held
    "retry": 9,
    "poison": 12,
}
POISONS = [
    "qty-t",
    "qty-lb",
    "year-1",
    "year-9999",
    "surrogate",
    "deep",
    "unknown-field",
    "missing-lot",
    "key-reused",
    "operator-holds",
]

Key = tuple[str, str, str]  # item, lot, location
Deltas = tuple[tuple[Key, int], ...]


@dataclass(frozen=True)
class Tokens:
    operator: str
    quality: str
    admin: str


@dataclass(frozen=True)
class Poison:
    """What a poisoned request must get: one of `statuses`, naming `names` (the field, or words in the detail)."""

    statuses: tuple[int, ...]
    names: str


@dataclass
class Call:
    """One logical request, classified before it is sent (a retry sends the same Call again)."""

    kind: str  # good, contended, poisoned, retry
    label: str
    method: str
    path: str
    token: str
    body: Any = None
    content: bytes | None = None  # a raw body instead of `body`
    key: str | None = None  # Idempotency-Key
    deltas: Deltas = ()  # what it does to stock if recorded
    names: tuple[str, ...] = ()  # a 409 must name one of these (lots, or the void's target)
    poison: Poison | None = None
    certain: bool = False  # a conflict for sure (the writer's own lot): only a 409 will do
    serial: int = 0


@dataclass
class Answer:
    status: int
    content_type: str
    data: Any
    text: str

    @property
    def problem(self) -> dict[str, Any]:
        return self.data if PROBLEM in self.content_type and isinstance(self.data, dict) else {}

    @property
    def in_flight(self) -> bool:
        """The 409 for a retry while the first request with its Idempotency-Key still runs."""
        return self.status == 409 and "still running" in str(self.problem.get("detail", ""))


@dataclass
class Entry:
    """An event a writer saw recorded."""

    type: str
    deltas: Deltas
    serial: int
    target: str | None = None  # for a void


@dataclass
class Own:
    """A lot only this writer touches: it knows exactly what is there."""

    item: str
    location: str
    micro: int
    receipt: str | None = None  # its receive, while nothing else happened to it
    hold: str | None = None  # the hold in force, if any


@dataclass
class Later:
    call: Call
    due: int
    ids: set[str]


@dataclass
class Figures:
    """What one writer (or, summed, all of them) saw."""

    requests: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    server_errors: int = 0
    good: int = 0
    good_refused: int = 0
    contended: int = 0
    contended_recorded: int = 0
    conflicts: int = 0
    conflicts_not_409: int = 0
    conflicts_unnamed: int = 0
    conflict_types: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0  # 409s for a retry sent while its first request still ran (sent again until answered)
    poisoned: int = 0
    poisoned_wrong: int = 0
    retries: int = 0
    retries_inconsistent: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        for name, value in vars(other).items():
            mine = getattr(self, name)
            if isinstance(value, Counter):
                mine.update(value)
            elif isinstance(value, list):
                mine.extend(value)
            else:
                setattr(self, name, mine + value)


@dataclass
class SoakResult:
    writers: int
    requests_each: int
    seconds: float
    figures: Figures
    events_client: int = 0
    events_ledger: int = 0
    events_lost: int = 0
    events_doubled: int = 0
    voids_unmarked: int = 0
    balances: int = 0
    negative_balances: int = 0
    balance_mismatches: int = 0
    verified: bool | None = None
    verify_output: str = ""
    failures: list[str] = field(default_factory=list)

    @property
    def requests_per_s(self) -> float:
        return self.figures.requests / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and self.verified is not False

    def rows(self) -> list[tuple[str, str]]:
        """The figures as (what, value) lines, failures counted against their totals."""
        f = self.figures
        return [
            ("writers × requests", f"{self.writers} × {self.requests_each}"),
            ("requests", str(f.requests)),
            ("requests/s", f"{self.requests_per_s:.0f}"),
            ("5xx", f"{f.server_errors} of {f.requests}"),
            ("good refused", f"{f.good_refused} of {f.good}"),
            ("contended: recorded / 409", f"{f.contended_recorded} / {f.conflicts} of {f.contended}"),
            ("conflicts that were not 409", f"{f.conflicts_not_409}"),
            ("409s not naming the lot", f"{f.conflicts_unnamed} of {f.conflicts}"),
            ("poisoned not refused as expected", f"{f.poisoned_wrong} of {f.poisoned}"),
            ("retries with another answer", f"{f.retries_inconsistent} of {f.retries}"),
            ("409 'still running' (retry sent again)", str(f.in_flight)),
            ("events lost", f"{self.events_lost} of {self.events_client}"),
            ("events doubled", f"{self.events_doubled} of {self.events_client}"),
            ("events in the ledger", str(self.events_ledger)),
            ("voids not marked on their target", str(self.voids_unmarked)),
            ("balances below zero", f"{self.negative_balances} of {self.balances}"),
            ("balances not as tallied", f"{self.balance_mismatches} of {self.balances}"),
            ("verify", {True: "intact", False: "FAILED", None: "not run"}[self.verified]),
            ("failures", str(len(self.failures))),
        ]

    def summary(self) -> str:
        lines = [f"{what}: {value}" for what, value in self.rows()]
        lines += [f"  {failure}" for failure in self.failures[:40]]
        if self.verified is False:
            lines.append(self.verify_output)
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        f = self.figures
        return {
            "writers": self.writers,
            "requests_each": self.requests_each,
            "requests": f.requests,
            "seconds": round(self.seconds, 2),
            "requests_per_s": round(self.requests_per_s, 1),
            "by_kind": dict(f.by_kind),
            "statuses": dict(f.statuses),
            "server_errors": f.server_errors,
            "good": f.good,
            "good_refused": f.good_refused,
            "contended": f.contended,
            "contended_recorded": f.contended_recorded,
            "conflicts_409": f.conflicts,
            "conflicts_not_409": f.conflicts_not_409,
            "conflicts_unnamed": f.conflicts_unnamed,
            "conflict_types": dict(f.conflict_types),
            "poisoned": f.poisoned,
            "poisoned_wrong": f.poisoned_wrong,
            "retries": f.retries,
            "retries_inconsistent": f.retries_inconsistent,
            "retry_in_flight_409": f.in_flight,
            "events_client": self.events_client,
            "events_ledger": self.events_ledger,
            "events_lost": self.events_lost,
            "events_doubled": self.events_doubled,
            "voids_unmarked": self.voids_unmarked,
            "balances": self.balances,
            "negative_balances": self.negative_balances,
            "balance_mismatches": self.balance_mismatches,
            "verified": self.verified,
            "failures": self.failures,
            "ok": self.ok,
        }


def micro(qty: Decimal | int | str, uom: str, item: str) -> int:
    """`qty` in `uom` as micro-units of the item's base unit, rounded as the ledger rounds."""
    base = (Decimal(qty) * UNITS[item][uom]).quantize(Decimal(1) / MICRO, rounding=ROUND_HALF_EVEN)
    return int(base * MICRO)


def text_of(units: int) -> str:
    """Micro-units as a plain decimal string of the base unit."""
    return format((Decimal(units) / MICRO).normalize(), "f")


def now() -> str:
    return datetime.now(UTC).isoformat()


def _http(client: httpx.Client, call: Call) -> Answer:
    headers = {"Authorization": f"Bearer {call.token}"}
    if call.key is not None:
        headers["Idempotency-Key"] = call.key
    content = call.content
    if content is None and call.body is not None:
        content = json.dumps(call.body).encode()
    if content is not None:
        headers["Content-Type"] = "application/json"
    response = client.request(call.method, API + call.path, content=content, headers=headers)
    content_type = response.headers.get("content-type", "")
    try:
        data = response.json()
    except ValueError:
        data = None
    return Answer(response.status_code, content_type, data, response.text[:300])


class Writer:
    """One writer thread: a seeded random mix of calls, each judged by its class as its answer comes."""

    def __init__(self, index: int, base_url: str, tokens: Tokens, requests: int, seed: int) -> None:
        self.index = index
        self.tokens = tokens
        self.budget = requests
        self.rng = random.Random(seed * 1000 + index)
        self.base_url = base_url
        self.client = httpx.Client(base_url=base_url, timeout=TIMEOUT)
        self.twin = httpx.Client(base_url=base_url, timeout=TIMEOUT)  # the second of a pair sent at once
        self.figures = Figures()
        self.recorded: dict[str, Entry] = {}
        self.own: dict[str, Own] = {}
        self.ships: list[tuple[str, str, int]] = []  # own shipments not voided: (event id, lot, micro)
        self.top_ups: list[str] = []  # own receipts of shared lots not voided
        self.releases: list[tuple[int, str]] = []  # (due step, shared lot) to release
        self.later: list[Later] = []
        self.step = 0
        self.serials = iter(range(index * 10**6, (index + 1) * 10**6))
        self.codes = iter(range(1, 10**4))

    # -- running -----------------------------------------------------------------------------

    def run(self) -> None:
        try:
            while self.figures.requests < self.budget:
                self.step += 1
                self._due()
                kind = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
                getattr(self, "_" + kind.replace("-", "_"))()
            for pending in self.later:
                self._resend(pending)
            for _, lot in self.releases:
                self._release_shared(lot)
        except Exception as error:  # a crashed writer is a failure, not a hang
            self._fail(f"writer {self.index} stopped: {error!r}")
        finally:
            self.client.close()
            self.twin.close()

    def _due(self) -> None:
        for pending in [p for p in self.later if p.due <= self.step]:
            self.later.remove(pending)
            self._resend(pending)
        for due, lot in [r for r in self.releases if r[0] <= self.step]:
            self.releases.remove((due, lot))
            self._release_shared(lot)

    def _fail(self, message: str) -> None:
        self.figures.failures.append(message)

    def _call(self, kind: str, label: str, path: str, token: str, body: Any = None, **extra: Any) -> Call:
        return Call(
            kind, label, "POST" if body is not None else "GET", path, token, body, serial=next(self.serials), **extra
        )

    def _send(self, call: Call, client: httpx.Client | None = None) -> Answer:
        try:
            answer = _http(client or self.client, call)
        except httpx.HTTPError as error:
            answer = Answer(0, "", None, f"no answer: {error!r}")
        self._count(call, answer)
        return answer

    def _count(self, call: Call, answer: Answer) -> None:
        self.figures.requests += 1
        self.figures.in_flight += answer.in_flight
        self.figures.by_kind[call.kind] += 1
        self.figures.statuses[str(answer.status)] += 1
        if answer.status >= 500 or answer.status == 0:
            self.figures.server_errors += 1
            self._fail(f"{answer.status} for {call.kind} {call.label}: {answer.text}")

    def _recorded(self, call: Call, answer: Answer) -> str | None:
        """Note the event a 2xx answer names; None (and a failure) if it names none, or one of another call."""
        event_id = answer.data.get("id") if isinstance(answer.data, dict) else None
        if not isinstance(event_id, str):
            self._fail(f"{call.label}: a {answer.status} without an event id: {answer.text}")
            return None
        if answer.data.get("type") != call.body["type"]:
            self._fail(
                f"{call.label}: a {call.body['type']} answered as event {event_id} of type {answer.data.get('type')}"
            )
        seen = self.recorded.get(event_id)
        if seen is not None and seen.serial != call.serial:
            self._fail(f"{call.label}: event {event_id} is also the answer to another request")
            return None
        if seen is None:
            target = call.body.get("target") if isinstance(call.body, dict) else None
            self.recorded[event_id] = Entry(call.body["type"], call.deltas, call.serial, target)
        return event_id

    # -- judging -----------------------------------------------------------------------------

    def good(self, call: Call) -> str | None:
        """Send a call that can never be refused; the event id when it records one."""
        self.figures.good += 1
        answer = self._send(call)
        if answer.status not in (200, 201):
            self.figures.good_refused += 1
            self._fail(f"good {call.label} refused: {answer.status} {answer.text}")
            return None
        return self._recorded(call, answer) if call.path == "/events" else ""

    def contended(self, call: Call) -> str | None:
        """Send a call others compete with: 201, or a 409 naming what it competed for."""
        self.figures.contended += 1
        answer = self._send(call)
        return self._contended_answer(call, answer)

    def _contended_answer(self, call: Call, answer: Answer) -> str | None:
        if answer.status in (200, 201):
            self.figures.contended_recorded += 1
            if call.certain:
                self.figures.conflicts_not_409 += 1
                self._fail(f"{call.label}: a certain conflict was recorded: {answer.status} {answer.text}")
            return self._recorded(call, answer)
        if answer.status == 409:
            self.figures.conflicts += 1
            self.figures.conflict_types[str(answer.problem.get("type", "?")).rsplit("/", 1)[-1]] += 1
            detail = str(answer.problem.get("detail", ""))
            named = any(name in detail for name in call.names) or answer.problem.get("field") == "target"
            if not named:
                self.figures.conflicts_unnamed += 1
                self._fail(f"{call.label}: the 409 names none of {call.names}: {answer.text}")
            return None
        self.figures.conflicts_not_409 += 1
        if answer.status < 500:
            self._fail(f"{call.label}: a conflict answered {answer.status}, not 409: {answer.text}")
        return None

    def poisoned(self, call: Call) -> None:
        self.figures.poisoned += 1
        answer = self._send(call)
        expected = call.poison
        assert expected is not None
        problem = answer.problem
        named = problem.get("field") == expected.names or expected.names in str(problem.get("detail", ""))
        if answer.status not in expected.statuses or not named:
            self.figures.poisoned_wrong += 1
            if answer.status < 500:
                self._fail(
                    f"poisoned {call.label}: expected {expected.statuses} naming {expected.names!r}, "
                    f"got {answer.status}: {answer.text}"
                )

    # -- retries: the same call twice at once, then again later --------------------------------

    def retry(self, call: Call, on_recorded: Callable[[str], None]) -> None:
        """Send `call` twice at once (a second client, a second thread); later it is sent once more."""
        self.figures.retries += 1
        twin_answers: list[Answer] = []
        barrier = threading.Barrier(2)

        def twin() -> None:
            barrier.wait()
            twin_answers.extend(self._settled(call, self.twin))

        helper = threading.Thread(target=twin, name=f"writer-{self.index}-twin")
        helper.start()
        barrier.wait()
        mine = self._settled(call, self.client)
        helper.join()
        for answer in [*mine, *twin_answers]:
            self._count(call, answer)
        ids = self._judge_retry(call, [mine[-1], twin_answers[-1]], set())
        if ids:
            on_recorded(next(iter(ids)))
        self.later.append(Later(call, self.step + self.rng.randint(1, 30), ids))

    def _settled(self, call: Call, client: httpx.Client) -> list[Answer]:
        """Send `call` until it is no longer in flight elsewhere: the 409s that say so, then the answer."""
        answers: list[Answer] = []
        for _ in range(1000):
            try:
                answers.append(_http(client, call))
            except httpx.HTTPError as error:
                answers.append(Answer(0, "", None, f"no answer: {error!r}"))
            if not answers[-1].in_flight:
                break
            time.sleep(0.02)
        return answers

    def _resend(self, pending: Later) -> None:
        answers = self._settled(pending.call, self.client)
        for answer in answers:
            self._count(pending.call, answer)
        self._judge_retry(pending.call, answers[-1:], pending.ids)

    def _judge_retry(self, call: Call, answers: list[Answer], before: set[str]) -> set[str]:
        """Every 2xx names one and the same event (the body's id, if it has one). A receipt is never
        refused; a contended body may be a 409 naming its lot, but not once it was recorded."""
        ids = set(before)
        for answer in answers:
            if answer.status in (200, 201):
                event_id = self._recorded(call, answer)
                if event_id is not None:
                    ids.add(event_id)
            elif answer.status == 409 and call.names and not before:
                if not any(name in str(answer.problem.get("detail", "")) for name in call.names):
                    self.figures.retries_inconsistent += 1
                    self._fail(f"{call.label}: the 409 names none of {call.names}: {answer.text}")
            elif 0 < answer.status < 500:
                self.figures.retries_inconsistent += 1
                self._fail(f"{call.label}: a retry answered {answer.status}: {answer.text}")
        body_id = call.body.get("id")
        wrong = len(ids) > 1 or (body_id is not None and bool(ids - {body_id}))
        if wrong and ids != before:
            self.figures.retries_inconsistent += 1
            self._fail(f"{call.label}: retries answered with different events {sorted(ids)}")
        return ids

    # -- the operations ----------------------------------------------------------------------

    def _code(self, prefix: str) -> str:
        return f"{prefix}{self.index:02d}-{next(self.codes):04d}"

    def _receive_body(self, item: str, lot: str, qty: str, uom: str, **extra: Any) -> dict[str, Any]:
        line = {"item": item, "lot": lot, "qty": qty, "uom": uom}
        return {"type": "receive", "time": now(), "location": "RAW", "partner": "MILL", "lines": [line], **extra}

    def _amount(self, item: str) -> tuple[str, str]:
        """A random quantity in a random unit the item takes, exact in micro-units."""
        uom = self.rng.choice(list(UNITS[item]))
        qty = {
            "kg": lambda: str(self.rng.randint(1, 40) / 2),
            "g": lambda: str(self.rng.randint(100, 20_000)),
            "t": lambda: str(Decimal(self.rng.randint(1, 20)) / 1000),
            "lb": lambda: str(self.rng.randint(1, 45)),
            "L": lambda: str(self.rng.randint(1, 15)),
            "mL": lambda: str(self.rng.randint(100, 15_000)),
        }[uom]()
        return qty, uom

    def _receive(self) -> None:
        lot = self._code("R")
        qty = self.rng.randint(20, 200)
        deltas = ((("FLOUR", lot, "RAW"), qty * MICRO),)
        body = self._receive_body("FLOUR", lot, str(qty), "kg", reference=f"PO-{lot}")
        event_id = self.good(self._call("good", "receive", "/events", self.tokens.operator, body, deltas=deltas))
        if event_id:
            self.own[lot] = Own("FLOUR", "RAW", qty * MICRO, receipt=event_id)

    def _top_up(self) -> None:
        item, lot = self._shared_lot()
        qty, uom = self._amount(item)
        deltas = (((item, lot, "RAW"), micro(qty, uom, item)),)
        body = self._receive_body(item, lot, qty, uom)
        event_id = self.good(self._call("good", "top-up", "/events", self.tokens.operator, body, deltas=deltas))
        if event_id:
            self.top_ups.append(event_id)

    def _ship_own(self) -> None:
        free = [lot for lot, own in self.own.items() if own.hold is None and own.micro > 0]
        if not free:
            self._receive()
            return
        lot = self.rng.choice(free)
        own = self.own[lot]
        take = min(own.micro, self.rng.randint(1, 30) * MICRO // 2)
        line = {"item": own.item, "lot": lot, "qty": text_of(take), "uom": "kg"}
        partner = self.rng.choice(["SHOP", "DELI"])
        body = {"type": "ship", "time": now(), "location": own.location, "partner": partner, "lines": [line]}
        deltas = (((own.item, lot, own.location), -take),)
        event_id = self.good(self._call("good", "ship-own", "/events", self.tokens.operator, body, deltas=deltas))
        if event_id:
            own.micro -= take
            own.receipt = None
            self.ships.append((event_id, lot, take))

    def _conflict_own(self) -> None:
        """Ship from the writer's own held lot, or more of it than there is: a 409, whatever others do."""
        if not self.own:
            self._receive()
            return
        held_lots = [lot for lot, own in self.own.items() if own.hold is not None and own.micro > 0]
        lot = self.rng.choice(held_lots or list(self.own))  # a held one when there is one
        own = self.own[lot]
        held = own.hold is not None and own.micro > 0
        take = MICRO if held else own.micro + self.rng.randint(1, 10) * MICRO
        line = {"item": own.item, "lot": lot, "qty": text_of(take), "uom": "kg"}
        body = {"type": "ship", "time": now(), "location": own.location, "partner": "SHOP", "lines": [line]}
        deltas = (((own.item, lot, own.location), -take),)
        label = "ship-own-held" if held else "ship-own-too-much"
        names = (own.hold or "",) if held else (f"{own.item}/{lot}",)
        call = self._call("contended", label, "/events", self.tokens.operator, body, deltas=deltas, names=names)
        call.certain = True
        self.contended(call)

    def _hold_own(self) -> None:
        if not self.own:
            self._receive()
            return
        lot = self.rng.choice(list(self.own))
        own = self.own[lot]
        lots = [{"item": own.item, "lot": lot}]
        if own.hold is None:
            body = {"type": "hold", "time": now(), "location": own.location, "reason": "soak: own hold", "lots": lots}
            own.hold = self.good(self._call("good", "hold-own", "/events", self.tokens.quality, body)) or None
        elif self.rng.random() < 0.5:
            body = {"type": "release", "time": now(), "location": own.location, "reason": "soak", "lots": lots}
            if self.good(self._call("good", "release-own", "/events", self.tokens.quality, body)):
                own.hold = None
        else:
            body = {"type": "void", "time": now(), "location": own.location, "target": own.hold, "reason": "soak"}
            if self.good(self._call("good", "void-own-hold", "/events", self.tokens.quality, body)):
                own.hold = None

    def _void_own_ship(self) -> None:
        untouched = [lot for lot, own in self.own.items() if own.receipt is not None and own.hold is None]
        if not self.ships and not untouched:
            self._ship_own()
            return
        if self.ships and (not untouched or self.rng.random() < 0.7):
            event_id, lot, take = self.ships.pop(self.rng.randrange(len(self.ships)))
            own = self.own[lot]
            deltas = (((own.item, lot, own.location), take),)
            body = {"type": "void", "time": now(), "location": own.location, "target": event_id, "reason": "soak"}
            call = self._call("good", "void-own-ship", "/events", self.tokens.quality, body, deltas=deltas)
            if self.good(call):
                own.micro += take
            return
        lot = self.rng.choice(untouched)  # a receipt nothing else has touched yet: voiding it takes all of it back
        own = self.own.pop(lot)
        deltas = (((own.item, lot, own.location), -own.micro),)
        void = {"type": "void", "time": now(), "location": "RAW", "target": own.receipt, "reason": "soak"}
        if not self.good(self._call("good", "void-own-receive", "/events", self.tokens.quality, void, deltas=deltas)):
            self.own[lot] = own

    def _hold_shared(self) -> None:
        item, lot = self._shared_lot()
        lots = [{"item": item, "lot": lot}]
        body = {"type": "hold", "time": now(), "location": "RAW", "reason": "soak: shared hold", "lots": lots}
        if self.good(self._call("good", "hold-shared", "/events", self.tokens.quality, body)):
            self.releases.append((self.step + self.rng.randint(1, 4), lot))

    def _release_shared(self, lot: str) -> None:
        item = next(i for i, code, _ in SHARED if code == lot)
        lots = [{"item": item, "lot": lot}]
        body = {"type": "release", "time": now(), "location": "RAW", "reason": "soak: shared", "lots": lots}
        self.contended(self._call("contended", "release-shared", "/events", self.tokens.quality, body, names=(lot,)))

    def _query(self) -> None:
        item, lot = self._shared_lot()
        path = self.rng.choice(
            [
                f"/balances?item={item}&lot={lot}",
                f"/lots/detail?item={item}&lot={lot}",
                "/holds",
                "/events?limit=20&type=ship",
                f"/lots/trace?item={item}&lot={lot}&direction=down&depth=1",
                f"/lots/massbalance?item={item}&lot={lot}",
            ]
        )
        self.good(self._call("good", "query " + path.split("?")[0], path, self.tokens.operator))

    def _shared_lot(self) -> tuple[str, str]:
        item, lot, _ = SHARED[self.rng.randrange(len(SHARED))]
        return item, lot

    def _ship_shared_call(self, kind: str, label: str, **body_extra: Any) -> Call:
        item, lot = self._shared_lot()
        qty, uom = self._amount(item)
        line = {"item": item, "lot": lot, "qty": qty, "uom": uom}
        partner = self.rng.choice(["SHOP", "DELI"])
        body = {"type": "ship", "time": now(), "location": "RAW", "partner": partner, "lines": [line], **body_extra}
        deltas = (((item, lot, "RAW"), -micro(qty, uom, item)),)
        return self._call(kind, label, "/events", self.tokens.operator, body, deltas=deltas, names=(f"{item}/{lot}",))

    def _ship_shared(self) -> None:
        self.contended(self._ship_shared_call("contended", "ship-shared"))

    def _produce_shared(self) -> None:
        picked = self.rng.sample(SHARED, self.rng.choice([1, 2]))
        inputs, deltas, total = [], [], 0
        for item, lot, _ in picked:
            qty, uom = self._amount(item)
            inputs.append({"item": item, "lot": lot, "qty": qty, "uom": uom, "location": "RAW"})
            taken = micro(qty, uom, item)
            deltas.append(((item, lot, "RAW"), -taken))
            total += taken
        output = self._code("D")
        made = max(total // MICRO, 1) * MICRO
        outputs = [{"item": "DOUGH", "lot": output, "qty": text_of(made), "uom": "kg"}]
        deltas.append((("DOUGH", output, "LINE"), made))
        body = {"type": "produce", "time": now(), "location": "LINE", "inputs": inputs, "outputs": outputs}
        names = tuple(f"{item}/{lot}" for item, lot, _ in picked)
        call = self._call("contended", "produce-shared", "/events", self.tokens.operator, body, deltas=tuple(deltas))
        call.names = names
        if self.contended(call):
            self.own[output] = Own("DOUGH", "LINE", made)

    def _void_top_up(self) -> None:
        if not self.top_ups:
            self._top_up()
            return
        target = self.top_ups.pop(self.rng.randrange(len(self.top_ups)))
        entry = self.recorded[target]
        deltas = tuple((key, -qty) for key, qty in entry.deltas)
        (item, lot, _), _ = entry.deltas[0]
        body = {"type": "void", "time": now(), "location": "RAW", "target": target, "reason": "soak: top-up"}
        call = self._call("contended", "void-top-up", "/events", self.tokens.quality, body, deltas=deltas)
        call.names = (f"{item}/{lot}", target)
        self.contended(call)

    def _retry(self) -> None:
        way = self.rng.choice(["key", "id", "key+id", "contended"])
        event_id = str(uuid.uuid4()) if way != "key" else None
        key = f"soak-{uuid.uuid4()}" if way != "id" else None
        if way == "contended":
            call = self._ship_shared_call("retry", "retry-ship-shared (key+id)", id=event_id)
            call.key = key
            self.retry(call, lambda _: None)
            return
        lot = self._code("K")
        qty = self.rng.randint(20, 200)
        body = self._receive_body("FLOUR", lot, str(qty), "kg", **({"id": event_id} if event_id else {}))
        deltas = ((("FLOUR", lot, "RAW"), qty * MICRO),)
        call = self._call("retry", f"retry-receive ({way})", "/events", self.tokens.operator, body, deltas=deltas)
        call.key = key

        def recorded(event_id: str) -> None:
            self.own[lot] = Own("FLOUR", "RAW", qty * MICRO, receipt=event_id)

        self.retry(call, recorded)

    def _poison(self) -> None:
        kind = self.rng.choice(POISONS)
        op = self.tokens.operator
        item, lot = self._shared_lot()
        fresh = self._code("X")
        body: dict[str, Any] = self._receive_body("FLOUR", fresh, "10", "kg")
        expect = Poison((422,), "lines[0].qty")
        content: bytes | None = None
        key = None
        if kind == "qty-t":
            body["lines"][0].update(qty="1e999999", uom="t")
        elif kind == "qty-lb":
            body = self._ship_shared_call("poisoned", kind).body
            body["lines"][0].update(qty="1e999999", uom="lb")
        elif kind in ("year-1", "year-9999"):
            body["time"] = "0001-01-01T00:00:00Z" if kind == "year-1" else "9999-12-31T23:59:59Z"
            expect = Poison((422,), "time")
        elif kind == "surrogate":
            body["reference"] = "SURROGATE"
            content = json.dumps(body).replace('"SURROGATE"', '"PO-\\ud800"').encode()
            expect = Poison((422,), "reference")
        elif kind == "deep":
            content = ('{"type": "receive", "lines": ' + "[" * 10_000 + "]" * 10_000 + "}").encode()
            expect = Poison((400, 422), "body")
        elif kind == "unknown-field":
            body["colour"] = "red"
            expect = Poison((422,), "colour")
        elif kind == "missing-lot":
            body = self._ship_shared_call("poisoned", kind).body
            body["lines"][0]["lot"] = fresh
            expect = Poison((404,), f"{body['lines'][0]['item']}/{fresh}")
        elif kind == "key-reused":
            key = f"soak-{uuid.uuid4()}"
            deltas = ((("FLOUR", fresh, "RAW"), 10 * MICRO),)
            receipt = self.good(self._call("good", "receive (keyed)", "/events", op, body, key=key, deltas=deltas))
            if receipt:
                self.own[fresh] = Own("FLOUR", "RAW", 10 * MICRO, receipt=receipt)
            body = self._receive_body("FLOUR", self._code("X"), "10", "kg")
            expect = Poison((409,), "Idempotency-Key")
        elif kind == "operator-holds":
            body = {
                "type": "hold",
                "time": now(),
                "location": "RAW",
                "reason": "soak",
                "lots": [{"item": item, "lot": lot}],
            }
            expect = Poison((403,), "quality")
        self.poisoned(self._call("poisoned", kind, "/events", op, body, content=content, key=key, poison=expect))

    def oversize(self) -> None:
        """One body over 4 MiB: 413 before it is read in full."""
        body = self._receive_body("FLOUR", self._code("X"), "1", "kg", note="x" * (4 * 1024 * 1024 + 10))
        self.poisoned(
            self._call("poisoned", "over-4-MiB", "/events", self.tokens.operator, body, poison=Poison((413,), "body"))
        )


# -- the driver ------------------------------------------------------------------------------


def _admin(client: httpx.Client, method: str, path: str, token: str, body: Any = None) -> Any:
    response = client.request(method, API + path, json=body, headers={"Authorization": f"Bearer {token}"})
    if response.status_code >= 300:
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
    return response.json()


def setup(base_url: str, tokens: Tokens) -> dict[str, Entry]:
    """Master data and the shared lots on an empty plant; the receipts, as writers keep them."""
    recorded: dict[str, Entry] = {}
    with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
        events = _admin(client, "GET", "/events?limit=1", tokens.admin)["events"]
        if events:
            raise RuntimeError("the soak needs an empty plant: it tallies every event from the first")
        for path, records in (("/locations", LOCATIONS), ("/items", ITEMS), ("/partners", PARTNERS)):
            for record in records:
                _admin(client, "POST", path, tokens.admin, record)
        for item, lot, qty in SHARED:
            uom = "L" if item == "MILK" else "kg"
            line = {"item": item, "lot": lot, "qty": str(qty), "uom": uom}
            body = {"type": "receive", "time": now(), "location": "RAW", "partner": "MILL", "lines": [line]}
            answer = _admin(client, "POST", "/events", tokens.operator, body)
            recorded[answer["id"]] = Entry("receive", (((item, lot, "RAW"), qty * MICRO),), -1)
    return recorded


def _all_events(client: httpx.Client, token: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": "1000", **({"cursor": cursor} if cursor else {})}
        response = client.get(f"{API}/events", params=params, headers={"Authorization": f"Bearer {token}"})
        response.raise_for_status()
        page = response.json()
        found.extend(page["events"])
        cursor = page.get("next_cursor")
        if not cursor:
            return found


def check(base_url: str, tokens: Tokens, recorded: dict[str, Entry], result: SoakResult) -> None:
    """The ledger against the writers' record: every event once, voids marked, balances as tallied."""
    with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
        events = _all_events(client, tokens.admin)
        response = client.get(f"{API}/balances", headers={"Authorization": f"Bearer {tokens.admin}"})
        response.raise_for_status()
        stored = response.json()["balances"]
    ids = Counter(event["id"] for event in events)
    result.events_client = len(recorded)
    result.events_ledger = len(events)
    lost = [i for i in recorded if i not in ids]
    twice = [i for i, n in ids.items() if n > 1]
    unknown = [i for i in ids if i not in recorded]  # recorded, yet no writer was told so: a retry stored again
    answers = Counter(entry.serial for entry in recorded.values() if entry.serial >= 0)
    again = sum(n - 1 for n in answers.values())  # one request (and its retries) recorded as several events
    result.events_lost = len(lost)
    result.events_doubled = len(twice) + len(unknown) + again
    result.failures += [f"event {i} ({recorded[i].type}) was answered 2xx but is not in the ledger" for i in lost]
    result.failures += [f"event {i} is in the ledger {ids[i]} times" for i in twice]
    by_id = {event["id"]: event for event in events}
    result.failures += [f"event {i} ({by_id[i]['type']}) is in the ledger, no writer was told" for i in unknown]
    if again:
        result.failures.append(f"{again} requests (with their retries) were recorded as more than one event")
    result.failures += [
        f"event {i} is a {by_id[i]['type']} in the ledger, a {entry.type} to the writer"
        for i, entry in recorded.items()
        if i in by_id and by_id[i]["type"] != entry.type
    ]
    voided = {entry.target: i for i, entry in recorded.items() if entry.target}
    for event_id, event in by_id.items():
        if event_id in recorded and event.get("voided_by") != voided.get(event_id):
            result.voids_unmarked += 1
            result.failures.append(
                f"event {event_id}: voided_by {event.get('voided_by')}, voided by {voided.get(event_id)}"
            )
    tally: Counter[Key] = Counter()
    for entry in recorded.values():
        for key, qty in entry.deltas:
            tally[key] += qty
    balances: dict[Key, int] = Counter()
    for row in stored:
        key = (row["lot"]["item"], row["lot"]["lot"], row["location"])
        qty = int(Decimal(row["qty"]) * MICRO)
        balances[key] += qty
        if qty < 0 or row["qty"].startswith("-"):
            result.negative_balances += 1
            result.failures.append(f"balance of {key} is {row['qty']}")
    keys = {k for k, v in tally.items() if v} | {k for k, v in balances.items() if v}
    result.balances = len(keys)
    for key in sorted(keys):
        if tally[key] < 0:
            result.failures.append(f"the writers' own tally of {key} is below zero: {text_of(tally[key])}")
        if tally[key] != balances[key]:
            result.balance_mismatches += 1
            result.failures.append(f"balance of {key}: stored {text_of(balances[key])}, tallied {text_of(tally[key])}")


def run_soak(
    base_url: str,
    tokens: Tokens,
    writers: int = 16,
    requests: int = 300,
    seed: int = 1,
    verify: Callable[[], tuple[bool, str]] | None = None,
    oversize: bool = True,
) -> SoakResult:
    """W writers × R requests against the API at `base_url` (an empty plant), then the ledger checked.

    `tokens` are an admin's (master data, reading back), an operator's and a quality user's. `verify`,
    when given, is run last: (intact, what it printed). `oversize` adds one 4 MiB+ body per writer."""
    recorded = setup(base_url, tokens)
    crew = [Writer(i, base_url, tokens, requests, seed) for i in range(writers)]
    start = threading.Barrier(writers + 1)

    def work(writer: Writer) -> None:
        start.wait()
        if oversize:
            writer.oversize()
        writer.run()

    threads = [threading.Thread(target=work, args=(w,), name=f"writer-{w.index}") for w in crew]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result = SoakResult(writers, requests, time.perf_counter() - began, Figures())
    for writer in crew:
        result.figures.add(writer.figures)
        for event_id, entry in writer.recorded.items():
            if event_id in recorded:
                result.failures.append(f"event {event_id} is the answer to two writers' requests")
            recorded[event_id] = entry
    result.failures = result.figures.failures + result.failures
    check(base_url, tokens, recorded, result)
    if verify is not None:
        result.verified, result.verify_output = verify()
        if not result.verified:
            result.failures.append("verify: " + result.verify_output.strip()[-500:])
    return result


# -- main: real servers, both backends --------------------------------------------------------


LOTLEDGER = str(Path(sys.executable).parent / "lotledger")


def _cli(*args: str, db: str) -> str:
    run = subprocess.run([LOTLEDGER, *args, "--db", db], capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise RuntimeError(f"lotledger {' '.join(args)}: {run.returncode}\n{run.stdout}\n{run.stderr}")
    return run.stdout


def accounts(db: str) -> Tokens:
    """An admin, an operator and a quality user, each with a token, made with the CLI."""
    made = {}
    for role in ("admin", "operator", "quality"):
        _cli("user", "add", f"soak-{role}", "--role", role, "--password", "soak-password", db=db)
        made[role] = _cli("token", "create", f"soak-{role}", "--name", "soak", db=db).strip().splitlines()[-1].strip()
    return Tokens(made["operator"], made["quality"], made["admin"])


@contextmanager
def database(backend: str) -> Iterator[str]:
    """A fresh, empty database URL on `backend`, removed afterwards."""
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="lotledger-soak-"))
        try:
            yield f"sqlite:///{folder / 'soak.db'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    from tests.pg import Cluster

    cluster = Cluster()
    try:
        yield cluster.url
    finally:
        cluster.stop()


@contextmanager
def serving(db: str, workers: int, log: Path) -> Iterator[str]:
    """`lotledger serve` on a free loopback port, as a real process; its base URL once it answers."""
    from tests.api.live import free_port

    port = free_port()
    argv = [LOTLEDGER, "serve", "--db", db, "--port", str(port), "--workers", str(workers)]
    with log.open("w") as output:
        server = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"lotledger serve did not start:\n{log.read_text()}")
                try:
                    if httpx.get(f"{base}{API}/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def run_name(backend: str, workers: int) -> str:
    """sqlite, postgresql-workers2, ...: names the JSON and the server's log in bench/out."""
    return backend if workers == 1 else f"{backend}-workers{workers}"


def soak_backend(backend: str, workers: int, writers: int, requests: int, seed: int) -> SoakResult:
    """A fresh database, `lotledger serve --workers N` on it, the soak, then `lotledger verify`."""
    with database(backend) as db:
        _cli("init", db=db)
        tokens = accounts(db)
        OUT.mkdir(parents=True, exist_ok=True)
        log = OUT / f"soak-{run_name(backend, workers)}.log"
        with serving(db, workers, log) as base:
            result = run_soak(base, tokens, writers, requests, seed)
        run = subprocess.run([LOTLEDGER, "verify", "--db", db], capture_output=True, text=True, check=False)
        result.verified = run.returncode == 0
        result.verify_output = run.stdout + run.stderr
        if not result.verified:
            result.failures.append(f"lotledger verify exited {run.returncode}: {result.verify_output.strip()[-500:]}")
        result.failures += server_log_problems(log)
        return result


def server_log_problems(log: Path) -> list[str]:
    """What the server's own log says went wrong: tracebacks, errors, answers of 500 and above."""
    problems = []
    for number, line in enumerate(log.read_text().splitlines(), 1):
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if not isinstance(entry, dict):
            if "Traceback" in line or "ERROR" in line:
                problems.append(f"{log.name}:{number}: {line[:200]}")
        elif entry.get("level") in ("error", "critical") or int(entry.get("status") or 0) >= 500:
            problems.append(f"{log.name}:{number}: {line[:200]}")
    return problems


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--server-workers", type=int, nargs="+", default=[1, 2], help="`serve --workers` counts")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--requests", type=int, default=300, help="requests per writer")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    console = Console() if sys.stdout.isatty() else Console(width=120)
    results: dict[str, SoakResult] = {}
    for backend in backends:
        for workers in args.server_workers:
            name = run_name(backend, workers)
            console.print(f"[bold]{name}[/]: {args.writers} writers × {args.requests} requests ...")
            result = soak_backend(backend, workers, args.writers, args.requests, args.seed)
            results[name] = result
            document = {"backend": backend, "server_workers": workers, "seed": args.seed, **result.as_json()}
            (OUT / f"soak-{name}.json").write_text(json.dumps(document, indent=2) + "\n")
            for failure in result.failures[:20]:
                console.print(f"  [red]{failure}[/]")
    table = Table(title=f"soak: {args.writers} writers × {args.requests} requests, seed {args.seed}")
    table.add_column("")
    for name in results:
        table.add_column(name, justify="right")
    names = list(results)
    for i, (what, _) in enumerate(results[names[0]].rows()):
        table.add_row(what, *(results[n].rows()[i][1] for n in names))
    console.print(table)
    console.print(f"figures in {OUT}/soak-*.json")
    sys.exit(0 if all(r.ok for r in results.values()) else 1)


if __name__ == "__main__":
    main()
