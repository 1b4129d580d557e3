"""Holds stop a lot; releases need a hold; voids undo an event's effects and are final."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lotledger.domain.errors import Conflict, LotOnHold, NotFound, ValidationError
from lotledger.domain.model import LotKey
from tests.factories import PALLET, exactly, hold, line, move, pack, produce, receive, record, release, ship, void

F1, D1, B1 = LotKey("FLOUR", "F-1"), LotKey("DOUGH", "D-1"), LotKey("BREAD", "B-1")


def on_hold_message(path: str, lot: str, hold_id: str, reason: str = "metal detector alarm") -> str:
    return f"{path}: lot {lot} is on hold (hold {hold_id}: {reason}); it cannot be consumed or shipped"


def bake(plant: Any) -> None:
    """F-1 (100 kg) made into D-1, made into B-1."""
    receive(plant, "FLOUR", "F-1", 100)
    produce(plant, [line("FLOUR", "F-1", 10)], [line("DOUGH", "D-1", 10)])
    produce(plant, [line("DOUGH", "D-1", 10)], [line("BREAD", "B-1", 20, "ea")])


def test_a_held_lot_cannot_be_consumed_and_the_error_names_the_hold(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    held = hold(plant, "FLOUR", "F-1")
    with pytest.raises(LotOnHold, match=exactly(on_hold_message("inputs[0].lot", "FLOUR/F-1", held.id))):
        produce(plant, [line("FLOUR", "F-1", 10)], [line("DOUGH", "D-1", 10)])


def test_a_held_lot_cannot_be_shipped_and_the_error_names_the_hold(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    held = hold(plant, "FLOUR", "F-1", reason="supplier recall")
    with pytest.raises(
        LotOnHold, match=exactly(on_hold_message("lines[0].lot", "FLOUR/F-1", held.id, "supplier recall"))
    ):
        ship(plant, "FLOUR", "F-1", 10)
    assert plant.queries.mass_balance(F1).shipped == 0


def test_a_held_lot_may_still_be_moved_and_counted(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    hold(plant, "FLOUR", "F-1")
    move(plant, "FLOUR", "F-1", 40)
    record(plant, {"type": "adjust", "location": "FG", "reason": "count", "lines": [line("FLOUR", "F-1", -1)]})
    assert plant.queries.mass_balance(F1).on_hand == 99


def test_a_downstream_hold_holds_every_lot_made_from_the_lot(plant: Any) -> None:
    bake(plant)
    held = hold(plant, "FLOUR", "F-1", scope="downstream")
    with pytest.raises(LotOnHold, match=exactly(on_hold_message("lines[0].lot", "BREAD/B-1", held.id))):
        ship(plant, "BREAD", "B-1", 5, "ea")
    assert [plant.queries.lot(key).holds for key in (F1, D1, B1)] == [[f"hold {held.id}: metal detector alarm"]] * 3


def test_a_lot_hold_does_not_hold_what_was_made_from_the_lot(plant: Any) -> None:
    bake(plant)
    hold(plant, "FLOUR", "F-1")
    ship(plant, "BREAD", "B-1", 5, "ea")
    assert plant.queries.lot(B1).holds == []


def test_a_downstream_release_lifts_the_holds_on_the_descendants(plant: Any) -> None:
    bake(plant)
    hold(plant, "FLOUR", "F-1", scope="downstream")
    release(plant, "FLOUR", "F-1", scope="downstream")
    ship(plant, "BREAD", "B-1", 5, "ea")
    assert [plant.queries.lot(key).holds for key in (F1, D1, B1)] == [[], [], []]


def test_a_release_of_a_lot_that_is_not_on_hold_is_refused(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    with pytest.raises(Conflict, match=exactly("lots[0]: lot FLOUR/F-1 is not on hold")):
        release(plant, "FLOUR", "F-1")


def test_a_second_release_of_the_same_lot_is_refused(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    hold(plant, "FLOUR", "F-1")
    release(plant, "FLOUR", "F-1")
    with pytest.raises(Conflict, match=re.escape("lots[0]: lot FLOUR/F-1 is not on hold")):
        release(plant, "FLOUR", "F-1")


def test_a_release_naming_one_held_and_one_free_lot_is_refused_whole(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    receive(plant, "FLOUR", "F-2", 100)
    hold(plant, "FLOUR", "F-1")
    both = [{"item": "FLOUR", "lot": "F-1"}, {"item": "FLOUR", "lot": "F-2"}]
    with pytest.raises(Conflict, match=re.escape("lots[1]: lot FLOUR/F-2 is not on hold")):
        record(plant, {"type": "release", "location": "RAW", "reason": "ok", "lots": both})
    assert len(plant.queries.lot(F1).holds) == 1


def test_a_release_lifts_every_hold_in_force_on_the_lot(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    hold(plant, "FLOUR", "F-1", reason="recall")
    hold(plant, "FLOUR", "F-1", reason="lab sample")
    release(plant, "FLOUR", "F-1")
    assert plant.queries.lot(F1).holds == []
    ship(plant, "FLOUR", "F-1", 1)


def test_voiding_a_hold_lifts_it(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    held = hold(plant, "FLOUR", "F-1")
    void(plant, held.id, "held the wrong lot")
    assert plant.queries.lot(F1).holds == []
    ship(plant, "FLOUR", "F-1", 1)


def test_voiding_a_downstream_hold_lifts_it_on_every_lot_it_held(plant: Any) -> None:
    bake(plant)
    held = hold(plant, "FLOUR", "F-1", scope="downstream")
    void(plant, held.id, "wrong supplier lot")
    assert [plant.queries.lot(key).holds for key in (F1, D1, B1)] == [[], [], []]


def test_voiding_one_of_two_holds_leaves_the_other_in_force(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    first = hold(plant, "FLOUR", "F-1", reason="recall")
    second = hold(plant, "FLOUR", "F-1", reason="lab sample")
    void(plant, first.id, "recall was for another lot")
    assert plant.queries.lot(F1).holds == [f"hold {second.id}: lab sample"]
    with pytest.raises(LotOnHold, match=re.escape(f"(hold {second.id}: lab sample)")):
        ship(plant, "FLOUR", "F-1", 1)


def test_voiding_a_release_puts_the_hold_back(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    held = hold(plant, "FLOUR", "F-1")
    released = release(plant, "FLOUR", "F-1")
    void(plant, released.id, "released before the lab result")
    assert plant.queries.lot(F1).holds == [f"hold {held.id}: metal detector alarm"]
    with pytest.raises(LotOnHold, match=exactly(on_hold_message("lines[0].lot", "FLOUR/F-1", held.id))):
        ship(plant, "FLOUR", "F-1", 1)


def test_voiding_a_downstream_release_holds_the_descendants_again(plant: Any) -> None:
    bake(plant)
    held = hold(plant, "FLOUR", "F-1", scope="downstream")
    released = release(plant, "FLOUR", "F-1", scope="downstream")
    void(plant, released.id, "released too early")
    with pytest.raises(LotOnHold, match=re.escape(f"lot BREAD/B-1 is on hold (hold {held.id}")):
        ship(plant, "BREAD", "B-1", 1, "ea")


def test_after_a_voided_release_the_lot_can_be_released_again(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    hold(plant, "FLOUR", "F-1")
    released = release(plant, "FLOUR", "F-1")
    void(plant, released.id, "released before the lab result")
    release(plant, "FLOUR", "F-1", reason="lab result negative")
    ship(plant, "FLOUR", "F-1", 1)


def test_a_void_cannot_be_voided(plant: Any) -> None:
    received = receive(plant, "FLOUR", "F-1", 100)
    cancel = void(plant, received.id)
    with pytest.raises(
        ValidationError, match=exactly("target: a void cannot be voided; record the original event again instead")
    ):
        void(plant, cancel.id)


def test_an_event_can_be_voided_only_once(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    shipped = ship(plant, "FLOUR", "F-1", 10)
    cancel = void(plant, shipped.id)
    with pytest.raises(Conflict, match=exactly(f"target: event {shipped.id} is already voided by {cancel.id}")):
        void(plant, shipped.id, "again")
    assert plant.queries.mass_balance(F1).on_hand == 100


def test_voiding_an_unknown_event_is_refused_as_not_found(plant: Any) -> None:
    with pytest.raises(NotFound, match=exactly("target: no event 00000000-0000-4000-8000-000000000000 to void")):
        void(plant, "00000000-0000-4000-8000-000000000000")


def test_a_void_reverses_the_stock_and_both_events_stay_in_history(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    shipped = ship(plant, "FLOUR", "F-1", 10)
    cancel = void(plant, shipped.id, "wrong customer")
    assert plant.queries.mass_balance(F1).on_hand == 100
    assert [(e.type, e.voided_by) for e in plant.queries.history(F1)] == [
        ("receive", None),
        ("ship", cancel.id),
        ("void", None),
    ]


def test_voiding_a_receipt_whose_stock_was_used_is_refused(plant: Any) -> None:
    received = receive(plant, "FLOUR", "F-1", 100)
    ship(plant, "FLOUR", "F-1", 60)
    with pytest.raises(Conflict, match=exactly("target: lot FLOUR/F-1 at RAW has 40 kg, the event takes 100 kg")):
        void(plant, received.id)


def test_voiding_a_produce_removes_its_genealogy_from_holds(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    made = produce(plant, [line("FLOUR", "F-1", 10)], [line("DOUGH", "D-1", 10)])
    receive(plant, "DOUGH", "D-1", 5)  # D-1 keeps some stock once the produce is voided
    void(plant, made.id, "wrong input lot")
    hold(plant, "FLOUR", "F-1", scope="downstream")
    assert plant.queries.lot(D1).holds == []
    ship(plant, "DOUGH", "D-1", 5)


def test_a_held_lot_cannot_leave_on_a_pallet(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    receive(plant, "SALT", "S-1", 10)
    pack(plant, "FLOUR", "F-1", 40)
    pack(plant, "SALT", "S-1", 4)
    held = hold(plant, "SALT", "S-1")
    with pytest.raises(LotOnHold, match=exactly(on_hold_message("containers[0]", "SALT/S-1", held.id))):
        record(plant, {"type": "ship", "location": "RAW", "partner": "SHOP", "containers": [PALLET]})
    assert plant.queries.mass_balance(F1).shipped == 0
