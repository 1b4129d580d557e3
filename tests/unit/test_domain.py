"""Domain rules without a database: parsing, units, GS1 check digits, exposure."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotledger.domain.errors import ValidationError
from lotledger.domain.events import Produce, Receive, parse_event, to_document
from lotledger.domain.fields import lot_code as validate_lot_code
from lotledger.domain.model import Item, LotKey, validate_sscc
from lotledger.domain.quantities import format_qty, from_micro, to_base, to_micro
from lotledger.domain.trace import FlowEvent, exposure

RECEIPT: dict[str, Any] = {
    "type": "receive",
    "time": "2026-11-25T08:00:00+01:00",
    "location": "RAW",
    "partner": "MILL",
    "lines": [{"item": "FLOUR", "lot": "F-1", "qty": "12.5", "uom": "kg", "expiry": "2027-01-31"}],
}


def test_receipt_parses_into_a_receive_event() -> None:
    event = parse_event(RECEIPT)
    assert isinstance(event, Receive)
    assert event.time == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    assert event.lines[0].qty == Decimal("12.5")


def test_document_round_trips_through_the_parser() -> None:
    event = parse_event(RECEIPT)
    assert parse_event(to_document(event)) == event


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "teleport"}, "type: unknown event type 'teleport'"),
        ({"time": "2026-11-25T08:00:00"}, "time: 2026-11-25T08:00:00 has no UTC offset"),
        ({"time": "yesterday"}, "time: expected ISO 8601 with an offset"),
        ({"lines": []}, "lines: must not be empty"),
        (
            {"lines": [{"item": "FLOUR", "lot": "F-1", "qty": "-1", "uom": "kg"}]},
            "lines[0].qty: expected a positive quantity",
        ),
        ({"lines": [{"item": "FLOUR", "lot": "F-1", "qty": "lots", "uom": "kg"}]}, "lines[0].qty: expected a number"),
        ({"lines": [{"item": "FLOUR", "lot": "F 1 with spaces", "qty": "1", "uom": "kg"}]}, "lines[0].lot: lot code"),
        (
            {"lines": [{"item": "FLOUR", "lot": "F-1", "qty": "1", "uom": "kg", "colour": "x"}]},
            "lines[0].colour: unknown field",
        ),
        ({"id": "not-a-uuid"}, "id: expected a UUID"),
        ({"partner": None}, "partner: expected a code"),
    ],
)
def test_malformed_events_name_the_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=f"^{re.escape(message)}"):
        parse_event({**RECEIPT, **change})


def test_produce_refuses_a_lot_that_is_input_and_output() -> None:
    line = {"item": "FLOUR", "lot": "F-1", "qty": "1", "uom": "kg"}
    with pytest.raises(ValidationError, match=r"outputs\[0\]\.lot: lot FLOUR/F-1 is both an input and an output"):
        parse_event({"type": "produce", "time": RECEIPT["time"], "location": "L", "inputs": [line], "outputs": [line]})
    assert isinstance(
        parse_event(
            {
                "type": "produce",
                "time": RECEIPT["time"],
                "location": "L",
                "inputs": [line],
                "outputs": [{**line, "lot": "F-2"}],
            }
        ),
        Produce,
    )


@pytest.mark.parametrize(
    ("qty", "uom", "base", "expected"),
    [("1", "t", "kg", "1000"), ("2", "lb", "kg", "0.907185"), ("250", "mL", "L", "0.25"), ("3", "ea", "ea", "3")],
)
def test_units_convert_to_the_base_unit(qty: str, uom: str, base: str, expected: str) -> None:
    assert to_base(Decimal(qty), uom, base) == Decimal(expected)


def test_incompatible_and_unknown_units_are_refused() -> None:
    with pytest.raises(ValidationError, match="unit 'kg' does not convert to the item's base unit 'ea'"):
        to_base(Decimal(1), "kg", "ea")
    with pytest.raises(ValidationError, match="unknown unit 'bushel'"):
        to_base(Decimal(1), "bushel", "kg")


@given(st.decimals(min_value=Decimal("0.000001"), max_value=Decimal(10**9), places=6))
def test_micro_units_round_trip_exactly(qty: Decimal) -> None:
    assert from_micro(to_micro(qty)) == qty
    assert "E" not in format_qty(from_micro(to_micro(qty)))


def test_gtin_check_digit_is_validated() -> None:
    assert Item.parse({"sku": "B", "name": "Bread", "uom": "ea", "gtin": "09506000134352"}).gtin == "09506000134352"
    with pytest.raises(ValidationError, match="gtin: GTIN 09506000134353 has check digit 3, expected 2"):
        Item.parse({"sku": "B", "name": "Bread", "uom": "ea", "gtin": "09506000134353"})


def test_sscc_and_lot_codes_follow_gs1_rules() -> None:
    assert validate_sscc("106141412345678908") == "106141412345678908"
    with pytest.raises(ValidationError, match="expected 8"):
        validate_sscc("106141412345678900")
    with pytest.raises(ValidationError, match="1-20 characters"):
        validate_lot_code("X" * 21)


def test_exposure_attributes_proportionally_through_each_produce_event() -> None:
    flour, other, dough, bread = LotKey("FLOUR", "F"), LotKey("FLOUR", "O"), LotKey("DOUGH", "D"), LotKey("BREAD", "B")
    flows = [
        FlowEvent(1, {flour: Decimal(100), other: Decimal(300)}, {dough: Decimal(400)}),
        FlowEvent(2, {dough: Decimal(200)}, {bread: Decimal(400)}),
    ]
    created = {flour: Decimal(100), dough: Decimal(400), bread: Decimal(400)}
    result = exposure(flour, "kg", created, flows, [(bread, "SHOP", Decimal(100))], {dough: Decimal(200)})
    assert result.lots == {flour: 100, dough: 100, bread: 50}
    assert result.customers == {"SHOP": Decimal("12.5")}
    assert result.on_hand == {dough: 50}


@pytest.mark.parametrize("unit", [[None, None], {"kg": 1}, 5])
def test_a_unit_that_is_not_text_is_refused_naming_the_unit_field(unit: object) -> None:
    with pytest.raises(ValidationError) as refused:
        to_base(Decimal(1), unit, "kg")  # type: ignore[arg-type]
    assert refused.value.field == "uom"
