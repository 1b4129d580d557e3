"""A legacy lot register (CSV or XLSX) read into the same `Line` stream as JSON Lines.

The columns are those of `sheet_columns` (or a mapping file's names for them).
A row's type comes from its `type` column, else from its sheet's name (an
XLSX sheet called "receive"), else from the mapping or `--type`. A `Line`'s
number is the spreadsheet's row number, and an error's field is the column's
header as the file writes it (`Sheet!Header` in a workbook of several
sheets). Events without an `id` get one derived from their content, as in
JSON Lines, so importing the same register twice stores each event once.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import IO, Any

from lotledger.domain.errors import LotledgerError, ValidationError
from lotledger.interchange.epcis_ids import Identifiers
from lotledger.interchange.epcis_names import KnownMaster
from lotledger.interchange.jsonl import Cells, Line, locate, parse_record
from lotledger.interchange.sheet_columns import COLUMNS, EVENT_HEADER, IGNORE, MASTER, SIDES, CellFormat, cell_value
from lotledger.interchange.sheet_mapping import NO_MAPPING, Mapping

MAX_ROWS = 1_000_000  # rows of a workbook: a register beyond it is split (and a bomb refused)
MAX_ROW_REFUSALS = 20  # a row's wrong cells listed, at most (a row of millions of cells says so once)
MAX_UNPACKED = 512 * 2**20  # bytes a workbook may unpack to: XLSX is zipped XML, 20-50 times its size


@dataclass(frozen=True, slots=True)
class ReadOptions:
    zone: tzinfo = UTC  # times written without an offset are the plant's
    type: str | None = None  # every row's type when neither a column nor the sheet's name says
    mapping: Mapping = NO_MAPPING
    ids: Identifiers | None = None  # EPCIS: how this plant names things (None: no EPCIS file is read)
    known: KnownMaster | None = None  # EPCIS: the ledger's items, locations and partners by GS1 key

    def __post_init__(self) -> None:
        if self.type is not None and self.type not in COLUMNS:
            raise ValidationError(f"{self.type!r} is not a record type; expected one of {', '.join(COLUMNS)}", "type")


@dataclass(frozen=True, slots=True)
class _Sheet:
    name: str | None  # None for a CSV
    rows: Sequence[tuple[int, Sequence[Any]]]  # row number, cells; the first is the header


@dataclass(frozen=True, slots=True)
class _Column:
    index: int
    label: str  # as errors name it: the header as in the file
    target: str  # lotledger's column


@dataclass(slots=True)
class _Row:
    number: int
    type: str
    values: dict[str, Any]
    labels: dict[str, str]


@dataclass(slots=True)
class _Event:
    type: str
    rows: list[_Row] = field(default_factory=list)


def _bad_byte(value: Any) -> str | None:
    """A CSV cell's first byte that was not UTF-8 (decoded as a surrogate escape), as 0xNN."""
    if isinstance(value, str) and not value.isascii():
        for char in value:
            if 0xDC80 <= ord(char) <= 0xDCFF:
                return f"{ord(char) - 0xDC00:#04x}"
    return None


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _refusal(number: int, label: str | None, message: str) -> Line:
    return Line(number, None, ValidationError(message, label))


