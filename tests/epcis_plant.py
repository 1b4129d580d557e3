"""A bakery for the EPCIS export: every event type, GS1 keys on some things and not on others.

Days (America/Chicago, UTC-6 in March): flour and milk received on 2 March, bread made, packed, moved
and shipped on 3 March, a return, counts, a hold and its release, an inspection and a void on 4 March;
salt, which nothing uses, received on 5 March."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from lotledger.bootstrap import App, bootstrap
from lotledger.config import Settings
from lotledger.domain.model import Item, Location, Partner
from tests.factories import ATTRIBUTION, line, record

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "epcis" / "schema" / "EPCIS-JSON-Schema.json"
PREFIX = "0614141"
DOMAIN = "https://id.example.com"
PALLET = "106141412345678908"
ODD_LOT = "F/2&3%"  # GS1 AI 82 allows these; an EPC URN and a URI must escape them
ITEMS = [
    Item("FLOUR", "Wheat flour", "kg", shelf_life_days=180, brand="Mill & Co"),
    Item("MILK", "Milk", "L"),
    Item("BREAD", "White loaf", "ea", gtin="00614141123452", pack_size="1 loaf", ftl=True),
    Item("SALT", "Sea salt", "kg", gtin="04006381333931"),
]
LOCATIONS = [
    Location("PLANT", "Bakery", "site", gln="0614141000012", address="1 Oven Road", city="Austin", country="US"),
    Location("RAW", "Raw store", "warehouse", "PLANT"),
    Location("LINE", "Line 1", "line", "PLANT"),
    Location("FG", "Finished goods", "warehouse", "PLANT"),
    Location("ELSEWHERE", "Unused store", "warehouse"),
]
PARTNERS = [
    Partner("MILL", "Mill", "supplier", gln="0614141000029", city="Waco", region="TX", postal_code="76701"),
    Partner("SHOP", "Shop", "customer", email="buyer@shop.example", contact="Ann"),
    Partner("DELI", "Deli", "customer"),
    Partner("IDLE", "Nobody's customer", "customer", active=False),
]


def schema_errors(document: dict[str, Any]) -> list[str]:
    """Every way `document` breaks GS1's EPCIS 2.0 JSON schema, formats (URIs, date-times) checked too."""
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(document)]


def epcis_app(db_url: str, **settings: Any) -> App:
    return bootstrap(
        Settings(db_url, gs1_company_prefix=PREFIX, id_domain=DOMAIN, timezone="America/Chicago", **settings),
        migrate=False,
    )


def bakery(app: App) -> dict[str, str]:
    """Record the bakery; returns the event ids by name."""
    for master in [*LOCATIONS, *ITEMS, *PARTNERS]:
        app.master_data.save(master, ATTRIBUTION)
    ids: dict[str, str] = {}

    def event(name: str, day: int, hour: int, document: dict[str, Any]) -> None:
        ids[name] = record(app, {"time": f"2026-03-{day:02d}T{hour:02d}:00:00-06:00", **document}).id

    event(
        "flour",
        2,
        8,
        {
            "type": "receive",
            "location": "RAW",
            "partner": "MILL",
            "reference": "PO 7/1",
            "note": "two lots on one truck",
            "lines": [
                line("FLOUR", "F-1", 100, expiry="2026-06-01", supplier_lot="M-77"),
                line("FLOUR", ODD_LOT, "50000", "g", expiry="2026-07-01"),
            ],
        },
    )
    event(
        "milk",
        2,
        9,
        {
            "type": "receive",
            "location": "RAW",
            "partner": "MILL",
            "lines": [line("MILK", "M-1", 20, "L", expiry="2026-03-09")],
        },
    )
    event(
        "bake",
        3,
        6,
        {
            "type": "produce",
            "location": "LINE",
            "reference": "WO-1",
            "inputs": [line("FLOUR", "F-1", 30, location="RAW"), line("MILK", "M-1", 5000, "mL", location="RAW")],
            "outputs": [
                line("BREAD", "B-1", 100, "ea", expiry="2026-03-10"),
                line("BREAD", "B-2", 50, "ea", expiry="2026-03-10"),
            ],
        },
    )
    event(
        "pack",
        3,
        7,
        {"type": "pack", "location": "LINE", "container": PALLET, "lines": [line("BREAD", "B-1", 60, "ea")]},
    )
    event(
        "move",
        3,
        8,
        {
            "type": "move",
            "location": "LINE",
            "to_location": "FG",
            "containers": [PALLET],
            "lines": [line("BREAD", "B-2", 20, "ea"), line("BREAD", "B-1", 40, "ea")],
        },
    )
    event(
        "unpack",
        3,
        9,
        {"type": "unpack", "location": "FG", "container": PALLET, "lines": [line("BREAD", "B-1", 10, "ea")]},
    )
    event(
        "pallet",
        3,
        10,
        {"type": "ship", "location": "FG", "partner": "SHOP", "reference": "SO-1", "containers": [PALLET]},
    )
    event(
        "loose",
        3,
        11,
        {
            "type": "ship",
            "location": "FG",
            "partner": "DELI",
            "reference": "SO-2",
            "lines": [line("BREAD", "B-1", 10, "ea")],
        },
    )
    event(
        "return",
        4,
        8,
        {
            "type": "return",
            "location": "FG",
            "partner": "DELI",
            "reference": "RMA-1",
            "lines": [line("BREAD", "B-1", 4, "ea")],
        },
    )
    event(
        "found",
        4,
        9,
        {"type": "adjust", "location": "FG", "reason": "recount", "lines": [line("BREAD", "B-1", 1, "ea")]},
    )
    event(
        "spilt",
        4,
        10,
        {"type": "adjust", "location": "RAW", "reason": "spilt", "lines": [line("FLOUR", "F-1", "-2.5")]},
    )
    event(
        "mixed",
        4,
        10,
        {
            "type": "adjust",
            "location": "RAW",
            "reason": "stock count",
            "lines": [line("FLOUR", "F-1", "-0.5"), line("MILK", "M-1", "0.25", "L")],
        },
    )
    hold = {"location": "PLANT", "lots": [{"item": "FLOUR", "lot": "F-1"}], "scope": "downstream"}
    event("hold", 4, 11, {"type": "hold", "reason": "mill recall notice", **hold})
    event("release", 4, 12, {"type": "release", "reason": "cleared by the lab", "actor": "qa", **hold})
    event(
        "observe",
        4,
        13,
        {
            "type": "observe",
            "location": "FG",
            "lots": [{"item": "BREAD", "lot": "B-2"}],
            "results": [{"name": "moisture", "value": "38.5", "unit": "%", "pass": True}],
        },
    )
    event(
        "mistake",
        4,
        14,
        {"type": "ship", "location": "RAW", "partner": "SHOP", "lines": [line("FLOUR", ODD_LOT, 5)]},
    )
    event(
        "void",
        4,
        15,
        {"type": "void", "location": "PLANT", "target": ids["mistake"], "reason": "keyed twice", "reference": "NOTE-9"},
    )
    event("salt", 5, 8, {"type": "receive", "location": "RAW", "partner": "MILL", "lines": [line("SALT", "S-1", 25)]})
    return ids
