"""The one search field: whatever is typed or scanned, the lots and pallets it names."""

from __future__ import annotations

from dataclasses import dataclass, field

from lotledger.barcodes.gs1 import Scan, parse_scan
from lotledger.domain.errors import ValidationError
from lotledger.domain.search import MOST, SSCC, Match, may_be_code, merged, searched_text
from lotledger.ports import SearchReads


@dataclass(frozen=True, slots=True)
class Found:
    """What a text names, at most MOST of it (`more`: there was more), and why a barcode named nothing."""

    text: str
    matches: list[Match]
    more: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def only(self) -> Match | None:
        """The one match, when the text names exactly one lot or pallet."""
        return self.matches[0] if len(self.matches) == 1 else None


class Search:
    def __init__(self, reads: SearchReads) -> None:
        self.reads = reads

    def find(self, text: str) -> Found:
        """Lots and pallets named by `text`: a barcode's lot or SSCC, a lot code, a supplier lot, a reference.

        ValidationError when the text cannot be any of these (empty, far too long, control characters)."""
        text = searched_text(text)
        notes: list[str] = []
        groups = [self._scanned(text, notes)]
        if may_be_code(text):
            groups += self._codes(text)
        matches, more = merged(groups)
        if not matches and may_be_code(text) and text.upper() != text:
            matches, more = merged(self._codes(text.upper()))  # typed in lower case: w-0040 finds W-0040
        return Found(text, matches, more, notes if not matches else [])

    def _codes(self, text: str) -> list[list[Match]]:
        """Lots with this lot code or supplier lot, and the lots of events with this reference."""
        return [self.reads.lots_by_code(text, MOST + 1), self.reads.lots_by_reference(text, MOST + 1)]

    def _scanned(self, text: str, notes: list[str]) -> list[Match]:
        """What the text names read as a barcode; a text that is no barcode is a code and names nothing here."""
        try:
            scan = parse_scan(text)
        except ValidationError as error:
            if _looks_scanned(text):
                notes.append(error.message)
            return []
        found: list[Match] = []
        if scan.sscc:
            if self.reads.pallet_known(scan.sscc):
                found.append(Match(SSCC, sscc=scan.sscc))
            else:
                notes.append(f"no pallet with SSCC {scan.sscc} is on record")
        if scan.lot and (scan.gtin or scan.sku):
            lot = self.reads.scanned_lot(scan.lot, gtin=scan.gtin, sku=None if scan.gtin else scan.sku)
            if lot is not None:
                found.append(lot)
            else:
                notes.append(self._unknown_lot(scan))
        elif scan.gtin:
            item = self.reads.item_name_by_gtin(scan.gtin)
            named = f"item {item[0]} ({item[1]})" if item else "no item on record"
            notes.append(f"GTIN {scan.gtin} is {named}; the barcode names no lot")
        return found

    def _unknown_lot(self, scan: Scan) -> str:
        if scan.gtin is None:
            return f"no lot {scan.lot} of {scan.sku} is on record"
        item = self.reads.item_name_by_gtin(scan.gtin)
        if item is None:
            return f"no item has GTIN {scan.gtin}"
        return f"no lot {scan.lot} of {item[0]} (GTIN {scan.gtin}) is on record"


def _looks_scanned(text: str) -> bool:
    """A text a scanner sent (a GS1 string, a Digital Link, a symbology prefix), not a mistyped code."""
    return text.startswith(("(", "]", "http://", "https://", "LOT:")) or "\x1d" in text