class _Reader:
    """Rows to records: columns resolved once per sheet, events grouped across the whole file."""

    def __init__(self, options: ReadOptions, several: bool) -> None:
        self.options = options
        self.mapping = options.mapping
        self.format = CellFormat(options.zone, self.mapping.date_format, self.mapping.decimal_comma)
        self.several = several
        self.found: list[Line | _Event] = []  # in the order of each record's first row
        self.events: dict[tuple[Any, ...], _Event] = {}

    def read(self, sheets: Iterable[_Sheet]) -> Iterator[Line]:
        for sheet in sheets:
            self._sheet(sheet)
        for found in self.found:
            yield found if isinstance(found, Line) else _event_line(found)

    def _sheet(self, sheet: _Sheet) -> None:
        rows = [(n, cells) for n, cells in sheet.rows if not all(_empty(c) for c in cells)]
        if not rows:
            return
        (number, header), body = rows[0], rows[1:]
        columns = self._columns(sheet, number, header)
        if columns is None:
            return
        kind = sheet.name.strip().lower() if sheet.name and sheet.name.strip().lower() in COLUMNS else None
        for number, cells in body:
            row = self._row(number, cells, columns, kind)
            if row is None:
                continue
            if row.type in MASTER:
                self.found.append(_master_line(row))
                continue
            event = row.values.get("event")
            key = ("event", row.type, event) if event is not None else (row.type, *map(row.values.get, EVENT_HEADER))
            if key not in self.events:
                self.events[key] = _Event(row.type)
                self.found.append(self.events[key])
            self.events[key].rows.append(row)

    def _label(self, sheet: _Sheet, header: str) -> str:
        return f"{sheet.name}!{header}" if self.several and sheet.name else header

    def _columns(self, sheet: _Sheet, number: int, header: Sequence[Any]) -> list[_Column | None] | None:
        """The header's columns (None where ignored or blank); None with the refusals noted if any is wrong."""
        columns: list[_Column | None] = []
        seen: dict[str, str] = {}
        refused = False
        for index, cell in enumerate(header):
            bad = _bad_byte(cell)
            if bad is not None:
                self.found.append(_refusal(number, f"column {index + 1}", f"not valid UTF-8: byte {bad}"))
                refused = True
                continue
            name = "" if cell is None else str(cell).strip()
            target = self.mapping.target(name) if name else None
            label = self._label(sheet, name)
            if not name:
                columns.append(None)  # a value under it is refused row by row
                continue
            if target is None:
                why = "unknown column: name it as a lotledger column, or map it (or to 'ignore') in a mapping file"
                self.found.append(_refusal(number, label, why))
                refused = True
            elif target != IGNORE and target in seen:
                self.found.append(_refusal(number, label, f"a second column for {target!r} (after {seen[target]!r})"))
                refused = True
            elif target != IGNORE:
                seen[target] = label
            columns.append(None if target is None else _Column(index, label, target))
        return None if refused else columns

    def _row(self, number: int, cells: Sequence[Any], columns: list[_Column | None], kind: str | None) -> _Row | None:
        values: dict[str, Any] = {}
        labels: dict[str, str] = {}
        refusals = len(self.found)
        for index, cell in enumerate(cells):
            if len(self.found) - refusals >= MAX_ROW_REFUSALS:
                self.found.append(_refusal(number, None, "more cells of this row are wrong; they are not listed"))
                break
            column = columns[index] if index < len(columns) else None
            label = column.label if column else f"column {index + 1}"
            bad = _bad_byte(cell)
            if bad is not None:
                self.found.append(_refusal(number, label, f"not valid UTF-8: byte {bad}"))
            elif column is None:
                if not _empty(cell):
                    self.found.append(_refusal(number, label, "a value in a column without a header"))
            elif column.target != IGNORE:
                try:
                    values[column.target] = cell_value(column.target, cell, self.format)
                except ValidationError as error:
                    self.found.append(_refusal(number, label, error.message))
                labels[column.target] = label
        if len(self.found) > refusals:
            return None
        kind = self._type(number, values, labels, kind)
        if kind is None:
            return None
        for target in [t for t, v in values.items() if v is not None and t not in COLUMNS[kind]]:
            self.found.append(_refusal(number, labels[target], f"is not a column of a {kind} row"))
        for target, default in self.mapping.defaults.items():
            if target in COLUMNS[kind] and values.get(target) is None:
                values[target] = cell_value(target, default, self.format)
                labels[target] = target
        if len(self.found) > refusals:
            return None
        return _Row(number, kind, {k: v for k, v in values.items() if v is not None and k != "type"}, labels)

    def _type(self, number: int, values: dict[str, Any], labels: dict[str, str], kind: str | None) -> str | None:
        given = values.get("type")
        if given is not None:
            name = str(given).strip().lower()
            if name not in COLUMNS:
                wanted = f"{given!r} is not a record type; expected one of {', '.join(COLUMNS)}"
                self.found.append(_refusal(number, labels["type"], wanted))
                return None
            return name
        kind = kind or self.mapping.type or self.options.type
        if kind is None:
            why = "the row has no type: add a type column, name the sheet after the type, or give --type"
            self.found.append(_refusal(number, "type", why))
        return kind


