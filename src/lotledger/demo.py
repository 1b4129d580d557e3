"""A small bakery that behaves like a real plant, for demos, tests and benchmarks.

Suppliers deliver flour, yeast, salt and bags; the mixer makes dough, the oven
bread, the wrapper wrapped loaves that go on pallets (SSCC) to customers. One
salt lot, S-HUB, is a hub: half of all dough carries it, so its forward trace
reaches a large share of the plant. `plant(cycles)` yields JSON objects in the
vocabulary of docs/concepts.md; each cycle is about eight events.

Like a real plant it also makes mistakes and corrects them, in eight cycles
of every hundred: a move and a shipment keyed in by mistake and voided, a
quality hold on a dough lot and everything made from it, then its release
(once, a release voided and given again), and a customer returning part of a
pallet, which is rewrapped into a rework lot of the same item. These come from their
own random stream and sit between two of the plant's regular events, so the
regular events keep their ids and times whatever is added.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from lotledger.domain.model import gs1_check_digit

COMPANY_PREFIX = "0614141"
START = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
# Every event falls before END, however large the plant: the ledger refuses events dated ahead of its clock.
END = datetime(2026, 11, 1, tzinfo=UTC)
TICK = timedelta(minutes=15)  # between two regular events, unless END needs them closer
EVENTS_PER_CYCLE = 7.5  # measured average; `cycles_for` uses it to hit --scale

MASTER: list[dict[str, Any]] = [
    {
        "type": "location",
        "code": "PLANT",
        "name": "Bakery plant",
        "kind": "site",
        "gln": "0614141000012",
        "address": "1 Mill Lane",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62701",
        "country": "US",
        "phone": "+1 217 555 0100",
        "fda_registration": "12345678901",
    },
    {"type": "location", "code": "RAW", "name": "Raw materials store", "kind": "warehouse", "parent": "PLANT"},
    {"type": "location", "code": "RAW-A1", "name": "Raw bin A1", "kind": "bin", "parent": "RAW"},
    {"type": "location", "code": "MIX", "name": "Mixing line", "kind": "line", "parent": "PLANT"},
    {"type": "location", "code": "OVEN", "name": "Oven line", "kind": "line", "parent": "PLANT"},
    {"type": "location", "code": "WRAP", "name": "Wrapping line", "kind": "line", "parent": "PLANT"},
    {"type": "location", "code": "FG", "name": "Finished goods", "kind": "warehouse", "parent": "PLANT"},
    {"type": "location", "code": "DOCK", "name": "Shipping dock", "kind": "dock", "parent": "PLANT"},
    {
        "type": "partner",
        "code": "MILLCO",
        "name": "MillCo Flour",
        "role": "supplier",
        "contact": "Sam Miller",
        "phone": "+1 217 555 0110",
        "email": "quality@millco.example",
        "address": "400 Grain Road",
        "city": "Decatur",
        "region": "IL",
        "postal_code": "62521",
        "country": "US",
    },
    {"type": "partner", "code": "SALTWORKS", "name": "Saltworks Ltd", "role": "supplier"},
    {"type": "partner", "code": "YEASTY", "name": "Yeasty BV", "role": "supplier"},
    {"type": "partner", "code": "PACKRITE", "name": "PackRite bags", "role": "supplier"},
    {
        "type": "partner",
        "code": "FRESHMART",
        "name": "FreshMart DC",
        "role": "customer",
        "contact": "Dana Reyes, food safety",
        "phone": "+1 217 555 0140",
        "email": "recalls@freshmart.example",
        "address": "9 Distribution Way",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62703",
        "country": "US",
    },
    {
        "type": "partner",
        "code": "CORNERSHOP",
        "name": "Corner Shop",
        "role": "customer",
        "contact": "Lee Park",
        "phone": "+1 217 555 0150",
        "address": "31 Main Street",
        "city": "Chatham",
        "region": "IL",
        "postal_code": "62629",
        "country": "US",
    },
    {
        "type": "partner",
        "code": "CITYDELI",
        "name": "City Deli",
        "role": "customer",
        "contact": "Ana Costa",
        "email": "ana@citydeli.example",
        "address": "5 Market Square",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62701",
        "country": "US",
    },
    {
        "type": "partner",
        "code": "SCHOOLS",
        "name": "County Schools",
        "role": "customer",
        "contact": "Food services office",
        "phone": "+1 217 555 0170",
        "email": "food@schools.example",
        "address": "200 Education Drive",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62702",
        "country": "US",
    },
    {"type": "partner", "code": "HAULIT", "name": "Haul-It Transport", "role": "carrier"},
    {"type": "item", "sku": "FLOUR", "name": "Wheat flour T55", "uom": "kg", "shelf_life_days": 180},
    {"type": "item", "sku": "SALT", "name": "Sea salt", "uom": "kg"},
    {"type": "item", "sku": "YEAST", "name": "Fresh yeast", "uom": "kg", "shelf_life_days": 30},
    {"type": "item", "sku": "BAG", "name": "Bread bag", "uom": "ea"},
    {"type": "item", "sku": "DOUGH", "name": "White dough", "uom": "kg", "shelf_life_days": 1},
    {"type": "item", "sku": "BREAD", "name": "White loaf, unwrapped", "uom": "ea", "shelf_life_days": 3},
    {
        "type": "item",
        "sku": "BREAD-W",
        "name": "White loaf 800 g, wrapped",
        "uom": "ea",
        "gtin": "09506000134352",
        "shelf_life_days": 5,
        "brand": "Mill Lane Bakery",
        "commodity": "bread",
        "pack_size": "800 g",
        "pack_style": "bag",
    },
]
CUSTOMERS = ["FRESHMART", "CORNERSHOP", "CITYDELI", "SCHOOLS"]

# Raw material: (sku, supplier, lot prefix, delivery qty, use per dough batch, unit)
RAW = [
    ("FLOUR", "MILLCO", "F", 5000, 200, "kg"),
    ("YEAST", "YEASTY", "Y", 100, 2, "kg"),
    ("SALT", "SALTWORKS", "S", 200, 4, "kg"),
    ("BAG", "PACKRITE", "G", 20000, 400, "ea"),
]


def sscc(serial: int) -> str:
    """The SSCC of pallet `serial` under the demo's company prefix (extension digit 0)."""
    body = "0" + COMPANY_PREFIX + f"{serial:09d}"
    return body + str(gs1_check_digit(body))


