"""A legacy lot register's columns: lotledger's column names per record type, and how a cell becomes a value.

One row is one lot line (or one master record). The columns of each type are
the fields of the JSON Lines record (docs/concepts.md), flattened: a row of a
receipt has the event's `time`, `location`, `partner`... and one line's
`item`, `lot`, `qty`, `uom`. A production's rows say with `side` whether
their lot is an `input` or an `output`. Rows with the same `event` value are
one event; rows without one are one event when their type, time, location,
reference, partner, destination and reason agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from typing import Any

from lotledger.domain.errors import ValidationError
from lotledger.domain.model import ADDRESS_FIELDS, CONTACT_FIELDS, DESCRIPTION_FIELDS

COMMON = ("type", "event", "id", "time", "location", "reference", "actor", "note")
LINE = ("item", "lot", "qty", "uom")
# Columns with one value for the whole event, beside COMMON: every row of the event agrees on them.
EVENT_HEADER = ("id", "time", "location", "reference", "actor", "note", "partner", "to_location", "reason", "scope")
COLUMNS: dict[str, tuple[str, ...]] = {
    "item": ("type", "sku", "name", "uom", "gtin", "shelf_life_days", "active", "ftl", *DESCRIPTION_FIELDS),
    "location": (
        "type",
        "code",
        "name",
        "kind",
        "parent",
        "gln",
        "active",
        *ADDRESS_FIELDS,
        "phone",
        "fda_registration",
    ),
    "partner": ("type", "code", "name", "role", "gln", "active", *CONTACT_FIELDS),
    "receive": (*COMMON, "partner", *LINE, "expiry", "supplier_lot"),
    "produce": (*COMMON, "side", *LINE, "expiry"),
    "move": (*COMMON, "to_location", *LINE),
    "ship": (*COMMON, "partner", *LINE),
    "return": (*COMMON, "partner", *LINE),
    "adjust": (*COMMON, "reason", *LINE),
    "hold": (*COMMON, "reason", "scope", "item", "lot"),
    "release": (*COMMON, "reason", "scope", "item", "lot"),
}
MASTER = ("item", "location", "partner")
ALL_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(c for columns in COLUMNS.values() for c in columns))
IGNORE = "ignore"  # a mapping's target for a legacy column lotledger has no use for
SIDES = ("input", "output")

# Example rows per type: together a tiny plant that imports cleanly in this order (the templates hold them).
_T = "2026-01-0{}T{}:00+01:00"
EXAMPLES: dict[str, list[dict[str, str]]] = {
    "item": [
        {"sku": "EX-FLOUR", "name": "Example flour", "uom": "kg", "shelf_life_days": "180", "active": "true"},
        {"sku": "EX-LOAF", "name": "Example loaf", "uom": "ea", "shelf_life_days": "5", "active": "true"},
    ],
    "location": [
        {"code": "EX-RAW", "name": "Raw materials store", "kind": "warehouse", "active": "true"},
        {"code": "EX-FG", "name": "Finished goods", "kind": "warehouse", "active": "true"},
    ],
    "partner": [
        {"code": "EX-MILL", "name": "Example mill", "role": "supplier", "active": "true"},
        {"code": "EX-SHOP", "name": "Example shop", "role": "customer", "active": "true"},
    ],
    "receive": [
        {"event": "R-1", "time": _T.format(5, "08:00"), "location": "EX-RAW", "reference": "PO-1", "partner": "EX-MILL"}
        | {"item": "EX-FLOUR", "lot": "EX-F-1", "qty": "500", "uom": "kg"}
        | {"expiry": "2026-07-01", "supplier_lot": "M-77"}
    ],
    "produce": [
        {"event": "P-1", "time": _T.format(6, "06:00"), "location": "EX-RAW", "reference": "WO-1", "side": "input"}
        | {"item": "EX-FLOUR", "lot": "EX-F-1", "qty": "100", "uom": "kg"},
        {"event": "P-1", "time": _T.format(6, "06:00"), "location": "EX-RAW", "reference": "WO-1", "side": "output"}
        | {"item": "EX-LOAF", "lot": "EX-B-1", "qty": "200", "uom": "ea", "expiry": "2026-01-11"},
    ],
    "move": [
        {"event": "M-1", "time": _T.format(6, "09:00"), "location": "EX-RAW", "to_location": "EX-FG"}
        | {"item": "EX-LOAF", "lot": "EX-B-1", "qty": "200", "uom": "ea"}
    ],
    "ship": [
        {"event": "S-1", "time": _T.format(7, "09:00"), "location": "EX-FG", "reference": "SO-1", "partner": "EX-SHOP"}
        | {"item": "EX-LOAF", "lot": "EX-B-1", "qty": "150", "uom": "ea"}
    ],
    "return": [
        {"event": "T-1", "time": _T.format(8, "09:00"), "location": "EX-FG", "partner": "EX-SHOP"}
        | {"item": "EX-LOAF", "lot": "EX-B-1", "qty": "5", "uom": "ea"}
    ],
    "adjust": [
        {"event": "A-1", "time": _T.format(8, "10:00"), "location": "EX-RAW", "reason": "stock count"}
        | {"item": "EX-FLOUR", "lot": "EX-F-1", "qty": "-1.5", "uom": "kg"}
    ],
    "hold": [
        {"event": "H-1", "time": _T.format(9, "10:00"), "location": "EX-RAW", "reason": "lab check", "scope": "lot"}
        | {"item": "EX-FLOUR", "lot": "EX-F-1"}
    ],
    "release": [
        {"event": "L-1", "time": _T.format(9, "16:00"), "location": "EX-RAW", "reason": "lab OK", "scope": "lot"}
        | {"item": "EX-FLOUR", "lot": "EX-F-1"}
    ],
}


@dataclass(frozen=True, slots=True)
class CellFormat:
    """How text and numbers in cells are read: the plant's zone for times without an offset, text
    dates in `date_format` (strptime), and a decimal comma when the register writes 12,5."""

    zone: tzinfo
    date_format: str | None = None
    decimal_comma: bool = False
    defaults: Mapping[str, Any] = field(default_factory=dict)


def _number_text(value: float | int) -> str:
    """12 stays 12, 0.1 stays 0.1: the shortest text that is the cell's number (no float noise)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _text_date(value: str, fmt: CellFormat) -> datetime | None:
    if fmt.date_format is None:
        return None
    try:
        return datetime.strptime(value, fmt.date_format)
    except ValueError:
        raise ValidationError(f"expected a date like {fmt.date_format!r}, got {value!r}") from None


