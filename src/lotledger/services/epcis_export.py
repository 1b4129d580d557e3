"""GS1 EPCIS 2.0 export: which events (all, a window of days, a lot's whole trace), checked before the first is
read, with the master data they use; the document streamed (docs/epcis.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from lotledger.domain.exchange import EventSelection, LedgerEntry, days
from lotledger.domain.model import Location, LotKey
from lotledger.interchange.epcis_ids import Identifiers
from lotledger.interchange.epcis_out import Directory, EpcisWriter, MasterData
from lotledger.ports import EpcisReads, LotReads, MasterReads
from lotledger.services.exporting import LedgerExport, known


@dataclass
class EpcisDocument:
    """An export under way: master data read, events read once as they are written."""

    selection: EventSelection
    created: datetime
    master: MasterData
    writer: EpcisWriter
    _entries: Callable[[], Iterator[LedgerEntry]]
    _count: Callable[[], int]
    written: int = 0

    def total(self) -> int:
        """How many events will come: a query as long as a good part of the export, so asked only for a progress bar."""
        return self._count()

    def entries(self) -> Iterator[LedgerEntry]:
        for entry in self._entries():
            self.written += 1
            yield entry

    def chunks(self, entries: Iterable[LedgerEntry] | None = None) -> Iterator[str]:
        """The document's text: `entries` (the export's own by default) between the header and the end."""
        return self.writer.chunks(self.created, self.master, self.entries() if entries is None else entries)


def with_parents(used: frozenset[str] | None, locations: list[Location]) -> list[Location]:
    """The locations named in `used` (all when None) and every location above them, each after its parent
    (an importer creates them in order), otherwise in the catalogue's order."""
    by_code = {location.code: location for location in locations}
    ordered: dict[str, Location] = {}

    def add(code: str | None, below: frozenset[str]) -> None:
        if code is None or code in ordered or code in below or code not in by_code:
            return
        add(by_code[code].parent, below | {code})  # `below` guards a cycle the catalogue should never hold
        ordered[code] = by_code[code]

    for location in locations:
        if used is None or location.code in used:
            add(location.code, frozenset())
    return list(ordered.values())


class EpcisExport(LedgerExport[EpcisReads]):
    """Documents naming things by the plant's `ids` (its domain and GS1 company prefix)."""

    def __init__(
        self, ids: Identifiers, reads: EpcisReads, master: MasterReads, lots: LotReads, zone: ZoneInfo
    ) -> None:
        super().__init__(reads, master, lots, zone)
        self.ids = ids

    def select(self, start: date | None = None, end: date | None = None, lot: LotKey | None = None) -> EventSelection:
        """The days `start`..`end` (both included, in the plant's zone) and a lot, or a ValidationError naming it."""
        since, until = days(self.zone, start, end)
        if lot is not None:
            known(lambda: self.lots.lot(lot), "lot")
        return EventSelection(since, until, lot)

    def export(self, selection: EventSelection) -> EpcisDocument:
        """The document of `selection`: master data read now, the events when iterated."""
        items, locations, partners = self.master.items(), self.master.locations(), self.master.partners()
        writer = EpcisWriter(self.ids, Directory.of(items, locations, partners), self.zone)
        if selection.everything:
            header = MasterData(items, with_parents(None, locations), partners)
        else:
            used = self.reads.used(selection)
            header = MasterData(
                [item for item in items if item.sku in used.items],
                with_parents(used.locations, locations),
                [partner for partner in partners if partner.code in used.partners],
            )
        return EpcisDocument(
            selection,
            self.clock(),
            header,
            writer,
            lambda: self.reads.entries(selection),
            lambda: self.reads.count(selection),
        )
