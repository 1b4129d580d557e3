"""Last year's lot register as a plant keeps it: master data, receipts, a production, a shipment; as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

Rows = list[list[Any]]

HEADER = ["type", "event", "time", "location", "partner", "item", "lot", "qty", "uom", "side", "expiry"]
MASTER: dict[str, Rows] = {
    "item": [
        ["sku", "name", "uom", "shelf_life_days"],
        ["OATS", "Rolled oats", "kg", 365],
        ["HONEY", "Honey", "kg", None],
        ["BAR", "Granola bar", "ea", 90],
    ],
    "location": [["code", "name", "kind"], ["STORE", "Store", "warehouse"]],
    "partner": [["code", "name", "role"], ["FARM", "Farm", "supplier"], ["CAFE", "Cafe", "customer"]],
}
EVENTS: Rows = [
    HEADER,
    ["receive", "R1", "2025-03-02T08:00:00+00:00", "STORE", "FARM", "OATS", "O-1", "100", "kg", None, "2026-03-01"],
    ["receive", "R1", "2025-03-02T08:00:00+00:00", "STORE", "FARM", "HONEY", "H-1", "20.5", "kg", None, None],
    ["produce", "P1", "2025-03-03T07:00:00+00:00", "STORE", None, "OATS", "O-1", "30", "kg", "input", None],
    ["produce", "P1", "2025-03-03T07:00:00+00:00", "STORE", None, "HONEY", "H-1", "0.1", "kg", "input", None],
    ["produce", "P1", "2025-03-03T07:00:00+00:00", "STORE", None, "BAR", "B-1", "200", "ea", "output", None],
    ["ship", "S1", "2025-03-04T10:00:00+00:00", "STORE", "CAFE", "BAR", "B-1", "150", "ea", None, None],
]
# The same plant as JSON documents, recorded directly.
DIRECT: list[dict[str, Any]] = [
    {"type": "item", "sku": "OATS", "name": "Rolled oats", "uom": "kg", "shelf_life_days": 365},
    {"type": "item", "sku": "HONEY", "name": "Honey", "uom": "kg"},
    {"type": "item", "sku": "BAR", "name": "Granola bar", "uom": "ea", "shelf_life_days": 90},
    {"type": "location", "code": "STORE", "name": "Store", "kind": "warehouse"},
    {"type": "partner", "code": "FARM", "name": "Farm", "role": "supplier"},
    {"type": "partner", "code": "CAFE", "name": "Cafe", "role": "customer"},
    {
        "type": "receive",
        "time": "2025-03-02T08:00:00+00:00",
        "location": "STORE",
        "partner": "FARM",
        "lines": [
            {"item": "OATS", "lot": "O-1", "qty": "100", "uom": "kg", "expiry": "2026-03-01"},
            {"item": "HONEY", "lot": "H-1", "qty": "20.5", "uom": "kg"},
        ],
    },
    {
        "type": "produce",
        "time": "2025-03-03T07:00:00+00:00",
        "location": "STORE",
        "inputs": [
            {"item": "OATS", "lot": "O-1", "qty": "30", "uom": "kg"},
            {"item": "HONEY", "lot": "H-1", "qty": "0.1", "uom": "kg"},
        ],
        "outputs": [{"item": "BAR", "lot": "B-1", "qty": "200", "uom": "ea"}],
    },
    {
        "type": "ship",
        "time": "2025-03-04T10:00:00+00:00",
        "location": "STORE",
        "partner": "CAFE",
        "lines": [{"item": "BAR", "lot": "B-1", "qty": "150", "uom": "ea"}],
    },
]


ROW_HEADER = ["type", "event", "time", "location", "partner", "item", "lot", "qty", "uom"]


def event_row(kind: str, event: str, lot: str, qty: str = "5", **given: str) -> list[Any]:
    """A row under ROW_HEADER: FLOUR at RAW from MILL on 2 March 2025 unless `given` says otherwise."""
    values = {"time": "2025-03-02T08:00:00Z", "location": "RAW", "partner": "MILL", "item": "FLOUR", "uom": "kg"}
    values |= given | {"type": kind, "event": event, "lot": lot, "qty": qty}
    return [values[column] for column in ROW_HEADER]


def one_table() -> Rows:
    """Master data and events in one table with a type column (as a CSV holds them)."""
    columns = list(dict.fromkeys([*HEADER, *(c for rows in MASTER.values() for c in rows[0])]))
    table: Rows = [columns]
    for kind, rows in MASTER.items():
        for row in rows[1:]:
            values = dict(zip(rows[0], row, strict=True)) | {"type": kind}
            table.append([values.get(c) for c in columns])
    for row in EVENTS[1:]:
        values = dict(zip(HEADER, row, strict=True))
        table.append([values.get(c) for c in columns])
    return table


def csv_bytes(rows: Sequence[Sequence[Any]], delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows([["" if v is None else v for v in row] for row in rows])
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()


def xlsx_bytes(sheets: dict[str, Rows]) -> bytes:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def register_xlsx() -> bytes:
    """A sheet per master type (named after it), then the events with a type column, numbers as numbers."""
    events = [EVENTS[0]] + [[*row[:7], float(row[7]), *row[8:]] for row in EVENTS[1:]]
    return xlsx_bytes({**MASTER, "register": events})
