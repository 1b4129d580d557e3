"""The draft of a floor event: what each page records, its lines kept in hidden fields between scans.

A page works without JavaScript: every scan is a POST that sends the whole draft back. The draft
becomes an event document only here, so the page asks the ledger (`Recording.check`) about exactly
what it would record.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from lotledger.domain.errors import LotledgerError, ValidationError
from lotledger.domain.model import Item, LotKey
from lotledger.services.barcodes import Resolution

LINE_PARTS = ("lines", "inputs", "outputs")


@dataclass(frozen=True, slots=True)
class Kind:
    """One floor page: the event it records and the fields it asks for."""

    name: str  # the event type
    title: str
    verb: str  # for the Record button and the success message
    header: tuple[str, ...]  # form fields copied onto the event as they are
    parts: tuple[str, ...]  # what the draft collects: lot lines and/or whole containers
    partner_role: str | None = None
    arriving: bool = False  # its scans name lots that need not be on record yet
    signed: bool = False  # quantities may be negative (a count correction)


KINDS = {
    kind.name: kind
    for kind in (
        Kind("receive", "Receive", "receipt", ("partner", "location", "reference"), ("lines",), "supplier", True),
        Kind("produce", "Produce", "production", ("location", "reference"), ("inputs", "outputs")),
        Kind("move", "Move", "move", ("location", "to_location", "reference"), ("lines", "containers")),
        Kind("pack", "Pack", "pallet", ("location", "container", "reference"), ("lines",)),
        Kind("ship", "Ship", "shipment", ("location", "partner", "reference"), ("lines", "containers"), "customer"),
        Kind("adjust", "Adjust", "adjustment", ("location", "reason", "reference"), ("lines",), signed=True),
        Kind("return", "Return", "return", ("partner", "location", "reference"), ("lines",), "customer"),
    )
}

# What a header field is called on the page, for "choose ... first" and for errors naming a field.
LABELS = {
    "location": "location",
    "to_location": "location to move to",
    "partner": "partner",
    "reference": "reference",
    "reason": "reason",
    "container": "pallet SSCC",
    "qty": "quantity",
    "uom": "unit",
    "supplier_lot": "supplier lot",
    "expiry": "expiry",
}
_NEEDED_TO_SCAN = ("partner", "location", "to_location")  # what the ledger's check of a line depends on
_PART_WORDS = {"lines": "line", "inputs": "input", "outputs": "output", "containers": "pallet"}
_PATH = re.compile(r"(lines|inputs|outputs|containers)\[(\d+)\](?:\.(\w+))?")


def words(error: LotledgerError) -> str:
    """An error as the page says it: "Line 2, quantity: ..." rather than "lines[1].qty: ..."."""
    if not error.field:
        return error.message[:1].upper() + error.message[1:]
    found = _PATH.fullmatch(error.field)
    if found:
        where = f"{_PART_WORDS[found[1]]} {int(found[2]) + 1}"
        if found[3] and not error.message.startswith("lot "):  # a message naming the lot says which part
            where += f", {LABELS.get(found[3], found[3])}"
    else:
        where = LABELS.get(error.field, error.field)
    return f"{where[:1].upper()}{where[1:]}: {error.message}"


def partner_label(kind: Kind) -> str:
    return kind.partner_role or "partner"


@dataclass(slots=True)
class Draft:
    """The event being built on a page: its id (fixed when the form was first shown), fields and lines."""

    kind: Kind
    event_id: str
    header: dict[str, str]
    parts: dict[str, list[Any]] = field(default_factory=dict)  # lot lines as dicts, containers as SSCCs

    @classmethod
    def empty(cls, kind: Kind, keep: dict[str, str] | None = None) -> Draft:
        header = {name: (keep or {}).get(name, "") for name in kind.header}
        return cls(kind, str(uuid.uuid4()), header, {part: [] for part in kind.parts})

    @classmethod
    def read(cls, kind: Kind, form: Any) -> Draft:
        """The draft a posted form carries; a line that is not ours (edited by hand) is refused."""
        try:
            event_id = str(uuid.UUID(form.get("event_id")))
        except ValueError:
            event_id = str(uuid.uuid4())
        parts: dict[str, list[Any]] = {}
        for part in kind.parts:
            values = form.all(part)
            if part == "containers":
                parts[part] = values
                continue
            try:
                lines = [json.loads(value) for value in values]
            except (ValueError, RecursionError):
                raise ValidationError("the form's lines cannot be read: start again", part) from None
            if not all(isinstance(line, dict) for line in lines):
                raise ValidationError("the form's lines cannot be read: start again", part)
            parts[part] = lines
        return cls(kind, event_id, {name: form.get(name) for name in kind.header}, parts)

    def hidden(self) -> list[tuple[str, str]]:
        """The hidden fields that carry the draft to the next POST."""
        fields = [("event_id", self.event_id)]
        for part, entries in self.parts.items():
            for entry in entries:
                fields.append((part, entry if isinstance(entry, str) else json.dumps(entry, sort_keys=True)))
        return fields

    def empty_parts(self) -> bool:
        return not any(self.parts.values())

    def missing(self, for_scan: bool) -> str | None:
        """What must be chosen before a scan can be checked (or the event recorded), in words."""
        wanted = _NEEDED_TO_SCAN if for_scan else (*_NEEDED_TO_SCAN, "container", "reason")
        for name in wanted:
            if name in self.header and not self.header[name]:
                label = partner_label(self.kind) if name == "partner" else LABELS[name]
                how = {"container": "scan or allocate", "reason": "give"}.get(name, "choose")
                return f"{how.capitalize()} the {label} first."
        return None

    def document(self, checking: bool = False) -> dict[str, Any]:
        """The event document of the draft, dated now. `checking`: fill what a scan's check does not
        depend on (an adjustment's reason, a production's outputs not entered yet)."""
        doc: dict[str, Any] = {"id": self.event_id, "type": self.kind.name, "time": datetime.now(UTC).isoformat()}
        doc.update({name: value for name, value in self.header.items() if value})
        for part, entries in self.parts.items():
            if entries:
                doc[part] = [_event_line(e) for e in entries] if part in LINE_PARTS else list(entries)
        if checking and self.kind.name == "adjust" and not doc.get("reason"):
            doc["reason"] = "checking a scan"
        if checking and self.kind.name == "produce" and doc.get("inputs") and not doc.get("outputs"):
            first = doc["inputs"][0]  # an output of the first input's item, in a lot no one names
            doc["outputs"] = [{"item": first["item"], "lot": self.event_id[:20], "qty": "1", "uom": first["uom"]}]
        return doc

    def lots(self) -> list[LotKey]:
        """The lots the draft's lines name, each once, in order."""
        keys = [LotKey(e["item"], e["lot"]) for p in LINE_PARTS for e in self.parts.get(p, []) if "item" in e]
        return list(dict.fromkeys(keys))