def _located(cells: Cells, number: int, error: LotledgerError) -> Line:
    row, column = locate(cells, number, error.field)
    error.field = column
    return Line(row, None, error)


def _master_line(row: _Row) -> Line:
    cells: Cells = {target: (row.number, label) for target, label in row.labels.items()}
    try:
        return Line(row.number, parse_record({"type": row.type, **row.values}), cells=cells)
    except LotledgerError as error:
        return _located(cells, row.number, error)


def _event_line(event: _Event) -> Line:
    """One event from its rows: the header fields every row agrees on, a lot line (or lot) per row."""
    first = event.rows[0].number
    raw: dict[str, Any] = {"type": event.type}
    cells: dict[str, tuple[int, str | None]] = {}
    keys: tuple[str, ...]
    for row in event.rows:
        for name in EVENT_HEADER:
            value = row.values.get(name)
            if value is None:
                continue
            if name not in raw:
                raw[name], cells[name] = value, (row.number, row.labels[name])
            elif raw[name] != value:
                why = f"{value!r} differs from {raw[name]!r} on row {cells[name][0]} of the same event"
                return _refusal(row.number, row.labels[name], why)
        if event.type == "produce":
            side = row.values.get("side")
            if side not in SIDES:
                why = f"expected input or output, got {side!r}" if side else "is required: input or output"
                return _refusal(row.number, row.labels.get("side", "side"), why)
            key, keys = f"{side}s", ("item", "lot", "qty", "uom", "expiry")
        elif event.type in ("hold", "release"):
            key, keys = "lots", ("item", "lot")
        else:
            key, keys = "lines", ("item", "lot", "qty", "uom", "expiry", "supplier_lot")
        lines: list[dict[str, Any]] = raw.setdefault(key, [])
        path = f"{key}[{len(lines)}]"
        lines.append({name: row.values[name] for name in keys if name in row.values})
        cells[path] = (row.number, None)
        # every column of the line, empty ones too: "row 3: qty: is required" names the column left empty
        cells.update({f"{path}.{name}": (row.number, row.labels.get(name, name)) for name in keys})
    try:
        return Line(first, parse_record(raw), cells=cells)
    except LotledgerError as error:
        return _located(cells, first, error)


def read_csv(source: IO[bytes], options: ReadOptions) -> Iterator[Line]:
    """A CSV register: UTF-8 (a BOM is fine), comma- or semicolon-separated; other bytes refused by cell."""
    text = source.read().decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows: list[tuple[int, Sequence[Any]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for number, cells in enumerate(reader, start=1):
            rows.append((number, cells))
    except csv.Error as error:
        yield _refusal(len(rows) + 1, None, f"not valid CSV: {error}")
    yield from _Reader(options, several=False).read([_Sheet(None, rows)])


def read_xlsx(source: IO[bytes], options: ReadOptions) -> Iterator[Line]:
    """An XLSX workbook: every sheet in order (master data sheets first, then the events that use it)."""
    from openpyxl import load_workbook

    sheets: list[_Sheet] = []
    data = io.BytesIO(source.read())
    try:
        unpacked = sum(entry.file_size for entry in zipfile.ZipFile(data).infolist())
        if unpacked > MAX_UNPACKED:
            mib = MAX_UNPACKED // 2**20
            yield _refusal(1, None, f"the workbook unpacks to {unpacked // 2**20} MiB; at most {mib} MiB: split it")
            return
        book = load_workbook(data, read_only=True, data_only=True)
        try:
            rows = 0
            for sheet in book.worksheets:
                sheet.reset_dimensions()  # read every row, not just those a writer's <dimension> claims
                found = []
                for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                    rows += 1
                    if rows > MAX_ROWS:
                        yield _refusal(number, None, f"more than {MAX_ROWS:,} rows in the workbook: split it")
                        return
                    found.append((number, cells))
                sheets.append(_Sheet(sheet.title, found))
        finally:
            book.close()
    except Exception as error:  # openpyxl and zipfile raise many kinds for a damaged workbook
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        yield _refusal(1, None, f"not a readable XLSX workbook: {reason[:200]}")
        return
    yield from _Reader(options, several=len(sheets) > 1).read(sheets)
