"""JSON Lines of events and master data (docs/concepts.md): one record per line."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from lotledger.domain.errors import LotledgerError, ValidationError
from lotledger.domain.events import Event, parse_event, to_document
from lotledger.domain.model import Item, Location, Partner
from lotledger.domain.recording import Sealed

MASTER_TYPES: dict[str, type[Item] | type[Location] | type[Partner]] = {
    "item": Item,
    "location": Location,
    "partner": Partner,
}
# Events without an id get one derived from their content, so importing the
# same file twice stores each event once (invariant 4 for files).
_FILE_NAMESPACE = uuid.UUID("6f0c0a53-5d7e-4a51-9d5e-3c0f7a1b2c4d")

Record = Event | Item | Location | Partner
# Where a spreadsheet's record was read: field path ("lines[1].qty", "lines[1]") -> row, column header.
Cells = Mapping[str, tuple[int, str | None]]


def locate(cells: Cells | None, number: int, field: str | None) -> tuple[int, str | None]:
    """The line (row) and field (column) an error about a record's `field` points at: the row of
    `lines[1].qty` and its column's header for a spreadsheet's record, the record's own line otherwise."""
    path = field
    while cells and path:
        if path in cells:
            return cells[path]
        path = path.rpartition(".")[0]  # lines[1].qty -> lines[1]
    return number, field


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    record: Record | None
    error: LotledgerError | None = None
    cells: Cells | None = None  # a spreadsheet's: where each field of `record` was read
    sealed: Sealed | None = None  # `seal(record)` of an event, when a reader computed it (`read_ahead`)

    def locate(self, error: LotledgerError) -> tuple[int, str | None]:
        """The line and field to report `error` at (a ledger's refusal of this line's record)."""
        return locate(self.cells, self.number, error.field)


def parse_record(raw: Any) -> Record:
    """An event or a master-data record from one JSON object."""
    if isinstance(raw, dict) and raw.get("type") in MASTER_TYPES:
        return MASTER_TYPES[raw["type"]].parse(raw)
    event = parse_event(raw)
    if event.id is None:
        content = json.dumps(to_document(event), sort_keys=True, separators=(",", ":"))
        event = replace(event, id=str(uuid.uuid5(_FILE_NAMESPACE, content)))
    return event


def read_lines(lines: Iterable[str | bytes]) -> Iterator[Line]:
    """Each non-blank line parsed, or the reason it could not be (bytes must be UTF-8, never guessed)."""
    for number, raw_line in enumerate(lines, start=1):
        if isinstance(raw_line, bytes):
            try:
                text = raw_line.decode("utf-8")
            except UnicodeDecodeError as error:
                reason = f"not valid UTF-8: byte {raw_line[error.start]:#04x} at column {error.start + 1}"
                yield Line(number, None, ValidationError(reason))
                continue
        else:
            text = raw_line
        if not text.strip():
            continue
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            yield Line(number, None, ValidationError(f"not valid JSON: {error.msg} at column {error.colno}"))
            continue
        except RecursionError:
            yield Line(number, None, ValidationError("not valid JSON: nested too deeply"))
            continue
        try:
            yield Line(number, parse_record(raw))
        except LotledgerError as error:
            yield Line(number, None, error)
