"""Questions the ledger answers: lots, traces, history, stock, holds, the event log."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from lotledger.domain import trace as tr
from lotledger.domain.errors import ValidationError
from lotledger.domain.events import EVENT_TYPES
from lotledger.domain.fields import within_window
from lotledger.domain.model import LotKey
from lotledger.domain.records import EventFilter, EventRecord, HoldRecord, LotInfo, MassBalance
from lotledger.ports import LotReads, MasterReads, TraceReads

MAX_DEPTH = 256  # genealogy deeper than this is cut (the closure keeps no more)
LOG_PAGE = 1000  # events read at a time for a whole list (a file)


@dataclass(frozen=True, slots=True)
class EventPage:
    events: list[EventRecord]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class Container:
    sscc: str
    contents: list[tr.StockLine]  # what it holds now
    lots: list[LotKey]  # every lot it ever held


def _cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode()


def _after(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        kind, seq = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        if kind != "seq" or not 0 <= int(seq) < 2**63:
            raise ValueError
        return int(seq)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(f"not a cursor this API gave out: {cursor!r}", "cursor") from None


def _depth(depth: int) -> int:
    if not 1 <= depth <= MAX_DEPTH:
        raise ValidationError(f"expected a depth from 1 to {MAX_DEPTH}, got {depth}", "depth")
    return depth


class Queries:
    def __init__(self, lots: LotReads, traces: TraceReads, master: MasterReads) -> None:
        self.lots = lots
        self.traces = traces
        self.master = master

    def lot(self, key: LotKey) -> LotInfo:
        return self.lots.lot(key)

    def find_lots(self, code: str | None = None, sscc: str | None = None) -> list[LotKey]:
        """Lots by their own or their supplier's lot code, and lots a container ever held."""
        if not code and not sscc:
            raise ValidationError("give a lot code or an SSCC", "code")
        found = self.lots.find_lots(code) if code else []
        found += self.master.lots_in_container(sscc) if sscc else []
        return sorted(set(found))

    def backward(self, key: LotKey, depth: int = MAX_DEPTH) -> tr.BackwardTrace:
        return self.traces.backward(key, _depth(depth))

    def forward(self, key: LotKey, depth: int = MAX_DEPTH) -> tr.ForwardTrace:
        return self.traces.forward(key, _depth(depth))

    def forward_rows(self, key: LotKey, depth: int = MAX_DEPTH) -> AbstractContextManager[tr.ForwardRows]:
        """The forward trace as rows, to write as they are read (inside the `with`): a hub lot's
        trace without a record per lot."""
        return self.traces.forward_rows(key, _depth(depth))

    def forward_summary(self, key: LotKey) -> tr.ForwardSummary:
        return self.traces.forward_summary(key)

    def exposure(self, key: LotKey) -> tr.Exposure:
        return self.traces.exposure(key)

    def history(self, key: LotKey) -> list[EventRecord]:
        return self.lots.history(key)

    def mass_balance(self, key: LotKey) -> MassBalance:
        return self.lots.mass_balance(key)

    def balances(
        self, *, location: str | None = None, sku: str | None = None, lot: str | None = None
    ) -> list[tr.StockLine]:
        return self.lots.balances(location=location, sku=sku, lot=lot)

    def container(self, sscc: str) -> Container:
        return Container(sscc, self.lots.balances(container=sscc), self.master.lots_in_container(sscc))

    def holds(self) -> list[HoldRecord]:
        return self.master.holds()

    def events(self, where: EventFilter, cursor: str | None = None, limit: int = 100) -> EventPage:
        """A page of the event log in recording order; `next_cursor` continues it."""
        _checked(where)
        events = self.master.events(where, _after(cursor), limit)
        return EventPage(events, _cursor(events[-1].seq) if len(events) == limit else None)

    def event_log(self, where: EventFilter, cursor: str | None = None) -> Iterator[EventRecord]:
        """Every event matching `where` (after `cursor`), in recording order, read a page at a time.
        The filter is checked now, before the first event is asked for."""
        _checked(where)
        after = _after(cursor)

        def pages() -> Iterator[EventRecord]:
            seq = after
            while events := self.master.events(where, seq, LOG_PAGE):
                yield from events
                seq = events[-1].seq

        return pages()


def _checked(where: EventFilter) -> EventFilter:
    """`where`, refused if its type is not an event type or its times fall outside the window."""
    if where.type is not None and where.type not in EVENT_TYPES:
        raise ValidationError(f"expected one of {', '.join(EVENT_TYPES)}, got {where.type[:20]!r}", "type")
    for name in ("since", "until"):
        value: datetime | None = getattr(where, name)
        if value is not None:
            within_window(value, name)
    return where
