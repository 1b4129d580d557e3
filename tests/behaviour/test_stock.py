"""Stock: where it is (moves, packs, unpacks), how much (mass balance), and never below zero."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from lotledger.domain.errors import Conflict, InsufficientStock, NotFound, ValidationError
from lotledger.domain.model import LotKey
from tests.factories import (
    PALLET,
    adjust,
    exactly,
    give_back,
    line,
    move,
    pack,
    produce,
    receive,
    record,
    ship,
    unpack,
    void,
)

F1 = LotKey("FLOUR", "F-1")


def stock(plant: Any, container: str | None = None, **where: Any) -> list[tuple[str, str, str, Decimal]]:
    lines = [(str(s.lot), s.location, s.container, s.qty) for s in plant.queries.balances(**where)]
    return [x for x in lines if container in (None, x[2])]


def test_pack_moves_loose_stock_into_the_container_at_the_same_location(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    pack(plant, "FLOUR", "F-1", 30)
    assert stock(plant, sku="FLOUR") == [("FLOUR/F-1", "RAW", "", 70), ("FLOUR/F-1", "RAW", PALLET, 30)]


def test_unpack_takes_stock_out_of_the_container_and_makes_it_loose(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    pack(plant, "FLOUR", "F-1", 30)
    unpack(plant, "FLOUR", "F-1", 10)
    assert stock(plant, sku="FLOUR") == [("FLOUR/F-1", "RAW", "", 80), ("FLOUR/F-1", "RAW", PALLET, 20)]
    balance = plant.queries.mass_balance(F1)
    assert (balance.on_hand, balance.difference) == (100, 0)


def test_unpacking_more_than_the_container_holds_is_refused(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    pack(plant, "FLOUR", "F-1", 30)
    with pytest.raises(
        InsufficientStock,
        match=exactly(f"lines[0].qty: lot FLOUR/F-1 at RAW in container {PALLET} has 30 kg, the event takes 31 kg"),
    ):
        unpack(plant, "FLOUR", "F-1", 31)


def test_unpacking_everything_empties_the_container(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    pack(plant, "FLOUR", "F-1", 30)
    unpack(plant, "FLOUR", "F-1", 30)
    assert stock(plant, container=PALLET) == []
    assert stock(plant, sku="FLOUR") == [("FLOUR/F-1", "RAW", "", 100)]


def test_a_whole_container_moves_with_everything_in_it(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    receive(plant, "SALT", "S-1", 10)
    pack(plant, "FLOUR", "F-1", 30)
    pack(plant, "SALT", "S-1", 4)
    record(plant, {"type": "move", "location": "RAW", "to_location": "DOCK", "containers": [PALLET]})
    assert stock(plant, location="DOCK") == [("FLOUR/F-1", "DOCK", PALLET, 30), ("SALT/S-1", "DOCK", PALLET, 4)]
    record(plant, {"type": "ship", "location": "DOCK", "partner": "SHOP", "containers": [PALLET]})
    assert stock(plant, container=PALLET) == []
    assert plant.queries.mass_balance(F1).shipped == 30


def test_a_container_elsewhere_cannot_be_moved_from_here(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    pack(plant, "FLOUR", "F-1", 30)
    with pytest.raises(ValidationError, match=exactly(f"containers[0]: container {PALLET} is at RAW, not at FG")):
        record(plant, {"type": "move", "location": "FG", "to_location": "DOCK", "containers": [PALLET]})


def test_an_empty_container_cannot_be_moved(plant: Any) -> None:
    with pytest.raises(NotFound, match=exactly(f"containers[0]: container {PALLET} is empty or unknown")):
        record(plant, {"type": "move", "location": "RAW", "to_location": "DOCK", "containers": [PALLET]})


def test_a_move_changes_where_stock_is_not_how_much(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    move(plant, "FLOUR", "F-1", 40, to="FG")
    assert stock(plant, sku="FLOUR") == [("FLOUR/F-1", "FG", "", 40), ("FLOUR/F-1", "RAW", "", 60)]
    assert stock(plant, location="PLANT") == stock(plant, sku="FLOUR")  # PLANT holds RAW and FG


def test_consuming_more_than_is_on_hand_is_refused_with_both_quantities(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 400)
    with pytest.raises(
        InsufficientStock, match=exactly("inputs[0].qty: lot FLOUR/F-1 at RAW has 400 kg, the event takes 9999 kg")
    ):
        produce(plant, [line("FLOUR", "F-1", 9999)], [line("DOUGH", "D-1", 10)])
    with pytest.raises(NotFound, match="unknown lot DOUGH/D-1"):
        plant.queries.lot(LotKey("DOUGH", "D-1"))


def test_two_lines_of_one_event_for_the_same_stock_add_up(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 10)
    twice = {"type": "ship", "location": "RAW", "partner": "SHOP", "lines": [line("FLOUR", "F-1", 6)] * 2}
    with pytest.raises(InsufficientStock, match="has 10 kg, the event takes 12 kg"):
        record(plant, twice)


def test_an_adjustment_below_zero_is_refused(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 10)
    with pytest.raises(
        InsufficientStock, match=exactly("lines[0].qty: lot FLOUR/F-1 at RAW has 10 kg, the event takes 11 kg")
    ):
        adjust(plant, "FLOUR", "F-1", -11)


def test_mass_balance_adds_up_with_adjustments_returns_and_voids(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    ship(plant, "FLOUR", "F-1", 40)
    give_back(plant, "FLOUR", "F-1", 10)
    adjust(plant, "FLOUR", "F-1", -5, reason="spilled")
    adjust(plant, "FLOUR", "F-1", 2, reason="count found more")
    mistaken = ship(plant, "FLOUR", "F-1", 20)
    void(plant, mistaken.id, "wrong pallet")
    produce(plant, [line("FLOUR", "F-1", 7)], [line("DOUGH", "D-1", 7)])
    balance = plant.queries.mass_balance(F1)
    figures = (balance.received, balance.produced, balance.returned, balance.consumed, balance.shipped)
    assert figures == (100, 0, 10, 7, 40)
    assert (balance.adjusted, balance.on_hand, balance.difference) == (-3, 60, 0)
    assert (balance.inflow, balance.outflow, balance.uom) == (110, 47, "kg")


def test_a_voided_receipt_counts_nothing_received(plant: Any) -> None:
    received = receive(plant, "FLOUR", "F-1", 100)
    void(plant, received.id, "delivery refused at the gate")
    balance = plant.queries.mass_balance(F1)
    assert (balance.received, balance.on_hand, balance.difference) == (0, 0, 0)


def test_a_produced_lot_counts_what_was_made(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    produce(plant, [line("FLOUR", "F-1", 10)], [line("DOUGH", "D-1", 12)])
    produce(plant, [line("FLOUR", "F-1", 10)], [line("DOUGH", "D-1", 11)])
    balance = plant.queries.mass_balance(LotKey("DOUGH", "D-1"))
    assert (balance.produced, balance.on_hand, balance.difference) == (23, 23, 0)
    assert plant.queries.lot(LotKey("DOUGH", "D-1")).origin == "produced"


def test_mass_balance_is_in_the_items_base_unit(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 2, "t")
    ship(plant, "FLOUR", "F-1", 500, "g")
    ship(plant, "FLOUR", "F-1", 1, "lb")
    balance = plant.queries.mass_balance(F1)
    assert (balance.received, balance.shipped, balance.on_hand) == (2000, Decimal("0.953592"), Decimal("1999.046408"))


def test_a_balance_cannot_reach_ten_to_the_twelve_base_units(plant: Any) -> None:
    """Storage keeps millionths in 64 bits: a balance that grew past 10^12 would overflow (or turn
    into a float) there; it is refused like a quantity that large, the same on every ledger."""
    receive(plant, "FLOUR", "F-1", "999999999999")
    with pytest.raises(
        Conflict,
        match=exactly("lines[0].qty: lot FLOUR/F-1 at RAW would hold 1999999999998 kg; a balance stays below 10^12 kg"),
    ):
        receive(plant, "FLOUR", "F-1", "999999999999")
    move(plant, "FLOUR", "F-1", "999999999999", to="FG")
    receive(plant, "FLOUR", "F-1", "999999999999")
    balance = plant.queries.mass_balance(F1)
    assert (balance.received, balance.on_hand, balance.difference) == (1999999999998, 1999999999998, 0)
