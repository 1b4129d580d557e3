"""FSMA 204 rows from lot lines, without a database; the sheets' columns against the notes in shared/."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from lotledger.domain import fsma204 as fsma
from lotledger.domain.errors import ValidationError
from lotledger.domain.model import Item, Location, LotKey, Partner
from lotledger.interchange.fsma204 import LAYOUTS, headers
from tests.factories import exactly

UTC_ZONE = ZoneInfo("UTC")
WHEN = datetime(2026, 3, 3, 7, tzinfo=UTC)
DIRECTORY = fsma.Directory(
    [Item("KALE", "Kale", "kg", pack_size="1 kg", pack_style="bag", ftl=True)],
    [
        Location("SITE", "Plant", "site", gln="0614141000012"),  # no address
        Location("LINE", "Line", "line", "SITE"),
    ],
    [Partner("FARM", "Farm", "supplier", phone="1", address="2", city="3", region="4", postal_code="5", country="6")],
)


def cte_line(kind: str, lot: str, qty: str, event: str = "e1", container: str = "", **extra: object) -> fsma.CteLine:
    values: dict[str, object] = {
        "event_id": event,
        "event_type": {"consume": "produce"}.get(kind, kind),
        "kind": kind,
        "time": WHEN,
        "location": "LINE",
        "partner": None,
        "reference": "WO-1",
        "lot": LotKey("KALE", lot),
        "qty": Decimal(qty),
        "container": container,
        "origin": "produced",
        "supplier": None,
        "supplier_lot": None,
        "made_at": "LINE",
        **extra,
    }
    return fsma.CteLine(**values)  # type: ignore[arg-type]


def test_two_inputs_and_three_outputs_are_five_rows() -> None:
    lines = [cte_line("consume", f"IN-{n}", "1") for n in (1, 2)] + [
        cte_line("produce", f"OUT-{n}", "1") for n in (1, 2, 3)
    ]
    rows = list(fsma.rows(lines, DIRECTORY, UTC_ZONE))
    assert [(row.kind, row.lot.code) for row in rows] == [
        ("input", "IN-1"),
        ("input", "IN-2"),
        ("output", "OUT-1"),
        ("output", "OUT-2"),
        ("output", "OUT-3"),
    ]


def test_one_lot_shipped_from_two_pallets_is_one_row_with_both() -> None:
    lines = [
        cte_line("ship", "K-1", "2.5", container="106141412345678908", partner="FARM", origin="received"),
        cte_line("ship", "K-1", "1.5", container="106141412345678915", partner="FARM", origin="received"),
    ]
    (row,) = fsma.rows(lines, DIRECTORY, UTC_ZONE)
    assert (row.qty, row.containers) == (Decimal(4), ("106141412345678908", "106141412345678915"))


def test_an_outputs_tlc_source_needs_its_address_even_with_a_gln() -> None:
    (row,) = fsma.rows([cte_line("produce", "K-9", "3")], DIRECTORY, UTC_ZONE)
    assert row.tlc_source_reference == "GLN 0614141000012"
    assert "TLC Source: Physical Address" in row.missing


def test_a_gln_stands_for_a_shipped_lots_tlc_source() -> None:
    (row,) = fsma.rows([cte_line("ship", "K-9", "3", partner="FARM")], DIRECTORY, UTC_ZONE)
    assert not [kde for kde in row.missing if kde.startswith("TLC Source")]
    assert "Ship-From Location: Physical Address" in row.missing  # the plant has no address on file


def test_an_input_needs_no_document_of_its_own() -> None:
    (row,) = fsma.rows([cte_line("consume", "K-1", "1", reference=None)], DIRECTORY, UTC_ZONE)
    assert row.missing == ()


def test_a_received_lot_without_the_suppliers_code_has_no_tlc() -> None:
    line = cte_line("ship", "K-1", "1", partner="FARM", origin="received", supplier="FARM")
    (row,) = fsma.rows([line], DIRECTORY, UTC_ZONE)
    assert row.tlc is None
    assert row.missing[0] == "Traceability Lot Code (the supplier's lot code was not recorded on the receipt)"


def test_the_days_become_the_plants_midnights() -> None:
    chosen = fsma.selection(ZoneInfo("Europe/Berlin"), date(2026, 3, 1), date(2026, 3, 31))
    assert chosen.since == datetime(2026, 2, 28, 23, tzinfo=UTC)
    assert chosen.until == datetime(2026, 3, 31, 22, tzinfo=UTC)  # summer time by then
    assert chosen.ftl_only
    assert not fsma.selection(UTC_ZONE, all_items=True).ftl_only
    assert fsma.selection(UTC_ZONE, end=date(2199, 12, 31)).until is not None


def test_from_after_to_is_refused() -> None:
    with pytest.raises(ValidationError, match=exactly("from: 2026-03-02 is after to 2026-03-01")):
        fsma.selection(UTC_ZONE, date(2026, 3, 2), date(2026, 3, 1))


# --- the sheets against the notes: shared/conformance/fsma204/README.md ------------------------

NOTES = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "fsma204" / "README.md"
PLACE = ["Business Name", "Phone Number", "Physical Address", "City", "State/Region", "ZIP/Postal Code", "Country"]
PRODUCT = ["Product Name", "Brand Name", "Commodity", "Variety", "Packaging Size", "Packaging Style"]
# (first column, last column, the notes' words for them, what each of our headers there says)
RECEIVING = [
    ("A", "A", "A traceability lot code", ["Traceability Lot Code (TLC)"]),
    ("B", "B", "B quantity", ["Quantity"]),
    ("C", "C", "C unit of measure", ["Unit of Measure"]),
    ("D", "I", "D–I product description (name, brand, commodity, variety, packaging size, packaging style)", PRODUCT),
    (
        "J",
        "P",
        "J–P location description of the immediate previous source",
        [f"Immediate Previous Source: {p}" for p in PLACE],
    ),
    ("Q", "W", "Q–W location description of where the food was received", [f"Receiving Location: {p}" for p in PLACE]),
    ("X", "X", "X date received", ["Date Received"]),
    ("Y", "AE", "Y–AE location description of the TLC source (7 parts)", [f"TLC Source: {p}" for p in PLACE]),
    ("AF", "AF", "AF TLC source reference", ["TLC Source Reference"]),
    (
        "AG",
        "AJ",
        "AG/AH reference document type/number; AI/AJ second reference document type/number",
        [
            "Reference Document Type",
            "Reference Document Number",
            "Reference Document Type (2)",
            "Reference Document Number (2)",
        ],
    ),
]
SHIPPING = [
    *RECEIVING[:4],
    ("J", "P", "J–P = immediate subsequent recipient", [f"Immediate Subsequent Recipient: {p}" for p in PLACE]),
    ("Q", "W", "Q–W = ship-from location", [f"Ship-From Location: {p}" for p in PLACE]),
    ("X", "X", "X = date shipped", ["Date Shipped"]),
    *RECEIVING[7:],
]
TRANSFORMATION = [
    ("A", "A", "A input TLC", ["Input Traceability Lot Code (TLC)"]),
    ("B", "G", "B–G input product description (6 parts)", [f"Input {p}" for p in PRODUCT]),
    ("H", "I", "H quantity used; I unit", ["Input Quantity Used", "Input Unit of Measure"]),
    ("J", "J", "J new TLC", ["New Traceability Lot Code (TLC)"]),
    (
        "K",
        "Q",
        "K–Q transformation location = TLC source (7 parts)",
        [f"Transformation Location (TLC Source): {p}" for p in PLACE],
    ),
    ("R", "R", "R TLC source reference", ["TLC Source Reference"]),
    ("S", "S", "S date transformation completed", ["Date Transformation Completed"]),
    ("T", "Y", "T–Y output product description (6 parts)", [f"New {p}" for p in PRODUCT]),
    ("Z", "AA", "Z quantity; AA unit", ["New Quantity", "New Unit of Measure"]),
    ("AB", "AE", "AB/AC and AD/AE reference document type/number pairs", RECEIVING[-1][3]),
]


def _index(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


@pytest.mark.parametrize(
    ("sheet", "layout"), [("Receiving", RECEIVING), ("Shipping", SHIPPING), ("Transformation", TRANSFORMATION)]
)
def test_each_sheets_columns_sit_where_the_notes_put_them(sheet: str, layout: list[tuple]) -> None:  # type: ignore[type-arg]
    found = headers(sheet)
    notes = NOTES.read_text() if NOTES.exists() else None
    for first, last, words, expected in layout:
        assert found[_index(first) : _index(last) + 1] == expected, (sheet, first, last)
        if notes is not None:
            assert words in notes, words
    fda = [header for header in found if not header.startswith("lotledger: ")]
    assert len(fda) == _index(layout[-1][1]) + 1  # FDA's columns first, then only ours


def test_every_cte_of_the_notes_has_a_sheet_in_fdas_order() -> None:
    assert list(LAYOUTS) == list(fsma.CTES)
    if NOTES.exists():
        notes = NOTES.read_text()
        for cte in ("Harvesting", "Cooling", "Initial Packing", "First Land-Based Receiving"):
            assert cte in notes
