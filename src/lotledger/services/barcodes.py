"""Scan to record, record to label: resolve what a barcode names, build the labels to print."""

from __future__ import annotations

from dataclasses import dataclass, field

from lotledger.barcodes.gs1 import Scan, parse_scan
from lotledger.barcodes.labels import Label, lot_label, pallet_label
from lotledger.domain.accounts import Caller
from lotledger.domain.errors import NotFound, ValidationError
from lotledger.domain.model import Item, LotKey
from lotledger.domain.records import LotInfo
from lotledger.domain.trace import StockLine
from lotledger.ports import LotReads, MasterReads, SsccCounter


@dataclass(slots=True)
class Resolution:
    """What a scan refers to in the ledger, with its stock and status now."""

    scan: Scan
    item: Item | None = None
    lot: LotInfo | None = None
    status: str | None = None  # released or held, for a lot
    stock: list[StockLine] = field(default_factory=list)  # the lot's, or the container's contents
    container_lots: list[LotKey] = field(default_factory=list)


class Barcodes:
    def __init__(
        self, lots: LotReads, master: MasterReads, ssccs: SsccCounter, company_prefix: str | None, extension: str
    ) -> None:
        self.lots = lots
        self.master = master
        self.ssccs = ssccs
        self.company_prefix = company_prefix
        self.extension = extension

    def resolve_scan(self, text: str, arriving: bool = False) -> Resolution:
        """Parse `text` and look up its item, lot or container; unknown ones raise NotFound naming them.

        `arriving`: the label of a lot being received or made, or of an empty pallet being packed,
        names a lot or container not on record yet (its item must be)."""
        scan = parse_scan(text)
        found = Resolution(scan)
        if scan.sscc:
            found.container_lots = self.master.lots_in_container(scan.sscc)
            if not found.container_lots and not arriving:
                raise NotFound(f"no container with SSCC {scan.sscc} is on record", "scan")
            found.stock = self.lots.balances(container=scan.sscc)
        if scan.gtin:
            found.item = self.master.item_by_gtin(scan.gtin)
        elif scan.sku:
            found.item = self._item(scan.sku)
        if found.item is not None and scan.lot:
            key = LotKey(found.item.sku, scan.lot)
            try:
                found.lot = self.lots.lot(key)
            except NotFound:
                if arriving:
                    return found
                raise NotFound(
                    f"no lot {scan.lot} of {found.item.sku} (GTIN {scan.gtin}) is on record", "scan"
                ) from None
            found.status = "held" if found.lot.holds else "released"
            found.stock = self.lots.balances(sku=key.sku, lot=key.code)
        return found

    def _item(self, sku: str) -> Item:
        item = self.master.one(Item, sku)
        assert isinstance(item, Item)
        return item

    def lot_label(self, sku: str, lot: str, symbol: str = "gs1-128") -> Label:
        return lot_label(self._item(sku), lot, self.lots.lot(LotKey(sku, lot)).expiry, symbol)

    def pallet_label(self, sscc: str) -> Label:
        """The pallet's label with what is on it now, or (once shipped) what it was packed with."""
        contents = self.lots.balances(container=sscc) or self.master.packed(sscc)
        if not contents:
            raise NotFound(f"no container with SSCC {sscc} is on record", "sscc")
        expiries = {(line.lot.sku, line.lot.code): self.lots.lot(line.lot).expiry for line in contents}
        return pallet_label(sscc, contents, expiries)

    def allocate_ssccs(
        self, who: Caller, count: object = 1, prefix: str | None = None, extension: str | None = None
    ) -> list[str]:
        """New SSCCs from the plant's GS1 company prefix: never one handed out before."""
        who.user.require("operator", "allocating SSCCs")
        if isinstance(count, bool) or not isinstance(count, int):
            raise ValidationError(f"expected a whole number, got {count!r}", "count")
        company = prefix or self.company_prefix
        if company is None:
            raise ValidationError("no GS1 company prefix is configured: set LOTLEDGER_GS1_PREFIX", "company_prefix")
        return self.ssccs.allocate(company, extension or self.extension, count)
