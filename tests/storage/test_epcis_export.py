"""The EPCIS 2.0 export from a real ledger, on SQLite and PostgreSQL: the document is valid against GS1's schema,
each lotledger event maps to the EPCIS type, action, business step and disposition of docs/epcis.md, identifiers
are GS1 keys where there are some, the header's master data rebuilds the records, and the selections."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from lotledger.bootstrap import App
from lotledger.domain.errors import ValidationError
from lotledger.domain.model import Item, Location, LotKey, Partner
from lotledger.interchange.epcis_ids import Identifiers
from tests.epcis_plant import (
    DOMAIN,
    ITEMS,
    LOCATIONS,
    ODD_LOT,
    PALLET,
    PARTNERS,
    PREFIX,
    bakery,
    epcis_app,
    schema_errors,
)
from tests.factories import exactly

FIELD = "urn:lotledger:epcis:"
IDS = Identifiers(DOMAIN, PREFIX)


@pytest.fixture
def ledger_app(db_url: str) -> Iterator[App]:
    found = epcis_app(db_url)
    yield found
    found.close()


@pytest.fixture
def plant(ledger_app: App) -> dict[str, str]:
    return bakery(ledger_app)


def export(app: App, start: date | None = None, end: date | None = None, lot: LotKey | None = None) -> dict[str, Any]:
    service = app.epcis_export
    return json.loads("".join(service.export(service.select(start, end, lot)).chunks()))


def events_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document["epcisBody"]["eventList"]  # type: ignore[no-any-return]


def by_id(document: dict[str, Any], event_id: str) -> list[dict[str, Any]]:
    return [event for event in events_of(document) if event["eventID"] == f"urn:uuid:{event_id}"]


def vocabulary(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    (found,) = [
        v for v in document["epcisHeader"]["epcisMasterData"]["vocabularyList"] if v["type"].endswith(f":{kind}")
    ]
    return found["vocabularyElementList"]  # type: ignore[no-any-return]


def rebuilt(element: dict[str, Any], kind: type[Item] | type[Location] | type[Partner]) -> Any:
    """A master record from its lotledger attributes alone (flags are written "true"/"false")."""
    raw = {a["id"].removeprefix(FIELD): a["attribute"] for a in element["attributes"] if a["id"].startswith(FIELD)}
    return kind.parse(
        {k: {"true": True, "false": False}.get(v, v) if k in ("active", "ftl") else v for k, v in raw.items()}
    )


def test_the_export_of_every_event_type_is_valid_epcis(ledger_app: App, plant: dict[str, str]) -> None:
    document = export(ledger_app)
    assert schema_errors(document) == []
    assert document["@context"][1] == {"lotledger": "urn:lotledger:epcis:"}
    assert (document["type"], document["schemaVersion"]) == ("EPCISDocument", "2.0")
    written = [event["eventID"] for event in events_of(document)]
    ledger_order = [name for name in plant if name != "void"]
    ledger_order.insert(ledger_order.index("salt"), "mistake")  # the void: its target written again
    assert written == [f"urn:uuid:{plant[name]}" for name in ledger_order]


def test_the_export_of_an_empty_ledger_is_valid(ledger_app: App) -> None:
    document = export(ledger_app)
    assert schema_errors(document) == []
    assert events_of(document) == []
    assert all(not vocabulary(document, kind) for kind in ("EPCClass", "Location", "Party"))


MAPPING = {  # name in the bakery: (EPCIS type, action, bizStep, disposition)
    "flour": ("ObjectEvent", "ADD", "receiving", "in_progress"),
    "return": ("ObjectEvent", "ADD", "receiving", "returned"),
    "pallet": ("ObjectEvent", "OBSERVE", "shipping", "in_transit"),
    "loose": ("ObjectEvent", "OBSERVE", "shipping", "in_transit"),
    "move": ("ObjectEvent", "OBSERVE", "storing", "in_progress"),
    "found": ("ObjectEvent", "ADD", "cycle_counting", None),
    "spilt": ("ObjectEvent", "DELETE", "cycle_counting", None),
    "mixed": ("ObjectEvent", "OBSERVE", "cycle_counting", None),
    "bake": ("TransformationEvent", None, "commissioning", "in_progress"),
    "pack": ("AggregationEvent", "ADD", "packing", None),
    "unpack": ("AggregationEvent", "DELETE", "unpacking", None),
    "hold": ("ObjectEvent", "OBSERVE", "holding", "non_sellable_other"),
    "release": ("ObjectEvent", "OBSERVE", "holding", "sellable_accessible"),
    "observe": ("ObjectEvent", "OBSERVE", "inspecting", None),
}


def test_each_event_type_maps_to_its_epcis_event(ledger_app: App, plant: dict[str, str]) -> None:
    document = export(ledger_app)
    found = {}
    for name in MAPPING:
        (event,) = by_id(document, plant[name])
        found[name] = (event["type"], event.get("action"), event["bizStep"], event.get("disposition"))
    assert found == MAPPING


def test_a_receipt_names_its_supplier_order_and_lines(ledger_app: App, plant: dict[str, str]) -> None:
    (event,) = by_id(export(ledger_app), plant["flour"])
    assert event["eventTime"] == "2026-03-02T08:00:00-06:00"
    assert event["eventTimeZoneOffset"] == "-06:00"
    assert event["sourceList"] == [{"type": "owning_party", "source": "urn:epc:id:pgln:0614141.00002"}]
    assert event["bizTransactionList"] == [{"type": "po", "bizTransaction": f"{DOMAIN}/references/PO%207%2F1"}]
    assert event["readPoint"] == event["bizLocation"] == {"id": f"{DOMAIN}/locations/RAW"}
    assert event["quantityList"] == [
        {"epcClass": f"{DOMAIN}/items/FLOUR/lots/F-1", "quantity": 100, "uom": "KGM"},
        {"epcClass": f"{DOMAIN}/items/FLOUR/lots/F%2F2%263%25", "quantity": 50000, "uom": "GRM"},
    ]
    assert "ilmd" not in event  # two expiry dates: each line's is in the extension
    assert event["lotledger:details"] == {
        "type": "receive",
        "note": "two lots on one truck",
        "lines": [
            {"qty": "100", "uom": "kg", "expiry": "2026-06-01", "supplier_lot": "M-77"},
            {"qty": "50000", "uom": "g", "expiry": "2026-07-01"},
        ],
    }


def test_one_expiry_date_for_every_line_is_the_standard_ilmd(ledger_app: App, plant: dict[str, str]) -> None:
    document = export(ledger_app)
    (milk,) = by_id(document, plant["milk"])
    (bake,) = by_id(document, plant["bake"])
    assert milk["ilmd"] == {"cbvmda:itemExpirationDate": "2026-03-09"}
    assert bake["ilmd"] == {"cbvmda:itemExpirationDate": "2026-03-10"}


def test_production_lists_inputs_and_outputs_with_units_as_written(ledger_app: App, plant: dict[str, str]) -> None:
    (event,) = by_id(export(ledger_app), plant["bake"])
    bread = "urn:epc:class:lgtin:0614141.012345."
    assert event["inputQuantityList"] == [
        {"epcClass": f"{DOMAIN}/items/FLOUR/lots/F-1", "quantity": 30, "uom": "KGM"},
        {"epcClass": f"{DOMAIN}/items/MILK/lots/M-1", "quantity": 5000, "uom": "MLT"},
    ]
    assert event["outputQuantityList"] == [
        {"epcClass": bread + "B-1", "quantity": 100},  # "ea": a count, no unit
        {"epcClass": bread + "B-2", "quantity": 50},
    ]
    assert event["bizTransactionList"] == [{"type": "prodorder", "bizTransaction": f"{DOMAIN}/references/WO-1"}]
    assert event["lotledger:details"]["inputs"] == [
        {"qty": "30", "uom": "kg", "location": "RAW"},
        {"qty": "5000", "uom": "mL", "location": "RAW"},
    ]


def test_pallets_travel_as_ssccs_and_moves_name_both_places(ledger_app: App, plant: dict[str, str]) -> None:
    document = export(ledger_app)
    sscc = "urn:epc:id:sscc:0614141.1234567890"
    (pack,) = by_id(document, plant["pack"])
    (move,) = by_id(document, plant["move"])
    (pallet,) = by_id(document, plant["pallet"])
    (loose,) = by_id(document, plant["loose"])
    assert IDS.read_sscc(pack["parentID"], "parentID") == PALLET
    assert pack["parentID"] == sscc
    assert pack["childQuantityList"] == [{"epcClass": "urn:epc:class:lgtin:0614141.012345.B-1", "quantity": 60}]
    assert move["epcList"] == pallet["epcList"] == [sscc]
    assert len(move["quantityList"]) == 2
    assert move["sourceList"] == [{"type": "location", "source": f"{DOMAIN}/locations/LINE"}]
    assert move["destinationList"] == [{"type": "location", "destination": f"{DOMAIN}/locations/FG"}]
    assert move["bizLocation"] == {"id": f"{DOMAIN}/locations/FG"}
    assert "quantityList" not in pallet
    assert pallet["destinationList"] == [{"type": "owning_party", "destination": f"{DOMAIN}/partners/SHOP"}]
    assert "epcList" not in loose
    assert loose["destinationList"] == [{"type": "owning_party", "destination": f"{DOMAIN}/partners/DELI"}]


def test_adjustments_are_absolute_with_the_sign_in_the_extension(ledger_app: App, plant: dict[str, str]) -> None:
    (mixed,) = by_id(export(ledger_app), plant["mixed"])
    assert [q["quantity"] for q in mixed["quantityList"]] == [0.5, 0.25]
    assert mixed["lotledger:details"] == {
        "type": "adjust",
        "reason": "stock count",
        "lines": [{"qty": "-0.5", "uom": "kg"}, {"qty": "0.25", "uom": "L"}],
    }


def test_holds_releases_and_inspections_name_lots_without_quantities(ledger_app: App, plant: dict[str, str]) -> None:
    document = export(ledger_app)
    (hold,) = by_id(document, plant["hold"])
    (release,) = by_id(document, plant["release"])
    (observe,) = by_id(document, plant["observe"])
    flour = [{"epcClass": f"{DOMAIN}/items/FLOUR/lots/F-1"}]
    assert hold["quantityList"] == release["quantityList"] == flour
    assert hold["persistentDisposition"] == {"set": ["non_sellable_other"]}
    assert release["persistentDisposition"] == {"unset": ["non_sellable_other"]}
    assert hold["bizLocation"] == {"id": "urn:epc:id:sgln:0614141.00001.0"}  # PLANT has a GLN
    assert hold["lotledger:details"] == {"type": "hold", "reason": "mill recall notice", "scope": "downstream"}
    assert release["lotledger:details"]["actor"] == "qa"
    assert observe["lotledger:details"]["results"] == [{"name": "moisture", "value": "38.5", "unit": "%", "pass": True}]


def test_a_void_is_its_target_written_again_with_an_error_declaration(ledger_app: App, plant: dict[str, str]) -> None:
    document = export(ledger_app)
    original, declared = by_id(document, plant["mistake"])
    assert "errorDeclaration" not in original
    error = declared.pop("errorDeclaration")
    assert error == {
        "declarationTime": "2026-03-04T15:00:00-06:00",
        "reason": "incorrect_data",
        "lotledger:void": {"id": plant["void"], "location": "PLANT", "reason": "keyed twice", "reference": "NOTE-9"},
    }
    assert {k: v for k, v in declared.items() if k != "recordTime"} == {
        k: v for k, v in original.items() if k != "recordTime"
    }
    assert not by_id(document, plant["void"])  # no event of its own


def test_a_lot_code_with_slash_ampersand_and_percent_reads_back(ledger_app: App, plant: dict[str, str]) -> None:
    (event,) = by_id(export(ledger_app), plant["flour"])
    odd = event["quantityList"][1]["epcClass"]
    assert IDS.read_product(odd, "epcClass").lot == ODD_LOT
    bread = Identifiers(DOMAIN, PREFIX).lot_class("BREAD", "00614141123452", ODD_LOT)
    assert bread == "urn:epc:class:lgtin:0614141.012345.F%2F2%263%25"
    assert IDS.read_product(bread, "epcClass").lot == ODD_LOT


def test_the_header_carries_every_field_of_every_record(ledger_app: App, plant: dict[str, str]) -> None:
    document = export(ledger_app)
    items = {rebuilt(e, Item).sku: rebuilt(e, Item) for e in vocabulary(document, "EPCClass")}
    locations = [rebuilt(e, Location) for e in vocabulary(document, "Location")]
    partners = {rebuilt(e, Partner).code: rebuilt(e, Partner) for e in vocabulary(document, "Party")}
    assert items == {item.sku: item for item in ITEMS}
    assert {location.code: location for location in locations} == {loc.code: loc for loc in LOCATIONS}
    assert partners == {partner.code: partner for partner in PARTNERS}
    codes = [location.code for location in locations]
    assert codes.index("PLANT") < codes.index("FG")  # a parent before its children
    (bread,) = [e for e in vocabulary(document, "EPCClass") if rebuilt(e, Item).sku == "BREAD"]
    assert bread["id"] == "urn:epc:idpat:sgtin:0614141.012345.*"
    assert {"id": "urn:epcglobal:cbv:mda#descriptionShort", "attribute": "White loaf"} in bread["attributes"]
    (plant_place,) = [e for e in vocabulary(document, "Location") if e["id"] == "urn:epc:id:sgln:0614141.00001.0"]
    assert {"id": "urn:epcglobal:cbv:mda#streetAddressOne", "attribute": "1 Oven Road"} in plant_place["attributes"]
    assert f"{DOMAIN}/locations/RAW" in plant_place["children"]
    (mill,) = [e for e in vocabulary(document, "Party") if e["id"] == "urn:epc:id:pgln:0614141.00002"]
    assert {"id": "urn:epcglobal:cbv:mda#state", "attribute": "TX"} in mill["attributes"]


def test_days_select_the_events_of_those_days_in_the_plants_zone(ledger_app: App, plant: dict[str, str]) -> None:
    document = export(ledger_app, date(2026, 3, 4), date(2026, 3, 4))
    assert schema_errors(document) == []
    names = ["return", "found", "spilt", "mixed", "hold", "release", "observe", "mistake", "mistake"]
    assert [e["eventID"] for e in events_of(document)] == [f"urn:uuid:{plant[name]}" for name in names]
    items = sorted(rebuilt(e, Item).sku for e in vocabulary(document, "EPCClass"))
    assert items == ["BREAD", "FLOUR", "MILK"]
    assert sorted(rebuilt(e, Location).code for e in vocabulary(document, "Location")) == ["FG", "PLANT", "RAW"]
    assert sorted(rebuilt(e, Partner).code for e in vocabulary(document, "Party")) == ["DELI", "SHOP"]
    later = export(ledger_app, date(2026, 3, 5))
    assert [e["eventID"] for e in events_of(later)] == [f"urn:uuid:{plant['salt']}"]
    assert [rebuilt(e, Location).code for e in vocabulary(later, "Location")] == ["PLANT", "RAW"]  # RAW's parent too
    assert [e["eventID"] for e in events_of(export(ledger_app, None, date(2026, 3, 1)))] == []


def test_a_lot_selects_the_events_of_its_whole_trace(ledger_app: App, plant: dict[str, str]) -> None:
    document = export(ledger_app, lot=LotKey("BREAD", "B-2"))
    assert schema_errors(document) == []
    names = ["flour", "milk", "bake", "move", "spilt", "mixed", "hold", "release", "observe"]
    assert [e["eventID"] for e in events_of(document)] == [f"urn:uuid:{plant[name]}" for name in names]
    assert sorted(rebuilt(e, Partner).code for e in vocabulary(document, "Party")) == ["MILL"]
    milk = export(ledger_app, lot=LotKey("MILK", "M-1"))  # forward: both breads, and where they went
    names = ["milk", "bake", "pack", "move", "unpack", "pallet", "loose", "return", "found", "mixed", "hold"]
    names += ["release", "observe"]
    assert [e["eventID"] for e in events_of(milk)] == [f"urn:uuid:{plant[name]}" for name in names]
    assert sorted(rebuilt(e, Partner).code for e in vocabulary(milk, "Party")) == ["DELI", "MILL", "SHOP"]
    odd = export(ledger_app, lot=LotKey("FLOUR", ODD_LOT))
    names = ["flour", "mistake", "mistake"]  # its receipt, the shipment and the shipment's void
    assert [e["eventID"] for e in events_of(odd)] == [f"urn:uuid:{plant[name]}" for name in names]


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        ({"lot": LotKey("FLOUR", "NOPE")}, "lot: unknown lot FLOUR/NOPE"),
        ({"start": date(2026, 3, 5), "end": date(2026, 3, 4)}, "from: 2026-03-05 is after to 2026-03-04"),
        ({"start": date(1, 1, 1)}, "from: 0001-01-01 is outside the years 1900-2199"),
        ({"end": date(9999, 12, 31)}, "to: 9999-12-31 is outside the years 1900-2199"),
    ],
)
def test_a_bad_selection_is_refused_naming_it(ledger_app: App, selection: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=exactly(message)):
        ledger_app.epcis_export.select(**selection)
