"""Sales order rules as pure functions: reading an order, status from what was shipped, the day a lot must last
to, and why the order refuses a lot."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from lotledger.domain.errors import ValidationError
from lotledger.domain.fefo import StockLot
from lotledger.domain.model import Item
from lotledger.domain.selling import SalesLine, SalesOrder, good_until, parse_new_order, refusal, status

TODAY = date(2026, 11, 26)
ITEMS = {"BREAD": Item("BREAD", "Bread", "ea"), "FLOUR": Item("FLOUR", "Flour", "kg")}


def _order(**decided: object) -> SalesOrder:
    lines = (SalesLine(1, "BREAD", Decimal(10), "ea", Decimal(10), "ea", date(2026, 12, 1)),
             SalesLine(2, "FLOUR", Decimal(1), "t", Decimal(1000), "kg"))  # fmt: skip
    return SalesOrder("SO-00001", "SHOP", lines, 5, datetime(2026, 11, 1, tzinfo=UTC), "boss", **decided)  # type: ignore[arg-type]


def test_a_new_order_names_the_field_it_refuses() -> None:
    new = parse_new_order({"customer": "SHOP", "min_shelf_days": "3", "lines": [
        {"item": "FLOUR", "qty": "1", "uom": "t", "requested": "2026-12-01"}]}, ITEMS)  # fmt: skip
    assert (new.min_shelf_days, new.lines[0].ordered, new.lines[0].requested) == (3, 1000, date(2026, 12, 1))
    with pytest.raises(ValidationError, match=r"^min_shelf_days: "):
        parse_new_order({"customer": "SHOP", "min_shelf_days": "1.5", "lines": [{"item": "BREAD", "qty": "1"}]}, ITEMS)
    with pytest.raises(ValidationError, match=r"^lines\[0\]\.requested: "):
        parse_new_order({"customer": "SHOP", "lines": [{"item": "BREAD", "qty": "1", "requested": "soon"}]}, ITEMS)
    with pytest.raises(ValidationError, match=r"^lines: a sales order needs at least one line"):
        parse_new_order({"customer": "SHOP", "lines": []}, ITEMS)


def test_status_is_derived_from_what_was_shipped() -> None:
    order = _order()
    assert status(order, {}) == "open"
    assert status(order, {"BREAD": Decimal(10)}) == "partly shipped"
    assert status(order, {"BREAD": Decimal(10), "FLOUR": Decimal(1000)}) == "shipped"
    now = datetime(2026, 11, 2, tzinfo=UTC)
    assert status(_order(closed_at=now), {"BREAD": Decimal(4)}) == "done"
    assert status(_order(cancelled_at=now, cancel_reason="x"), {}) == "cancelled"


def test_a_lot_must_last_the_minimum_shelf_life_past_the_requested_day() -> None:
    order = _order()
    bread, flour = order.lines
    assert good_until(order, bread, TODAY) == date(2026, 12, 6)  # requested 1 December + 5 days
    assert good_until(order, flour, TODAY) == date(2026, 12, 1)  # no requested day: today + 5
    assert good_until(order, bread, date(2026, 12, 3)) == date(2026, 12, 8)  # a requested day past: today

    def lot(expiry: date | None, held: bool = False) -> StockLot:
        return StockLot("B-1", "FG", "", Decimal(10), expiry, held)

    assert refusal(order, {}, lot(date(2026, 12, 6)), "BREAD", Decimal(10), TODAY) is None
    assert refusal(order, {}, lot(date(2026, 12, 5)), "BREAD", Decimal(1), TODAY) == "too short a shelf life"
    assert refusal(order, {}, lot(date(2026, 11, 25)), "BREAD", Decimal(1), TODAY) == "expired"
    assert refusal(order, {}, lot(None, held=True), "BREAD", Decimal(1), TODAY) == "held"
    assert refusal(order, {}, lot(None), "MILK", Decimal(1), TODAY) == "not on the order"
    assert refusal(order, {"BREAD": Decimal(4)}, lot(None), "BREAD", Decimal(7), TODAY) == "more than still open"
