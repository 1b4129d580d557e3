"""The recall pages on SQLite and PostgreSQL: start a recall (or a drill) on a lot, see what it affects, hold it all,
record what a customer was told and did, close it, download the notices and the FSMA 204 spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest

from lotledger.domain.model import LotKey
from tests.factories import PALLET, line, produce, receive, record, ship
from tests.web.conftest import Browser, Pages, said

WHY = "Supplier notice: undeclared sesame in flour lot M-77"
FLOUR, BREAD = LotKey("FLOUR", "F-1"), LotKey("BREAD", "B-1")


@pytest.fixture
def plant(pages: Pages) -> Pages:
    """Flour F-1 goes into bread B-1; bread goes to the shop on a pallet and loose to the deli."""
    app = pages.app
    receive(app, "FLOUR", "F-1", 100, supplier_lot="M-77")
    produce(app, [line("FLOUR", "F-1", 50)], [line("BREAD", "B-1", 100, "ea")])
    record(app, {"type": "pack", "location": "RAW", "container": PALLET, "lines": [line("BREAD", "B-1", 30, "ea")]})
    record(app, {"type": "ship", "location": "RAW", "partner": "SHOP", "reference": "SO-9", "containers": [PALLET]})
    ship(app, "BREAD", "B-1", 20, "ea", customer="DELI")
    return pages


def start(browser: Browser, **fields: Any) -> int:
    """Start a recall from the page; the number of the case the browser is sent to."""
    form = {"by": "lots", "item": "FLOUR", "lot": "F-1", "reason": WHY, **fields}
    answer = browser.post("/recalls/new", form)
    assert answer.status_code == 303, answer.text
    path, _, query = answer.headers["location"].partition("?")
    assert query == "done=opened"
    return int(path.rsplit("/", 1)[1])


def test_a_recall_started_on_a_lot_shows_the_affected_lots_the_stock_and_the_customers(plant: Pages) -> None:
    quality = plant.login("quality")
    number = start(quality)
    page = quality.get(f"/recalls/{number}?done=opened")
    assert page.status_code == 200
    assert "The recall is open." in page.text
    assert "FLOUR/F-1" in page.text
    assert "BREAD/B-1" in page.text
    assert "Shop (SHOP)" in page.text
    assert "Deli (DELI)" in page.text
    assert PALLET in page.text  # the shop's shipment, by pallet
    assert "Hold all affected lots (2 not held)" in page.text
    assert f'<a href="/recalls/{number}">' in quality.get("/recalls").text


def test_a_supplier_lot_code_finds_the_lots_received_with_it(plant: Pages) -> None:
    quality = plant.login("quality")
    number = start(quality, by="supplier_lot", supplier_lot="M-77", lot_supplier="MILL", item="", lot="")
    assert plant.app.recalls.case(number).lots == (FLOUR,)


def test_a_recall_on_an_unknown_lot_is_refused_with_the_input_kept(plant: Pages) -> None:
    quality = plant.login("quality")
    answer = quality.post("/recalls/new", {"by": "lots", "item": "FLOUR", "lot": "NOPE-9", "reason": WHY})
    assert answer.status_code == 404
    assert 'role="alert"' in answer.text
    assert "FLOUR/NOPE-9" in answer.text
    assert 'value="NOPE-9"' in answer.text
    assert plant.app.recalls.cases() == []


def test_a_window_of_days_needs_both_days(plant: Pages) -> None:
    quality = plant.login("quality")
    answer = quality.post("/recalls/new", {"by": "supplier", "supplier": "MILL", "since": "2026-03-01", "reason": WHY})
    assert answer.status_code == 422
    assert "until: is required with a supplier: a day (YYYY-MM-DD)" in answer.text


def test_hold_all_from_the_page_holds_every_affected_lot(plant: Pages) -> None:
    quality = plant.login("quality")
    number = start(quality)
    answer = quality.post(f"/recalls/{number}/hold", {}, page=f"/recalls/{number}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/recalls/{number}?done=held"
    for lot in (FLOUR, BREAD):
        assert plant.app.queries.lot(lot).holds, f"{lot} is not held"
    assert "Hold all affected lots" not in quality.get(f"/recalls/{number}").text


def test_the_hold_box_holds_everything_when_the_recall_starts(plant: Pages) -> None:
    quality = plant.login("quality")
    start(quality, hold="1")
    assert plant.app.queries.lot(BREAD).holds


def test_a_customer_is_notified_acknowledges_and_the_recall_is_closed(plant: Pages) -> None:
    quality = plant.login("quality")
    number = start(quality)
    report = f"/recalls/{number}"
    notified = quality.post(f"{report}/customers/SHOP/notified", {"via": "phone", "note": "Dana Reyes"}, page=report)
    assert notified.headers["location"] == f"{report}?done=notified"
    acknowledged = quality.post(f"{report}/customers/SHOP/acknowledged", {"note": "call back"}, page=report)
    assert acknowledged.headers["location"] == f"{report}?done=acknowledged"
    disposed = quality.post(f"{report}/customers/DELI/disposals", {"lot": "BREAD B-1 ea", "qty": "20"}, page=report)
    assert disposed.headers["location"] == f"{report}?done=disposed"
    [deli, shop] = plant.app.recalls.report(number).customers  # by code
    assert (shop.notified_via, shop.acknowledged_at is not None) == ("phone", True)
    assert deli.share_accounted == 1
    page = quality.get(report).text
    assert "by phone" in page
    assert "Dana Reyes" in page
    closed = quality.post(f"{report}/close", {"note": "all accounted for"}, page=report)
    assert closed.headers["location"] == f"{report}?done=closed"
    assert plant.app.recalls.case(number).status == "closed"
    after = quality.get(report).text
    assert "Close the recall" not in after
    assert "Record SHOP notified" not in after


def test_disposing_of_more_than_the_customer_received_is_refused_with_the_quantity_kept(plant: Pages) -> None:
    quality = plant.login("quality")
    number = start(quality)
    report = f"/recalls/{number}"
    form = {"form": "dispose DELI", "lot": "BREAD B-1 ea", "qty": "21"}
    answer = quality.post(f"{report}/customers/DELI/disposals", form, page=report)
    assert answer.status_code == 422
    assert "DELI has at most 20 ea of BREAD/B-1 left to dispose of" in answer.text
    assert 'value="21"' in answer.text
    assert [a.kind for a in plant.app.recalls.case(number).actions] == ["opened"]


def test_the_notices_download_as_a_pdf_and_as_csv_naming_the_customers(plant: Pages) -> None:
    quality = plant.login("quality")
    number = start(quality)
    pdf = quality.get(f"/recalls/{number}/notices.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    table = quality.get(f"/recalls/{number}/notices.csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert {row["customer"] for row in rows} == {"SHOP", "DELI"}
    report = quality.get(f"/recalls/{number}/report.csv")
    assert "BREAD,B-1" in report.text


def test_a_mock_drill_is_marked_timed_and_listed_with_the_drills(plant: Pages) -> None:
    quality = plant.login("quality")
    drill = start(quality, mock="1", reason="")
    real = start(quality)
    page = quality.get(f"/recalls/{drill}").text
    assert "mock drill" in page
    assert "the complete report took" in page
    assert "Hold all affected lots" not in page  # a drill holds nothing
    drills = quality.get("/recalls?mock=1").text
    assert f'<a href="/recalls/{drill}">' in drills
    assert f'<a href="/recalls/{real}">' not in drills


def test_an_operator_reads_a_recall_without_buttons_and_is_refused_its_forms(plant: Pages) -> None:
    number = start(plant.login("quality"))
    operator = plant.login("operator")
    page = operator.get(f"/recalls/{number}").text
    assert "Shop (SHOP)" in page
    assert "Hold all" not in page
    assert "Record SHOP notified" not in page
    assert "Start a recall" not in page
    refused = operator.post(f"/recalls/{number}/hold", {}, page=f"/recalls/{number}")
    assert refused.status_code == 403
    assert "this page needs the quality role; operator-user has the operator role" in refused.text
    assert not plant.app.queries.lot(BREAD).holds
    assert operator.get("/recalls/new").status_code == 403


def test_an_unknown_recall_is_a_404_page(plant: Pages) -> None:
    answer = plant.login("viewer").get("/recalls/999")
    assert answer.status_code == 404
    assert "no recall 999" in answer.text


def test_the_fsma_204_spreadsheet_downloads_as_xlsx_and_csv(plant: Pages) -> None:
    viewer = plant.login("viewer")
    assert 'action="/exports/fsma204/file"' in viewer.get("/exports/fsma204").text
    xlsx = viewer.get("/exports/fsma204/file", params={"all_items": "true", "format": "xlsx", "start": "", "end": ""})
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert book.sheetnames
    table = viewer.get("/exports/fsma204/file", params={"item": "BREAD", "lot": "B-1", "format": "csv"})
    assert table.status_code == 200
    assert "B-1" in table.text


def test_an_fsma_204_export_of_an_unknown_item_shows_the_form_again_with_the_message(plant: Pages) -> None:
    answer = plant.login("viewer").get("/exports/fsma204/file", params={"item": "NOPE", "format": "csv"})
    assert answer.status_code == 422
    assert "item: unknown item 'NOPE'" in said(answer)
    assert 'value="NOPE"' in answer.text
