"""Import a file's lines (JSON Lines, a spreadsheet's rows): good ones stored, bad ones reported, re-runs
add nothing; or a dry run that reports every bad one, ledger rules included, and writes nothing."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lotledger.config import Settings
from lotledger.domain.accounts import Caller, role_to_record
from lotledger.domain.errors import LotledgerError, NotFound
from lotledger.domain.events import Event
from lotledger.domain.master import kind_name
from lotledger.domain.model import Item, Location, MasterRecord, Partner, record_code
from lotledger.domain.recording import Attribution, Outcome, Recorded, Rejected, Sealed
from lotledger.interchange.epcis_ids import Identifiers
from lotledger.interchange.formats import UNITS, Format, read_file
from lotledger.interchange.jsonl import Line
from lotledger.interchange.sheet_mapping import NO_MAPPING, Mapping
from lotledger.interchange.sheets import ReadOptions
from lotledger.services.master_data import LedgerMaster, MasterData
from lotledger.services.recording import Recording

MAX_ERRORS = 1000  # refusals listed in a report; the rest are counted
MAX_MESSAGE = 300  # characters of a refusal's reason (a 3,000-character cell is not echoed whole)
CHUNK = 2000  # events per transaction: large enough to amortise, small enough to retry
ANALYZE_AFTER = 10_000  # events imported before `after_bulk` runs


@dataclass(slots=True)
class LineError:
    line: int
    field: str | None
    message: str
    unit: str = "line"  # "row" for a spreadsheet

    def __str__(self) -> str:
        where = f" {self.field}:" if self.field else ""
        return f"{self.unit} {self.line}:{where} {self.message}"


@dataclass(slots=True)
class ImportReport:
    events: int = 0
    duplicates: int = 0
    master: int = 0  # master-data records saved (created or changed)
    master_unchanged: int = 0  # master-data lines that matched what was already recorded
    errors: list[LineError] = field(default_factory=list)
    created: list[tuple[str, str]] = field(default_factory=list)  # (kind, sku or code) of each new master record
    unit: str = "line"
    refused: int = 0  # every refusal, listed in `errors` or not

    def refuse(self, line: Line, error: LotledgerError) -> None:
        """Note `line` refused for `error`, at the row and column of a spreadsheet's record (the first
        MAX_ERRORS are kept: a file of a million bad rows gets an answer a person and a server can hold)."""
        self.refused += 1
        if len(self.errors) < MAX_ERRORS:
            number, where = line.locate(error)
            self.errors.append(LineError(number, where, error.message[:MAX_MESSAGE], self.unit))

    @property
    def lines(self) -> int:
        return self.events + self.duplicates + self.master + self.master_unchanged + self.refused


def _each_alone_if_needed(
    recording: Recording, events: list[Event], attribution: Attribution, sealed: list[Sealed | None] | None = None
) -> list[Outcome]:
    """The chunk in one transaction; if something unforeseen fails it, each event alone, so only the
    failing line is reported and every good line is kept."""
    try:
        return recording.record_each(events, attribution, sealed)
    except Exception as error:
        if len(events) == 1:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            return [Rejected(0, LotledgerError(f"could not be stored: {reason}"))]
        seals = sealed or [None] * len(events)
        return [_each_alone_if_needed(recording, [e], attribution, [s])[0] for e, s in zip(events, seals, strict=True)]


def _exists(master_data: MasterData, record: MasterRecord) -> bool:
    try:
        master_data.one(type(record), record_code(record))
    except NotFound:
        return False
    return True


def _created(report: ImportReport, record: MasterRecord) -> None:
    report.created.append((kind_name(type(record)), record_code(record)))


def import_lines(
    recording: Recording,
    master_data: MasterData,
    lines: Iterable[Line],
    attribution: Attribution,
    progress: Callable[[int], None] = lambda n: None,
    after_bulk: Callable[[], None] = lambda: None,
    unit: str = "line",
) -> ImportReport:
    """Store every good record of `lines`, in order, reporting each bad one with its line number."""
    report = ImportReport(unit=unit)
    chunk: list[tuple[Line, Event]] = []

    def flush() -> None:
        sealed = [line.sealed for line, _ in chunk]
        events = [event for _, event in chunk]
        outcomes = _each_alone_if_needed(recording, events, attribution, sealed if any(sealed) else None)
        for (line, _), outcome in zip(chunk, outcomes, strict=True):
            _count(report, line, outcome)
        progress(len(chunk))
        chunk.clear()

    for line in lines:
        if line.error is not None:
            report.refuse(line, line.error)
            progress(1)
        elif isinstance(line.record, Event):
            chunk.append((line, line.record))
            if len(chunk) >= CHUNK:
                flush()
        elif line.record is not None:
            if chunk:
                flush()  # master data applies from its line on, so earlier events go first
            try:
                new = not _exists(master_data, line.record)
                if master_data.save(line.record, attribution):
                    report.master += 1
                    if new:
                        _created(report, line.record)
                else:
                    report.master_unchanged += 1
            except LotledgerError as error:
                report.refuse(line, error)
            progress(1)
    if chunk:
        flush()
    if report.events >= ANALYZE_AFTER:
        after_bulk()  # e.g. refresh the database's planner statistics
    report.errors.sort(key=lambda error: error.line)
    return report


def _count(report: ImportReport, line: Line, outcome: Outcome | bool) -> None:
    if isinstance(outcome, Rejected):
        report.refuse(line, outcome.error)
    elif isinstance(outcome, Recorded):
        if outcome.duplicate:
            report.duplicates += 1
        else:
            report.events += 1
    elif outcome:
        report.master += 1
    else:
        report.master_unchanged += 1


def rehearse_lines(
    recording: Recording, master_data: MasterData, lines: Iterable[Line], attribution: Attribution, unit: str = "line"
) -> ImportReport:
    """A dry run: what `import_lines` would store and refuse, every ledger rule included (a ship of a lot
    received earlier in the same file passes), with nothing written."""
    report = ImportReport(unit=unit)
    good: list[Line] = []
    for line in lines:
        if line.error is not None:
            report.refuse(line, line.error)
        elif line.record is not None:
            good.append(line)
    records = [line.record for line in good if line.record is not None]
    created: set[tuple[type, str]] = set()
    for line, outcome in zip(good, recording.ledger.rehearse(records, attribution), strict=True):
        _count(report, line, outcome)
        record = line.record
        if outcome is not True or not isinstance(record, (Item, Location, Partner)):
            continue
        key = (type(record), record_code(record))
        if key not in created and not _exists(master_data, record):  # a record saved twice is created once
            created.add(key)
            _created(report, record)  # saved in the rehearsal, not in the ledger: the import would create it
    report.errors.sort(key=lambda error: error.line)
    return report


def check_allowed(lines: Iterable[Line], who: Caller, master_data: MasterData, unit: str = "line") -> None:
    """Forbidden, naming the first line, unless `who` may record every event and save every master record that
    would change (a record the ledger holds as it is, as an EPCIS header repeats it, needs no admin)."""
    for line in lines:
        if isinstance(line.record, Event):
            who.user.require(role_to_record(line.record), f"{unit} {line.number}: recording a {line.record.type} event")
        elif line.record is not None and not _unchanged(master_data, line.record):
            who.user.require("admin", f"{unit} {line.number}: importing master data ({kind_name(type(line.record))})")


def _unchanged(master_data: MasterData, record: MasterRecord) -> bool:
    try:
        return master_data.one(type(record), record_code(record)) == record
    except NotFound:
        return False


def import_file(
    recording: Recording, master_data: MasterData, data: bytes, options: ReadOptions, who: Caller, dry_run: bool
) -> tuple[Format, ImportReport]:
    """A whole file (any format `formats.detect` knows) imported for `who`, or with `dry_run` checked:
    Forbidden before anything if a line needs a role `who` lacks (master data needs the admin role)."""
    kind, read = read_file(io.BytesIO(data), options)
    unit = UNITS[kind]
    lines = list(read)
    check_allowed(lines, who, master_data, unit)
    if dry_run:
        return kind, rehearse_lines(recording, master_data, lines, who.attribution, unit)
    return kind, import_lines(recording, master_data, lines, who.attribution, unit=unit)


def read_options(
    settings: Settings, master_data: MasterData, type: str | None = None, mapping: Mapping = NO_MAPPING
) -> ReadOptions:
    """How to read an import for this plant: its time zone, its EPCIS names, its master data by GS1 key."""
    ids = Identifiers(settings.id_domain, settings.gs1_company_prefix)
    return ReadOptions(settings.zone, type, mapping, ids, LedgerMaster(master_data))
