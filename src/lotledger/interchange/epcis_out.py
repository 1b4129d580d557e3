"""The ledger as a GS1 EPCIS 2.0 JSON-LD document (docs/epcis.md), written as a stream of text.

The header carries the master data the events use (items as EPCClass, locations as Location, partners as
Party vocabularies), each element with every lotledger field as a ``urn:lotledger:epcis:<field>`` attribute
and the CBV master data attributes a partner's system reads. Then one EPCIS event per lotledger event, in
ledger order; a void is the voided event written again with an errorDeclaration. What EPCIS cannot say
(units as written, expiry per line, notes, reasons...) travels in ``lotledger:details`` on each event, so
that the document alone rebuilds the same ledger. Pure mapping: nothing here reads the ledger or a file.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from lotledger.domain import events as ev
from lotledger.domain.exchange import LedgerEntry
from lotledger.domain.model import Item, Location, LotKey, Partner
from lotledger.interchange.epcis_ids import Identifiers

MEDIA_TYPE = "application/ld+json"
CONTEXT: list[Any] = [
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    {"lotledger": "urn:lotledger:epcis:"},
]
FIELD = "urn:lotledger:epcis:"  # a lotledger master field, as a master data attribute
DETAILS = "lotledger:details"
VOID = "lotledger:void"
CBV_MDA = "urn:epcglobal:cbv:mda#"
EXPIRY = "cbvmda:itemExpirationDate"
VOCABULARY = "urn:epcglobal:epcis:vtype:"
# UN/CEFACT Recommendation 20 codes; "ea" is a count, which EPCIS writes without a unit.
UN_CEFACT = {"kg": "KGM", "g": "GRM", "t": "TNE", "lb": "LBR", "L": "LTR", "l": "LTR", "mL": "MLT", "ml": "MLT"}
# The CBV business transaction type a reference is, by event type (none for the others).
TRANSACTION_TYPES = {"receive": "po", "ship": "po", "produce": "prodorder", "return": "rma"}
# A place's CBV master data attributes, from its lotledger fields.
PLACE_ATTRIBUTES = {
    "name": "name",
    "address": "streetAddressOne",
    "city": "city",
    "region": "state",
    "postal_code": "postalCode",
    "country": "countryCode",
}
_LINE_LISTS = ("lines", "inputs", "outputs")
_DETAIL_FIELDS = ("note", "actor", "reason", "scope", "expiry_override", "results")
HOLD = "non_sellable_other"


@dataclass(frozen=True, slots=True)
class Directory:
    """Every item, location and partner by its code: what the identifiers are made from."""

    items: Mapping[str, Item]
    locations: Mapping[str, Location]
    partners: Mapping[str, Partner]

    @classmethod
    def of(cls, items: Iterable[Item], locations: Iterable[Location], partners: Iterable[Partner]) -> Directory:
        return cls({i.sku: i for i in items}, {p.code: p for p in locations}, {p.code: p for p in partners})


@dataclass(frozen=True, slots=True)
class MasterData:
    """The master data a document's header carries."""

    items: Sequence[Item]
    locations: Sequence[Location]
    partners: Sequence[Partner]


