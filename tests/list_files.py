"""Lists as files in tests: a small plant with awkward text, the files read back, and the rows the JSON gives.

The rows of a file (CSV or XLSX) are read back as the CSV writes them (text), so one expectation made
from the JSON answer of the same query serves both: quantities as the JSON writes them, times in UTC
(XLSX keeps milliseconds), a blank cell as "".
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from lotledger.bootstrap import App
from lotledger.domain.quantities import format_qty
from tests.factories import PALLET, adjust, line, pack, produce, receive, record, ship, void

FORMULA = "=1+2"  # a lot code that Excel would compute if it were written as a formula
ODD_NOTE = 'naïve "quoted", comma; ☃ tab\tand line\nbreak'


def plant(app: App) -> None:
    """Flour lot "=1+2" (with a supplier lot that looks like a formula) into dough, dough into bread; bread
    shipped loose and on a pallet; an odd note on the salt's receipt, a count of it voided."""
    receive(app, "FLOUR", FORMULA, 100, supplier_lot="@SUM(A1)")
    record(
        app,
        {
            "type": "receive",
            "location": "RAW",
            "partner": "MILL",
            "reference": "+PO-2",
            "note": ODD_NOTE,
            "lines": [line("SALT", "S1", "2000", "g")],
        },
    )
    produce(app, [line("FLOUR", FORMULA, 50), line("SALT", "S1", 2)], [line("DOUGH", "D1", 52)])
    produce(app, [line("DOUGH", "D1", 52)], [line("BREAD", "B1", 100, "ea")])
    pack(app, "BREAD", "B1", 40, "ea")
    ship(app, "BREAD", "B1", 30, "ea", customer="SHOP")
    record(app, {"type": "ship", "location": "RAW", "partner": "DELI", "reference": "SO-2", "containers": [PALLET]})
    void(app, adjust(app, "SALT", "S1", "1").id)


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def xlsx_rows(content: bytes) -> list[list[str]]:
    """The one sheet's rows as text, as the CSV would have them."""
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    headers = [str(h) for h in rows[0]] if rows else []
    return [headers, *([_text(header, value) for header, value in zip(headers, row, strict=True)] for row in rows[1:])]


def _text(header: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).isoformat() if "(UTC)" in header else value.date().isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_qty(Decimal(str(value)))
    return str(value)


def rows_of(content: bytes, format: str) -> list[list[str]]:
    return csv_rows(content) if format == "csv" else xlsx_rows(content)


def _time(text: str | None, format: str) -> str:
    """A JSON time as the file has it: UTC, and to the millisecond in XLSX."""
    if not text:
        return ""
    moment = datetime.fromisoformat(text).astimezone(UTC)
    if format == "xlsx":
        moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    return moment.isoformat()


def _cells(*values: Any) -> list[str]:
    return ["" if v is None else str(v) for v in values]


def event_rows(events: list[dict[str, Any]], format: str) -> list[list[str]]:
    """The rows the events of a JSON answer make."""
    return [
        _cells(
            e["seq"],
            e["id"],
            e["type"],
            _time(e["time"], format),
            e["location"],
            e["reference"],
            _time(e["recorded_at"], format),
            e["recorded_by"],
            e["client"],
            e["voided_by"],
            json.dumps(e["document"], ensure_ascii=False, separators=(",", ":")),
        )
        for e in events
    ]


def balance_rows(balances: list[dict[str, Any]]) -> list[list[str]]:
    return [
        _cells(b["lot"]["item"], b["lot"]["lot"], b["location"], b["container"], b["qty"], b["uom"]) for b in balances
    ]


def trace_rows(answer: dict[str, Any], format: str) -> list[list[str]]:
    """The one table a JSON trace makes: lots, edges and receipts backward; lots, shipments and stock forward."""
    rows: list[list[str]] = []

    def lots(direction: str, found: list[dict[str, Any]]) -> None:
        for lot in found:
            held = "yes" if lot["held"] else "no"
            row = [direction, lot["depth"], "lot", lot["lot"]["item"], lot["lot"]["lot"], lot["origin"], lot["expiry"]]
            rows.append(_cells(*row, held, *[None] * 13))

    if answer["backward"] is not None:
        back = answer["backward"]
        lots("backward", back["lots"])
        for e in back["edges"]:
            child, parent = e["child"], e["parent"]
            when = _time(e["time"], format)
            facts = [e["event_id"], when, None, None, None, None, None, e["child_qty"], e["child_uom"]]
            parents = [parent["item"], parent["lot"], e["parent_qty"], e["parent_uom"]]
            rows.append(
                _cells("backward", None, "edge", child["item"], child["lot"], None, None, None, *facts, *parents)
            )
        for r in back["receipts"]:
            when = _time(r["time"], format)
            facts = [r["event_id"], when, r["location"], None, r["supplier"], r["supplier_lot"], r["reference"]]
            rows.append(
                _cells("backward", None, "receipt", r["lot"]["item"], r["lot"]["lot"], None, None, None, *facts)
                + _cells(r["qty"], r["uom"], *[None] * 4)
            )
    if answer["forward"] is not None:
        ahead = answer["forward"]
        lots("forward", ahead["lots"])
        for s in ahead["shipments"]:
            when = _time(s["time"], format)
            facts = [s["event_id"], when, s["location"], s["container"], s["customer"], None, s["reference"]]
            rows.append(
                _cells("forward", None, "shipment", s["lot"]["item"], s["lot"]["lot"], None, None, None, *facts)
                + _cells(s["qty"], s["uom"], *[None] * 4)
            )
        for b in ahead["on_hand"]:
            where = [None, None, b["location"], b["container"], None, None, None, b["qty"], b["uom"]]
            rows.append(
                _cells("forward", None, "on hand", b["lot"]["item"], b["lot"]["lot"], None, None, None, *where)
                + _cells(*[None] * 4)
            )
    return rows