def cycles_for(events: int) -> int:
    return max(1, round(events / EVENTS_PER_CYCLE))


def tick_for(cycles: int) -> timedelta:
    """15 minutes between events, or less (in whole seconds) so that `cycles` cycles end before END."""
    events = cycles * EVENTS_PER_CYCLE + 2  # the hub receipt, and rounding
    return min(TICK, timedelta(seconds=int((END - START).total_seconds() // events)))


def recent_start(cycles: int, now: datetime) -> datetime:
    """A start that puts the last of `cycles` cycles an hour before `now`: a demo whose bread is fresh today."""
    span = TICK * (cycles * EVENTS_PER_CYCLE + 2)
    return (now - span - timedelta(hours=1)).replace(second=0, microsecond=0)


class _Plant:
    def __init__(self, seed: int, step: timedelta = TICK, start: datetime = START) -> None:
        self.rng = random.Random(seed)
        self.mistakes = random.Random(seed * 1_000_003 + 1)  # the corrections' own stream: ids, customers
        self.time = self.aside_time = start
        self.step = step
        self.left: dict[str, float] = {}
        self.lot: dict[str, str] = {}
        self.deliveries = 0

    def event_id(self, rng: random.Random | None = None) -> str:
        return str(uuid.UUID(int=(rng or self.rng).getrandbits(128), version=4))

    def tick(self) -> str:
        self.time += self.step
        self.aside_time = self.time
        return self.time.isoformat()

    def aside(self) -> str:
        """A time after the last regular event and before the next (at most seven asides between two)."""
        self.aside_time += timedelta(seconds=int(self.step.total_seconds()) // 8)
        return self.aside_time.isoformat()

    def draw(self, sku: str, supplier: str, prefix: str, delivery: int, use: int, uom: str) -> Iterator[dict[str, Any]]:
        """Receive a fresh lot when the current one cannot cover `use`."""
        if self.left.get(sku, 0) < use:
            self.deliveries += 1
            code = f"{prefix}-{self.deliveries:05d}"
            self.lot[sku], self.left[sku] = code, delivery
            line = {
                "item": sku,
                "lot": code,
                "qty": str(delivery),
                "uom": uom,
                "supplier_lot": f"{supplier[:3]}{self.rng.randrange(10**6):06d}",
            }
            yield {
                "id": self.event_id(),
                "type": "receive",
                "time": self.tick(),
                "location": "RAW",
                "partner": supplier,
                "reference": f"PO-{self.deliveries:05d}",
                "lines": [line],
            }
        self.left[sku] -= use


def plant(cycles: int = 40, seed: int = 7, start: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Master data, then `cycles` production cycles of a bakery, as JSON objects: all dated before END,
    or from `start` on at the regular pace (a small demo dated to end today)."""
    yield from MASTER
    p = _Plant(seed, tick_for(cycles), START) if start is None else _Plant(seed, TICK, start)
    yield {
        "id": p.event_id(),
        "type": "receive",
        "time": p.tick(),
        "location": "RAW",
        "partner": "SALTWORKS",
        "reference": "PO-HUB",
        "lines": [{"item": "SALT", "lot": "S-HUB", "qty": str(10**9), "uom": "kg", "supplier_lot": "SW-2026-BULK"}],
    }
    for c in range(1, cycles + 1):
        inputs = []
        for sku, supplier, prefix, delivery, use, uom in RAW:
            if sku == "SALT" and c % 2:
                inputs.append({"item": "SALT", "lot": "S-HUB", "qty": "4", "uom": "kg", "location": "RAW"})
                continue
            yield from p.draw(sku, supplier, prefix, delivery, use, uom)
            if sku != "BAG":
                inputs.append({"item": sku, "lot": p.lot[sku], "qty": str(use), "uom": uom, "location": "RAW"})
        dough, bread, wrapped = f"D-{c:04d}", f"B-{c:04d}", f"W-{c:04d}"
        yield {
            "id": p.event_id(),
            "type": "produce",
            "time": p.tick(),
            "location": "MIX",
            "reference": f"WO-{c:05d}",
            "inputs": inputs,
            "outputs": [{"item": "DOUGH", "lot": dough, "qty": "206", "uom": "kg"}],
        }
        yield {
            "id": p.event_id(),
            "type": "produce",
            "time": p.tick(),
            "location": "OVEN",
            "reference": f"WO-{c:05d}",
            "inputs": [{"item": "DOUGH", "lot": dough, "qty": "206", "uom": "kg", "location": "MIX"}],
            "outputs": [{"item": "BREAD", "lot": bread, "qty": "400", "uom": "ea"}],
        }
        yield {
            "id": p.event_id(),
            "type": "produce",
            "time": p.tick(),
            "location": "WRAP",
            "reference": f"WO-{c:05d}",
            "inputs": [
                {"item": "BREAD", "lot": bread, "qty": "400", "uom": "ea", "location": "OVEN"},
                {"item": "BAG", "lot": p.lot["BAG"], "qty": "400", "uom": "ea", "location": "RAW"},
            ],
            "outputs": [{"item": "BREAD-W", "lot": wrapped, "qty": "400", "uom": "ea"}],
        }
        yield {
            "id": p.event_id(),
            "type": "move",
            "time": p.tick(),
            "location": "WRAP",
            "to_location": "FG",
            "lines": [{"item": "BREAD-W", "lot": wrapped, "qty": "400", "uom": "ea"}],
        }
        pallet = sscc(c)
        yield {
            "id": p.event_id(),
            "type": "pack",
            "time": p.tick(),
            "location": "FG",
            "container": pallet,
            "lines": [{"item": "BREAD-W", "lot": wrapped, "qty": "360", "uom": "ea"}],
        }
        yield {
            "id": p.event_id(),
            "type": "move",
            "time": p.tick(),
            "location": "FG",
            "to_location": "DOCK",
            "containers": [pallet],
        }
        shipment = p.event_id()  # drawn before the customer, as it always was: the demo's ids stay the same
        customer = p.rng.choice(CUSTOMERS)
        yield {
            "id": shipment,
            "type": "ship",
            "time": p.tick(),
            "location": "DOCK",
            "partner": customer,
            "reference": f"SO-{c:05d}",
            "containers": [pallet],
        }
        yield from _corrections(p, c, customer)
        if c % 10 == 0:
            yield {
                "id": p.event_id(),
                "type": "adjust",
                "time": p.tick(),
                "location": "FG",
                "reason": "QC sample",
                "lines": [{"item": "BREAD-W", "lot": wrapped, "qty": "-2", "uom": "ea"}],
            }
            yield {
                "id": p.event_id(),
                "type": "observe",
                "time": p.tick(),
                "location": "OVEN",
                "lots": [{"item": "BREAD", "lot": bread}],
                "results": [{"name": "core temperature", "value": "96", "unit": "Cel", "pass": True}],
            }


def _corrections(p: _Plant, c: int, customer: str) -> Iterator[dict[str, Any]]:
    """What goes wrong in cycle `c` and how it is put right: voids, a hold and release, a return and its rework.

    The 40 loose wrapped loaves left at FG after packing are what the mistakes touch. The rework
    is in even cycles only, whose dough has a regular salt lot: S-HUB's descendants stay as they are."""
    dough, wrapped = f"D-{c:04d}", f"W-{c:04d}"
    loose = [{"item": "BREAD-W", "lot": wrapped, "qty": "10", "uom": "ea"}]
    step = c % 100  # a few cycles in a hundred: enough for a demo, about as rare as in a real plant
    if step in (3, 33):
        mistake = p.event_id(p.mistakes)
        yield {"id": mistake, "type": "move", "time": p.aside(), "location": "FG", "to_location": "DOCK",
               "lines": loose}  # fmt: skip
        yield {"id": p.event_id(p.mistakes), "type": "void", "time": p.aside(), "location": "FG", "target": mistake,
               "reason": "Moved the wrong lot"}  # fmt: skip
    elif step in (5, 15):
        lots = [{"item": "DOUGH", "lot": dough}]
        yield {"id": p.event_id(p.mistakes), "type": "hold", "time": p.aside(), "location": "MIX",
               "reason": "Allergen swab pending", "scope": "downstream", "lots": lots}  # fmt: skip
        release = p.event_id(p.mistakes)
        yield {"id": release, "type": "release", "time": p.aside(), "location": "MIX",
               "reason": "Swab negative", "scope": "downstream", "lots": lots}  # fmt: skip
        if step == 15:
            yield {"id": p.event_id(p.mistakes), "type": "void", "time": p.aside(), "location": "MIX",
                   "target": release, "reason": "Released before the lab signed the result"}  # fmt: skip
            yield {"id": p.event_id(p.mistakes), "type": "release", "time": p.aside(), "location": "MIX",
                   "reason": "Lab signed: swab negative", "scope": "downstream", "lots": lots}  # fmt: skip
    elif step in (6, 36):
        back = [{"item": "BREAD-W", "lot": wrapped, "qty": "24", "uom": "ea"}]
        rework = f"WR-{c:04d}"
        yield {"id": p.event_id(p.mistakes), "type": "return", "time": p.aside(), "location": "DOCK",
               "partner": customer, "reference": f"RMA-{c:05d}", "lines": back}  # fmt: skip
        yield {"id": p.event_id(p.mistakes), "type": "produce", "time": p.aside(), "location": "WRAP",
               "reference": f"RW-{c:05d}", "note": "Torn bags: rewrapped",
               "inputs": [{**back[0], "location": "DOCK"}],
               "outputs": [{"item": "BREAD-W", "lot": rework, "qty": "24", "uom": "ea"}]}  # fmt: skip
        yield {"id": p.event_id(p.mistakes), "type": "move", "time": p.aside(), "location": "WRAP", "to_location": "FG",
               "lines": [{"item": "BREAD-W", "lot": rework, "qty": "24", "uom": "ea"}]}  # fmt: skip
    elif step in (8, 38):
        mistake = p.event_id(p.mistakes)
        yield {"id": mistake, "type": "ship", "time": p.aside(), "location": "FG",
               "partner": p.mistakes.choice(CUSTOMERS), "reference": f"SO-{c:05d}-X", "lines": loose}  # fmt: skip
        yield {"id": p.event_id(p.mistakes), "type": "void", "time": p.aside(), "location": "FG", "target": mistake,
               "reason": "Keyed in against the wrong order"}  # fmt: skip


def purchase_orders(today: date) -> list[dict[str, Any]]:
    """The demo's purchase orders, created through the service after the import (orders are not events):
    PO-00001 and PO-00002 name the plant's first flour and yeast deliveries (the first received in full, the
    second half of a bigger order), and one more flour order is still to come."""
    return [
        {"number": "PO-00001", "supplier": "MILLCO", "lines": [{"item": "FLOUR", "qty": "5", "uom": "t"}]},
        {"number": "PO-00002", "supplier": "YEASTY", "tolerance": "2", "lines": [{"item": "YEAST", "qty": "200"}]},
        {
            "supplier": "MILLCO",
            "tolerance": "5",
            "note": "Deliver to dock 2, mornings only",
            "lines": [{"item": "FLOUR", "qty": "10", "uom": "t", "expected": (today + timedelta(days=7)).isoformat()}],
        },
    ]