def number(qty: Decimal) -> int | float:
    """A quantity as a JSON number: exact when whole or within a double's 15 significant digits."""
    return int(qty) if qty == qty.to_integral_value() else float(qty)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _flag_or_value(value: Any) -> Any:
    """A master field as an EPCIS attribute value: the schema takes numbers, text and objects, no booleans."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _attributes(record: Item | Location | Partner, standard: Mapping[str, str]) -> list[dict[str, Any]]:
    """Every lotledger field that has a value, then the CBV attributes `standard` names (field -> CBV name)."""
    attributes = [
        {"id": FIELD + field.name, "attribute": _flag_or_value(getattr(record, field.name))}
        for field in dataclasses.fields(record)
        if getattr(record, field.name) is not None
    ]
    for name, cbv in standard.items():
        value = getattr(record, name)
        if value is not None:
            attributes.append({"id": CBV_MDA + cbv, "attribute": value})
    return attributes


def _offset(moment: datetime) -> str:
    text = moment.strftime("%z") or "+0000"
    return f"{text[:3]}:{text[3:5]}"


class EpcisWriter:
    """Writes events and master data as EPCIS 2.0, naming things with the plant's `Identifiers`."""

    def __init__(self, ids: Identifiers, directory: Directory, zone: ZoneInfo) -> None:
        self.ids = ids
        self.directory = directory
        self.zone = zone
        self._mappers: dict[str, Callable[[Any], dict[str, Any]]] = {
            "receive": self._receive,
            "return": self._return,
            "ship": self._ship,
            "move": self._move,
            "adjust": self._adjust,
            "produce": self._produce,
            "pack": self._pack,
            "unpack": self._pack,
            "hold": self._hold,
            "release": self._hold,
            "observe": self._observe,
        }

    # -- the document --------------------------------------------------------------------------

    def chunks(self, created: datetime, master: MasterData, entries: Iterable[LedgerEntry]) -> Iterator[str]:
        """The document as text: the header first, then each event as it comes (one a line)."""
        head = {
            "@context": CONTEXT,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": self._time(created),
            "epcisHeader": {"epcisMasterData": {"vocabularyList": self.vocabularies(master)}},
        }
        yield _dumps(head)[:-1] + ',\n"epcisBody":{"eventList":['
        separator = "\n"
        for entry in entries:
            yield separator + _dumps(self.event(entry))
            separator = ",\n"
        yield "\n]}}\n"

    def vocabularies(self, master: MasterData) -> list[dict[str, Any]]:
        """The EPCClass, Location and Party vocabularies of the header."""
        exported = {location.code for location in master.locations}
        children: dict[str, list[str]] = {}
        for location in master.locations:
            if location.parent in exported:
                children.setdefault(location.parent, []).append(self._place(location.code))
        places = []
        for location in master.locations:
            element: dict[str, Any] = {
                "id": self._place(location.code),
                "attributes": _attributes(location, PLACE_ATTRIBUTES),
            }
            if location.code in children:
                element["children"] = children[location.code]
            places.append(element)
        return [
            {
                "type": VOCABULARY + "EPCClass",
                "vocabularyElementList": [
                    {
                        "id": self.ids.product_class(item.sku, item.gtin),
                        "attributes": _attributes(item, {"name": "descriptionShort"}),
                    }
                    for item in master.items
                ],
            },
            {"type": VOCABULARY + "Location", "vocabularyElementList": places},
            {
                "type": VOCABULARY + "Party",
                "vocabularyElementList": [
                    {"id": self._party(p.code), "attributes": _attributes(p, PLACE_ATTRIBUTES)} for p in master.partners
                ],
            },
        ]

    # -- one event -----------------------------------------------------------------------------

    def event(self, entry: LedgerEntry) -> dict[str, Any]:
        """The EPCIS event of a ledger entry; a void is its target written again with an errorDeclaration."""
        if not isinstance(entry.event, ev.Void):
            return self._mapped(entry.event, entry.recorded_at)
        void = entry.event
        if entry.voided is None:
            raise ValueError(f"void {void.id} came without the event it voids")
        written = self._mapped(entry.voided, entry.recorded_at)
        declared: dict[str, Any] = {"id": void.id, "location": void.location, "reason": void.reason}
        for name in ("reference", "actor", "note"):
            if getattr(void, name) is not None:
                declared[name] = getattr(void, name)
        written["errorDeclaration"] = {
            "declarationTime": self._time(void.time),
            "reason": "incorrect_data",
            VOID: declared,
        }
        return written

    def _mapped(self, event: ev.Event, recorded_at: datetime) -> dict[str, Any]:
        moment = event.time.astimezone(self.zone)
        common: dict[str, Any] = {
            "eventTime": moment.isoformat(),
            "eventTimeZoneOffset": _offset(moment),
            "recordTime": self._time(recorded_at),
            "eventID": f"urn:uuid:{event.id}",
        }
        specific = self._mappers[event.type](event)
        document = {"type": specific.pop("type"), **common, **specific}
        place = self._place(event.location)
        document["readPoint"] = {"id": place}
        document.setdefault("bizLocation", {"id": place})
        if event.reference is not None:
            transaction = {"bizTransaction": f"{self.ids.domain}/references/{quote(event.reference, safe='')}"}
            kind = TRANSACTION_TYPES.get(event.type)
            document["bizTransactionList"] = [{"type": kind, **transaction} if kind else transaction]
        document[DETAILS] = _details(event)
        return document

    def _receive(self, event: ev.Receive) -> dict[str, Any]:
        return self._arrival(event, "in_progress")

    def _return(self, event: ev.Return) -> dict[str, Any]:
        return self._arrival(event, "returned")

    def _arrival(self, event: ev.Receive | ev.Return, disposition: str) -> dict[str, Any]:
        mapped = {
            "type": "ObjectEvent",
            "action": "ADD",
            "quantityList": self._quantities(event.lines),
            "bizStep": "receiving",
            "disposition": disposition,
            "sourceList": [{"type": "owning_party", "source": self._party(event.partner)}],
        }
        return mapped | _expiry(event.lines)

    def _ship(self, event: ev.Ship) -> dict[str, Any]:
        return {
            "type": "ObjectEvent",
            "action": "OBSERVE",
            **self._goods(event.lines, event.containers),
            "bizStep": "shipping",
            "disposition": "in_transit",
            "destinationList": [{"type": "owning_party", "destination": self._party(event.partner)}],
        }

    def _move(self, event: ev.Move) -> dict[str, Any]:
        return {
            "type": "ObjectEvent",
            "action": "OBSERVE",
            **self._goods(event.lines, event.containers),
            "bizStep": "storing",
            "disposition": "in_progress",
            "bizLocation": {"id": self._place(event.to_location)},
            "sourceList": [{"type": "location", "source": self._place(event.location)}],
            "destinationList": [{"type": "location", "destination": self._place(event.to_location)}],
        }

    def _adjust(self, event: ev.Adjust) -> dict[str, Any]:
        signs = {line.qty > 0 for line in event.lines}
        action = "OBSERVE" if len(signs) > 1 else "ADD" if signs == {True} else "DELETE"
        return {
            "type": "ObjectEvent",
            "action": action,
            "quantityList": self._quantities(event.lines),
            "bizStep": "cycle_counting",
        }

    def _produce(self, event: ev.Produce) -> dict[str, Any]:
        mapped = {
            "type": "TransformationEvent",
            "inputQuantityList": self._quantities(event.inputs),
            "outputQuantityList": self._quantities(event.outputs),
            "bizStep": "commissioning",
            "disposition": "in_progress",
        }
        return mapped | _expiry(event.outputs)

    def _pack(self, event: ev.Pack | ev.Unpack) -> dict[str, Any]:
        packing = isinstance(event, ev.Pack)
        return {
            "type": "AggregationEvent",
            "parentID": self.ids.sscc(event.container),
            "childQuantityList": self._quantities(event.lines),
            "action": "ADD" if packing else "DELETE",
            "bizStep": "packing" if packing else "unpacking",
        }

    def _hold(self, event: ev.Hold | ev.Release) -> dict[str, Any]:
        holding = isinstance(event, ev.Hold)
        return {
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "quantityList": self._classes(event.lots),
            "bizStep": "holding",
            "disposition": HOLD if holding else "sellable_accessible",
            "persistentDisposition": {"set" if holding else "unset": [HOLD]},
        }

    def _observe(self, event: ev.Observe) -> dict[str, Any]:
        return {
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "quantityList": self._classes(event.lots),
            "bizStep": "inspecting",
        }

    # -- identifiers ---------------------------------------------------------------------------

    def _goods(self, lines: Sequence[ev.LotLine], containers: Sequence[str]) -> dict[str, Any]:
        """Loose lines as quantities, whole containers as SSCCs: either or both."""
        goods: dict[str, Any] = {}
        if containers:
            goods["epcList"] = [self.ids.sscc(sscc) for sscc in containers]
        if lines:
            goods["quantityList"] = self._quantities(lines)
        return goods

    def _quantities(self, lines: Sequence[ev.LotLine]) -> list[dict[str, Any]]:
        quantities = []
        for line in lines:
            element: dict[str, Any] = {"epcClass": self._lot(line.key), "quantity": number(abs(line.qty))}
            if line.uom in UN_CEFACT:
                element["uom"] = UN_CEFACT[line.uom]
            quantities.append(element)
        return quantities

    def _classes(self, lots: Sequence[LotKey]) -> list[dict[str, Any]]:
        return [{"epcClass": self._lot(lot)} for lot in lots]

    def _lot(self, lot: LotKey) -> str:
        item = self.directory.items.get(lot.sku)
        return self.ids.lot_class(lot.sku, None if item is None else item.gtin, lot.code)

    def _place(self, code: str) -> str:
        location = self.directory.locations.get(code)
        return self.ids.location(code, None if location is None else location.gln)

    def _party(self, code: str) -> str:
        partner = self.directory.partners.get(code)
        return self.ids.party(code, None if partner is None else partner.gln)

    def _time(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).isoformat()


def _expiry(lines: Sequence[ev.LotLine]) -> dict[str, Any]:
    """ILMD with the expiry date when every line has the same one."""
    expiries = {line.expiry for line in lines}
    expiry = expiries.pop() if len(expiries) == 1 else None
    return {} if expiry is None else {"ilmd": {EXPIRY: expiry.isoformat()}}


def _details(event: ev.Event) -> dict[str, Any]:
    """What the standard fields do not hold: the type, texts, and each line's quantity and unit as written."""
    document = ev.to_document(event)
    details: dict[str, Any] = {"type": event.type}
    for name in _DETAIL_FIELDS:
        if name in document:
            details[name] = document[name]
    for name in _LINE_LISTS:
        if name in document:
            details[name] = [{k: v for k, v in line.items() if k not in ("item", "lot")} for line in document[name]]
    return details
