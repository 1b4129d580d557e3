"""EPCIS import into a ledger, on SQLite and PostgreSQL: every conformance example imported or refused with
a reason per event, partners' master data created once, duplicates stored once, voids by errorDeclaration."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from lotledger.bootstrap import App
from lotledger.domain.model import Item, Location, Partner
from lotledger.ports import EventFilter
from lotledger.services.epcis_import import import_epcis
from lotledger.services.importing import ImportReport
from tests.epcis_documents import (
    DOCK_GLN,
    FLOUR_GTIN,
    IDS,
    MILL_GLN,
    cbv_element,
    document,
    encode,
    partner_receipt,
    vocabulary,
)
from tests.factories import ATTRIBUTION

EXAMPLES = Path(__file__).parents[2].parent / "shared" / "conformance" / "epcis" / "examples-json"
INSTANCE = "names one serialised unit; lotledger records lots, not instances"
NO_LOT = "names a product but no lot; lotledger records lots"
ASSOCIATION = "type: an AssociationEvent joins physical objects"
TRANSACTION = "type: a TransactionEvent links goods to a business transaction without moving them"
SENSOR = "sensorElementList: sensor data is not something lotledger records"
AGGREGATE_OBSERVE = "action: an AggregationEvent with action 'OBSERVE' changes no pallet"
NINE_SIX_ONE = [
    f"epcList[0]: 'urn:epc:id:sgtin:0614141.107346.2017' {INSTANCE}",
    f"epcList[0]: 'urn:epc:id:sgtin:0614141.107346.2018' {INSTANCE}",
]
NINE_SIX_FOUR = [f"inputQuantityList[2].epcClass: 'urn:epc:idpat:sgtin:4012345.066666.*' {NO_LOT}"]
# Per file, per event in order: the lotledger type it is stored as, or the start of the reason it is refused.
# (None of the examples' mappable events needs stock: the two that lotledger can read are receipts.)
EXPECTED: dict[str, list[str]] = {
    **{f"AssociationEvent_AssociationEvent-{c}.jsonld": [ASSOCIATION] for c in "abcdefgh"},
    "EPCISQueryDocument.jsonld": NINE_SIX_ONE,
    "Example-TransactionEvents-2020_07_03y.jsonld": [TRANSACTION, TRANSACTION],
    "Example-Type-sourceOrDestination_measurement_bizTransaction.jsonld": [ASSOCIATION],
    "Example_9.6.1-ObjectEvent-with-pseudo-SBDH-headers.jsonld": NINE_SIX_ONE,
    "Example_9.6.1-ObjectEvent.jsonld": NINE_SIX_ONE,
    "Example_9.6.1-with-comment.jsonld": NINE_SIX_ONE,
    "Example_9.6.2-ObjectEvent.jsonld": ["receive"],
    "Example_9.6.3-AggregationEvent.jsonld": [AGGREGATE_OBSERVE],
    "Example_9.6.4-TransformationEvent.jsonld": NINE_SIX_FOUR,
    "PersistentDisposition-example.jsonld": [f"epcList[0]: 'urn:epc:id:sgtin:9520001.012346.10000001001' {INSTANCE}"]
    * 2,
    "WithDigitalLinkID_Example_9.6.1-ObjectEventWithDigitalLink.jsonld": [
        f"epcList[0]: 'https://id.gs1.org/01/70614141123451/21/2017' {INSTANCE}",
        f"epcList[0]: 'https://id.gs1.org/01/70614141123451/21/2018' {INSTANCE}",
    ],
    "WithDigitalLinkID_Example_9.6.2-ObjectEventWithDigitalLink.jsonld": ["receive"],
    "WithDigitalLinkID_Example_9.6.3-AggregationEventWithDigitalLink.jsonld": [AGGREGATE_OBSERVE],
    "WithDigitalLinkID_Example_9.6.4-TransformationEventWithDigitalLink.jsonld": [
        f"inputQuantityList[2].epcClass: 'https://id.gs1.org/01/04012345666663' {NO_LOT}"
    ],
    "WithErrorDeclaration_ErrorDeclarationAndCorrectiveEvent.jsonld": [
        f"outputQuantityList[0].epcClass: 'urn:epc:idpat:sgtin:4012345.044444.*' {NO_LOT}"
    ]
    * 2,
    "WithErrorDeclaration_Example_9.6.1-ObjectEvent-with-error-declaration.jsonld": NINE_SIX_ONE,
    "WithFullCombinationOfFields_aggregation_event_all_possible_fields.jsonld": [SENSOR],
    "WithFullCombinationOfFields_association_event_all_possible_fields.jsonld": [ASSOCIATION],
    "WithFullCombinationOfFields_object_event_all_possible_fields.jsonld": [SENSOR],
    "WithFullCombinationOfFields_transaction_event_all_possible_fields.jsonld": [TRANSACTION],
    "WithFullCombinationOfFields_transformation_event_all_possible_fields.jsonld": [SENSOR],
    **{
        f"WithSensorData_SensorDataExample{n}.jsonld": [SENSOR]
        for n in ("1", "1b", "2", "3", "4", "5", "6", "7", "8", "9", "10", "12", "13", "14", "15", "17")
    },
    "WithSensorData_SensorDataExample11.jsonld": [TRANSACTION],
    "WithSensorData_SensorDataExample16.jsonld": [
        "bizStep: bizStep 'sensor_reporting' with action 'OBSERVE' is no change lotledger records"
    ],
    "schema-test_AggregationEvent.json": [AGGREGATE_OBSERVE],
    "schema-test_AssociationEvent.json": [ASSOCIATION],
    "schema-test_Extended-Event.json": ["type: unknown event type 'example:CustomEvent'"],
    "schema-test_ObjectEvent.json": NINE_SIX_ONE[:1],
    "schema-test_TransformationEvent.json": NINE_SIX_FOUR,
}


def load(app: App, data: bytes) -> ImportReport:
    return import_epcis(app.recording, app.master_data, data, IDS, ATTRIBUTION)


def stored(app: App) -> list[str]:
    return [record.type for record in app.queries.events(EventFilter(), limit=1000).events]


def test_every_conformance_example_is_imported_or_refused_with_a_reason_per_event(app: App) -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in EXAMPLES.iterdir())
    for name, expected in EXPECTED.items():
        before = len(stored(app))
        report = load(app, (EXAMPLES / name).read_bytes())
        outcomes: dict[int, str] = {error.line: str(error).split(": ", 1)[1] for error in report.errors}
        types = iter(stored(app)[before:])
        found = [outcomes[n] if n in outcomes else next(types) for n in range(1, len(expected) + 1)]
        assert [f[: len(e)] for f, e in zip(found, expected, strict=True)] == expected, name
        assert report.lines - report.master - report.master_unchanged == len(expected), name


def test_a_partners_receipt_creates_its_item_place_and_party_once_and_reports_them(app: App) -> None:
    header = [vocabulary("Party", [cbv_element("urn:epc:id:pgln:4012345.00001", name="Roggen Mill")])]
    report = load(app, encode(document([partner_receipt()], header)))
    assert (report.events, report.errors) == (1, [])
    assert report.created == [("location", DOCK_GLN), ("partner", MILL_GLN), ("item", FLOUR_GTIN)]
    assert app.master_data.one(Partner, MILL_GLN).name == "Roggen Mill"
    assert app.master_data.one(Item, FLOUR_GTIN).uom == "kg"
    again = load(app, encode(document([partner_receipt(quantity=5)])))
    assert (again.events, again.created, again.master) == (1, [], 0)


def test_existing_records_with_the_gtin_or_gln_are_used(app: App) -> None:
    for record in (
        Item("RYE", "Rye", "kg", gtin=FLOUR_GTIN),
        Location("DOCK", "Dock", "dock", gln=DOCK_GLN),
        Partner("MILL", "Mill", "supplier", gln=MILL_GLN),
    ):
        app.master_data.save(record, ATTRIBUTION)
    report = load(app, encode(document([partner_receipt()])))
    assert (report.events, report.created, report.errors) == (1, [], [])
    (receipt,) = app.queries.events(EventFilter(), limit=10).events
    assert (receipt.document["location"], receipt.document["partner"]) == ("DOCK", "MILL")


def test_the_same_document_twice_and_the_same_event_reencoded_are_stored_once(app: App) -> None:
    data = encode(document([partner_receipt()]))
    assert load(app, data).events == 1
    second = load(app, data)
    assert (second.events, second.duplicates, second.master, second.created) == (0, 1, 0, [])
    reencoded = dict(reversed(list({**partner_receipt(), "eventTime": "2026-11-20T07:00:00Z"}.items())))
    third = load(app, encode(document([reencoded])))
    assert (third.events, third.duplicates) == (0, 1)
    assert stored(app) == ["receive"]


def test_an_error_declaration_voids_the_event_held_or_records_then_voids_it(app: App) -> None:
    declared: dict[str, Any] = {"declarationTime": "2026-11-21T08:00:00+01:00", "reason": "incorrect_data"}
    load(app, encode(document([partner_receipt()])))
    voided = load(app, encode(document([{**partner_receipt(), "errorDeclaration": declared}])))
    assert (voided.events, voided.duplicates, voided.errors) == (1, 1, [])
    unknown = {**partner_receipt(quantity=7), "errorDeclaration": copy.deepcopy(declared)}
    both = load(app, encode(document([unknown])))
    assert (both.events, both.errors) == (2, [])
    assert stored(app) == ["receive", "void", "receive", "void"]
    assert load(app, encode(document([unknown]))).events == 0


def test_a_partners_shipment_of_stock_this_ledger_lacks_is_refused_by_the_ledgers_rule(app: App) -> None:
    shipping = {
        **partner_receipt(),
        "bizStep": "shipping",
        "action": "OBSERVE",
        "sourceList": [],
        "destinationList": [{"type": "owning_party", "destination": "urn:epc:id:pgln:4012345.00001"}],
    }
    report = load(app, encode(document([shipping])))
    assert report.events == 0
    ((error),) = report.errors
    assert str(error) == f"event 1: quantityList[0].epcClass: unknown lot {FLOUR_GTIN}/F-77"  # the document's path
