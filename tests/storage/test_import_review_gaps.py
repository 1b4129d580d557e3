"""From the review of issue 13: large and odd workbooks, bounded answers, big dry runs; each test failed first."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from lotledger.bootstrap import App
from lotledger.domain.accounts import Caller, User
from lotledger.domain.errors import Forbidden
from lotledger.domain.model import LotKey
from lotledger.interchange import sheets
from lotledger.interchange.formats import read_file
from lotledger.interchange.sheets import ReadOptions
from lotledger.services import importing
from lotledger.services.importing import import_file, read_options
from lotledger.storage import ledger
from tests.factories import ADMIN, ATTRIBUTION, setup_plant

HEADER = ["event", "time", "location", "partner", "item", "lot", "qty", "uom"]


def workbook(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "receive"
    sheet.append(HEADER)
    for n in range(rows):
        lot = f"F-{n:07d}X{n * 7919 % 10007}"
        sheet.append([f"R-{n}", "2025-03-02T08:00:00Z", "RAW", "MILL", "FLOUR", lot, 1, "kg"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_dimension(data: bytes, ref: str) -> bytes:
    """The workbook with its first sheet's <dimension> rewritten (some writers put "A1" there)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename != "[Content_Types].xml"):
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = body.index(b"<dimension ref=")
                end = body.index(b"/>", start) + 2
                body = body[:start] + f'<dimension ref="{ref}"/>'.encode() + body[end:]
            target.writestr(info.filename, body)
    return out.getvalue()


def test_a_large_workbook_whose_zip_names_its_parts_last_is_told_as_xlsx() -> None:
    data = workbook(3000)
    assert len(data) > 64 * 1024  # openpyxl writes [Content_Types].xml at the end of the archive
    kind, lines = read_file(io.BytesIO(data), ReadOptions())
    assert (kind, len(list(lines))) == ("xlsx", 3000)


def test_rows_beyond_a_sheets_declared_dimension_are_read() -> None:
    _, lines = read_file(io.BytesIO(with_dimension(workbook(3), "A1")), ReadOptions())
    assert len(list(lines)) == 3


def test_a_workbook_that_unpacks_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "MAX_UNPACKED", 10_000)
    (line,) = read_file(io.BytesIO(workbook(300)), ReadOptions())[1]
    assert line.error is not None
    assert "unpacks to" in line.error.message
    assert "at most 0 MiB: split it" in line.error.message


def test_a_workbook_of_too_many_rows_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "MAX_ROWS", 50)
    (line,) = read_file(io.BytesIO(workbook(60)), ReadOptions())[1]
    assert line.error is not None
    assert line.error.message == "more than 50 rows in the workbook: split it"


def test_a_row_of_countless_wrong_cells_and_a_file_of_countless_bad_rows_get_a_bounded_answer(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup_plant(app)
    wide = b"type,sku,name,uom\nitem,A,B,kg" + b",x" * 5000 + b"\n"
    _, report = import_file(app.recording, app.master_data, wide, ReadOptions(), ADMIN, True)
    assert report.refused == len(report.errors) == sheets.MAX_ROW_REFUSALS + 1
    assert report.errors[-1].message == "more cells of this row are wrong; they are not listed"
    monkeypatch.setattr(importing, "MAX_ERRORS", 10)
    rows = b"type,sku,name,uom\nitem," + b"x" * 3000 + b",C,kg\n" + b"item,A,B,parsec\n" * 30
    _, report = import_file(app.recording, app.master_data, rows, ReadOptions(), ADMIN, True)
    assert (report.refused, len(report.errors)) == (31, 10)
    assert len(report.errors[0].message) == importing.MAX_MESSAGE  # a 3,000-character cell is not echoed whole


def test_a_dry_run_records_in_chunks_and_later_chunks_see_earlier_ones(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dry run of a file of 100,000 events must not put every id in one statement (SQLite and PostgreSQL
    bound a statement's values); its chunks are one transaction, so a shipment sees a receipt before it."""
    setup_plant(app)
    monkeypatch.setattr(ledger, "REHEARSAL_CHUNK", 2)
    runs: list[int] = []
    record = ledger.SqlLedger._record

    def counted(self: ledger.SqlLedger, conn: object, events: list[object], *rest: object) -> object:
        runs.append(len(events))
        return record(self, conn, events, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(ledger.SqlLedger, "_record", counted)
    rows = b"type,event,time,location,partner,item,lot,qty,uom\n"
    rows += b"receive,R-1,2025-03-02T08:00:00Z,RAW,MILL,FLOUR,F-1,5,kg\n"
    rows += b"receive,R-2,2025-03-02T08:01:00Z,RAW,MILL,FLOUR,F-2,5,kg\n"
    rows += b"ship,S-1,2025-03-02T09:00:00Z,RAW,SHOP,FLOUR,F-1,5,kg\n"
    rows += b"ship,S-2,2025-03-02T09:01:00Z,RAW,SHOP,FLOUR,F-1,1,kg\n"  # F-1 is gone by now
    _, report = import_file(app.recording, app.master_data, rows, ReadOptions(), ADMIN, True)
    assert (report.events, runs) == (3, [2, 2])
    assert [(e.line, e.message) for e in report.errors] == [(5, "lot FLOUR/F-1 at RAW has 0 kg, the event takes 1 kg")]
    with pytest.raises(Exception):  # noqa: B017, PT011 (nothing was written: the lot is unknown)
        app.queries.lot(LotKey("FLOUR", "F-1"))


def test_an_empty_required_cell_is_named_by_its_column(app: App) -> None:
    setup_plant(app)
    data = (
        b"event,time,location,partner,item,lot,qty,uom\r\n"
        b"R-1,2025-03-02T08:00:00Z,RAW,MILL,FLOUR,,5,kg\r\n"
        b"R-2,2025-03-02T08:00:00Z,RAW,MILL,FLOUR,F-2,,kg\r\n"
    )
    _, report = import_file(app.recording, app.master_data, data, ReadOptions(type="receive"), ADMIN, True)
    assert [(e.line, e.field, e.message) for e in report.errors] == [
        (2, "lot", "is required"),
        (3, "qty", "is required"),
    ]


def test_an_operator_may_import_a_document_whose_header_changes_nothing(app: App) -> None:
    """A lotledger partner's export repeats master data the ledger holds as it is: no admin needed for that."""
    from tests.epcis_documents import MILL_GLN, MILL_PGLN, document, encode, own_element, partner_receipt, vocabulary

    fields = {"code": MILL_GLN, "name": "Mill", "role": "supplier", "gln": MILL_GLN, "active": "true"}
    data = encode(document([partner_receipt()], [vocabulary("Party", [own_element(MILL_PGLN, fields)])]))
    options = read_options(app.settings, app.master_data)
    import_file(app.recording, app.master_data, data, options, ADMIN, False)
    operator = Caller(User(2, "floor", "operator"), ATTRIBUTION)
    _, report = import_file(app.recording, app.master_data, data, options, operator, True)
    assert (report.master, report.errors) == (0, [])
    changed = {**fields, "name": "Mill & Sons"}
    renamed = encode(document([partner_receipt()], [vocabulary("Party", [own_element(MILL_PGLN, changed)])]))
    with pytest.raises(Forbidden, match="importing master data"):
        import_file(app.recording, app.master_data, renamed, options, operator, True)
