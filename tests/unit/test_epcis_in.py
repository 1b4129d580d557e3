"""The EPCIS 2.0 reader: lotledger's own export restored exactly, a partner's standard fields mapped,
and hostile documents refused with the reason (no ledger: the reader alone)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from lotledger.domain.events import Event, parse_event, to_document
from lotledger.domain.model import Item, Location, Partner
from lotledger.interchange.epcis_in import read_document
from lotledger.interchange.jsonl import Line
from tests.epcis_documents import (
    CONTEXT,
    DOCK_GLN,
    DOMAIN,
    FLOUR_GTIN,
    IDS,
    MILL_GLN,
    Known,
    cbv_element,
    document,
    encode,
    own_element,
    partner_receipt,
    vocabulary,
)

PLANT = [
    Item("FLOUR", "Flour", "kg"),
    Item("BREAD", "Bread", "ea", gtin="09506000134352"),
    Location("RAW", "Raw store", "warehouse"),
    Location("FG", "Finished goods", "warehouse"),
    Partner("MILL", "Mill", "supplier"),
    Partner("SHOP", "Shop", "customer"),
]
RECEIPT_ID = "8d3a3c56-6a0e-4c5e-9a43-6f4c2b7b1a01"
SHIP_ID = "8d3a3c56-6a0e-4c5e-9a43-6f4c2b7b1a02"
PACK_ID = "8d3a3c56-6a0e-4c5e-9a43-6f4c2b7b1a03"
VOID_ID = "8d3a3c56-6a0e-4c5e-9a43-6f4c2b7b1a04"
PALLET = "106141412345678908"
FLOUR = f"{DOMAIN}/items/FLOUR/lots/F-1"
BREAD = "https://id.gs1.org/01/09506000134352/10/B-1"
RAW, FG = f"{DOMAIN}/locations/RAW", f"{DOMAIN}/locations/FG"
MILL, SHOP = f"{DOMAIN}/partners/MILL", f"{DOMAIN}/partners/SHOP"

# The lotledger events, and the same events as lotledger's export writes them (the mapping contract).
EVENTS: list[dict[str, Any]] = [
    {
        "id": RECEIPT_ID,
        "type": "receive",
        "time": "2026-11-02T07:00:00-06:00",
        "location": "RAW",
        "partner": "MILL",
        "reference": "PO 7/1",
        "note": "two bags torn",
        "lines": [
            {"item": "FLOUR", "lot": "F-1", "qty": "500", "uom": "lb", "expiry": "2027-01-31", "supplier_lot": "M-99"}
        ],
    },
    {
        "id": PACK_ID,
        "type": "pack",
        "time": "2026-11-02T09:00:00-06:00",
        "location": "RAW",
        "container": PALLET,
        "lines": [{"item": "FLOUR", "lot": "F-1", "qty": "100", "uom": "kg"}],
    },
    {
        "id": SHIP_ID,
        "type": "ship",
        "time": "2026-11-03T10:30:00-06:00",
        "location": "RAW",
        "partner": "SHOP",
        "actor": "dock crew B",
        "lines": [{"item": "FLOUR", "lot": "F-1", "qty": "20", "uom": "kg"}],
        "containers": [PALLET],
    },
]
EXPORTED: list[dict[str, Any]] = [
    {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:{RECEIPT_ID}",
        "eventTime": "2026-11-02T07:00:00-06:00",
        "eventTimeZoneOffset": "-06:00",
        "action": "ADD",
        "bizStep": "receiving",
        "disposition": "in_progress",
        "readPoint": {"id": RAW},
        "bizLocation": {"id": RAW},
        "bizTransactionList": [{"type": "po", "bizTransaction": f"{DOMAIN}/references/PO%207%2F1"}],
        "quantityList": [{"epcClass": FLOUR, "quantity": 500, "uom": "LBR"}],
        "sourceList": [{"type": "owning_party", "source": MILL}],
        "ilmd": {"cbvmda:itemExpirationDate": "2027-01-31"},
        "lotledger:details": {
            "type": "receive",
            "note": "two bags torn",
            "lines": [{"uom": "lb", "qty": "500", "expiry": "2027-01-31", "supplier_lot": "M-99"}],
        },
    },
    {
        "type": "AggregationEvent",
        "eventID": f"urn:uuid:{PACK_ID}",
        "eventTime": "2026-11-02T09:00:00-06:00",
        "eventTimeZoneOffset": "-06:00",
        "action": "ADD",
        "bizStep": "packing",
        "parentID": "urn:epc:id:sscc:0614141.1234567890",
        "readPoint": {"id": RAW},
        "bizLocation": {"id": RAW},
        "childQuantityList": [{"epcClass": FLOUR, "quantity": 100, "uom": "KGM"}],
        "lotledger:details": {"type": "pack", "lines": [{"uom": "kg", "qty": "100"}]},
    },
    {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:{SHIP_ID}",
        "eventTime": "2026-11-03T10:30:00-06:00",
        "eventTimeZoneOffset": "-06:00",
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": RAW},
        "bizLocation": {"id": RAW},
        "quantityList": [{"epcClass": FLOUR, "quantity": 20, "uom": "KGM"}],
        "epcList": ["urn:epc:id:sscc:0614141.1234567890"],
        "destinationList": [{"type": "owning_party", "destination": SHOP}],
        "lotledger:details": {"type": "ship", "actor": "dock crew B", "lines": [{"uom": "kg", "qty": "20"}]},
    },
]


def read(doc: Any, known: Known | None = None) -> list[Line]:
    raw = doc if isinstance(doc, bytes) else encode(doc)
    return list(read_document(raw, IDS, known if known is not None else Known(PLANT)))


def events(lines: list[Line]) -> list[Event]:
    assert [str(line.error) for line in lines if line.error] == []
    return [line.record for line in lines if isinstance(line.record, Event)]


def errors(lines: list[Line]) -> list[tuple[int, str]]:
    return [(line.number, str(line.error)) for line in lines if line.error is not None]


def strip_extension(value: Any) -> Any:
    """Every `lotledger:*` key removed: what a system that ignores lotledger's extension passes on."""
    if isinstance(value, dict):
        return {k: strip_extension(v) for k, v in value.items() if not k.startswith("lotledger:")}
    if isinstance(value, list):
        return [strip_extension(v) for v in value]
    return value


