"""The list writers: CSV and XLSX of plain values, text they cannot carry made safe, formulas kept as text."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from lotledger.interchange.tables import XLSX_CELL_LIMIT, Table, csv_chunks, file_name, write_xlsx

HEADERS = ("lot", "time (UTC)", "expiry", "qty", "note")
CHICAGO = timezone(timedelta(hours=-6))


def _csv(table: Table, batch: int = 500) -> str:
    return b"".join(csv_chunks(table, batch)).decode("utf-8")


def _sheet(table: Table) -> object:
    target = io.BytesIO()
    write_xlsx(table, target)
    return load_workbook(io.BytesIO(target.getvalue())).worksheets[0]


def test_csv_writes_the_json_forms_of_values() -> None:
    rows = [
        ["=1+2", datetime(2026, 3, 1, 6, 0, 0, 123456, tzinfo=CHICAGO), date(2026, 3, 9), Decimal("0.9071850"), None]
    ]
    assert _csv(Table("t", HEADERS, rows)) == (
        "lot,time (UTC),expiry,qty,note\r\n=1+2,2026-03-01T12:00:00.123456+00:00,2026-03-09,0.907185,\r\n"
    )


def test_xlsx_keeps_types_a_formula_like_code_as_text_and_times_in_utc() -> None:
    rows = [["=1+2", datetime(2026, 3, 1, 6, 0, 0, 123456, tzinfo=CHICAGO), date(2026, 3, 9), Decimal("12.5"), "+x"]]
    sheet = _sheet(Table("t", HEADERS, rows))
    a2, b2, c2, d2, e2 = (sheet[f"{column}2"] for column in "ABCDE")  # type: ignore[index]
    assert (a2.value, a2.data_type) == ("=1+2", "s")
    assert (e2.value, e2.data_type) == ("+x", "s")
    assert b2.value == datetime(2026, 3, 1, 12, 0, 0, 123000)  # UTC, to the millisecond
    assert c2.value == datetime(2026, 3, 9)
    assert c2.number_format == "yyyy-mm-dd"
    assert (d2.value, d2.data_type) == (12.5, "n")


def test_xlsx_header_is_bold_frozen_filtered_and_columns_sized() -> None:
    sheet = _sheet(
        Table("History of FLOUR/F:1*", HEADERS, [["F-1", datetime(2026, 3, 1, tzinfo=CHICAGO), None, 1, "a" * 80]])
    )
    assert sheet.title == "History of FLOUR-F-1-"  # type: ignore[attr-defined]
    assert all(cell.font.b for cell in sheet[1])  # type: ignore[index]
    assert sheet.freeze_panes == "A2"  # type: ignore[attr-defined]
    assert sheet.auto_filter.ref == "A1:E2"  # type: ignore[attr-defined]
    widths = {c: sheet.column_dimensions[c].width for c in "ABE"}  # type: ignore[attr-defined]
    assert widths == {"A": 12, "B": 22, "E": 40}  # at least 12, as wide as a time, at most 40


@pytest.mark.parametrize("text", ["lone \ud800 surrogate", "nul \x00 and bell \x07", "\udfff", "\ufffe"])
def test_text_neither_format_can_carry_becomes_a_replacement_character(text: str) -> None:
    table = Table("t", ("note",), [[text]])
    written = _csv(table).splitlines()[1]
    assert "\ufffd" in written
    assert _sheet(table)["A2"].value == written  # type: ignore[index]


def test_text_beyond_excels_cell_limit_is_cut_and_says_so() -> None:
    table = Table("t", ("note",), [["x" * 40_000]])
    value = _sheet(table)["A2"].value  # type: ignore[index]
    assert len(value) == XLSX_CELL_LIMIT
    assert value.endswith(" … (cut: 40000 characters; the CSV has them all)")
    assert len(_csv(table).splitlines()[1]) == 40_000


@pytest.mark.parametrize("batch", [1, 2, 500])
def test_csv_comes_in_pieces_and_an_empty_list_is_its_header(batch: int) -> None:
    rows = [[f"L{n}", None, None, n, ""] for n in range(5)]
    chunks = list(csv_chunks(Table("t", HEADERS, rows), batch))
    assert len(chunks) == 5 // batch + 1
    assert _csv(Table("t", HEADERS, []), batch) == "lot,time (UTC),expiry,qty,note\r\n"
    assert [[c.value for c in row] for row in _sheet(Table("t", HEADERS, [])).iter_rows()] == [list(HEADERS)]  # type: ignore[attr-defined]


def test_file_names_are_plain() -> None:
    assert file_name("trace", "FLOUR", '=1+2"; /x', None) == "trace_FLOUR_-1-2----x"
