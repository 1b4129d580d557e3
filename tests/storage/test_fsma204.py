"""FSMA 204's sortable spreadsheet from a real ledger, on SQLite and PostgreSQL: which rows, their TLCs and
sources, what is missing, the filters, and the files (XLSX opened with openpyxl, CSV read back)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from lotledger.bootstrap import App
from lotledger.domain.errors import ValidationError
from lotledger.domain.fsma204 import Row
from lotledger.domain.model import LotKey
from lotledger.interchange.fsma204 import CSV_COLUMNS, csv_lines, headers, write_xlsx
from lotledger.services.fsma204 import Fsma204
from tests.factories import exactly
from tests.fsma_plant import DELI_PLACE, FARM_GLN, FARM_PLACE, PALLET, PLANT_GLN, PLANT_PLACE, SHOP_PLACE, salad_plant

NOWHERE = (None,) * 7
PLANT_REFERENCE = f"GLN {PLANT_GLN}; FFRN 12345678901"


@pytest.fixture
def plant(app: App) -> dict[str, str]:
    return salad_plant(app)


def exported(app: App, **selection: object) -> list[Row]:
    service = app.fsma204
    return list(service.export(service.select(**selection)).rows())  # type: ignore[arg-type]


def by_event(rows: list[Row], event_id: str) -> list[Row]:
    return [row for row in rows if row.event_id == event_id]


def test_a_received_lot_carries_its_suppliers_code_with_the_supplier_as_source(app: App, plant: dict[str, str]) -> None:
    (row,) = by_event(exported(app), plant["lettuce"])
    assert (row.cte, row.kind, row.tlc, row.qty, row.uom) == ("Receiving", "received", "FARM-77", Decimal(100), "kg")
    assert row.places["tlc_source"].parts == FARM_PLACE
    assert row.tlc_source_reference == f"GLN {FARM_GLN}"
    assert row.places["previous_source"].parts == FARM_PLACE
    assert row.places["receiving"].parts == PLANT_PLACE  # RAW has no address: its site's
    assert row.product.parts == ("Romaine hearts", "Green", "leafy greens", "romaine", "10 kg", "carton")
    assert (row.document_type, row.document_number) == ("Purchase order", "PO-1")
    assert row.day == date(2026, 3, 2)
    assert row.missing == ()


def test_a_receipt_without_the_suppliers_lot_code_has_no_tlc_and_says_so(app: App, plant: dict[str, str]) -> None:
    (row,) = by_event(exported(app), plant["tomato"])
    assert row.tlc is None
    assert row.lot == LotKey("TOMATO", "T-1")
    assert row.missing == (
        "Traceability Lot Code (the supplier's lot code was not recorded on the receipt)",
        "Product Description: Packaging Size",
        "Product Description: Packaging Style",
        *(
            f"Immediate Previous Source: {part}"
            for part in ("Phone Number", "Physical Address", "City", "State/Region", "ZIP/Postal Code", "Country")
        ),
        *(
            f"TLC Source: {part}"
            for part in ("Phone Number", "Physical Address", "City", "State/Region", "ZIP/Postal Code", "Country")
        ),
    )
    assert row.required == 3 + 3 + 1 + 3 * 7 + 2


def test_a_transformation_is_its_inputs_and_outputs_as_rows_never_a_cross_product(
    app: App, plant: dict[str, str]
) -> None:
    rows = by_event(exported(app), plant["salad"])
    assert [(row.kind, row.lot.code, row.tlc, row.qty) for row in rows] == [
        ("input", "B-1", "BAGS-1", Decimal(280)),  # every input of a transformation that made FTL food
        ("input", "L-1", "FARM-77", Decimal(60)),
        ("input", "T-1", None, Decimal(20)),
        ("output", "S-1", "S-1", Decimal(40)),
        ("output", "S-2", "S-2", Decimal(30)),
    ]
    for output in rows[3:]:
        assert output.places["tlc_source"].parts == PLANT_PLACE  # the line's site: our plant
        assert output.tlc_source_reference == PLANT_REFERENCE
        assert (output.document_type, output.document_number) == ("Work order", "WO-1")
        assert output.missing == ()
    assert {row.cte for row in rows} == {"Transformation"}


def test_shipments_carry_each_lots_tlc_and_the_pallet(app: App, plant: dict[str, str]) -> None:
    rows = exported(app)
    (pallet,) = by_event(rows, plant["pallet"])
    assert (pallet.cte, pallet.tlc, pallet.qty, pallet.containers) == ("Shipping", "S-1", Decimal(40), (PALLET,))
    assert pallet.places["recipient"].parts == SHOP_PLACE
    assert pallet.places["ship_from"].parts == PLANT_PLACE
    assert pallet.places["tlc_source"].parts == PLANT_PLACE  # made here
    assert pallet.tlc_source_reference == PLANT_REFERENCE
    (unchanged,) = by_event(rows, plant["lettuce_on"])
    assert (unchanged.tlc, unchanged.places["tlc_source"].parts) == ("FARM-77", FARM_PLACE)  # the supplier's
    assert unchanged.places["recipient"].parts == DELI_PLACE
    assert unchanged.missing == ("Reference Document Number",)


def test_a_return_is_received_back_from_the_customer(app: App, plant: dict[str, str]) -> None:
    (row,) = by_event(exported(app), plant["return"])
    assert (row.cte, row.kind, row.tlc, row.qty) == ("Receiving", "returned", "S-2", Decimal(4))
    assert row.places["previous_source"].parts == DELI_PLACE
    assert (row.document_type, row.document_number) == ("Return authorization", "RMA-1")


def test_voided_events_moves_packing_and_voids_make_no_rows(app: App, plant: dict[str, str]) -> None:
    found = {row.event_id for row in exported(app, all_items=True)}
    assert found.isdisjoint({plant[name] for name in ("mistake", "void", "pack", "move")})
    kept = ("lettuce", "tomato", "bags", "salad", "pallet", "deli", "lettuce_on", "return", "later")
    assert found == {plant[name] for name in kept}


def test_by_default_only_food_on_the_list_and_the_transformations_that_use_or_make_it(
    app: App, plant: dict[str, str]
) -> None:
    assert plant["bags"] not in {row.event_id for row in exported(app)}
    assert plant["bags"] in {row.event_id for row in exported(app, all_items=True)}
    assert {row.lot.sku for row in exported(app, item="BAG")} == {"BAG", "LETTUCE", "TOMATO", "SALAD"}


def test_a_lot_selects_its_receipts_shipments_returns_and_whole_transformations(
    app: App, plant: dict[str, str]
) -> None:
    rows = exported(app, lot=LotKey("SALAD", "S-2"))
    assert [row.event_id for row in rows] == [plant["salad"]] * 5 + [plant["deli"], plant["return"]]
    lettuce = exported(app, item="LETTUCE")
    assert {row.event_id for row in lettuce} == {plant[n] for n in ("lettuce", "salad", "lettuce_on", "later")}


def test_days_are_the_plants_and_both_ends_are_included(app: App, plant: dict[str, str]) -> None:
    assert {row.day for row in exported(app, start=date(2026, 3, 2), end=date(2026, 3, 2))} == {date(2026, 3, 2)}
    assert [row.event_id for row in exported(app, start=date(2026, 3, 4))] == [plant["later"]]
    pacific = Fsma204(app.fsma204.reads, app.fsma204.master, app.fsma204.lots, ZoneInfo("America/Los_Angeles"))
    rows = list(pacific.export(pacific.select(end=date(2026, 3, 2))).rows())  # up to 3 March 08:00 UTC
    assert {row.event_id for row in rows} == {plant["lettuce"], plant["tomato"], plant["salad"]}
    salad = by_event(rows, plant["salad"])[0]  # made at 07:00 UTC on the 3rd: 23:00 on the 2nd there
    assert (salad.day, salad.time.isoformat()) == (date(2026, 3, 2), "2026-03-02T23:00:00-08:00")
    later = list(pacific.export(pacific.select(start=date(2026, 3, 3))).rows())
    assert plant["salad"] not in {row.event_id for row in later}


@pytest.mark.parametrize(
    ("selection", "field", "message"),
    [
        ({"start": date(2026, 3, 5), "end": date(2026, 3, 2)}, "from", "2026-03-05 is after to 2026-03-02"),
        ({"start": date(1, 1, 1)}, "from", "0001-01-01 is outside the years 1900-2199"),
        ({"item": "CAVIAR"}, "item", "unknown item 'CAVIAR'"),
        ({"lot": LotKey("SALAD", "S-9")}, "lot", "unknown lot SALAD/S-9"),
        ({"item": "TOMATO", "lot": LotKey("SALAD", "S-1")}, "item", "item 'TOMATO' is not the item of lot SALAD/S-1"),
        ({"item": "SALAD", "all_items": True}, "all_items", "every item, or the item or lot named: not both"),
    ],
)
def test_bad_selections_are_refused_naming_the_field(
    app: App, plant: dict[str, str], selection: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=exactly(f"{field}: {message}")):
        app.fsma204.select(**selection)  # type: ignore[arg-type]


def test_completeness_counts_rows_and_kde_cells(app: App, plant: dict[str, str]) -> None:
    service = app.fsma204
    export = service.export(service.select())
    rows = list(export.rows())
    assert export.total() == len(rows) == 12
    figures = {cte: figure for cte, *figure in export.completeness.figures()}
    assert figures["Receiving"][:2] == [4, 3]  # the tomato receipt lacks its TLC and more
    assert figures["Shipping"][:2] == [3, 2]  # the lettuce shipped on lacks its reference
    assert figures["Transformation"][:2] == [5, 4]  # the tomato input: no TLC, no packaging
    missing = sum(len(row.missing) for row in rows)
    assert figures["Total"] == [12, 9, sum(r.required for r in rows), sum(r.required for r in rows) - missing]


def test_the_workbook_has_a_sheet_per_cte_with_its_rows_and_what_is_missing(app: App, plant: dict[str, str]) -> None:
    service = app.fsma204
    export = service.export(service.select())
    buffer = io.BytesIO()
    write_xlsx(export, export.rows(), buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == [
        "About",
        "Harvesting",
        "Cooling",
        "Initial Packing",
        "First Land-Based Receiving",
        "Shipping",
        "Receiving",
        "Transformation",
        "Missing KDEs",
        "Completeness",
    ]
    values = {sheet.title: [list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book}
    for cte in ("Harvesting", "Cooling", "Initial Packing", "First Land-Based Receiving"):
        assert values[cte] == [headers(cte)]  # headers, no rows
        assert "records no" in book[cte]["A1"].comment.text
    receiving = values["Receiving"]
    assert receiving[0] == headers("Receiving")
    assert [r[0] for r in receiving[1:]] == ["FARM-77", None, "S-2", "FARM-78"]
    assert receiving[1][23].date() == date(2026, 3, 2)  # X: date received, a date cell
    assert receiving[1][9:16] == list(FARM_PLACE)  # J-P: the immediate previous source
    transformation = values["Transformation"]
    outputs = [r for r in transformation[1:] if r[9] is not None]
    assert [(r[9], r[25]) for r in outputs] == [("S-1", 40), ("S-2", 30)]  # J new TLC, Z quantity
    assert all(r[:9] == [None] * 9 for r in outputs)  # no input on an output's row
    missing = values["Missing KDEs"]
    assert [(r[0], r[1], r[4]) for r in missing[1:]] == [
        ("Receiving", 3, None),
        ("Transformation", 4, None),
        ("Shipping", 4, "FARM-77"),
    ]
    assert missing[3][7] == "Reference Document Number"
    assert values["Completeness"][-1][:4] == ["Total", 12, 9, "75.0%"]
    about = "\n".join(r[0] for r in values["About"])
    assert "Food Traceability List" in about
    assert "LETTUCE, SALAD, TOMATO" in about


def test_the_csv_is_the_same_rows_in_one_table(app: App, plant: dict[str, str]) -> None:
    service = app.fsma204
    export = service.export(service.select())
    text = "".join(csv_lines(export.rows(), batch=2))
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0]) == [header for header, _ in CSV_COLUMNS]
    assert [(r["CTE"], r["lotledger: Event Type"], r["Traceability Lot Code (TLC)"]) for r in table] == [
        ("Receiving", "received", "FARM-77"),
        ("Receiving", "received", ""),
        ("Transformation", "input", "BAGS-1"),
        ("Transformation", "input", "FARM-77"),
        ("Transformation", "input", ""),
        ("Transformation", "output", "S-1"),
        ("Transformation", "output", "S-2"),
        ("Shipping", "shipped", "S-1"),
        ("Shipping", "shipped", "S-2"),
        ("Shipping", "shipped", "FARM-77"),
        ("Receiving", "returned", "S-2"),
        ("Receiving", "received", "FARM-78"),
    ]
    assert table[7]["lotledger: Containers (SSCC)"] == PALLET
    assert table[0]["Date"] == "2026-03-02"
    assert table[1]["lotledger: Missing KDEs"].startswith("Traceability Lot Code (the supplier's lot code")


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook(app: App, plant: dict[str, str]) -> None:
    from tests.factories import line, record

    record(
        app,
        {
            "type": "receive",
            "location": "RAW",
            "time": "2026-03-05T08:00:00Z",
            "partner": "FARM",
            "reference": '=HYPERLINK("http://x","y")',
            "lines": [line("LETTUCE", "=1+2", 10, supplier_lot="=SUM(1,2)")],
        },
    )
    service = app.fsma204
    export = service.export(service.select(lot=LotKey("LETTUCE", "=1+2")))
    buffer = io.BytesIO()
    write_xlsx(export, export.rows(), buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["Receiving"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)]
    formulas = [cell.value for cell in cells if cell.data_type == "f"]
    assert formulas == []
    assert {"=SUM(1,2)", '=HYPERLINK("http://x","y")'} <= {cell.value for cell in cells}