def test_lotledger_export_is_restored_exactly_with_its_extension() -> None:
    found = events(read(document(EXPORTED)))
    assert [to_document(e) for e in found] == [to_document(parse_event(e)) for e in EVENTS]


def test_without_the_extension_the_standard_fields_give_the_same_lots_and_quantities() -> None:
    found = events(read(document(strip_extension(EXPORTED))))
    assert [(e.type, e.id, e.location) for e in found] == [(e["type"], e["id"], e["location"]) for e in EVENTS]
    receipt = found[0]
    assert (receipt.partner, receipt.reference) == ("MILL", "PO 7/1")  # type: ignore[attr-defined]
    line = receipt.lines[0]  # type: ignore[attr-defined]
    assert (line.item, line.lot, line.qty, line.uom, str(line.expiry)) == ("FLOUR", "F-1", 500, "lb", "2027-01-31")
    assert found[2].containers == (PALLET,)  # type: ignore[attr-defined]


def test_query_document_and_bare_event_are_read() -> None:
    query = {
        "@context": CONTEXT,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-20T10:00:00Z",
        "epcisBody": {"queryResults": {"queryName": "SimpleEventQuery", "resultsBody": {"eventList": EXPORTED}}},
    }
    assert [e.id for e in events(read(query))] == [RECEIPT_ID, PACK_ID, SHIP_ID]
    assert [e.id for e in events(read({"@context": CONTEXT, **EXPORTED[0]}))] == [RECEIPT_ID]


def test_error_declaration_is_the_event_then_its_void() -> None:
    voided = copy.deepcopy(EXPORTED[2])
    voided["errorDeclaration"] = {
        "declarationTime": "2026-11-04T08:00:00-06:00",
        "reason": "incorrect_data",
        "lotledger:void": {"id": VOID_ID, "reason": "shipped to the wrong shop", "actor": "qa"},
    }
    found = events(read(document([voided])))
    assert [e.type for e in found] == ["ship", "void"]
    void = to_document(found[1])
    assert void == {
        "type": "void",
        "id": VOID_ID,
        "time": "2026-11-04T08:00:00-06:00",
        "location": "RAW",
        "actor": "qa",
        "target": SHIP_ID,
        "reason": "shipped to the wrong shop",
    }
    partner = events(read(document([strip_extension(voided)])))[1]
    assert (partner.target, partner.reason) == (SHIP_ID, "EPCIS error declaration: incorrect_data")  # type: ignore[attr-defined]


