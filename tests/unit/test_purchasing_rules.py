"""The purchase order rules, alone: reading an order, each line's tolerance, and the status from what came."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from lotledger.domain.errors import Conflict, ValidationError
from lotledger.domain.events import LotLine
from lotledger.domain.model import Item
from lotledger.domain.purchasing import (
    PURCHASE_NUMBERS,
    PurchaseOrder,
    check_receipt,
    parse_new_order,
    parse_tolerance,
    status,
)

ITEMS = {"FLOUR": Item("FLOUR", "Flour", "kg"), "BAG": Item("BAG", "Bag", "ea")}
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def order(tolerance: str = "0", **decided: object) -> PurchaseOrder:
    new = parse_new_order(
        {
            "supplier": "MILL",
            "tolerance": tolerance,
            "lines": [{"item": "FLOUR", "qty": "2", "uom": "t"}, {"item": "BAG", "qty": 500}],
        },
        ITEMS,
    )
    return PurchaseOrder("PO-00001", "MILL", new.lines, new.tolerance, NOW, "user:boss", **decided)  # type: ignore[arg-type]


def lot(item: str, qty: str, uom: str = "kg") -> LotLine:
    return LotLine(item, "L-1", Decimal(qty), uom)


def test_an_order_line_is_kept_as_written_and_in_the_items_unit() -> None:
    line = order().lines[0]
    assert (line.qty, line.uom, line.ordered, line.base_uom) == (Decimal(2), "t", Decimal(2000), "kg")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"supplier": "MILL", "lines": []}, "lines: a purchase order needs at least one line"),
        ({"supplier": "MILL", "lines": [{"item": "SALT", "qty": 1}]}, "lines[0].item: unknown or inactive item 'SALT'"),
        ({"supplier": "MILL", "lines": [{"item": "BAG", "qty": 0}]}, "lines[0].qty: must be more than 0"),
        (
            {"supplier": "MILL", "lines": [{"item": "BAG", "qty": 1}, {"item": "BAG", "qty": 2}]},
            "lines[1].item: BAG is on the order twice: one line per item",
        ),
        (
            {"supplier": "MILL", "lines": [{"item": "BAG", "qty": 1, "when": "x"}]},
            "lines[0].when: unknown field for an order line; allowed: expected, item, qty, uom",
        ),
        (
            {"supplier": "MILL", "tolerance": "101", "lines": [{"item": "BAG", "qty": 1}]},
            "tolerance: a tolerance is a percent from 0 to 100, got 101",
        ),
    ],
)
def test_a_bad_order_is_refused_naming_the_field(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_new_order(raw, ITEMS)
    assert str(refused.value) == message


def test_the_tolerance_bounds_each_line_above() -> None:
    po = order("5")
    check_receipt(po, "MILL", [lot("FLOUR", "2.1", "t")], {})  # 2100 kg: exactly 5% over
    over = r"^lines\[0\]\.qty: line 1 \(FLOUR\) of PO-00001: ordered 2000 kg, received 2100 kg; 1 kg more"
    with pytest.raises(Conflict, match=over):
        check_receipt(po, "MILL", [lot("FLOUR", "1")], {"FLOUR": Decimal(2100)})
    with pytest.raises(Conflict) as refused:  # two lots of one item add up
        check_receipt(po, "MILL", [lot("FLOUR", "1100"), lot("BAG", "1", "ea"), lot("FLOUR", "1001")], {})
    assert refused.value.field == "lines[2].qty"


def test_the_status_follows_what_came() -> None:
    po = order("1")
    assert status(po, {}) == "open"
    assert status(po, {"FLOUR": Decimal(1)}) == "partly received"
    assert status(po, {"FLOUR": Decimal(1980), "BAG": Decimal(495)}) == "received"  # within 1% under
    assert status(po, {"FLOUR": Decimal(1979), "BAG": Decimal(500)}) == "partly received"
    assert status(order(closed_at=NOW), {"FLOUR": Decimal(5)}) == "done"
    assert status(order(cancelled_at=NOW), {}) == "cancelled"


def test_numbers_and_tolerances() -> None:
    assert PURCHASE_NUMBERS.number(42) == "PO-00042"
    assert PURCHASE_NUMBERS.sequence("PO-00042") == 42
    assert PURCHASE_NUMBERS.sequence("PO-HUB") is None
    assert parse_tolerance("2.50") == Decimal("2.5")
    with pytest.raises(ValidationError, match="hundredths"):
        parse_tolerance("0.001")
