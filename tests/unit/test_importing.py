"""Importing: one line that fails in an unforeseen way is reported; every good line is still kept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lotledger.domain.events import Event
from lotledger.domain.recording import Attribution, Outcome, Recorded
from lotledger.interchange.jsonl import read_lines
from lotledger.services.importing import import_lines
from lotledger.services.master_data import MasterData
from lotledger.services.recording import Recording
from lotledger.storage.memory import MemoryLedger
from lotledger.storage.memory_reads import MemoryReader

WHO = Attribution("os:tester", "cli:test")
LINE = (
    '{{"type":"observe","time":"2026-11-01T08:00:00Z","location":"LAB","reference":"{0}",'
    '"lots":[{{"item":"X","lot":"L"}}],"results":[{{"name":"t","value":1}}]}}'
)


class BreaksOnPoison(MemoryLedger):
    def record_many(
        self, events: Sequence[Event], attributions: Sequence[Attribution], *, atomic: bool, **options: Any
    ) -> list[Outcome]:
        if any(e.reference == "poison" for e in events):
            raise OverflowError("date value out of range")
        return [Recorded(str(e.id), e.type) for e in events]


def test_an_unforeseen_failure_is_reported_on_its_line_and_the_rest_is_kept() -> None:
    ledger = BreaksOnPoison()
    lines = read_lines([LINE.format(ref) for ref in ("a", "b", "poison", "c")])
    report = import_lines(Recording(ledger), MasterData(ledger, MemoryReader(ledger)), lines, WHO)
    assert report.events == 3
    assert [str(error) for error in report.errors] == ["line 3: could not be stored: date value out of range"]