def test_lotledger_master_data_in_the_header_is_rebuilt_exactly_first() -> None:
    bread = Item("BREAD", "Bread", "ea", gtin="09506000134352", shelf_life_days=3, brand="Miller's", ftl=True)
    raw = Location("RAW", "Raw store", "warehouse", parent="PLANT", gln=DOCK_GLN, city="Ulm")
    header = [
        vocabulary(
            "EPCClass",
            [
                own_element(
                    IDS.product_class("BREAD", bread.gtin),
                    {
                        "sku": "BREAD",
                        "name": "Bread",
                        "uom": "ea",
                        "gtin": bread.gtin,
                        "shelf_life_days": 3,
                        "active": True,
                        "brand": "Miller's",
                        "ftl": True,
                    },
                )
            ],
        ),
        vocabulary(
            "Location",
            [
                own_element(
                    IDS.location("RAW", DOCK_GLN),
                    {
                        "code": "RAW",
                        "name": "Raw store",
                        "kind": "warehouse",
                        "parent": "PLANT",
                        "gln": DOCK_GLN,
                        "city": "Ulm",
                    },
                )
            ],
        ),
    ]
    receipt = {**partner_receipt(), "quantityList": [{"epcClass": BREAD, "quantity": 10}]}
    lines = read(document([receipt], header), Known())
    assert [(line.number, line.record) for line in lines[:2]] == [(0, bread), (0, raw)]
    assert events(lines[2:])[0].location == "RAW"  # the dock's SGLN is RAW's GLN in the header
    assert [line.record for line in lines[2:-1]] == [Partner(MILL_GLN, f"GLN {MILL_GLN}", "supplier", gln=MILL_GLN)]


def test_partner_master_data_in_the_header_describes_what_is_created() -> None:
    header = [
        vocabulary("EPCClass", [cbv_element("urn:epc:idpat:sgtin:4012345.012345.*", descriptionShort="Rye flour")]),
        vocabulary("Party", [cbv_element("urn:epc:id:pgln:4012345.00001", name="Roggen Mill", city="Ulm")]),
        vocabulary("Location", [cbv_element("urn:epc:id:sgln:4012345.00002.0", name="Our dock", countryCode="DE")]),
    ]
    lines = read(document([partner_receipt()], header), Known())
    assert [(line.number, line.record) for line in lines[:3]] == [
        (1, Location(DOCK_GLN, "Our dock", "site", gln=DOCK_GLN, country="DE")),
        (1, Partner(MILL_GLN, "Roggen Mill", "supplier", gln=MILL_GLN, city="Ulm")),
        (1, Item(FLOUR_GTIN, "Rye flour", "kg", gtin=FLOUR_GTIN)),
    ]
    (receipt,) = events(lines[3:])
    assert (receipt.location, receipt.partner, receipt.reference) == (  # type: ignore[attr-defined]
        DOCK_GLN,
        MILL_GLN,
        "urn:epcglobal:cbv:bt:4012345000016:PO-9",
    )


def test_without_master_data_items_places_and_parties_come_from_their_keys_once() -> None:
    lines = read(document([partner_receipt(), partner_receipt(quantity=5)]), Known())
    created = [line.record for line in lines if isinstance(line.record, (Item, Location, Partner))]
    assert created == [
        Location(DOCK_GLN, f"GLN {DOCK_GLN}", "site", gln=DOCK_GLN),
        Partner(MILL_GLN, f"GLN {MILL_GLN}", "supplier", gln=MILL_GLN),
        Item(FLOUR_GTIN, f"GTIN {FLOUR_GTIN}", "kg", gtin=FLOUR_GTIN),
    ]


def test_what_the_ledger_has_by_gtin_or_gln_is_used_not_duplicated() -> None:
    known = Known(
        [
            Item("RYE", "Rye", "kg", gtin=FLOUR_GTIN),
            Location("DOCK", "Dock", "dock", gln=DOCK_GLN),
            Partner("MILL", "Mill", "supplier", gln=MILL_GLN),
        ]
    )
    lines = read(document([partner_receipt()]), known)
    (receipt,) = events(lines)
    assert len(lines) == 1
    assert (receipt.location, receipt.partner, receipt.lines[0].item) == ("DOCK", "MILL", "RYE")  # type: ignore[attr-defined]


