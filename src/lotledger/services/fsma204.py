"""FSMA 204's electronic sortable spreadsheet: which rows, checked before the first is read, then streamed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from lotledger.domain import fsma204 as fsma
from lotledger.domain.errors import NotFound, ValidationError
from lotledger.domain.model import Item, LotKey
from lotledger.ports import Fsma204Reads, LotReads, MasterReads


@dataclass
class Export:
    """An export under way: its rows are read once, as they are written; the completeness adds up as they pass."""

    selection: fsma.Selection
    zone: ZoneInfo
    generated_at: datetime
    ftl_items: list[str]  # the items flagged as on FDA's Food Traceability List
    _rows: Iterator[fsma.Row]
    _count: Callable[[], int]
    completeness: fsma.Completeness = field(default_factory=fsma.Completeness)

    def total(self) -> int:
        """How many rows will come: a query as long as a good part of the export, so asked only for a progress bar."""
        return self._count()

    def rows(self) -> Iterator[fsma.Row]:
        for row in self._rows:
            self.completeness.add(row)
            yield row


def known(look_up: Callable[[], object], name: str) -> None:
    """An unknown item or lot in a filter is bad input (422 naming it), not a missing resource."""
    try:
        look_up()
    except NotFound as error:
        raise ValidationError(error.message, name) from None


class Fsma204:
    def __init__(
        self,
        reads: Fsma204Reads,
        master: MasterReads,
        lots: LotReads,
        zone: ZoneInfo,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.reads = reads
        self.master = master
        self.lots = lots
        self.zone = zone
        self.clock = clock

    def select(
        self,
        start: date | None = None,
        end: date | None = None,
        item: str | None = None,
        lot: LotKey | None = None,
        all_items: bool = False,
    ) -> fsma.Selection:
        """What to export, or a ValidationError naming the parameter (an unknown item or lot included)."""
        chosen = fsma.selection(self.zone, start, end, item, lot, all_items)
        if item is not None:
            known(lambda: self.master.one(Item, item), "item")
        if lot is not None:
            known(lambda: self.lots.lot(lot), "lot")
        return chosen

    def export(self, selection: fsma.Selection) -> Export:
        """The export of `selection`: master data read now, the rows when iterated."""
        items = self.master.items()
        directory = fsma.Directory(items, self.master.locations(), self.master.partners())
        rows = fsma.rows(self.reads.cte_lines(selection), directory, self.zone)
        ftl = [i.sku for i in items if i.ftl]
        generated_at = self.clock().astimezone(self.zone)
        return Export(selection, self.zone, generated_at, ftl, rows, lambda: self.reads.count_rows(selection))
