"""The /imports page: upload a register, see the dry run's bad rows, import it; templates linked."""

from __future__ import annotations

import re

from lotledger.domain.model import LotKey
from lotledger.domain.records import EventFilter
from tests.epcis_documents import DOCK_GLN, FLOUR_GTIN, MILL_GLN, document, encode, partner_receipt
from tests.legacy_register import csv_bytes, register_xlsx
from tests.web.conftest import Browser, Pages, csrf_of, said

_STASH = re.compile(r'name="stash" value="([0-9a-f]{64})"')


def upload(browser: Browser, data: bytes, mapping: bytes = b"", kind: str = "", csrf: str | None = None) -> str:
    token = csrf if csrf is not None else csrf_of(browser.get("/imports").text)
    files = {"file": ("register.bin", data), "mapping": ("mapping.toml", mapping)}
    answer = browser.client.post("/imports/check", data={"csrf": token, "type": kind}, files=files)
    return f"{answer.status_code} {said(answer)}"


def events(pages: Pages) -> int:
    return len(pages.app.queries.events(EventFilter(), limit=1000).events)


def test_a_register_is_checked_then_imported(pages: Pages) -> None:
    admin = pages.login("admin")
    checked = upload(admin, register_xlsx())
    assert checked.startswith("200 ")
    assert "Dry run: nothing written (xlsx)" in checked
    assert "Would store 3 events" in checked
    assert events(pages) == 0
    stash = _STASH.search(checked)
    assert stash is not None
    done = admin.post("/imports/commit", {"stash": stash.group(1)}, page="/imports")
    assert done.status_code == 200
    assert "Stored 3 events" in said(done)
    assert "6 master-data records saved" in said(done)
    assert pages.app.queries.lot(LotKey("BAR", "B-1")).origin == "produced"
    again = admin.post("/imports/commit", {"stash": stash.group(1)}, page="/imports")
    assert again.status_code == 404  # imported: no longer kept


def test_bad_rows_are_listed_with_their_column_and_reason(pages: Pages) -> None:
    rows = [
        ["Date", "location", "partner", "item", "lot", "qty", "uom"],
        ["02/03/2025", "RAW", "MILL", "FLOUR", "F-1", "lots", "kg"],
    ]
    mapping = b'type = "receive"\ndate_format = "%d/%m/%Y"\n[columns]\nDate = "time"\n'
    checked = upload(pages.login("operator"), csv_bytes(rows), mapping)
    assert "<td>2</td><td>qty</td><td>expected a number, got 'lots'</td>" in checked
    assert "Import the good rows" not in checked  # every row is bad: nothing to import


def test_refusals_are_shown_on_the_form(pages: Pages) -> None:
    operator = pages.login("operator")
    assert "403 " in upload(operator, register_xlsx())[:4]
    assert "row 2: importing master data (item) needs the admin role" in upload(operator, register_xlsx())
    assert "file: not a file lotledger imports" in upload(operator, b"\x89PNG\r\n")
    assert "422 " in upload(operator, b"a,b\n", b"colour = 1\n")[:4]
    assert "form is out of date" in upload(operator, b"a,b\n", csrf="forged")
    assert events(pages) == 0


def test_viewers_are_refused_and_templates_are_linked(pages: Pages) -> None:
    assert pages.login("viewer").get("/imports").status_code == 403
    operator = pages.login("operator")
    form = operator.get("/imports").text
    assert 'href="/imports"' in form
    assert 'href="/imports/templates/all?format=xlsx"' in form
    workbook = operator.get("/imports/templates/all?format=xlsx")
    assert (workbook.status_code, workbook.content[:2]) == (200, b"PK")
    assert operator.get("/imports/templates/receive?format=csv").text.startswith("event,id,time,location")
    assert operator.get("/imports/templates/sell").status_code == 404


def test_a_partners_epcis_document_is_checked_then_imported_naming_what_it_creates(pages: Pages) -> None:
    admin = pages.login("admin")
    checked = upload(admin, encode(document([partner_receipt()])))
    assert "Dry run: nothing written (epcis)" in checked
    assert f"Would create: location {DOCK_GLN}, partner {MILL_GLN}, item {FLOUR_GTIN}." in checked
    stash = _STASH.search(checked)
    assert stash is not None
    done = said(admin.post("/imports/commit", {"stash": stash.group(1)}, page="/imports"))
    assert "Stored 1 event" in done
    assert f"partner {MILL_GLN}" in done
    assert pages.app.queries.lot(LotKey(FLOUR_GTIN, "F-77")).origin == "received"
