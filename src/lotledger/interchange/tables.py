"""Any list as a file: a table (headers and rows of plain values) written as CSV or XLSX, as the rows come.

A value is text, a whole number, a Decimal, a date, a time or None (an empty cell). Times are written
in UTC, as the JSON answers give them (their columns say "(UTC)"): in CSV as ISO 8601 with the offset,
in XLSX as Excel times without a zone, to the millisecond. Quantities are numbers in XLSX (Excel keeps
15 significant digits; the CSV keeps every digit, written as the JSON writes them). Text is written as
it is, but for what neither format can carry: a lone surrogate or a control character becomes U+FFFD;
in XLSX text that looks like a formula (`=1+2`) stays text, and a cell longer than Excel's 32,767
characters is cut, saying so.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO, Any

from lotledger.domain.quantities import format_qty

CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
Value = str | int | Decimal | date | datetime | None
XLSX_CELL_LIMIT = 32_767  # characters Excel keeps in a cell
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # not in XML, not UTF-8
_FORMULA_START = ("=", "+", "-", "@")
_SIZING_ROWS = 100  # rows read ahead to size the columns of a sheet


@dataclass(frozen=True, slots=True)
class Table:
    """A list to write: `name` is the file's name without extension and the sheet's title; `count`
    its number of rows when known beforehand (for a progress bar)."""

    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Value]]
    count: int | None = None


def writable_text(text: str) -> str:
    """`text` with what UTF-8 and XML cannot carry (lone surrogates, control characters) as U+FFFD."""
    return _UNWRITABLE.sub("\ufffd", text)


def file_name(*parts: str | None) -> str:
    """A file name from `parts` (a list's name, an item, a lot code): letters, digits, - and _ only."""
    return "_".join(re.sub(r"[^A-Za-z0-9-]", "-", part) for part in parts if part)


# --- CSV --------------------------------------------------------------------------------


def _csv_value(value: Value) -> Any:
    if isinstance(value, str):
        return writable_text(value)
    if isinstance(value, Decimal):
        return format_qty(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]], batch: int = 500) -> Iterator[str]:
    """The CSV text of `rows` (values as they are), a few hundred rows at a time: the header, then a line a row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for n, row in enumerate(rows, start=1):
        writer.writerow(row)
        if n % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_chunks(table: Table, batch: int = 500) -> Iterator[bytes]:
    """`table` as UTF-8 CSV (one header row, CRLF line ends), in pieces as the rows come."""
    rows = ([_csv_value(value) for value in row] for row in table.rows)
    for text in csv_text([writable_text(header) for header in table.headers], rows, batch):
        yield text.encode()


# --- XLSX -------------------------------------------------------------------------------


def header_cells(sheet: Any, names: Iterable[str], note: str | None = None, widths: Sequence[int] = ()) -> None:
    """A write-only sheet's header row: bold, frozen, the columns as wide as `widths` or their names
    (12 to 40 characters); `note` a comment on the first cell."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for n, name in enumerate(names, start=1):
        cell = WriteOnlyCell(sheet, name)
        cell.font = bold
        if note and n == 1:
            cell.comment = Comment(note, "lotledger", width=300, height=80)
        cells.append(cell)
        wide = widths[n - 1] if n <= len(widths) else len(name) + 2
        sheet.column_dimensions[get_column_letter(n)].width = max(12, min(40, wide))
    sheet.append(cells)


def text_cells(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """Text stays text: a lot code or reference like "=1+2" is never a formula."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        if isinstance(value, str) and value[:1] in _FORMULA_START:
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def _xlsx_value(value: Value) -> Any:
    if isinstance(value, str):
        text = writable_text(value)
        if len(text) > XLSX_CELL_LIMIT:
            cut = f" … (cut: {len(text)} characters; the CSV has them all)"
            return text[: XLSX_CELL_LIMIT - len(cut)] + cut
        return text
    if isinstance(value, datetime):
        # Excel times have no zone (UTC, as the header says) and keep milliseconds, not microseconds
        utc = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        return utc.replace(microsecond=utc.microsecond // 1000 * 1000)
    return value


def _shown_width(value: Any) -> int:
    if isinstance(value, datetime):
        return 20
    return len(str(value)) if value is not None else 0


def write_xlsx(table: Table, target: IO[bytes]) -> None:
    """`table` as a workbook of one sheet: a bold, frozen header row with filters, columns sized
    to the first rows, times and dates as Excel dates, quantities as numbers."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(table.name))
    rows = ([_xlsx_value(value) for value in row] for row in table.rows)
    first = list(itertools.islice(rows, _SIZING_ROWS))
    headers = [writable_text(header) for header in table.headers]
    widths = [max([len(header) + 2, *(_shown_width(row[n]) + 2 for row in first)]) for n, header in enumerate(headers)]
    header_cells(sheet, headers, widths=widths)
    count = 1
    for row in itertools.chain(first, rows):
        sheet.append(_styled(sheet, row))
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(headers), 1))}{count}"
    book.save(target)


def _styled(sheet: Any, row: Sequence[Any]) -> list[Any]:
    """A row's cells: text that looks like a formula as text, times and dates shown as such."""
    from openpyxl.cell import WriteOnlyCell

    cells = text_cells(sheet, row)
    for n, value in enumerate(cells):
        if isinstance(value, date):
            cell = WriteOnlyCell(sheet, value)  # type: ignore[arg-type]  # openpyxl writes dates too
            cell.number_format = "yyyy-mm-dd hh:mm:ss" if isinstance(value, datetime) else "yyyy-mm-dd"
            cells[n] = cell
    return cells


def _sheet_title(name: str) -> str:
    """A sheet title Excel accepts: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", name)[:31] or "List"
