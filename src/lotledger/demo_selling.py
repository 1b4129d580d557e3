"""The demo bakery's sales orders, made through the service after `lotledger demo` imports the plant.

The plant's `ship` events carry references SO-00001 ... (a pallet of 360 wrapped loaves a cycle). The latest
shipment still standing becomes a shipped sales order for its customer; one more order is open, its pick list
first expired first out (with the customer's minimum remaining shelf life)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from lotledger.bootstrap import App
from lotledger.domain.accounts import Caller
from lotledger.domain.records import EventFilter

PALLET_QTY = "360"  # wrapped loaves a demo pallet carries


def orders(app: App, cycles: int, today: date) -> list[dict[str, Any]]:
    """A shipped order (the latest shipment not voided) and an open one."""
    made: list[dict[str, Any]] = []
    for cycle in range(cycles, 0, -1):
        found = app.queries.events(EventFilter(type="ship", reference=f"SO-{cycle:05d}"), None, 1).events
        if found and found[0].voided_by is None:
            customer = found[0].document["partner"]
            made.append({"number": f"SO-{cycle:05d}", "customer": customer,
                         "lines": [{"item": "BREAD-W", "qty": PALLET_QTY, "uom": "ea"}]})  # fmt: skip
            break
    requested = (today + timedelta(days=2)).isoformat()
    made.append({"customer": "CITYDELI", "min_shelf_days": 3, "note": "Morning delivery",
                 "lines": [{"item": "BREAD-W", "qty": "720", "uom": "ea", "requested": requested}]})  # fmt: skip
    return made


def load(app: App, cycles: int, today: date, who: Caller) -> bool:
    """Create the demo's sales orders, once: False if there are sales orders already."""
    if app.selling.orders(limit=1):
        return False
    for order in orders(app, cycles, today):
        app.selling.create(order, who)
    return True
