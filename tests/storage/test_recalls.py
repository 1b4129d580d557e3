"""Recall cases on SQLite and PostgreSQL: a supplier's lot recalled through production, pallets, shipments
to two customers, a voided shipment and a return; holds, notices, effectiveness, drills, and refusals."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from lotledger.bootstrap import App
from lotledger.domain.errors import Conflict, Forbidden, NotFound, ValidationError
from lotledger.domain.model import LotKey, Partner
from tests.factories import (
    ADMIN,
    OPERATOR,
    PALLET,
    TESTER,
    exactly,
    give_back,
    line,
    produce,
    receive,
    record,
    setup_plant,
    ship,
    void,
)

F1, F2, D1, B1 = LotKey("FLOUR", "F-1"), LotKey("FLOUR", "F-2"), LotKey("DOUGH", "D-1"), LotKey("BREAD", "B-1")
WHY = {"reason": "Supplier notice: undeclared sesame in flour lot M-77"}


@pytest.fixture
def plant(app: App) -> App:
    """Flour F-1 (MillCo lot M-77) goes into dough D-1 and bread B-1; bread goes out loose to the deli and on a
    pallet to the shop; F-2 (another supplier lot) stays apart. One shipment is voided; the shop returns some."""
    setup_plant(app)
    app.master_data.update(
        Partner,
        "SHOP",
        {"name": "Shop", "role": "customer", "contact": "Dana Reyes", "email": "qa@shop.example", "phone": "555 0100"},
        ADMIN,
    )
    receive(app, "FLOUR", "F-1", 100, supplier_lot="M-77")
    receive(app, "FLOUR", "F-2", 50, supplier_lot="M-78")
    produce(app, [line("FLOUR", "F-1", 60)], [line("DOUGH", "D-1", 60)])
    produce(app, [line("DOUGH", "D-1", 50, location="RAW")], [line("BREAD", "B-1", 100, "ea")])
    ship(app, "BREAD", "B-1", 20, "ea", customer="DELI")
    wrong = ship(app, "BREAD", "B-1", 5, "ea", customer="DELI")
    void(app, wrong.id)
    record(app, {"type": "pack", "location": "RAW", "container": PALLET, "lines": [line("BREAD", "B-1", 30, "ea")]})
    record(app, {"type": "ship", "location": "RAW", "partner": "SHOP", "reference": "SO-9", "containers": [PALLET]})
    ship(app, "FLOUR", "F-2", 10, customer="SHOP")
    return app


def test_a_supplier_lot_recall_finds_every_affected_lot_stock_customer_and_exposure(plant: App) -> None:
    report = plant.recalls.open({"supplier_lot": "M-77", **WHY}, TESTER)
    case = report.case
    assert (case.kind, case.status, case.lots) == ("recall", "open", (F1,))
    assert case.title == "Recall: supplier lot M-77"
    assert [(lot.lot, lot.depth) for lot in report.lots] == [(F1, 0), (D1, 1), (B1, 2)]
    on_hand = {(s.lot, s.location, s.container): s.qty for s in report.on_hand}
    assert on_hand == {(F1, "RAW", ""): Decimal(40), (D1, "RAW", ""): Decimal(10), (B1, "RAW", ""): Decimal(50)}
    shipped = [(s.customer, s.lot, s.qty, s.container) for s in report.shipments]
    assert shipped == [("DELI", B1, Decimal(20), ""), ("SHOP", B1, Decimal(30), PALLET)]  # the void left out
    [deli, shop] = report.customers
    assert (shop.partner.contact, shop.partner.email, shop.shipments, shop.shipped) == (
        "Dana Reyes",
        "qa@shop.example",
        1,
        {"ea": Decimal(30)},
    )
    assert deli.shipped == {"ea": Decimal(20)}
    # D-1 is all F-1; 50 kg of it made 100 loaves: each loaf embodies 0.5 kg of F-1
    assert (deli.exposure, shop.exposure) == (Decimal(10), Decimal(15))
    assert (report.exposure_by_lot[D1], report.exposure_by_lot[B1]) == (Decimal(60), Decimal(50))
    assert report.uom == "kg"
    assert report.traced == Decimal(1)  # F-1's books add up


def test_recalls_open_on_named_lots_and_on_a_suppliers_deliveries_in_a_window(plant: App) -> None:
    named = plant.recalls.open({"lots": [{"item": "DOUGH", "lot": "D-1"}], **WHY}, TESTER)
    assert [lot.lot for lot in named.lots] == [D1, B1]
    window = {"supplier": "MILL", "since": "2026-01-01T00:00:00Z", "until": "2026-12-31T00:00:00Z"}
    delivered = plant.recalls.open({**window, **WHY}, TESTER)
    assert delivered.case.lots == (F1, F2)
    assert {c.partner.code for c in delivered.customers} == {"DELI", "SHOP"}
    assert [c.id for c, _ in plant.recalls.cases()] == [delivered.case.id, named.case.id]


def test_one_action_holds_everything_affected_still_on_hand(plant: App) -> None:
    report = plant.recalls.open({"supplier_lot": "M-77", "hold": True, **WHY}, TESTER)
    assert report.held == [B1, D1, F1]
    [held] = [a for a in report.case.actions if a.kind == "held"]
    hold_event = plant.queries.history(F1)[-1]
    assert (hold_event.type, hold_event.id) == ("hold", held.detail["event"])
    assert hold_event.document["reason"].startswith(f"recall {report.case.id}: Recall: supplier lot M-77")
    assert hold_event.location == "PLANT"  # decided for the site
    with pytest.raises(Conflict, match="nothing it affects is on hand unheld"):
        plant.recalls.hold(report.case.id, TESTER)


def test_customers_notified_acknowledged_returned_and_disposed_make_the_effectiveness_check(plant: App) -> None:
    recall_id = plant.recalls.open({"supplier_lot": "M-77", **WHY}, TESTER).case.id
    plant.recalls.notified(recall_id, "SHOP", {"via": "email", "note": "Dana Reyes"}, TESTER)
    plant.recalls.acknowledged(recall_id, "SHOP", {}, TESTER)
    give_back(plant, "BREAD", "B-1", 12, "ea", customer="SHOP")
    give_back(plant, "FLOUR", "F-2", 10, customer="SHOP")  # another lot: not this recall's
    plant.recalls.disposed(recall_id, "DELI", {"lines": [line("BREAD", "B-1", 20, "ea")]}, TESTER)
    report = plant.recalls.report(recall_id)
    assert report.case.status == "notified"
    deli, shop = report.customers
    assert (shop.notified_via, shop.acknowledged_at is not None, shop.returned) == ("email", True, {"ea": Decimal(12)})
    assert shop.share_accounted == Decimal("0.4")
    assert (deli.disposed, deli.share_accounted, deli.notified_at) == ({"ea": Decimal(20)}, Decimal(1), None)
    assert report.share_accounted == Decimal(32) / Decimal(50)


def test_a_closed_recall_takes_nothing_more(plant: App) -> None:
    recall_id = plant.recalls.open({"supplier_lot": "M-77", **WHY}, TESTER).case.id
    closed = plant.recalls.close(recall_id, {"note": "all product accounted for"}, TESTER)
    assert closed.case.status == "closed"
    closed_now = f"recall: recall {recall_id} is closed; nothing more can be recorded on it"
    with pytest.raises(Conflict, match=exactly(closed_now)):
        plant.recalls.notified(recall_id, "SHOP", {"via": "phone"}, TESTER)
    with pytest.raises(Conflict):
        plant.recalls.close(recall_id, {}, TESTER)
    assert [a.kind for a in plant.recalls.case(recall_id).actions] == ["opened", "closed"]


def test_a_mock_recall_is_marked_timed_and_kept(plant: App) -> None:
    drill = plant.recalls.open({"kind": "mock", "supplier_lot": "M-77", **WHY}, TESTER)
    assert drill.case.kind == "mock"
    assert drill.case.title.startswith("Mock recall:")
    assert drill.case.report_seconds is not None
    assert 0 < drill.case.report_seconds < 60
    [(kept, traced)] = plant.recalls.cases("mock")
    assert (kept.id, traced) == (drill.case.id, Decimal(1))
    assert plant.recalls.cases("recall") == []


def test_notices_list_what_each_customer_received(plant: App) -> None:
    recall_id = plant.recalls.open({"supplier_lot": "M-77", **WHY}, TESTER).case.id
    deli, shop = plant.recalls.notices(recall_id)
    assert (shop.customer.contact, [(n.item_name, n.lot, n.qty, n.uom, n.reference, n.sscc) for n in shop.lines]) == (
        "Dana Reyes",
        [("Bread", "B-1", Decimal(30), "ea", "SO-9", PALLET)],
    )
    assert [(n.lot, n.qty) for n in deli.lines] == [("B-1", Decimal(20))]
    assert [n.customer.code for n in plant.recalls.notices(recall_id, "DELI")] == ["DELI"]


@pytest.mark.parametrize(
    ("scope", "error", "message"),
    [
        ({}, ValidationError, "scope: give exactly one of lots, supplier_lot, or supplier with since and until"),
        ({"supplier_lot": "M-77", "lots": [{"item": "FLOUR", "lot": "F-1"}]}, ValidationError, "scope: give exactly"),
        ({"supplier_lot": "NOPE"}, NotFound, "supplier_lot: no lot was received with supplier lot code 'NOPE'"),
        ({"lots": [{"item": "FLOUR", "lot": "F-9"}]}, NotFound, "unknown lot FLOUR/F-9"),
        ({"supplier": "MILL", "since": "2026-12-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, ValidationError,
         "until: since (2026-12-01T00:00:00+00:00) must be before until"),
        ({"supplier": "MILL", "since": "0001-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, ValidationError,
         "since:"),
        ({"supplier": "NOBODY", "since": "2026-01-01T00:00:00Z", "until": "2026-02-01T00:00:00Z"}, NotFound,
         "partner"),
        ({"supplier_lot": "M-77", "kind": "drill"}, ValidationError, "kind: 'drill' is not one of recall, mock"),
        ({"supplier_lot": "M-77", "colour": "red"}, ValidationError, "colour"),
    ],
)  # fmt: skip
def test_a_recall_that_cannot_be_opened_says_why_and_records_nothing(
    plant: App, scope: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        plant.recalls.open({**WHY, **scope}, TESTER)
    assert plant.recalls.cases() == []


def test_only_quality_opens_recalls_and_records_on_them(plant: App) -> None:
    with pytest.raises(Forbidden):
        plant.recalls.open({"supplier_lot": "M-77", **WHY}, OPERATOR)
    recall_id = plant.recalls.open({"supplier_lot": "M-77", **WHY}, TESTER).case.id
    for act in (
        lambda: plant.recalls.notified(recall_id, "SHOP", {"via": "email"}, OPERATOR),
        lambda: plant.recalls.hold(recall_id, OPERATOR),
        lambda: plant.recalls.close(recall_id, {}, OPERATOR),
    ):
        with pytest.raises(Forbidden):
            act()


def test_customer_actions_name_a_customer_and_lots_the_recall_covers(plant: App) -> None:
    recall_id = plant.recalls.open({"supplier_lot": "M-77", **WHY}, TESTER).case.id
    with pytest.raises(ValidationError, match=exactly("customer: MILL received nothing this recall covers")):
        plant.recalls.notified(recall_id, "MILL", {"via": "email"}, TESTER)
    with pytest.raises(ValidationError, match="via: 'pigeon' is not one of"):
        plant.recalls.notified(recall_id, "SHOP", {"via": "pigeon"}, TESTER)
    with pytest.raises(ValidationError, match=r"lines\[0\]: DELI received no FLOUR/F-2 in kg under this recall"):
        plant.recalls.disposed(recall_id, "DELI", {"lines": [line("FLOUR", "F-2", 1)]}, TESTER)
    with pytest.raises(ValidationError, match=r"lines\[0\]\.qty: must be more than zero"):
        plant.recalls.disposed(recall_id, "DELI", {"lines": [line("BREAD", "B-1", 0, "ea")]}, TESTER)
    assert [a.kind for a in plant.recalls.case(recall_id).actions] == ["opened"]