def _moment(value: Any, fmt: CellFormat) -> Any:
    if isinstance(value, str):
        parsed = _text_date(value.strip(), fmt)
        if parsed is None:
            try:
                parsed = datetime.fromisoformat(value.strip())
            except ValueError:
                return value  # the domain names what it expected
        value = parsed
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    if isinstance(value, datetime):
        if value.tzinfo is None:
            if not 1900 <= value.year < 2200:  # the zone's offset at year 1 or 9999 may not exist
                raise ValidationError(f"{value.isoformat()} is outside the years 1900-2199 lotledger records")
            value = value.replace(tzinfo=fmt.zone)
        return value.isoformat()
    return value


def _day(value: Any, fmt: CellFormat) -> Any:
    if isinstance(value, str):
        parsed = _text_date(value.strip(), fmt)
        return value.strip() if parsed is None else parsed.date().isoformat()
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, date) else value


_TRUE, _FALSE = ("true", "yes", "y", "1"), ("false", "no", "n", "0")


def _flag(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    return value  # the domain refuses it: "expected true or false"


def _quantity(value: Any, fmt: CellFormat) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number_text(value)
    if isinstance(value, str):
        value = value.strip()
        if fmt.decimal_comma and value.count(",") == 1 and "." not in value:
            value = value.replace(",", ".")
    return value


def _whole(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def cell_value(column: str, value: Any, fmt: CellFormat) -> Any:
    """The JSON Lines value of a cell of lotledger's `column` (None: not given); raises ValidationError
    without a field (the reader names the column as the file does)."""
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if column == "time":
        return _moment(value, fmt)
    if column == "expiry":
        return _day(value, fmt)
    if column == "qty":
        return _quantity(value, fmt)
    if column in ("active", "ftl"):
        return _flag(value)
    if column == "shelf_life_days":
        return _whole(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number_text(value)  # a lot code or GTIN the spreadsheet took for a number
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
