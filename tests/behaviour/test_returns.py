"""Returns: a customer sends back at most what it received of a lot, net of voids and earlier returns."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from lotledger.domain.errors import NotFound, ReturnExceedsShipped
from lotledger.domain.events import parse_event
from lotledger.domain.model import LotKey
from tests.factories import PALLET, TESTER, exactly, give_back, line, now, pack, receive, record, ship, void

F1 = LotKey("FLOUR", "F-1")


def test_a_customer_may_return_what_it_received(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    ship(plant, "FLOUR", "F-1", 30)
    give_back(plant, "FLOUR", "F-1", 30)
    assert plant.queries.mass_balance(F1).returned == 30
    assert plant.queries.mass_balance(F1).on_hand == 100


def test_returning_more_than_was_shipped_is_refused_naming_both_quantities(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    ship(plant, "FLOUR", "F-1", 30)
    with pytest.raises(
        ReturnExceedsShipped,
        match=exactly(
            "lines[0].qty: customer SHOP received 30 kg of lot FLOUR/F-1 (net of earlier returns); the return is 31 kg"
        ),
    ):
        give_back(plant, "FLOUR", "F-1", 31)


def test_earlier_returns_count_against_what_may_still_come_back(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    ship(plant, "FLOUR", "F-1", 30)
    give_back(plant, "FLOUR", "F-1", 20)
    with pytest.raises(
        ReturnExceedsShipped,
        match=re.escape("customer SHOP received 10 kg of lot FLOUR/F-1 (net of earlier returns); the return is 11 kg"),
    ):
        give_back(plant, "FLOUR", "F-1", 11)
    give_back(plant, "FLOUR", "F-1", 10)
    assert plant.queries.mass_balance(F1).returned == 30


def test_a_lot_the_customer_never_received_cannot_be_returned(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    ship(plant, "FLOUR", "F-1", 30, customer="DELI")
    with pytest.raises(
        ReturnExceedsShipped,
        match=exactly(
            "lines[0].qty: customer SHOP received 0 kg of lot FLOUR/F-1 (net of earlier returns); the return is 1 kg"
        ),
    ):
        give_back(plant, "FLOUR", "F-1", 1, customer="SHOP")


def test_a_lot_that_does_not_exist_cannot_be_returned(plant: Any) -> None:
    with pytest.raises(NotFound, match=exactly("lines[0].lot: unknown lot FLOUR/F-NEVER")):
        give_back(plant, "FLOUR", "F-NEVER", 1)


def test_two_lines_of_one_return_for_the_same_lot_add_up(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    ship(plant, "FLOUR", "F-1", 30)
    twice = {
        "type": "return",
        "location": "RAW",
        "partner": "SHOP",
        "lines": [line("FLOUR", "F-1", 20), line("FLOUR", "F-1", 11)],
    }
    with pytest.raises(
        ReturnExceedsShipped,
        match=exactly(
            "lines[1].qty: customer SHOP received 30 kg of lot FLOUR/F-1 (net of earlier returns); the return is 31 kg"
        ),
    ):
        record(plant, twice)
    record(plant, {**twice, "lines": [line("FLOUR", "F-1", 20), line("FLOUR", "F-1", 10)]})
    assert plant.queries.mass_balance(F1).returned == 30


def test_a_voided_shipment_no_longer_counts_as_received(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    ship(plant, "FLOUR", "F-1", 30)
    mistaken = ship(plant, "FLOUR", "F-1", 50)
    void(plant, mistaken.id, "wrong lot scanned")
    with pytest.raises(
        ReturnExceedsShipped,
        match=exactly(
            "lines[0].qty: customer SHOP received 30 kg of lot FLOUR/F-1 (net of earlier returns); the return is 31 kg"
        ),
    ):
        give_back(plant, "FLOUR", "F-1", 31)


def test_a_voided_return_may_be_returned_again(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    ship(plant, "FLOUR", "F-1", 30)
    returned = give_back(plant, "FLOUR", "F-1", 30)
    void(plant, returned.id, "the pallet never arrived")
    give_back(plant, "FLOUR", "F-1", 30)
    assert plant.queries.mass_balance(F1).returned == 30


def test_the_limit_is_per_customer(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    ship(plant, "FLOUR", "F-1", 30, customer="SHOP")
    ship(plant, "FLOUR", "F-1", 40, customer="DELI")
    give_back(plant, "FLOUR", "F-1", 40, customer="DELI")
    with pytest.raises(ReturnExceedsShipped, match="customer DELI received 0 kg"):
        give_back(plant, "FLOUR", "F-1", 1, customer="DELI")
    give_back(plant, "FLOUR", "F-1", 30, customer="SHOP")


def test_the_limit_is_compared_in_the_items_base_unit(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    ship(plant, "FLOUR", "F-1", 2)
    give_back(plant, "FLOUR", "F-1", 2000, "g")
    with pytest.raises(ReturnExceedsShipped, match=re.escape("received 0 kg of lot FLOUR/F-1")):
        give_back(plant, "FLOUR", "F-1", 1, "g")
    assert plant.queries.mass_balance(F1).returned == Decimal(2)


def test_a_return_and_the_shipment_in_one_batch_see_each_other(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    out = {"type": "ship", "location": "RAW", "partner": "SHOP", "lines": [line("FLOUR", "F-1", 30)]}
    back = {"type": "return", "location": "RAW", "partner": "SHOP", "lines": [line("FLOUR", "F-1", 30)]}
    plant.recording.record_all([parse_event({**out, "time": now()}), parse_event({**back, "time": now()})], TESTER)
    assert plant.queries.mass_balance(F1).returned == 30


def test_earlier_and_batched_shipments_both_count_across_a_status_event_in_the_batch(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    receive(plant, "SALT", "S-1", 5)
    ship(plant, "FLOUR", "F-1", 30)  # recorded before: 30 with SHOP
    out = {"type": "ship", "location": "RAW", "partner": "SHOP", "lines": [line("FLOUR", "F-1", 20)]}
    held = {"type": "hold", "location": "RAW", "reason": "swab", "lots": [{"item": "SALT", "lot": "S-1"}]}
    back = {"type": "return", "location": "RAW", "partner": "SHOP", "lines": [line("FLOUR", "F-1", 45)]}
    batch = [parse_event({**document, "time": now()}) for document in (out, held, back)]  # the hold writes first
    plant.recording.record_all(batch, TESTER)
    assert plant.queries.mass_balance(F1).returned == 45


def test_a_whole_pallet_shipped_counts_as_received_by_the_customer(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    pack(plant, "FLOUR", "F-1", 40)
    record(plant, {"type": "ship", "location": "RAW", "partner": "DELI", "containers": [PALLET]})
    give_back(plant, "FLOUR", "F-1", 15, customer="DELI")
    with pytest.raises(
        ReturnExceedsShipped,
        match=exactly(
            "lines[0].qty: customer DELI received 25 kg of lot FLOUR/F-1 (net of earlier returns); the return is 26 kg"
        ),
    ):
        give_back(plant, "FLOUR", "F-1", 26, customer="DELI")
