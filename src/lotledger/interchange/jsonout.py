"""Plain JSON for results: Decimals as strings (exact), times as ISO 8601, lots as {item, lot}."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lotledger.domain.model import LotKey
from lotledger.domain.quantities import format_qty


def jsonable(value: Any) -> Any:
    """`value` as JSON-ready lists, dicts, strings and numbers."""
    if isinstance(value, LotKey):
        return {"item": value.sku, "lot": value.code}
    if isinstance(value, Decimal):
        return format_qty(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in _PROPERTIES.get(type(value).__name__, ()):
            result[name] = jsonable(getattr(value, name))
        return result
    if isinstance(value, dict):
        if any(isinstance(k, LotKey) for k in value):
            return [{**jsonable(k), "qty": jsonable(v)} for k, v in value.items()]
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


# Derived values worth showing next to the fields they come from.
_PROPERTIES = {
    "MassBalance": ("inflow", "outflow", "difference"),
    "RecallCase": ("status", "closed_at", "report_seconds"),
    "CustomerAccount": ("accounted", "share_accounted"),
    "RecallReport": ("shipped", "accounted", "share_accounted", "held"),
}
