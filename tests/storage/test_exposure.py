"""Exposure (docs/concepts.md, Exposure): a root lot's quantity followed through produce events to customers.

The SQL ledger's exposure on SQLite and PostgreSQL (the in-memory ledger has no traces)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lotledger.bootstrap import App
from lotledger.domain.model import LotKey
from tests.factories import give_back, line, produce, receive, setup_plant, ship, void

F1, F2 = LotKey("FLOUR", "F-1"), LotKey("FLOUR", "F-2")
D1, D2, B1 = LotKey("DOUGH", "D-1"), LotKey("DOUGH", "D-2"), LotKey("BREAD", "B-1")


@pytest.fixture
def plant(app: App) -> App:
    setup_plant(app)
    return app


def test_a_produce_with_several_outputs_splits_the_exposure_by_quantity(plant: App) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    produce(plant, [line("FLOUR", "F-1", 100)], [line("DOUGH", "D-1", 300), line("DOUGH", "D-2", 100)])
    ship(plant, "DOUGH", "D-1", 150, customer="SHOP")
    ship(plant, "DOUGH", "D-2", 50, customer="DELI")
    exposure = plant.queries.exposure(F1)
    assert exposure.lots == {F1: 100, D1: 75, D2: 25}
    assert exposure.customers == {"SHOP": Decimal("37.5"), "DELI": Decimal("12.5")}
    assert exposure.on_hand == {D1: Decimal("37.5"), D2: Decimal("12.5")}
    assert exposure.uom == "kg"


def test_several_inputs_and_outputs_share_in_proportion(plant: App) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    receive(plant, "FLOUR", "F-2", 300)
    both = [line("FLOUR", "F-1", 100), line("FLOUR", "F-2", 300)]
    produce(plant, both, [line("DOUGH", "D-1", 100), line("DOUGH", "D-2", 300)])
    ship(plant, "DOUGH", "D-2", 300, customer="SHOP")
    # F-1 is a quarter of everything made: a quarter of D-1 (25) and of D-2 (75), all of it shipped.
    exposure = plant.queries.exposure(F1)
    assert exposure.lots == {F1: 100, D1: 25, D2: 75}
    assert exposure.customers == {"SHOP": Decimal(75)}
    assert exposure.on_hand == {D1: Decimal(25)}


def test_a_return_by_one_customer_does_not_change_another_customers_exposure(plant: App) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    produce(plant, [line("FLOUR", "F-1", 100)], [line("BREAD", "B-1", 200, "ea")])
    ship(plant, "BREAD", "B-1", 100, "ea", customer="SHOP")
    ship(plant, "BREAD", "B-1", 60, "ea", customer="DELI")
    before = plant.queries.exposure(F1).customers
    assert before == {"SHOP": Decimal(50), "DELI": Decimal(30)}
    give_back(plant, "BREAD", "B-1", 40, "ea", customer="SHOP")
    after = plant.queries.exposure(F1)
    assert after.customers["DELI"] == before["DELI"] == 30
    assert after.customers["SHOP"] == 30  # (100 - 40) of 200 loaves, of 100 kg of F-1
    assert after.on_hand == {B1: Decimal(40)}  # what was never shipped (40) and what came back (40), in F-1 kg


def test_a_customer_that_returned_everything_has_no_exposure_left(plant: App) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    ship(plant, "FLOUR", "F-1", 30, customer="SHOP")
    give_back(plant, "FLOUR", "F-1", 30, customer="SHOP")
    assert plant.queries.exposure(F1).customers.get("SHOP", Decimal(0)) == 0


def test_a_voided_shipment_is_no_exposure(plant: App) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    shipped = ship(plant, "FLOUR", "F-1", 30, customer="SHOP")
    ship(plant, "FLOUR", "F-1", 20, customer="DELI")
    void(plant, shipped.id, "wrong customer")
    assert plant.queries.exposure(F1).customers == {"DELI": Decimal(20)}


def test_a_voided_produce_takes_its_outputs_out_of_the_exposure(plant: App) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    made = produce(plant, [line("FLOUR", "F-1", 10)], [line("DOUGH", "D-1", 10)])
    produce(plant, [line("FLOUR", "F-1", 10)], [line("DOUGH", "D-2", 10)])
    void(plant, made.id, "wrong input lot")
    assert plant.queries.exposure(F1).lots == {F1: 100, D2: 10}
