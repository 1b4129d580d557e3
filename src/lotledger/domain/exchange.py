"""What a standard export reads from the ledger: which events (a window of days, a lot's whole trace),
each event with when it was recorded and, for a void, the event it voids; the master data they use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lotledger.domain.errors import ValidationError
from lotledger.domain.events import Event
from lotledger.domain.fields import calendar_date
from lotledger.domain.model import LotKey


def days(zone: ZoneInfo, start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """The days `start`..`end` (both included, in the plant's zone) as [since, until); the refusal names the field."""
    for name, day in (("from", start), ("to", end)):
        if day is not None:
            calendar_date(day.isoformat(), name)  # the years 1900-2199, as every date
    if start is not None and end is not None and start > end:
        raise ValidationError(f"{start.isoformat()} is after to {end.isoformat()}", "from")
    return _midnight(start, zone), _midnight(None if end is None else end + timedelta(days=1), zone)


def _midnight(day: date | None, zone: ZoneInfo) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), zone)


@dataclass(frozen=True, slots=True)
class EventSelection:
    """Events recorded in [since, until), and only those touching a lot of `lot`'s backward or forward trace."""

    since: datetime | None = None
    until: datetime | None = None
    lot: LotKey | None = None

    @property
    def everything(self) -> bool:
        return self.since is None and self.until is None and self.lot is None


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One event as the ledger holds it, in ledger order; a void comes with the event it voids."""

    event: Event
    recorded_at: datetime
    voided: Event | None = None


@dataclass(frozen=True, slots=True)
class UsedMaster:
    """The codes of the items, locations and partners some events use (a void's target's included)."""

    items: frozenset[str]
    locations: frozenset[str]
    partners: frozenset[str]
