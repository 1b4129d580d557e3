"""Import a JSON Lines file: good lines stored, bad lines reported, re-runs add nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lotledger.domain.errors import LotledgerError
from lotledger.domain.events import Event
from lotledger.interchange.jsonl import Line
from lotledger.storage.engine import analyze
from lotledger.storage.ledger import Recorded, Rejected, SqlLedger
from lotledger.storage.unit import Attribution

CHUNK = 2000  # events per transaction: large enough to amortise, small enough to retry
ANALYZE_AFTER = 10_000  # events imported before the planner's statistics are refreshed


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
    master: int = 0
    errors: list[LineError] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return self.events + self.duplicates + self.master + len(self.errors)


def import_lines(
    ledger: SqlLedger,
    lines: Iterable[Line],
    attribution: Attribution,
    progress: Callable[[int], None] = lambda n: None,
) -> ImportReport:
    """Store every good record of `lines`, in order, reporting each bad one with its line number."""
    report = ImportReport()
    chunk: list[tuple[int, Event]] = []

    def flush() -> None:
        outcomes = ledger.record_many([event for _, event in chunk], attribution, atomic=False)
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
                ledger.save(line.record, attribution)
                report.master += 1
            except LotledgerError as error:
                report.errors.append(LineError(line.number, error.field, error.message))
            progress(1)
    if chunk:
        flush()
    if report.events >= ANALYZE_AFTER:
        analyze(ledger.engine)
    report.errors.sort(key=lambda error: error.line)
    return report
