"""What goes on a label: the symbol's data under GS1 rules, and the text beside it.

Symbols are drawn by zint (never by hand): GS1-128 and GS1 DataMatrix from
element strings with FNC1 handled by zint, a GS1 Digital Link URI in a QR
code, and for items without a GTIN a Code 128, QR or DataMatrix of the lot's
internal identity `LOT:<sku>:<lot>` (which the scanner reads back too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

import zint

from lotledger.barcodes.gs1 import INTERNAL_PREFIX
from lotledger.domain.errors import ValidationError
from lotledger.domain.fields import lot_code as validate_lot_code
from lotledger.domain.model import Item, validate_gs1_key, validate_sscc
from lotledger.domain.quantities import format_qty
from lotledger.domain.trace import StockLine

SYMBOLS = ("gs1-128", "datamatrix", "qr")
DIGITAL_LINK_BASE = "https://id.gs1.org"


@dataclass(frozen=True, slots=True)
class Label:
    symbology: str  # gs1-128, datamatrix, qr, code128
    data: str  # zint input: "[01]...[10]..." in GS1 mode, else the text or URI itself
    gs1: bool
    title: str
    lines: tuple[str, ...] = ()


def _yymmdd(day: date) -> str:
    return day.strftime("%y%m%d")


def lot_label(item: Item, lot: str, expiry: date | None, symbol: str = "gs1-128") -> Label:
    """A lot label: (01) GTIN, (10) lot, (17) expiry, or the internal identity without a GTIN."""
    if symbol not in SYMBOLS:
        raise ValidationError(f"{symbol!r} is not one of {', '.join(SYMBOLS)}", "symbol")
    lot = validate_lot_code(lot)
    lines = [f"{item.sku}  {item.name}", f"LOT {lot}"] + ([f"EXP {expiry.isoformat()}"] if expiry else [])
    title = f"{item.sku}/{lot}"
    if item.gtin is None:
        internal = f"{INTERNAL_PREFIX}{item.sku}:{lot}"
        kind = {"gs1-128": "code128", "datamatrix": "datamatrix", "qr": "qr"}[symbol]
        return Label(kind, internal, False, title, tuple(lines))
    gtin = validate_gs1_key(item.gtin, (14,), "GTIN", "gtin")
    if symbol == "qr":
        uri = f"{DIGITAL_LINK_BASE}/01/{gtin}/10/{_uri_escape(lot)}" + (f"?17={_yymmdd(expiry)}" if expiry else "")
        return Label("qr", uri, False, title, tuple(lines))
    data = f"[01]{gtin}[10]{lot}" + (f"[17]{_yymmdd(expiry)}" if expiry else "")
    return Label(symbol, data, True, title, tuple(lines))


def pallet_label(sscc: str, contents: list[StockLine], expiries: dict[tuple[str, str], date | None]) -> Label:
    """A pallet label: the SSCC in GS1-128 and, in text, what is on the pallet."""
    sscc = validate_sscc(sscc, "sscc")
    lines = [f"SSCC {sscc}"]
    for line in contents:
        best_before = expiries.get((line.lot.sku, line.lot.code))
        lines.append(
            f"{line.lot.sku}  LOT {line.lot.code}  {format_qty(line.qty)} {line.uom}"
            + (f"  BEST BEFORE {best_before.isoformat()}" if best_before else "")
        )
    if not contents:
        lines.append("(empty)")
    return Label("gs1-128", f"[00]{sscc}", True, f"Pallet {sscc}", tuple(lines))


def _uri_escape(value: str) -> str:
    return quote(value, safe="")


_ZINT = {
    "gs1-128": zint.Symbology.GS1_128,
    "datamatrix": zint.Symbology.DATAMATRIX,
    "qr": zint.Symbology.QRCODE,
    "code128": zint.Symbology.CODE128,
}


def symbol(label: Label, out: str = "png", scale: float = 2.0) -> bytes:
    """The bare symbol as PNG or SVG bytes; GS1 rules broken (a check digit, a date) raise ValidationError."""
    s = zint.Symbol()
    s.symbology = _ZINT[label.symbology]
    s.input_mode = zint.InputMode.GS1 if label.gs1 else zint.InputMode.UNICODE
    s.output_options = zint.OutputOptions.BARCODE_MEMORY_FILE
    if label.symbology in ("datamatrix", "qr"):
        s.output_options = zint.OutputOptions.BARCODE_MEMORY_FILE | zint.OutputOptions.BARCODE_QUIET_ZONES
    s.outfile = f"symbol.{out}"
    s.scale = scale
    s.warn_level = zint.WarningLevel.FAIL_ALL
    try:
        s.encode(label.data)
        s.print()
    except RuntimeError as error:
        raise ValidationError(f"{label.data!r} cannot be encoded: {error}", "label") from None
    if s.memfile is None:
        raise ValidationError(f"{label.data!r} produced no symbol", "label")
    return bytes(s.memfile)