def _event_line(entry: dict[str, Any]) -> dict[str, Any]:
    """A draft line as the event carries it: what is only shown on the page (keys with _) left out."""
    return {key: value for key, value in entry.items() if not key.startswith("_")}


def _text(qty: Decimal) -> str:
    return format(qty.normalize(), "f")


def line_quantity(found: Resolution, item: Item, qty: str, uom: str) -> tuple[str, str]:
    """The quantity a scanned lot line adds: the label's net weight or count, else what was typed."""
    scan = found.scan
    if scan.net_weight_kg is not None and (item.uom != "ea" or scan.count is None):
        return _text(scan.net_weight_kg), "kg"
    if scan.count is not None:
        return str(scan.count), "ea"
    if not qty:
        raise ValidationError("enter the quantity next to the scan field, then scan again", "qty")
    return qty, uom or item.uom


def scanned_entry(kind: Kind, part: str, found: Resolution, qty: str, uom: str) -> Any:
    """The draft line (or container) a resolved scan adds to `part`, or ValidationError saying why not."""
    scan = found.scan
    if scan.sscc and not (found.item and scan.lot and kind.name in ("receive", "return", "adjust")):
        if "containers" in kind.parts:
            return scan.sscc
        raise ValidationError(
            f"SSCC {scan.sscc} names a whole pallet: on this page scan the lots on it, one by one", "scan"
        )
    if found.item is None:
        raise ValidationError(f"{scan.raw!r} names no item: scan a lot's label (item and lot)", "scan")
    if not scan.lot:
        raise ValidationError(
            f"the label names {found.item.sku} but no lot (AI 10): scan the lot's label or enter the line by hand",
            "scan",
        )
    amount, unit = line_quantity(found, found.item, qty, uom)
    line: dict[str, Any] = {"item": found.item.sku, "lot": scan.lot, "qty": amount, "uom": unit}
    expiry = found.lot.expiry if found.lot else scan.expiry
    if kind.name == "receive" or part == "outputs":
        if scan.expiry and (found.lot is None or kind.name == "receive"):
            line["expiry"] = scan.expiry.isoformat()
        if kind.name == "receive":
            line["supplier_lot"] = scan.lot
    if expiry is not None and "expiry" not in line:
        line["_expiry"] = expiry.isoformat()  # shown beside the line, not recorded with it
    return line


