"""Recall cases on SQLite and PostgreSQL: a supplier's lot recalled through production, pallets, shipments
to two customers, a voided shipment and a return; holds, notices, effectiveness, drills, and refusals."""

from __future__ import annotations

import re
import threading
from decimal import Decimal
from typing import Any

import pytest

from lotledger.bootstrap import App
from lotledger.domain.errors import Conflict, Forbidden, LotOnHold, NotFound, ValidationError
from lotledger.domain.model import LotKey, Partner
from tests.factories import (
    ADMIN,
    OPERATOR,
    PALLET,
    TESTER,
    adjust,
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
    assert (hold_event.type, [hold_event.id]) == ("hold", held.detail["events"])
    assert hold_event.document["reason"].startswith(f"recall {report.case.id}: Recall: supplier lot M-77")
    assert hold_event.location == "PLANT"  # decided for the site
    with pytest.raises(Conflict, match="everything it affects is held already"):
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


def test_a_voided_return_does_not_count(plant: App) -> None:
    recall_id = plant.recalls.open({"supplier_lot": "M-77", **WHY}, TESTER).case.id
    keyed_twice = give_back(plant, "BREAD", "B-1", 12, "ea", customer="SHOP")
    void(plant, keyed_twice.id)
    give_back(plant, "BREAD", "B-1", 5, "ea", customer="SHOP")
    shop = next(c for c in plant.recalls.report(recall_id).customers if c.partner.code == "SHOP")
    assert shop.returned == {"ea": Decimal(5)}


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


def test_recalled_product_a_customer_sends_back_after_the_hold_arrives_held(plant: App) -> None:
    ship(plant, "BREAD", "B-1", 50, "ea", customer="DELI")  # nothing of B-1 left on hand
    recall_id = plant.recalls.open({"supplier_lot": "M-77", "hold": True, **WHY}, TESTER).case.id
    assert B1 in plant.recalls.report(recall_id).held
    give_back(plant, "BREAD", "B-1", 10, "ea", customer="DELI")
    with pytest.raises(LotOnHold):
        ship(plant, "BREAD", "B-1", 10, "ea", customer="SHOP")


def test_a_hold_that_cannot_be_placed_keeps_no_case(plant: App) -> None:
    with pytest.raises(NotFound):
        plant.recalls.open({"supplier_lot": "M-77", "hold": True, "location": "NOWHERE", **WHY}, TESTER)
    with pytest.raises(ValidationError, match="a drill puts no real holds on stock"):
        plant.recalls.open({"supplier_lot": "M-77", "hold": True, "kind": "mock", **WHY}, TESTER)
    assert plant.recalls.cases() == []


def test_disposals_are_bounded_by_what_the_customer_received(plant: App) -> None:
    recall_id = plant.recalls.open({"supplier_lot": "M-77", **WHY}, TESTER).case.id
    plant.recalls.disposed(recall_id, "DELI", {"lines": [line("BREAD", "B-1", 15, "ea")]}, TESTER)
    too_much = r"lines\[0\]\.qty: DELI has at most 5 ea of BREAD/B-1 left to dispose of"
    with pytest.raises(ValidationError, match=too_much):
        plant.recalls.disposed(recall_id, "DELI", {"lines": [line("BREAD", "B-1", 6, "ea")]}, TESTER)
    plant.recalls.disposed(recall_id, "DELI", {"lines": [line("BREAD", "B-1", 5, "ea")]}, TESTER)
    report = plant.recalls.report(recall_id)
    assert report.share_accounted == Decimal(20) / Decimal(50)  # the shop's 30 are not covered by the deli


def test_voided_returns_and_receipts_count_for_nothing(plant: App) -> None:
    wrong = receive(plant, "FLOUR", "F-3", 5, supplier_lot="M-79")
    void(plant, wrong.id)
    window = {"supplier": "MILL", "since": "2026-01-01T00:00:00Z", "until": "2026-12-31T00:00:00Z"}
    assert LotKey("FLOUR", "F-3") not in plant.recalls.open({**window, **WHY}, TESTER).case.lots
    recall_id = plant.recalls.open({"supplier_lot": "M-77", **WHY}, TESTER).case.id
    back = give_back(plant, "BREAD", "B-1", 12, "ea", customer="SHOP")
    void(plant, back.id)
    assert plant.recalls.report(recall_id).customers[1].returned == {}


def test_a_supplier_lot_code_matches_exactly_and_may_be_tied_to_its_supplier(plant: App) -> None:
    receive(plant, "SALT", "M-77", 5, supplier_lot="S-1")  # our lot code equal to MillCo's lot code
    assert plant.recalls.open({"supplier_lot": "M-77", **WHY}, TESTER).case.lots == (F1,)
    tied = plant.recalls.open({"supplier_lot": "M-77", "supplier": "MILL", **WHY}, TESTER)
    assert (tied.case.lots, tied.case.scope.describe()) == ((F1,), "supplier lot M-77 from MILL")
    with pytest.raises(NotFound, match="no lot was received from SHOP with supplier lot code 'M-77'"):
        plant.recalls.open({"supplier_lot": "M-77", "supplier": "SHOP", **WHY}, TESTER)


def test_a_drill_keeps_what_it_found_when_it_ran(plant: App) -> None:
    adjust(plant, "FLOUR", "F-1", -5, reason="spilled")  # 5 of F-1's 100 kg went nowhere the ledger knows
    drill = plant.recalls.open({"kind": "mock", "supplier_lot": "M-77", **WHY}, TESTER)
    assert drill.traced == Decimal("0.95")
    stored = plant.recalls.case(drill.case.id)
    assert stored.report_seconds == drill.case.report_seconds
    [reported] = [a.detail for a in stored.actions if a.kind == "reported"]
    assert (reported["affected_lots"], reported["customers"], reported["traced"]) == (3, 2, "0.95")
    adjust(plant, "FLOUR", "F-1", -10, reason="spilled again")  # the books change after the drill
    assert plant.recalls.report(drill.case.id).traced == Decimal("0.85")
    [(_, traced)] = plant.recalls.cases("mock")
    assert traced == Decimal("0.95")


@pytest.mark.parametrize(
    ("act", "field"),
    [
        (lambda p, r: p.recalls.notified(r, "SHOP", {"via": "email", "notes": "typo"}, TESTER), "notes"),
        (lambda p, r: p.recalls.acknowledged(r, "SHOP", {"by": "Dana"}, TESTER), "by"),
        (lambda p, r: p.recalls.close(r, {"reason": "done"}, TESTER), "reason"),
        (lambda p, r: p.recalls.disposed(r, "DELI", {"lines": [line("BREAD", "B-1", 1, "ea", cert="7")]}, TESTER),
         "cert"),
        (lambda p, r: p.recalls.disposed(r, "DELI", {"lines": [line("BREAD", "B-1", 1, "ea")], "x": 1}, TESTER), "x"),
    ],
)  # fmt: skip
def test_an_unknown_field_on_a_recall_action_is_refused(plant: App, act: Any, field: str) -> None:
    recall_id = plant.recalls.open({"supplier_lot": "M-77", **WHY}, TESTER).case.id
    with pytest.raises(ValidationError, match=field):
        act(plant, recall_id)
    assert [a.kind for a in plant.recalls.case(recall_id).actions] == ["opened"]


def test_the_same_hold_sent_twice_at_once_is_recorded_once(plant: App) -> None:
    recall_id = plant.recalls.open({"supplier_lot": "M-77", **WHY}, TESTER).case.id
    outcomes: list[str] = []

    def hold() -> None:
        try:
            plant.recalls.hold(recall_id, TESTER)
            outcomes.append("held")
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=hold) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["held", "refused", "refused", "refused"]
    assert [a.kind for a in plant.recalls.case(recall_id).actions] == ["opened", "held"]
    assert [e.type for e in plant.queries.history(F1)].count("hold") == 1


def test_a_hold_whose_events_cannot_be_recorded_says_so_in_the_log(plant: App, monkeypatch: pytest.MonkeyPatch) -> None:
    recall_id = plant.recalls.open({"supplier_lot": "M-77", **WHY}, TESTER).case.id

    def refuse(*_: object) -> None:
        raise Conflict("the ledger refused it", "lots")

    monkeypatch.setattr(plant.recording, "record_all", refuse)
    with pytest.raises(Conflict, match="the ledger refused it"):
        plant.recalls.hold(recall_id, TESTER)
    actions = plant.recalls.case(recall_id).actions
    assert [a.kind for a in actions] == ["opened", "held", "note"]
    assert actions[-1].detail["note"] == "the hold above was not recorded: lots: the ledger refused it"
    assert plant.recalls.report(recall_id).held == []
