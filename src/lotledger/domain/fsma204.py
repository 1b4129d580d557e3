"""FSMA 204 records: the receipts, shipments and transformations of food as rows of FDA's
electronic sortable spreadsheet, each with its key data elements (KDEs) and the ones missing.

21 CFR 1.1340 (shipping), 1.1345 (receiving) and 1.1350 (transformation) list what each
critical tracking event (CTE) records. The traceability lot code (TLC) is the code the lot's
TLC source assigned: for food we receive, the supplier's lot code with the supplier as source;
for food we make, our own lot code with our plant as source. Plain Python: the ledger's lines
come in (`CteLine`, sorted by event), rows go out; nothing here reads or writes anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby
from zoneinfo import ZoneInfo

from lotledger.domain.errors import ValidationError
from lotledger.domain.exchange import days
from lotledger.domain.model import Item, Location, LotKey, Partner

# The CTEs of FDA's template, in its order; lotledger's events make the last three.
CTES = (
    "Harvesting",
    "Cooling",
    "Initial Packing",
    "First Land-Based Receiving",
    "Shipping",
    "Receiving",
    "Transformation",
)
RECORDED_CTES = ("Shipping", "Receiving", "Transformation")
EVENT_TYPES = ("receive", "return", "ship", "produce")  # what makes a row; the rest moves no food between firms
# What `reference` holds on each kind of event, as FSMA's "reference document type".
DOCUMENT_TYPES = {
    "receive": "Purchase order",
    "return": "Return authorization",
    "ship": "Sales order",
    "produce": "Work order",
}
# A row per lot line: received (a supplier's delivery), returned (a customer's return, received
# back), shipped, and a transformation's input and output lots.
KIND_OF_MOVEMENT = {
    "receive": "received",
    "return": "returned",
    "ship": "shipped",
    "consume": "input",
    "produce": "output",
}
CTE_OF_KIND = {
    "received": "Receiving",
    "returned": "Receiving",
    "shipped": "Shipping",
    "input": "Transformation",
    "output": "Transformation",
}

PLACE_PARTS = (
    "Business Name",
    "Phone Number",
    "Physical Address",
    "City",
    "State/Region",
    "ZIP/Postal Code",
    "Country",
)
PRODUCT_PARTS = ("Product Name", "Brand Name", "Commodity", "Variety", "Packaging Size", "Packaging Style")
# The product description is the name "including brand, commodity and variety, if applicable",
# packaging size and style (21 CFR 1.1310): brand, commodity and variety are not always there to give.
REQUIRED_PRODUCT_PARTS = ("Product Name", "Packaging Size", "Packaging Style")
# The places a row describes, by role (their titles are also the KDE names' prefixes).
PLACE_ROLES = {
    "previous_source": "Immediate Previous Source",
    "receiving": "Receiving Location",
    "ship_from": "Ship-From Location",
    "recipient": "Immediate Subsequent Recipient",
    "tlc_source": "TLC Source",
}
TLC = "Traceability Lot Code"
DOCUMENT_NUMBER = "Reference Document Number"


@dataclass(frozen=True, slots=True)
class Selection:
    """Which rows: events in [since, until) (UTC), of FTL items, one item, one lot, or every item."""

    since: datetime | None = None
    until: datetime | None = None
    item: str | None = None
    lot: LotKey | None = None
    ftl_only: bool = True


def selection(
    zone: ZoneInfo,
    start: date | None = None,
    end: date | None = None,
    item: str | None = None,
    lot: LotKey | None = None,
    all_items: bool = False,
) -> Selection:
    """The days `start`..`end` (both included, in the plant's zone) and what to export; the refusal names the field."""
    since, until = days(zone, start, end)
    if lot is not None and item is not None and item != lot.sku:
        raise ValidationError(f"item {item!r} is not the item of lot {lot}", "item")
    if all_items and (item is not None or lot is not None):
        raise ValidationError("every item, or the item or lot named: not both", "all_items")
    return Selection(
        since,
        until,
        lot.sku if lot is not None else item,
        lot,
        ftl_only=not all_items and item is None and lot is None,
    )


@dataclass(frozen=True, slots=True)
class CteLine:
    """One movement of a lot by a receive, return, ship or produce event that stands (not voided)."""

    event_id: str
    event_type: str
    kind: str  # the movement: receive, return, ship, consume, produce
    time: datetime
    location: str  # the event's location
    partner: str | None  # the supplier or customer of the event
    reference: str | None
    lot: LotKey
    qty: Decimal  # positive, in the item's unit
    container: str  # "" for loose stock
    origin: str  # the lot's: received or produced
    supplier: str | None  # the lot's supplier, for a received lot
    supplier_lot: str | None  # the code the supplier gave it
    made_at: str | None  # where the lot came into being (a produced lot's production location)


@dataclass(frozen=True, slots=True)
class Place:
    """A location description: FSMA's seven parts, None where unknown."""

    parts: tuple[str | None, ...]

    @classmethod
    def of(cls, record: Location | Partner) -> Place:
        return cls(
            (record.name, record.phone, record.address, record.city, record.region, record.postal_code, record.country)
        )

    def missing(self, role: str) -> list[str]:
        return [
            f"{PLACE_ROLES[role]}: {part}" for part, value in zip(PLACE_PARTS, self.parts, strict=True) if not value
        ]


NOWHERE = Place((None,) * len(PLACE_PARTS))


@dataclass(frozen=True, slots=True)
class Product:
    parts: tuple[str | None, ...]  # PRODUCT_PARTS
    uom: str

    def missing(self) -> list[str]:
        required = zip(PRODUCT_PARTS, self.parts, strict=True)
        return [
            f"Product Description: {part}" for part, value in required if not value and part in REQUIRED_PRODUCT_PARTS
        ]


class Directory:
    """Master data as FSMA describes it: products, and places (ours by their site, partners by their address)."""

    def __init__(self, items: Iterable[Item], locations: Iterable[Location], partners: Iterable[Partner]) -> None:
        self.products = {
            i.sku: Product((i.name, i.brand, i.commodity, i.variety, i.pack_size, i.pack_style), i.uom) for i in items
        }
        self._locations = {location.code: location for location in locations}
        self._partners = {partner.code: partner for partner in partners}
        self._ours: dict[str, tuple[Place, str | None]] = {}

    def product(self, sku: str) -> Product:
        return self.products.get(sku) or Product((sku, *(None,) * 5), "")

    def ours(self, code: str) -> tuple[Place, str | None]:
        """One of our locations: the nearest of it and its parents with an address, and its site's reference."""
        if code not in self._ours:
            chain = self._chain(code)
            addressed = next((loc for loc in chain if loc.address), chain[0] if chain else None)
            site = next((loc for loc in chain if loc.kind == "site"), chain[-1] if chain else None)
            reference = None
            if site is not None:
                reference = _reference(site.gln, site.fda_registration)
            self._ours[code] = (NOWHERE if addressed is None else Place.of(addressed), reference)
        return self._ours[code]

    def partner(self, code: str | None) -> tuple[Place, str | None]:
        found = self._partners.get(code) if code else None
        return (NOWHERE, None) if found is None else (Place.of(found), _reference(found.gln, None))

    def _chain(self, code: str) -> list[Location]:
        chain: list[Location] = []
        found = self._locations.get(code)
        while found is not None and found not in chain:
            chain.append(found)
            found = self._locations.get(found.parent) if found.parent else None
        return chain


def _reference(gln: str | None, registration: str | None) -> str | None:
    """A TLC source reference: the GLN and/or FDA food facility registration number."""
    parts = [f"GLN {gln}" if gln else "", f"FFRN {registration}" if registration else ""]
    return "; ".join(part for part in parts if part) or None


@dataclass(frozen=True, slots=True)
class Row:
    """One row of the spreadsheet: a lot line of a CTE, with the KDEs it lacks."""

    cte: str
    kind: str  # received, returned, shipped, input, output
    event_id: str
    time: datetime  # in the plant's zone
    lot: LotKey
    tlc: str | None
    qty: Decimal
    uom: str
    product: Product
    places: dict[str, Place]  # by PLACE_ROLES key
    tlc_source_reference: str | None
    document_type: str
    document_number: str | None
    containers: tuple[str, ...]
    missing: tuple[str, ...]
    required: int  # KDE cells this row must fill

    @property
    def day(self) -> date:
        return self.time.date()

    @property
    def filled(self) -> int:
        return self.required - len(self.missing)


def rows(lines: Iterable[CteLine], directory: Directory, zone: ZoneInfo) -> Iterator[Row]:
    """The rows of `lines` (sorted by event, then kind, lot): one per event, kind and lot, containers merged."""
    for (_, kind, _), group in groupby(lines, key=lambda line: (line.event_id, line.kind, line.lot)):
        same = list(group)
        yield _row(same[0], sum((line.qty for line in same), Decimal(0)), same, directory, zone, KIND_OF_MOVEMENT[kind])


def _row(line: CteLine, qty: Decimal, same: list[CteLine], directory: Directory, zone: ZoneInfo, kind: str) -> Row:
    product = directory.product(line.lot.sku)
    here, _ = directory.ours(line.location)
    partner, _ = directory.partner(line.partner)
    tlc, source, reference, missing = _tlc(line, kind, directory)
    places: dict[str, Place] = {}
    if kind in ("received", "returned"):
        places = {"previous_source": partner, "receiving": here, "tlc_source": source}
    elif kind == "shipped":
        places = {"recipient": partner, "ship_from": here, "tlc_source": source}
    elif kind == "output":
        places = {"tlc_source": source}
    # What the row must carry (21 CFR 1.1340-1.1350): quantity, unit, date and document type are always known.
    required = 3 + len(REQUIRED_PRODUCT_PARTS) + 1  # TLC, quantity, unit; the product; the date
    missing += product.missing()
    for role, place in places.items():
        if role == "tlc_source" and reference is not None and kind != "output":
            continue  # a GLN or registration number stands for the TLC source's description
        required += len(PLACE_PARTS)
        missing += place.missing(role)
    if kind != "input":  # an input's document is the transformation's, required of its outputs
        required += 2
        if not line.reference:
            missing.append(DOCUMENT_NUMBER)
    return Row(
        CTE_OF_KIND[kind],
        kind,
        line.event_id,
        line.time.astimezone(zone),
        line.lot,
        tlc,
        qty,
        product.uom,
        product,
        places,
        reference if kind != "input" else None,
        DOCUMENT_TYPES[line.event_type],
        line.reference,
        tuple(dict.fromkeys(other.container for other in same if other.container)),
        tuple(missing),
        required,
    )


def _tlc(line: CteLine, kind: str, directory: Directory) -> tuple[str | None, Place, str | None, list[str]]:
    """The lot's TLC and its source (place and reference); what is missing of the TLC itself.

    A transformation's output is ours whatever; any other row carries the lot's own TLC: the
    supplier's code for a received lot (never ours in its place: FSMA keeps the code the
    source assigned), ours for a lot we made, with the plant that made it as its source."""
    if kind == "output" or line.origin != "received":
        place, reference = directory.ours(line.location if kind == "output" else line.made_at or line.location)
        return line.lot.code, place, reference, []
    place, reference = directory.partner(line.supplier)
    if line.supplier_lot:
        return line.supplier_lot, place, reference, []
    return None, place, reference, [f"{TLC} (the supplier's lot code was not recorded on the receipt)"]


@dataclass
class Completeness:
    """Rows complete out of rows, KDE cells filled out of required, per CTE."""

    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORDED_CTES, 0))
    complete: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORDED_CTES, 0))
    required: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORDED_CTES, 0))
    filled: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORDED_CTES, 0))

    def add(self, row: Row) -> None:
        self.rows[row.cte] += 1
        self.complete[row.cte] += not row.missing
        self.required[row.cte] += row.required
        self.filled[row.cte] += row.filled

    def figures(self) -> list[tuple[str, int, int, int, int]]:
        """(CTE, rows, complete rows, KDE cells required, filled) per CTE and for all of them ("Total")."""
        ctes = [*RECORDED_CTES, "Total"]
        for table in (self.rows, self.complete, self.required, self.filled):
            table["Total"] = sum(table[cte] for cte in RECORDED_CTES)
        figures = [(cte, self.rows[cte], self.complete[cte], self.required[cte], self.filled[cte]) for cte in ctes]
        for table in (self.rows, self.complete, self.required, self.filled):
            del table["Total"]
        return figures


def share(part: int, whole: int) -> str:
    """`part` of `whole` as a percentage with one decimal; 100% of nothing."""
    return "100.0%" if whole == 0 else f"{100 * part / whole:.1f}%"
