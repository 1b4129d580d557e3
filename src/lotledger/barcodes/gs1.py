"""Parse whatever a scanner sends into a `Scan`, with biip.

Accepted: GS1 element strings from GS1-128 / GS1 DataMatrix / GS1 QR with GS
(ASCII 29) separators (or a literal `<GS>`), with or without the AIM
symbology identifier (]C1, ]d2, ]Q3, ]e0); the human-readable form with
parentheses; GS1 Digital Link URIs (also behind ]Q1); plain EAN-13, UPC-A,
EAN-8 and ITF-14 (a GTIN); an 18-digit SSCC; and lotledger's own
`LOT:<sku>:<lot>` for items without a GTIN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import biip
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_messages import GS1Message
from biip.gtin import Gtin
from biip.sscc import Sscc

from lotledger.domain.errors import ValidationError
from lotledger.domain.fields import code as validate_code
from lotledger.domain.fields import lot_code as validate_lot_code

GS = "\x1d"
_AIM = re.compile(r"\][A-Za-z][0-9A-Za-z]")
INTERNAL_PREFIX = "LOT:"


@dataclass(frozen=True, slots=True)
class Scan:
    """What a barcode says, in the plant's terms (any field may be missing)."""

    raw: str
    form: str  # gs1, digital-link, gtin, sscc, internal
    gtin: str | None = None
    sku: str | None = None  # only from lotledger's internal LOT:<sku>:<lot>
    lot: str | None = None
    sscc: str | None = None
    expiry: date | None = None
    production_date: date | None = None
    serial: str | None = None
    count: int | None = None
    net_weight_kg: Decimal | None = None


def _refuse(text: str, reason: str) -> ValidationError:
    return ValidationError(f"{text!r} is not a GS1 barcode lotledger can read: {reason}", "scan")


def parse_scan(text: str) -> Scan:
    """A `Scan` of `text`, or ValidationError saying what is wrong with it."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError("nothing was scanned", "scan")
    raw = text.strip().replace("<GS>", GS)
    if _AIM.match(raw) and _is_plain_payload(raw[3:]):
        raw = raw[3:]  # a plain symbol (]C0, ]Q1, ]d1 ...) carrying a URI or our internal identity
    try:
        if raw.startswith(INTERNAL_PREFIX):
            return _internal(text, raw)
        if raw.startswith("("):
            return _message(text, GS1Message.parse_hri(raw), "gs1")
        if raw.lower().startswith(("http://", "https://")):
            return _message(text, GS1DigitalLinkURI.parse(raw).as_gs1_message(), "digital-link")
        if raw.isdigit() and len(raw) in (8, 12, 13, 14):
            return Scan(text, "gtin", gtin=Gtin.parse(raw).as_gtin_14())
        if raw.isdigit() and len(raw) == 18:
            return Scan(text, "sscc", sscc=Sscc.parse(raw).value)
        result = biip.parse(raw)
        if result.gs1_message is None:
            raise _refuse(text, result.gs1_message_error or "no GS1 Application Identifier found")
        return _message(text, result.gs1_message, "gs1")
    except biip.ParseError as error:
        raise _refuse(text, str(error)) from None
    except (ValueError, IndexError, KeyError) as error:  # biip trips on some fragments (a lone "]")
        raise _refuse(text, f"it cannot be read ({type(error).__name__})") from None


def _is_plain_payload(rest: str) -> bool:
    return rest.startswith(INTERNAL_PREFIX) or rest.lower().startswith(("http://", "https://"))


def _internal(text: str, raw: str) -> Scan:
    parts = raw[len(INTERNAL_PREFIX) :].split(":", 1)
    if len(parts) != 2:
        raise _refuse(text, "expected LOT:<sku>:<lot>")
    return Scan(text, "internal", sku=validate_code(parts[0], "scan"), lot=validate_lot_code(parts[1], "scan"))


def _message(text: str, message: GS1Message, form: str) -> Scan:
    fields: dict[str, object] = {}
    for element in message.element_strings:
        ai = element.ai.ai
        for error in (element.gtin_error, element.sscc_error, element.gln_error):
            if error:
                raise _refuse(text, error)
        if ai == "01":
            fields["gtin"] = element.value
        elif ai == "00":
            fields["sscc"] = element.value
        elif ai == "10":
            fields["lot"] = element.value
        elif ai == "17":
            fields["expiry"] = element.date
        elif ai == "11":
            fields["production_date"] = element.date
        elif ai == "21":
            fields["serial"] = element.value
        elif ai in ("30", "37"):
            if not (element.value.isascii() and element.value.isdigit()):
                raise _refuse(text, f"({ai}) is a count and must be digits, not {element.value!r}")
            fields["count"] = int(element.value)
        elif ai.startswith("310"):
            fields["net_weight_kg"] = element.decimal
    if not fields:
        raise _refuse(text, "none of (00), (01), (10), (11), (17), (21), (30), (37), (310n) in it")
    return Scan(text, form, **fields)  # type: ignore[arg-type]
