"""Rules a review broke on purpose and no test caught: each test here fails when its rule is broken.

Every test runs on the in-memory ledger, SQLite and PostgreSQL (the `plant` fixture).
"""

from __future__ import annotations

from typing import Any

import pytest

from lotledger.domain.errors import Forbidden, NotFound, ValidationError
from lotledger.domain.model import Item, Location, LotKey, Partner
from tests.factories import ADMIN, OPERATOR, TESTER, exactly, line, receive, record, ship

F1 = LotKey("FLOUR", "F-1")


def stock(plant: Any) -> list[tuple[str, Any]]:
    return [(s.location, s.qty) for s in plant.queries.balances(sku="FLOUR")]


# --- events --------------------------------------------------------------------------


def test_a_move_to_a_deactivated_location_is_refused(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    plant.master_data.deactivate(Location, "FG", ADMIN)
    document = {"type": "move", "location": "RAW", "to_location": "FG", "lines": [line("FLOUR", "F-1", 40)]}
    with pytest.raises(ValidationError, match=exactly("to_location: location 'FG' is deactivated")):
        record(plant, document)
    assert stock(plant) == [("RAW", 100)]


def test_a_move_to_an_unknown_location_is_refused_as_not_found(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    document = {"type": "move", "location": "RAW", "to_location": "MARS", "lines": [line("FLOUR", "F-1", 40)]}
    with pytest.raises(NotFound, match=exactly("to_location: unknown location 'MARS'")):
        record(plant, document)
    assert stock(plant) == [("RAW", 100)]


def test_a_move_to_the_location_it_starts_from_is_refused(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    document = {"type": "move", "location": "RAW", "to_location": "RAW", "lines": [line("FLOUR", "F-1", 40)]}
    with pytest.raises(ValidationError, match=exactly("to_location: must differ from location")):
        record(plant, document)
    assert [e.type for e in plant.queries.history(F1)] == ["receive"]


def test_a_supplier_cannot_return_a_lot(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    ship(plant, "FLOUR", "F-1", 10)
    document = {"type": "return", "location": "RAW", "partner": "MILL", "lines": [line("FLOUR", "F-1", 1)]}
    with pytest.raises(ValidationError, match=exactly("partner: partner 'MILL' is a supplier, expected a customer")):
        record(plant, document)
    assert plant.queries.mass_balance(F1).returned == 0


def test_an_adjustment_of_zero_is_refused(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    document = {"type": "adjust", "location": "RAW", "reason": "count", "lines": [line("FLOUR", "F-1", 0)]}
    with pytest.raises(ValidationError, match=exactly("lines[0].qty: expected a non-zero quantity, got '0'")):
        record(plant, document)
    assert [e.type for e in plant.queries.history(F1)] == ["receive"]


@pytest.mark.parametrize(
    ("kind", "extra", "allowed"),
    [
        ("ship", {"expiry": "2027-01-01"}, "container, item, lot, qty, uom"),
        ("receive", {"container": "106141412345678908"}, "expiry, item, lot, qty, supplier_lot, uom"),
        ("return", {"supplier_lot": "M-1"}, "item, lot, qty, uom"),
    ],
)
def test_a_line_field_the_event_type_does_not_take_is_refused(
    plant: Any, kind: str, extra: dict[str, str], allowed: str
) -> None:
    """A field that would be silently dropped (an expiry on a shipment, a pallet on a receipt) is refused."""
    receive(plant, "FLOUR", "F-1", 100)
    ship(plant, "FLOUR", "F-1", 10)
    field = next(iter(extra))
    partner = "MILL" if kind == "receive" else "SHOP"
    document = {"type": kind, "location": "RAW", "partner": partner, "lines": [line("FLOUR", "F-1", 1, **extra)]}
    with pytest.raises(
        ValidationError, match=exactly(f"lines[0].{field}: unknown field for a line here; allowed: {allowed}")
    ):
        record(plant, document)


@pytest.mark.parametrize("kind", ["hold", "observe"])
def test_a_status_event_naming_an_unknown_lot_is_refused_as_not_found(plant: Any, kind: str) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    lots = [{"item": "FLOUR", "lot": "F-1"}, {"item": "FLOUR", "lot": "NOPE"}]
    document = {
        "hold": {"type": "hold", "location": "RAW", "reason": "recall", "lots": lots},
        "observe": {"type": "observe", "location": "RAW", "lots": lots, "results": [{"name": "moisture", "value": 13}]},
    }[kind]
    with pytest.raises(NotFound, match=exactly("lots[1].lot: unknown lot FLOUR/NOPE")):
        record(plant, document)
    assert plant.queries.holds() == []
    assert [e.type for e in plant.queries.history(F1)] == ["receive"]


@pytest.mark.parametrize("kind", ["move", "ship"])
def test_a_move_or_shipment_of_nothing_is_refused(plant: Any, kind: str) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    document = {"type": kind, "location": "RAW", "to_location": "FG", "partner": "SHOP", "lines": [], "containers": []}
    del document["partner" if kind == "move" else "to_location"]
    with pytest.raises(ValidationError, match=exactly("lines: needs lines or containers")):
        record(plant, document)
    assert [e.type for e in plant.queries.history(F1)] == ["receive"]


def test_a_quantity_of_more_than_24_significant_digits_is_refused(plant: Any) -> None:
    with pytest.raises(
        ValidationError,
        match=exactly("lines[0].qty: '1.000000000000000000000001' has more than 24 significant digits"),
    ):
        receive(plant, "FLOUR", "F-1", "1.000000000000000000000001")
    receive(plant, "FLOUR", "F-1", "1.00000000000000000000001")
    assert plant.queries.mass_balance(F1).received == 1


def _with_text(field: str, text: str) -> dict[str, Any]:
    """A receipt (or an adjustment, for `reason`) carrying `text` in `field`."""
    if field == "reason":
        return {"type": "adjust", "location": "RAW", "reason": text, "lines": [line("FLOUR", "F-1", 1)]}
    if field == "supplier_lot":
        return {
            "type": "receive",
            "location": "RAW",
            "partner": "MILL",
            "lines": [line("FLOUR", "F-1", 1, supplier_lot=text)],
        }
    return {"type": "receive", "location": "RAW", "partner": "MILL", "lines": [line("FLOUR", "F-1", 1)], field: text}


@pytest.mark.parametrize(
    ("field", "path", "limit"),
    [
        ("actor", "actor", 64),
        ("note", "note", 2000),
        ("reason", "reason", 500),
        ("expiry_override", "expiry_override", 500),
        ("supplier_lot", "lines[0].supplier_lot", 64),
    ],
)
def test_each_text_field_keeps_its_own_length_limit(plant: Any, field: str, path: str, limit: int) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    with pytest.raises(
        ValidationError, match=exactly(f"{path}: is {limit + 1} characters long; at most {limit} are kept")
    ):
        record(plant, _with_text(field, "x" * (limit + 1)))
    record(plant, _with_text(field, "x" * limit))


def test_a_name_keeps_its_limit_of_200_characters(plant: Any) -> None:
    with pytest.raises(ValidationError, match=exactly("name: is 201 characters long; at most 200 are kept")):
        plant.master_data.create(Item, {"sku": "JAM", "name": "x" * 201, "uom": "kg"}, ADMIN)
    assert plant.master_data.create(Item, {"sku": "JAM", "name": "x" * 200, "uom": "kg"}, ADMIN).name == "x" * 200


# --- master data ---------------------------------------------------------------------


def test_a_shelf_life_of_more_than_36500_days_is_refused(plant: Any) -> None:
    jam = {"sku": "JAM", "name": "Jam", "uom": "kg"}
    with pytest.raises(
        ValidationError,
        match=exactly("shelf_life_days: expected a whole number of days from 0 to 36500, got 36501"),
    ):
        plant.master_data.create(Item, {**jam, "shelf_life_days": 36_501}, ADMIN)
    made = plant.master_data.create(Item, {**jam, "shelf_life_days": 36_500}, ADMIN)
    assert made.shelf_life_days == 36_500


@pytest.mark.parametrize("who", [OPERATOR, TESTER])
def test_only_an_admin_may_change_or_deactivate_master_data(plant: Any, who: Any) -> None:
    role = f"{who.user.username} has the {who.user.role} role"
    with pytest.raises(Forbidden, match=exactly(f"changing a partner needs the admin role; {role}")):
        plant.master_data.update(Partner, "SHOP", {"name": "Shop", "role": "supplier"}, who)
    with pytest.raises(Forbidden, match=exactly(f"deactivating a location needs the admin role; {role}")):
        plant.master_data.deactivate(Location, "DOCK", who)
    assert plant.master_data.one(Partner, "SHOP").role == "customer"
    assert plant.master_data.one(Location, "DOCK").active is True
