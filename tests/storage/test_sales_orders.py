"""Sales orders on SQLite and PostgreSQL: the FEFO pick list (held, expired and too-short lots passed over),
shipments checked against the order, status from the ledger, closing short, a wrong scan refused."""

from __future__ import annotations

import base64
import re
import zlib
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from lotledger.domain.errors import Conflict
from lotledger.domain.events import parse_event
from tests.factories import ADMIN, OPERATOR, PALLET, hold, line, now, receive, record, setup_plant, void


def pdf_text(pdf: bytes) -> str:
    """The text operators of a reportlab PDF's page streams (ASCII85 and Flate encoded), without pypdf."""
    streams = re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S)
    return "".join(zlib.decompress(base64.a85decode(raw.strip(), adobe=True)).decode("latin-1") for raw in streams
                   if raw.strip().endswith(b"~>"))  # fmt: skip


def _stock(app: Any) -> None:
    """Bread in FG: B-1 expired, B-2 held, B-3 good for 7 days, B-4 for 20, received in that order."""
    setup_plant(app)
    today = app.selling.today()
    for lot, days in (("B-1", -3), ("B-2", 6), ("B-3", 7), ("B-4", 20)):
        expiry = (today + timedelta(days=days)).isoformat()
        receive(app, "BREAD", lot, 10, "ea", location="FG", expiry=expiry)
    hold(app, "BREAD", "B-2")


def _order(app: Any, qty: str = "15", days: int = 0) -> str:
    made = app.selling.create({"customer": "SHOP", "min_shelf_days": days, "lines": [
        {"item": "BREAD", "qty": qty}]}, ADMIN)  # fmt: skip
    number: str = made.order.number
    return number


def test_the_pick_list_is_first_expired_first_out_past_held_and_expired_lots(app: Any) -> None:
    _stock(app)
    report = app.selling.show(_order(app))
    assert report.order.number == "SO-00001"
    (pick,) = report.pick_list
    assert [(p.stock.lot, p.take) for p in pick.suggestion.picks] == [("B-3", 10), ("B-4", 5)]
    assert [(k.stock.lot, k.why) for k in pick.suggestion.skipped] == [("B-1", "expired"), ("B-2", "held")]
    assert pick.suggestion.short == 0


def test_a_minimum_remaining_shelf_life_skips_the_short_lot(app: Any) -> None:
    _stock(app)
    (pick,) = app.selling.show(_order(app, "5", days=10)).pick_list
    assert [(p.stock.lot, p.take) for p in pick.suggestion.picks] == [("B-4", 5)]
    assert ("B-3", "too short a shelf life") in [(k.stock.lot, k.why) for k in pick.suggestion.skipped]
    number = _order(app, "5", days=10)
    with pytest.raises(Conflict, match=r"B-3 .* too short a shelf life"):
        app.selling.ship(number, {"location": "FG", "lines": [{"item": "BREAD", "lot": "B-3", "qty": "5"}]}, OPERATOR)


def test_a_short_shipped_order_is_closed_short_and_done(app: Any) -> None:
    _stock(app)
    number = _order(app)
    ship = {"location": "FG", "lines": [{"item": "BREAD", "lot": "B-3", "qty": "10", "uom": "ea"}]}
    recorded, report = app.selling.ship(number, ship, OPERATOR)
    assert (report.status, report.lines[0].shipped, report.lines[0].open) == ("partly shipped", 10, 5)
    assert [(lot.lot, lot.qty) for lot in report.lots] == [("B-3", Decimal(10))]
    with pytest.raises(Conflict, match="has shipments: close it short"):
        app.selling.cancel(number, "customer changed their mind", ADMIN)
    with pytest.raises(Conflict, match="more than still open"):
        app.selling.ship(number, {"location": "FG", "lines": [{"item": "BREAD", "lot": "B-4", "qty": "6"}]}, OPERATOR)
    void(app, recorded.id)
    assert app.selling.show(number).status == "open"  # a voided shipment nets out
    app.selling.ship(number, ship, OPERATOR)
    done = app.selling.close(number, ADMIN)
    assert (done.status, done.pick_list) == ("done", [])
    with pytest.raises(Conflict, match="is closed"):
        app.selling.ship(number, {"location": "FG", "lines": [{"item": "BREAD", "lot": "B-4", "qty": "1"}]}, OPERATOR)


def test_a_scan_the_order_cannot_take_is_refused_with_the_reason(app: Any) -> None:
    _stock(app)
    number = _order(app)
    assert app.selling.scan(number, "LOT:BREAD:B-3")["line"] == {"item": "BREAD", "lot": "B-3", "qty": "10",
                                                                  "uom": "ea"}  # fmt: skip
    with pytest.raises(Conflict, match=r"B-2 .* held"):
        app.selling.scan(number, "LOT:BREAD:B-2")
    with pytest.raises(Conflict, match=r"B-1 .* expired"):
        app.selling.scan(number, "LOT:BREAD:B-1")
    receive(app, "FLOUR", "F-1", 5, location="FG")
    with pytest.raises(Conflict, match=r"F-1 .* not on the order"):
        app.selling.scan(number, "LOT:FLOUR:F-1", "5")
    with pytest.raises(Conflict, match="more than still open"):
        app.selling.scan(number, "LOT:BREAD:B-4", "16")
    assert app.selling.show(number).status == "open"  # a scan records nothing


def test_the_delivery_note_lists_lots_best_before_dates_and_ssccs(app: Any) -> None:
    _stock(app)
    number = _order(app)
    record(app, {"type": "pack", "location": "FG", "container": PALLET, "lines": [line("BREAD", "B-4", 5, "ea")]})
    ship = {"location": "FG", "lines": [{"item": "BREAD", "lot": "B-3", "qty": "10"}], "containers": [PALLET]}
    _, report = app.selling.ship(number, ship, OPERATOR)
    assert report.status == "shipped"
    pdf = app.selling.delivery_note(number)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    best_before = (app.selling.today() + timedelta(days=20)).isoformat()
    for shown in (number, "B-3", "B-4", best_before, PALLET, "Shop", "10 ea", "5 ea"):
        assert shown in text, shown


def test_a_shipment_landing_first_is_counted_in_the_ledgers_transaction(app: Any, monkeypatch: Any) -> None:
    _stock(app)
    number = _order(app, "10")
    checked = app.selling.recording.check

    def meanwhile(event: Any, who: Any) -> None:  # another picker ships the same order after our first look
        checked(event, who)
        app.selling.recording.record(parse_event({**document, "time": now(), "reference": number}), OPERATOR)

    document = {"type": "ship", "location": "FG", "partner": "SHOP", "lines": [line("BREAD", "B-4", 6, "ea")]}
    monkeypatch.setattr(app.selling.recording, "check", meanwhile)
    with pytest.raises(Conflict, match="more than still open"):
        app.selling.ship(number, {"location": "FG", "lines": [{"item": "BREAD", "lot": "B-3", "qty": "6"}]}, OPERATOR)
    assert app.selling.show(number).lines[0].shipped == 6
