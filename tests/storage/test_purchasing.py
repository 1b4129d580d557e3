"""Purchase orders on SQLite and PostgreSQL: receipts against them partial and complete, the tolerance, items not
on the order, voids, cancel and close, receipts recorded the plain way, and two receivers at once."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest

from lotledger.bootstrap import App
from lotledger.domain.errors import AlreadyExists, Conflict, Forbidden, ValidationError
from lotledger.domain.events import parse_event
from lotledger.domain.model import Partner
from tests.factories import ADMIN, ATTRIBUTION, OPERATOR, exactly, line, now, record, setup_plant, void


@pytest.fixture
def plant(app: App) -> App:
    setup_plant(app)
    app.master_data.save(Partner("OATS", "Oat farm", "supplier"), ATTRIBUTION)
    return app


def order(app: App, **extra: Any) -> str:
    """100 kg flour (as 0.1 t) and 20 kg salt from the mill."""
    body = {
        "supplier": "MILL",
        "lines": [
            {"item": "FLOUR", "qty": "0.1", "uom": "t", "expected": "2026-03-05"},
            {"item": "SALT", "qty": "20", "uom": "kg"},
        ],
        **extra,
    }
    return plant_order(app, body)


def plant_order(app: App, body: dict[str, Any]) -> str:
    return app.purchasing.create(body, ADMIN).order.number


def receipt(app: App, number: str, *lines: dict[str, Any]) -> Any:
    return app.purchasing.receive(number, {"location": "RAW", "lines": list(lines)}, OPERATOR)


def test_a_partial_delivery_and_its_remainder(plant: App) -> None:
    number = order(plant)
    assert number == "PO-00001"
    report = plant.purchasing.show(number)
    assert report.status == "open"
    assert [(p.line.item, p.line.ordered, p.received, p.open) for p in report.lines] == [
        ("FLOUR", Decimal(100), Decimal(0), Decimal(100)),
        ("SALT", Decimal(20), Decimal(0), Decimal(20)),
    ]
    _, report = receipt(plant, number, line("FLOUR", "F-1", 60, supplier_lot="M-77", expiry="2027-09-30"))
    assert report.status == "partly received"
    assert [(p.received, p.open) for p in report.lines] == [(Decimal(60), Decimal(40)), (Decimal(0), Decimal(20))]
    assert [(lot.lot, lot.qty, lot.supplier_lot, str(lot.expiry)) for lot in report.lots] == [
        ("F-1", Decimal(60), "M-77", "2027-09-30")
    ]
    recorded, report = receipt(plant, number, line("FLOUR", "F-2", 40000, "g"), line("SALT", "S-1", 20))
    assert report.status == "received"
    assert [p.open for p in report.lines] == [Decimal(0), Decimal(0)]
    assert [r.id for r in report.receipts][-1] == recorded.id
    event = report.receipts[-1].document
    assert (event["reference"], event["partner"], event["type"]) == (number, "MILL", "receive")


def test_an_over_delivery_beyond_the_tolerance_is_refused_and_within_it_accepted(plant: App) -> None:
    number = order(plant, tolerance="5")
    receipt(plant, number, line("FLOUR", "F-1", 100))
    message = (
        f"line 1 (FLOUR) of {number}: ordered 100 kg, received 100 kg; 6 kg more would make 106 kg, "
        "beyond the 5% tolerance (105 kg at most)"
    )
    with pytest.raises(Conflict, match=exactly(f"lines[0].qty: {message}")):
        receipt(plant, number, line("FLOUR", "F-2", 6))
    assert plant.queries.find_lots("F-2") == []  # nothing recorded
    _, report = receipt(plant, number, line("FLOUR", "F-2", 5))
    assert report.lines[0].received == Decimal(105)


def test_under_delivery_within_the_tolerance_counts_as_received(plant: App) -> None:
    number = plant_order(plant, {"supplier": "MILL", "tolerance": "2.5", "lines": [{"item": "FLOUR", "qty": "200"}]})
    _, report = receipt(plant, number, line("FLOUR", "F-1", 195))
    assert report.status == "received"
    assert report.lines[0].open == Decimal(5)


def test_an_item_not_on_the_order_and_another_supplier_are_refused(plant: App) -> None:
    number = order(plant)
    with pytest.raises(ValidationError, match=exactly(f"lines[1].item: MILK is not on purchase order {number}")):
        receipt(plant, number, line("FLOUR", "F-1", 10), line("MILK", "M-1", 10, "L"))
    oats = _event(number, "OATS", line("FLOUR", "F-1", 10))  # the floor page's event, naming another supplier
    with pytest.raises(ValidationError, match=exactly(f"partner: purchase order {number} is from MILL, not OATS")):
        plant.purchasing.record_receipt(oats, OPERATOR)
    assert plant.purchasing.show(number).status == "open"
    assert plant.queries.find_lots("F-1") == []


def _event(number: str, partner: str, *lines: dict[str, Any]) -> Any:
    document = {"type": "receive", "time": now(), "location": "RAW", "partner": partner, "reference": number}
    return parse_event({**document, "lines": list(lines)})


def test_a_voided_receipt_reopens_the_line(plant: App) -> None:
    number = order(plant)
    recorded, report = receipt(plant, number, line("SALT", "S-1", 20))
    assert report.lines[1].open == Decimal(0)
    void(plant, recorded.id)
    report = plant.purchasing.show(number)
    assert (report.status, report.lines[1].received, report.lines[1].open) == ("open", Decimal(0), Decimal(20))
    assert report.receipts[0].voided_by is not None
    assert report.lots == []
    receipt(plant, number, line("SALT", "S-2", 20))  # the full quantity fits again


def test_a_cancelled_order_refuses_receipts_and_one_with_receipts_cannot_be_cancelled(plant: App) -> None:
    number = order(plant)
    with pytest.raises(ValidationError, match=exactly("reason: is required")):
        plant.purchasing.cancel(number, "", ADMIN)
    report = plant.purchasing.cancel(number, "Ordered twice", ADMIN)
    assert (report.status, report.order.cancel_reason) == ("cancelled", "Ordered twice")
    with pytest.raises(
        Conflict,
        match=exactly(f"reference: purchase order {number} is cancelled (Ordered twice): it takes no receipts"),
    ):
        receipt(plant, number, line("SALT", "S-1", 1))
    other = order(plant)
    receipt(plant, other, line("SALT", "S-1", 1))
    with pytest.raises(Conflict, match="close it short instead"):
        plant.purchasing.cancel(other, "Not needed", ADMIN)


def test_closing_short_makes_the_order_done_and_refuses_more(plant: App) -> None:
    number = order(plant)
    receipt(plant, number, line("FLOUR", "F-1", 50))
    report = plant.purchasing.close(number, ADMIN)
    assert report.status == "done"
    assert report.lines[0].open == Decimal(50)  # what did not come stays visible
    with pytest.raises(Conflict, match="is closed"):
        receipt(plant, number, line("FLOUR", "F-2", 10))
    with pytest.raises(Conflict, match="is closed"):
        plant.purchasing.close(number, ADMIN)


def test_a_plain_receive_event_with_the_orders_reference_counts(plant: App) -> None:
    number = order(plant)
    base = {"type": "receive", "location": "RAW", "reference": number}
    record(plant, {**base, "partner": "MILL", "lines": [line("FLOUR", "F-1", 30)]})
    record(plant, {**base, "partner": "OATS", "lines": [line("FLOUR", "F-9", 30)]})  # another supplier's: not ours
    report = plant.purchasing.show(number)
    assert (report.status, report.lines[0].received) == ("partly received", Decimal(30))
    assert [r.document["partner"] for r in report.receipts] == ["MILL"]


def test_roles_numbers_and_the_list(plant: App) -> None:
    with pytest.raises(Forbidden, match="creating a purchase order needs the admin role"):
        plant.purchasing.create({"supplier": "MILL", "lines": [{"item": "SALT", "qty": "1"}]}, OPERATOR)
    with pytest.raises(ValidationError, match=exactly("supplier: SHOP is not an active supplier")):
        plant_order(plant, {"supplier": "SHOP", "lines": [{"item": "SALT", "qty": "1"}]})
    with pytest.raises(
        ValidationError, match=exactly("lines[0].uom: unit 'L' does not convert to the item's base unit 'kg'")
    ):
        plant_order(plant, {"supplier": "MILL", "lines": [{"item": "SALT", "qty": "1", "uom": "L"}]})
    record(plant, {"type": "receive", "location": "RAW", "partner": "MILL", "reference": "PO-00007",
                   "lines": [line("SALT", "S-0", 1)]})  # fmt: skip
    assert order(plant) == "PO-00008"  # never a number the ledger carries already
    assert plant_order(plant, {"number": "MILL-2026-1", "supplier": "MILL", "lines": [{"item": "SALT", "qty": "1"}]})
    with pytest.raises(AlreadyExists):
        plant_order(plant, {"number": "MILL-2026-1", "supplier": "MILL", "lines": [{"item": "SALT", "qty": "1"}]})
    cancelled = order(plant)
    plant.purchasing.cancel(cancelled, "Wrong supplier", ADMIN)
    assert [s.order.number for s in plant.purchasing.orders()] == [cancelled, "MILL-2026-1", "PO-00008"]
    assert [s.order.number for s in plant.purchasing.orders("cancelled")] == [cancelled]
    assert [s.order.number for s in plant.purchasing.orders("open", limit=1)] == ["MILL-2026-1"]
    assert plant.purchasing.orders(supplier="OATS") == []
    with pytest.raises(ValidationError, match="status"):
        plant.purchasing.orders("shipped")


def test_two_receivers_of_the_last_quantity_at_once_only_one_passes(plant: App) -> None:
    number = order(plant)
    receipt(plant, number, line("FLOUR", "F-0", 90))
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def receive(n: int) -> None:
        barrier.wait()
        try:
            receipt(plant, number, line("FLOUR", f"F-{n + 1}", 10))
            outcomes.append("recorded")
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=receive, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["recorded"] + ["refused"] * 5
    assert plant.purchasing.show(number).lines[0].received == Decimal(100)
