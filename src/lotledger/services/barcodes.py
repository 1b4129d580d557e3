"""Scan to record, record to label: resolve what a barcode names, build the labels to print."""

from __future__ import annotations

from dataclasses import dataclass, field

from lotledger.barcodes.gs1 import Scan, parse_scan
from lotledger.barcodes.labels import Label, lot_label, pallet_label
from lotledger.bootstrap import App
from lotledger.domain.errors import NotFound
from lotledger.domain.model import Item, LotKey
from lotledger.domain.trace import StockLine
from lotledger.storage.reader import LotInfo


@dataclass(slots=True)
class Resolution:
    """What a scan refers to in the ledger, with its stock and status now."""

    scan: Scan
    item: Item | None = None
    lot: LotInfo | None = None
    status: str | None = None  # released or held, for a lot
    stock: list[StockLine] = field(default_factory=list)  # the lot's, or the container's contents
    container_lots: list[LotKey] = field(default_factory=list)


def resolve_scan(app: App, text: str) -> Resolution:
    """Parse `text` and look up its item, lot or container; unknown ones raise NotFound naming them."""
    scan = parse_scan(text)
    found = Resolution(scan)
    if scan.sscc:
        found.container_lots = app.catalog.lots_in_container(scan.sscc)
        if not found.container_lots:
            raise NotFound(f"no container with SSCC {scan.sscc} is on record", "scan")
        found.stock = app.reader.balances(container=scan.sscc)
    if scan.gtin:
        found.item = app.catalog.item_by_gtin(scan.gtin)
    elif scan.sku:
        item = app.catalog.one("item", scan.sku)
        assert isinstance(item, Item)
        found.item = item
    if found.item is not None and scan.lot:
        key = LotKey(found.item.sku, scan.lot)
        try:
            found.lot = app.reader.lot(key)
        except NotFound:
            raise NotFound(f"no lot {scan.lot} of {found.item.sku} (GTIN {scan.gtin}) is on record", "scan") from None
        found.status = "held" if found.lot.holds else "released"
        found.stock = app.reader.balances(sku=key.sku, lot=key.code)
    return found


def label_for_lot(app: App, sku: str, lot: str, symbol: str = "gs1-128") -> Label:
    item = app.catalog.one("item", sku)
    assert isinstance(item, Item)
    return lot_label(item, lot, app.reader.lot(LotKey(sku, lot)).expiry, symbol)


def label_for_pallet(app: App, sscc: str) -> Label:
    """The pallet's label with what is on it now, or (once shipped) what it was packed with."""
    contents = app.reader.balances(container=sscc) or app.catalog.packed(sscc)
    if not contents:
        raise NotFound(f"no container with SSCC {sscc} is on record", "sscc")
    expiries = {(line.lot.sku, line.lot.code): app.reader.lot(line.lot).expiry for line in contents}
    return pallet_label(sscc, contents, expiries)
