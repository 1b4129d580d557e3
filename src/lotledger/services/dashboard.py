"""The dashboard quality starts the day with, and the page of one pallet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from lotledger.domain.dashboard import LISTED, RECENT, SOON_DAYS, Bounded, Overview, soon_window
from lotledger.domain.errors import NotFound
from lotledger.domain.model import validate_sscc
from lotledger.domain.records import EventRecord
from lotledger.domain.trace import StockLine
from lotledger.ports import DashboardReads, LotReads, PalletReads, RecallStore


class Dashboard:
    def __init__(
        self,
        reads: DashboardReads,
        recalls: RecallStore,
        zone: ZoneInfo,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.reads = reads
        self.recalls = recalls
        self.zone = zone
        self.clock = clock

    def overview(self, days: object = SOON_DAYS) -> Overview:
        """Holds in force, stock past its expiry, stock expiring within `days` (the plant's today included),
        the latest events and the recalls still open."""
        today = self.clock().astimezone(self.zone).date()
        first, last = soon_window(today, days)
        return Overview(
            today,
            last.toordinal() - first.toordinal(),
            Bounded.of(self.reads.newest_holds(LISTED + 1)),
            Bounded.of(self.reads.stocked_by_expiry(None, first - timedelta(days=1), LISTED + 1, latest_first=True)),
            Bounded.of(self.reads.stocked_by_expiry(first, last, LISTED + 1, latest_first=False)),
            self.reads.latest_events(RECENT),
            [case for case in self.recalls.cases("recall") if case.status != "closed"],
        )


@dataclass(frozen=True, slots=True)
class Pallet:
    sscc: str
    contents: list[StockLine]  # on it now, where it is
    packed: list[StockLine]  # what was packed and not unpacked: what it left with, once shipped
    history: Bounded[EventRecord]  # oldest first

    @property
    def places(self) -> list[str]:
        """Where its stock is now (none: shipped, or emptied)."""
        return sorted({line.location for line in self.contents})

    @property
    def shipped(self) -> EventRecord | None:
        """The last shipment that took it away, unless voided."""
        ships = [e for e in self.history.rows if e.type == "ship" and e.voided_by is None]
        return ships[-1] if ships and not self.contents else None


class Pallets:
    def __init__(self, lots: LotReads, reads: PalletReads) -> None:
        self.lots = lots
        self.reads = reads

    def pallet(self, sscc: str) -> Pallet:
        """A pallet by its SSCC: what is on it now, what it was packed with, what happened to it."""
        sscc = validate_sscc(sscc, "sscc")
        history = Bounded.of(self.reads.history(sscc, LISTED + 1))
        if not history.rows:
            raise NotFound(f"no pallet with SSCC {sscc} is on record", "sscc")
        return Pallet(sscc, self.lots.balances(container=sscc), self.reads.packed(sscc), history)
