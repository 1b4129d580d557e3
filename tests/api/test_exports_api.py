"""GET /api/v1/exports/fsma204: the spreadsheet as a named file, bad parameters as problems naming them."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from lotledger.bootstrap import App
from lotledger.interchange.fsma204 import XLSX_MEDIA_TYPE
from tests.api.conftest import Api
from tests.fsma_plant import salad_plant

ROUTE = "/api/v1/exports/fsma204"


@pytest.fixture
def salad(app: App) -> Api:
    salad_plant(app)
    return Api(app)


def test_a_viewer_gets_the_workbook_as_a_named_file(salad: Api) -> None:
    answer = salad.client.get(ROUTE, params={"from": "2026-03-02", "to": "2026-03-03"}, headers=salad.headers("viewer"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX_MEDIA_TYPE
    assert answer.headers["content-disposition"] == 'attachment; filename="fsma204_from-2026-03-02_to-2026-03-03.xlsx"'
    book = load_workbook(io.BytesIO(answer.content))
    assert [row[0] for row in book["Receiving"].iter_rows(min_row=2, values_only=True)] == ["FARM-77", None, "S-2"]
    assert book["Completeness"]["A5"].value == "Total"


def test_the_csv_streams_one_table_of_a_lot(salad: Api) -> None:
    params = {"item": "SALAD", "lot": "S-1", "format": "csv"}
    answer = salad.client.get(ROUTE, params=params, headers=salad.headers("viewer"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == 'attachment; filename="fsma204_SALAD_S-1.csv"'
    table = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["CTE"], r["Traceability Lot Code (TLC)"]) for r in table] == [
        *[("Transformation", tlc) for tlc in ("BAGS-1", "FARM-77", "", "S-1", "S-2")],
        ("Shipping", "S-1"),
    ]


def test_a_lot_code_with_quotes_makes_a_plain_file_name(salad: Api) -> None:
    answer = salad.client.get(ROUTE, params={"item": "SALAD", "lot": 'S-"1;'}, headers=salad.headers("viewer"))
    assert answer.status_code == 422  # no such lot; the name would have been fsma204_SALAD_S--1-.xlsx
    assert answer.json()["field"] == "lot"


@pytest.mark.parametrize(
    ("params", "field", "detail"),
    [
        ({"from": "2026-03-05", "to": "2026-03-02"}, "from", "2026-03-05 is after to 2026-03-02"),
        ({"from": "0001-01-01"}, "from", "0001-01-01 is outside the years 1900-2199"),
        ({"to": "2026-02-30"}, "to", None),
        ({"item": "CAVIAR"}, "item", "unknown item 'CAVIAR'"),
        ({"lot": "S-1"}, "lot", "a lot code is an item's: give the item too"),
        ({"item": "SALAD", "lot": "S-9"}, "lot", "unknown lot SALAD/S-9"),
        ({"format": "pdf"}, "format", None),
    ],
)
def test_bad_parameters_are_422_problems_naming_them(
    salad: Api, params: dict[str, str], field: str, detail: str | None
) -> None:
    answer = salad.client.get(ROUTE, params=params, headers=salad.headers("viewer"))
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["field"] == field
    if detail is not None:
        assert answer.json()["detail"] == detail


def test_the_route_is_documented_with_both_media_types(salad: Api) -> None:
    operation = salad.client.get("/api/v1/openapi.json").json()["paths"][ROUTE]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"text/csv", XLSX_MEDIA_TYPE}
    assert {p["name"] for p in operation["parameters"]} == {"from", "to", "item", "lot", "all_items", "format"}
    assert salad.client.get(ROUTE).status_code == 401
