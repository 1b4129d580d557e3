"""Import a JSON Lines file: good lines stored, bad lines reported, re-runs add nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lotledger.domain.errors import LotledgerError, NotFound
from lotledger.domain.events import Event
from lotledger.domain.master import kind_name
from lotledger.domain.model import MasterRecord, record_code
from lotledger.domain.recording import Attribution, Outcome, Recorded, Rejected
from lotledger.interchange.jsonl import Line
from lotledger.services.master_data import MasterData
from lotledger.services.recording import Recording

CHUNK = 2000  # events per transaction: large enough to amortise, small enough to retry
ANALYZE_AFTER = 10_000  # events imported before `after_bulk` runs


@dataclass(slots=True)
class LineError:
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f" {self.field}:" if self.field else ""
        return f"line {self.line}:{where} {self.message}"


@dataclass(slots=True)
class ImportReport:
    events: int = 0
    duplicates: int = 0
    master: int = 0  # master-data records saved (created or changed)
    master_unchanged: int = 0  # master-data lines that matched what was already recorded
    errors: list[LineError] = field(default_factory=list)
    created: list[tuple[str, str]] = field(default_factory=list)  # (kind, sku or code) of each new master record

    @property
    def lines(self) -> int:
        return self.events + self.duplicates + self.master + self.master_unchanged + len(self.errors)


def _each_alone_if_needed(recording: Recording, events: list[Event], attribution: Attribution) -> list[Outcome]:
    """The chunk in one transaction; if something unforeseen fails it, each event alone, so only the
    failing line is reported and every good line is kept."""
    try:
        return recording.record_each(events, attribution)
    except Exception as error:
        if len(events) == 1:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            return [Rejected(0, LotledgerError(f"could not be stored: {reason}"))]
        return [_each_alone_if_needed(recording, [event], attribution)[0] for event in events]


def _exists(master_data: MasterData, record: MasterRecord) -> bool:
    try:
        master_data.one(type(record), record_code(record))
    except NotFound:
        return False
    return True


def import_lines(
    recording: Recording,
    master_data: MasterData,
    lines: Iterable[Line],
    attribution: Attribution,
    progress: Callable[[int], None] = lambda n: None,
    after_bulk: Callable[[], None] = lambda: None,
) -> ImportReport:
    """Store every good record of `lines`, in order, reporting each bad one with its line number."""
    report = ImportReport()
    chunk: list[tuple[int, Event]] = []

    def flush() -> None:
        outcomes = _each_alone_if_needed(recording, [event for _, event in chunk], attribution)
        for (number, _), outcome in zip(chunk, outcomes, strict=True):
            if isinstance(outcome, Rejected):
                report.errors.append(LineError(number, outcome.error.field, outcome.error.message))
            elif isinstance(outcome, Recorded) and outcome.duplicate:
                report.duplicates += 1
            else:
                report.events += 1
        progress(len(chunk))
        chunk.clear()

    for line in lines:
        if line.error is not None:
            report.errors.append(LineError(line.number, line.error.field, line.error.message))
            progress(1)
        elif isinstance(line.record, Event):
            chunk.append((line.number, line.record))
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
                        report.created.append((kind_name(type(line.record)), record_code(line.record)))
                else:
                    report.master_unchanged += 1
            except LotledgerError as error:
                report.errors.append(LineError(line.number, error.field, error.message))
            progress(1)
    if chunk:
        flush()
    if report.events >= ANALYZE_AFTER:
        after_bulk()  # e.g. refresh the database's planner statistics
    report.errors.sort(key=lambda error: error.line)
    return report
