"""`lotledger verify`: is the record intact? The hash chain, and every projection against a replay."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lotledger.domain.chain import Break, Head, first_break
from lotledger.domain.errors import LotledgerError
from lotledger.domain.model import Item, Location, Partner
from lotledger.ports import RecordReads, Replay


@dataclass(slots=True)
class Verdict:
    head: Head
    events: int
    chain_break: Break | None = None
    head_mismatch: str | None = None
    replayed: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.chain_break is None and self.head_mismatch is None and not self.differences


class Verification:
    def __init__(self, record: RecordReads, new_replay: Callable[[], Replay]) -> None:
        self.record = record
        self.new_replay = new_replay

    def verify(self, expected_head: Head | None = None, *, replay: bool = True) -> Verdict:
        """Check the chain link by link (and that it still passes `expected_head`), then replay every
        recorded event on an empty ledger and compare what it adds up to with the stored projections, and
        the tables derived from them (closure, reach, descendant counts and stock) with the same computed whole."""
        with self.record.snapshot() as record:  # one instant, even while the server records more
            head, broken = first_break(record.chain(), record.event_count())
            verdict = Verdict(head, head.position, broken)
            if expected_head is not None and broken is None:
                verdict.head_mismatch = _check_head(expected_head, head, record)
            if replay and broken is None:
                verdict.replayed, verdict.differences = self._replay(record)
        return verdict

    def _replay(self, record: RecordReads) -> tuple[int, list[str]]:
        ledger, events = self.new_replay(), 0
        for recorded_at, _, entry, attribution in record.history():
            if isinstance(entry, (Item, Location, Partner)):
                ledger.save(entry, attribution)
                continue
            events += 1
            try:
                ledger.replay(entry, attribution, recorded_at)
            except LotledgerError as error:
                return events, [f"event {entry.id} ({entry.type}) is stored, but a replay refuses it: {error}"]
        return events, record.projections().differences(ledger.projections()) + record.derived_differences()


def _check_head(expected: Head, head: Head, record: RecordReads) -> str | None:
    if expected.position > head.position:
        return f"the chain has {head.position} links; the head on record is at {expected.position}"
    found = record.link_at(expected.position)
    if found is None:
        return f"link {expected.position} is missing"
    return None if found == expected.link else f"link {expected.position} is not the head on record"