def container_lines(found: Resolution, location: str) -> list[dict[str, Any]]:
    """A pallet taken whole into a production: one input line per lot on it at the location."""
    return [
        {
            "item": s.lot.sku,
            "lot": s.lot.code,
            "qty": format(s.qty.normalize(), "f"),
            "uom": s.uom,
            "container": s.container,
        }
        for s in found.stock
        if s.location == location and s.qty > 0
    ]


@dataclass(frozen=True, slots=True)
class Shown:
    """What the last scan was, as the panel beside the scan field shows it."""

    title: str
    item: Item | None = None
    lot: str | None = None
    expiry: str | None = None
    status: str | None = None  # held, expired, released, new
    holds: tuple[str, ...] = ()
    adding: str | None = None  # "12 kg": what the line adds
    on_hand: Decimal | None = None  # loose and on pallets, at the draft's location
    on_pallets: tuple[tuple[str, Decimal], ...] = ()
    uom: str = ""
    contents: tuple[tuple[str, str, Decimal, str, str], ...] = ()  # lot, sku, qty, uom, location


def status_of(found: Resolution, today: str) -> str:
    if found.lot is None:
        return "new"
    if found.lot.holds:
        return "held"
    if found.lot.expiry is not None and found.lot.expiry.isoformat() < today:
        return "expired"
    return "released"


def shown(found: Resolution, location: str, today: str, entry: Any = None) -> Shown:
    """The panel of a resolved scan: item, lot, quantity, expiry, status and stock at this location."""
    scan = found.scan
    adding = f"{entry['qty']} {entry['uom']}" if isinstance(entry, dict) else None
    if found.item is None or not scan.lot:
        contents = tuple((s.lot.code, s.lot.sku, s.qty, s.uom, s.location) for s in found.stock)
        title = f"Pallet {scan.sscc}" if scan.sscc else (found.item.name if found.item else scan.raw)
        return Shown(title, found.item, contents=contents)
    here = [s for s in found.stock if s.location == location]
    expiry = found.lot.expiry if found.lot else scan.expiry
    return Shown(
        f"{found.item.sku} · {found.item.name}",
        found.item,
        scan.lot,
        expiry.isoformat() if expiry else None,
        status_of(found, today),
        tuple(found.lot.holds) if found.lot else (),
        adding,
        sum((s.qty for s in here), Decimal(0)) if found.lot else None,
        tuple((s.container, s.qty) for s in here if s.container),
        found.item.uom,
    )