def test_a_refused_event_creates_nothing() -> None:
    lines = read(document([partner_receipt(uom="XYZ")]), Known())
    assert errors(lines) == [
        (
            1,
            "quantityList[0].uom: unit 'XYZ' is not one lotledger converts (KGM, GRM, TNE, "
            "LBR, LTR, MLT, or none for a count)",
        )
    ]
    assert len(lines) == 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"quantityList": [{"epcClass": "urn:epc:idpat:sgtin:4012345.012345.*", "quantity": 1}]},
            "quantityList[0].epcClass: 'urn:epc:idpat:sgtin:4012345.012345.*' names a product but no lot; "
            "lotledger records lots",
        ),
        (
            {"epcList": ["urn:epc:id:sgtin:4012345.012345.1"]},
            "epcList[0]: 'urn:epc:id:sgtin:4012345.012345.1' names one serialised unit; lotledger records lots, not "
            "instances",
        ),
        (
            {"sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": 4}]}]},
            "sensorElementList: sensor data is not something lotledger records",
        ),
        (
            {"type": "AssociationEvent"},
            "type: an AssociationEvent joins physical objects; lotledger records no such link",
        ),
        (
            {"type": "example:Custom"},
            "type: unknown event type 'example:Custom'; lotledger reads Object, Aggregation and Transformation events",
        ),
        (
            {"bizStep": "destroying", "action": "OBSERVE"},
            "bizStep: bizStep 'destroying' with action 'OBSERVE' is no "
            "change lotledger records (it reads receiving, shipping, holding, inspecting, an OBSERVE to a location "
            "destination, and ADD or DELETE as a stock adjustment)",
        ),
        (
            {"quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.F-77", "quantity": "HUGE"}]},
            "quantityList[0].quantity: '1E+999999' is too large (less than 10^12 in any unit)",
        ),
        (
            {"eventTime": "0001-01-01T00:00:00+00:00"},
            "eventTime: 0001-01-01T00:00:00+00:00 is outside the years 1900-2199 lotledger records",
        ),
        (
            {"eventTime": "9999-12-31T23:59:59+00:00"},
            "eventTime: 9999-12-31T23:59:59+00:00 is outside the years 1900-2199 lotledger records",
        ),
        (
            {"sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:4012345.00001"}], "note": "\ud800"},
            "note: holds a lone surrogate (\\ud800), which is not text",
        ),
    ],
)
def test_what_lotledger_cannot_record_is_refused_per_event_with_the_reason(
    change: dict[str, Any], expected: str
) -> None:
    event = {**partner_receipt(), **change}
    raw = json.dumps(document([partner_receipt(), event])).replace('"HUGE"', "1e999999")  # not a Python float
    lines = read(raw.encode(), Known())
    assert errors(lines) == [(2, expected)]
    assert sum(isinstance(line.record, Event) for line in lines) == 1  # the good event is still read


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff{}", "not valid UTF-8: byte 0xff at offset 0"),
        (b"{not json", "not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
        (b"[" * 10_000 + b"]" * 10_000, "not valid JSON: nested too deeply (more than 32 levels)"),
        (b'<?xml version="1.0"?><epcis:EPCISDocument/>', "an XML document; lotledger reads EPCIS 2.0 JSON-LD"),
        (
            json.dumps({**document([]), "schemaVersion": "1.2"}).encode(),
            "schemaVersion: EPCIS 1.2 (schemaVersion); lotledger reads EPCIS 2.0 JSON-LD",
        ),
        (
            json.dumps({**document([]), "@context": ["http://evil.example/context.jsonld"]}).encode(),
            "@context: JSON-LD context 'http://evil.example/context.jsonld' is not the EPCIS 2.0 context; lotledger "
            "reads contexts from local files only",
        ),
        (
            json.dumps({**document([]), "type": "Invoice"}).encode(),
            "type: not an EPCIS 2.0 document: type "
            "'Invoice'; expected an EPCISDocument, an EPCISQueryDocument or an EPCIS event",
        ),
        (b"[]", "not an EPCIS document: expected a JSON object, got list"),
    ],
)
def test_a_document_that_is_not_epcis_2_is_refused_whole(data: bytes, expected: str) -> None:
    assert errors(read(data)) == [(0, expected)]


def test_deep_nesting_inside_an_event_is_refused_naming_where() -> None:
    deep: Any = "x"
    for _ in range(40):
        deep = {"a": deep}
    lines = read(document([{**partner_receipt(), "example:deep": deep}]), Known())
    ((number, message),) = errors(lines)
    assert (number, message[:18]) == (1, "example:deep.a.a.a")
    assert "nested too deeply (more than 32 levels)" in message


def test_a_large_document_is_read_in_reasonable_time() -> None:
    import time

    many = [{**EXPORTED[1], "eventID": f"urn:uuid:00000000-0000-4000-8000-{n:012d}"} for n in range(20_000)]
    started = time.perf_counter()
    found = events(read(document(many)))
    assert len(found) == 20_000
    assert time.perf_counter() - started < 20
