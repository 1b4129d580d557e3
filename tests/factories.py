"""Test data: a small plant and one-line helpers for each kind of event."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from lotledger.domain.accounts import Caller, User
from lotledger.domain.events import parse_event
from lotledger.domain.model import Item, Location, Partner
from lotledger.domain.recording import Attribution, Recorded
from lotledger.interchange.jsonl import Line, parse_record
from lotledger.services.importing import ImportReport, import_lines

ATTRIBUTION = Attribution(recorded_by="user:tester", client="token:test-suite")
TESTER = Caller(User(1, "tester", "quality"), ATTRIBUTION)  # records every kind of event
OPERATOR = Caller(User(2, "floor", "operator"), Attribution("user:floor", "token:scanner-1"))
ADMIN = Caller(User(3, "boss", "admin"), Attribution("user:boss", "session:admin"))
App = Any  # the SQL App, or the memory plant of tests/conftest.py: both have recording and master_data
_clock = itertools.count()
START = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)

ITEMS = [
    Item("FLOUR", "Flour", "kg"),
    Item("SALT", "Salt", "kg"),
    Item("MILK", "Milk", "L"),
    Item("DOUGH", "Dough", "kg", shelf_life_days=2),
    Item("BREAD", "Bread", "ea", gtin="09506000134352"),
]
LOCATIONS = [
    Location("PLANT", "Plant", "site"),
    Location("RAW", "Raw store", "warehouse", "PLANT"),
    Location("LINE", "Line 1", "line", "PLANT"),
    Location("FG", "Finished goods", "warehouse", "PLANT"),
    Location("DOCK", "Dock", "dock", "PLANT"),
]
PARTNERS = [
    Partner("MILL", "Mill", "supplier"),
    Partner("SHOP", "Shop", "customer"),
    Partner("DELI", "Deli", "customer"),
]
PALLET = "106141412345678908"


def exactly(message: str) -> str:
    """A `pytest.raises(match=...)` pattern for this message, word for word (the error as str(): "field: message")."""
    return f"^{re.escape(message)}$"


def now() -> str:
    return (START + timedelta(minutes=next(_clock))).isoformat()


def setup_plant(app: App) -> None:
    for record in [*LOCATIONS, *ITEMS, *PARTNERS]:
        app.master_data.save(record, ATTRIBUTION)


def record(app: App, document: dict[str, Any], who: Caller = TESTER) -> Recorded:
    """Record `document` (dated now() unless it has a time) as `who`; the caller's dict is left as it was."""
    if "time" not in document:
        document = {**document, "time": now()}
    return app.recording.record(parse_event(document), who)


def line(item: str, lot: str, qty: Any, uom: str = "kg", **extra: Any) -> dict[str, Any]:
    return {"item": item, "lot": lot, "qty": str(qty), "uom": uom, **extra}


def receive(app: App, item: str, lot: str, qty: Any, uom: str = "kg", location: str = "RAW", **extra: Any) -> Recorded:
    return record(
        app,
        {
            "type": "receive",
            "location": location,
            "partner": "MILL",
            "reference": "PO-1",
            "lines": [line(item, lot, qty, uom, **extra)],
        },
    )


def produce(
    app: App, inputs: list[dict[str, Any]], outputs: list[dict[str, Any]], location: str = "RAW", **extra: Any
) -> Recorded:
    return record(app, {"type": "produce", "location": location, "inputs": inputs, "outputs": outputs, **extra})


def ship(
    app: App, item: str, lot: str, qty: Any, uom: str = "kg", customer: str = "SHOP", location: str = "RAW"
) -> Recorded:
    return record(
        app,
        {
            "type": "ship",
            "location": location,
            "partner": customer,
            "reference": "SO-1",
            "lines": [line(item, lot, qty, uom)],
        },
    )


def hold(app: App, item: str, lot: str, scope: str = "lot", reason: str = "metal detector alarm") -> Recorded:
    return record(
        app, {"type": "hold", "location": "RAW", "reason": reason, "scope": scope, "lots": [{"item": item, "lot": lot}]}
    )


def release(app: App, item: str, lot: str, scope: str = "lot", reason: str = "retested OK") -> Recorded:
    return record(
        app,
        {"type": "release", "location": "RAW", "reason": reason, "scope": scope, "lots": [{"item": item, "lot": lot}]},
    )


def give_back(
    app: App, item: str, lot: str, qty: Any, uom: str = "kg", customer: str = "SHOP", location: str = "RAW"
) -> Recorded:
    """A customer's return of one lot line."""
    return record(
        app,
        {
            "type": "return",
            "location": location,
            "partner": customer,
            "reference": "RMA-1",
            "lines": [line(item, lot, qty, uom)],
        },
    )


def adjust(
    app: App, item: str, lot: str, qty: Any, uom: str = "kg", location: str = "RAW", reason: str = "stock count"
) -> Recorded:
    return record(app, {"type": "adjust", "location": location, "reason": reason, "lines": [line(item, lot, qty, uom)]})


def move(app: App, item: str, lot: str, qty: Any, uom: str = "kg", location: str = "RAW", to: str = "FG") -> Recorded:
    return record(app, {"type": "move", "location": location, "to_location": to, "lines": [line(item, lot, qty, uom)]})


def pack(app: App, item: str, lot: str, qty: Any, uom: str = "kg", container: str = PALLET) -> Recorded:
    return record(
        app, {"type": "pack", "location": "RAW", "container": container, "lines": [line(item, lot, qty, uom)]}
    )


def unpack(app: App, item: str, lot: str, qty: Any, uom: str = "kg", container: str = PALLET) -> Recorded:
    return record(
        app, {"type": "unpack", "location": "RAW", "container": container, "lines": [line(item, lot, qty, uom)]}
    )


def void(app: App, target: str, reason: str = "keyed in twice") -> Recorded:
    return record(app, {"type": "void", "location": "RAW", "target": target, "reason": reason})


def load(app: App, documents: Iterable[dict[str, Any]]) -> ImportReport:
    """Import JSON documents (master data and events) as `lotledger import` does."""
    lines = (Line(n, parse_record(raw)) for n, raw in enumerate(documents, start=1))
    return import_lines(app.recording, app.master_data, lines, ATTRIBUTION)
