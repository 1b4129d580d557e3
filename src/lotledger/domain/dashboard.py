"""What quality looks at first: lots on hold, stock near or past its expiry, the latest events, open recalls."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Generic, TypeVar

from lotledger.domain.errors import ValidationError
from lotledger.domain.model import LotKey
from lotledger.domain.recall import RecallCase
from lotledger.domain.records import EventRecord, HoldRecord

SOON_DAYS = 14  # "expiring soon", unless asked otherwise
LONGEST_WINDOW = 366
LISTED = 100  # rows a dashboard list shows at most; it says when there are more
RECENT = 20  # latest events shown
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StockedLot:
    """A lot with stock on hand, its expiry, and whether it is held."""

    lot: LotKey
    item_name: str
    uom: str
    expiry: date
    on_hand: Decimal
    held: bool


@dataclass(frozen=True, slots=True)
class RecentEvent:
    record: EventRecord
    lots: list[LotKey]  # the first few lots the event touched
    more_lots: int  # how many more it touched


@dataclass(frozen=True, slots=True)
class Bounded(Generic[T]):
    """At most LISTED rows of a list, and whether the list goes on."""

    rows: list[T] = field(default_factory=list)
    more: bool = False

    @classmethod
    def of(cls, rows: list[T]) -> Bounded[T]:
        """From a read that asked for LISTED + 1 rows."""
        return cls(rows[:LISTED], len(rows) > LISTED)


@dataclass(frozen=True, slots=True)
class Overview:
    today: date
    days: int
    holds: Bounded[HoldRecord]
    expired: Bounded[StockedLot]  # past expiry and still in stock: the most recently expired first
    expiring: Bounded[StockedLot]  # expiring from today to today + days, the soonest first
    events: list[RecentEvent]
    recalls: list[RecallCase]  # real recalls not yet closed, newest first


def soon_window(today: date, days: object) -> tuple[date, date]:
    """The days counted as "expiring soon": today to `days` later, both included."""
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= LONGEST_WINDOW:
        raise ValidationError(f"expected a number of days from 0 to {LONGEST_WINDOW}, got {days!r}", "days")
    return today, today + timedelta(days=days)
