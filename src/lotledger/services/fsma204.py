"""FSMA 204's electronic sortable spreadsheet: which rows, checked before the first is read, then streamed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from lotledger.domain import fsma204 as fsma
from lotledger.domain.model import Item, LotKey
from lotledger.ports import Fsma204Reads
from lotledger.services.exporting import LedgerExport, known


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


class Fsma204(LedgerExport[Fsma204Reads]):
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
