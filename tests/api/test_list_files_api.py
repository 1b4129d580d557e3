"""?format=csv|xlsx on /events, /lots/history, /lots/trace and /balances: the JSON answer's rows, as named files."""

from __future__ import annotations

from typing import Any

import pytest

from lotledger.bootstrap import App
from lotledger.interchange.lists import BALANCE_HEADERS, EVENT_HEADERS, TRACE_HEADERS
from lotledger.interchange.tables import XLSX_MEDIA_TYPE
from tests.api.conftest import Api
from tests.factories import setup_plant
from tests.list_files import FORMULA, balance_rows, event_rows, plant, rows_of, trace_rows

FORMATS = ["csv", "xlsx"]
MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_MEDIA_TYPE}


@pytest.fixture
def bakery(app: App) -> Api:
    setup_plant(app)
    plant(app)
    return Api(app)


def _both(api: Api, route: str, params: dict[str, Any], format: str) -> tuple[Any, list[list[str]], str]:
    """The JSON answer, and the file's rows and name, of the same query."""
    json_answer = api.client.get(route, params=params, headers=api.headers("viewer"))
    assert json_answer.status_code == 200, json_answer.text
    file = api.client.get(route, params={**params, "format": format}, headers=api.headers("viewer"))
    assert file.status_code == 200, file.text
    assert file.headers["content-type"] == MEDIA[format]
    disposition = file.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    return json_answer.json(), rows_of(file.content, format), disposition.split('"')[1]


@pytest.mark.parametrize("format", FORMATS)
def test_the_event_log_as_a_file_is_the_json_log(bakery: Api, format: str) -> None:
    answer, rows, name = _both(bakery, "/api/v1/events", {"limit": 1000}, format)
    assert rows[0] == list(EVENT_HEADERS)
    assert rows[1:] == event_rows(answer["events"], format)
    assert len(rows) == 1 + 9  # two receipts, two productions, a pack, two shipments, a count and its void
    assert rows[-2][9] == rows[-1][1]  # the count is voided by the void
    assert name == f"events.{format}"


@pytest.mark.parametrize("format", FORMATS)
def test_the_event_log_file_holds_every_page_of_the_filter(bakery: Api, format: str) -> None:
    params = {"type": "produce", "limit": 1}
    page = bakery.client.get("/api/v1/events", params=params, headers=bakery.headers("viewer")).json()
    assert page["next_cursor"]  # JSON pages; the file has both productions
    file = bakery.client.get("/api/v1/events", params={**params, "format": format}, headers=bakery.headers("viewer"))
    rows = rows_of(file.content, format)
    assert [row[2] for row in rows[1:]] == ["produce", "produce"]
    assert file.headers["content-disposition"] == f'attachment; filename="events_produce.{format}"'


@pytest.mark.parametrize("format", FORMATS)
def test_a_lots_history_as_a_file_is_its_json_history(bakery: Api, format: str) -> None:
    answer, rows, name = _both(bakery, "/api/v1/lots/history", {"item": "FLOUR", "lot": FORMULA}, format)
    assert rows[0] == list(EVENT_HEADERS)
    assert rows[1:] == event_rows(answer["history"], format)
    assert [row[2] for row in rows[1:]] == ["receive", "produce"]
    assert name == f"history_FLOUR_-1-2.{format}"


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("direction", ["both", "up", "down"])
def test_a_trace_as_a_file_is_its_json_trace_in_one_table(bakery: Api, format: str, direction: str) -> None:
    params = {"item": "DOUGH", "lot": "D1", "direction": direction}
    answer, rows, name = _both(bakery, "/api/v1/lots/trace", params, format)
    assert rows[0] == list(TRACE_HEADERS)
    assert rows[1:] == trace_rows(answer, format)
    records = {(row[0], row[2]) for row in rows[1:]}
    if direction != "down":
        assert {("backward", "lot"), ("backward", "edge"), ("backward", "receipt")} <= records
    if direction != "up":
        assert {("forward", "lot"), ("forward", "shipment"), ("forward", "on hand")} <= records
    assert name == f"trace_DOUGH_D1.{format}"


@pytest.mark.parametrize("format", FORMATS)
def test_balances_as_a_file_are_the_json_balances(bakery: Api, format: str) -> None:
    answer, rows, name = _both(bakery, "/api/v1/balances", {}, format)
    assert rows[0] == list(BALANCE_HEADERS)
    assert rows[1:] == balance_rows(answer["balances"])
    assert ["FLOUR", FORMULA, "RAW", "", "50", "kg"] in rows
    assert name == f"balances.{format}"


@pytest.mark.parametrize("format", FORMATS)
def test_an_empty_list_is_its_header_row_alone(bakery: Api, format: str) -> None:
    answer, rows, name = _both(bakery, "/api/v1/balances", {"location": "DOCK"}, format)
    assert answer == {"balances": []}
    assert rows == [list(BALANCE_HEADERS)]
    assert name == f"balances_DOCK.{format}"


def test_a_formula_like_lot_code_stays_text_in_the_workbook(bakery: Api) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    params = {"item": "FLOUR", "lot": FORMULA, "format": "xlsx"}
    file = bakery.client.get("/api/v1/balances", params=params, headers=bakery.headers("viewer"))
    sheet = load_workbook(BytesIO(file.content)).worksheets[0]
    assert (sheet["B2"].value, sheet["B2"].data_type) == (FORMULA, "s")
    assert (sheet["E2"].value, sheet["E2"].data_type) == (50, "n")  # a quantity is a number


@pytest.mark.parametrize(
    ("route", "params", "status", "field"),
    [
        ("/api/v1/balances", {"format": "pdf"}, 422, "format"),
        ("/api/v1/events", {"format": "csv", "type": "shipped"}, 422, "type"),
        ("/api/v1/events", {"format": "xlsx", "cursor": "nonsense"}, 422, "cursor"),
        ("/api/v1/events", {"format": "csv", "since": "0001-01-01T00:00:00Z"}, 422, "since"),
        ("/api/v1/lots/history", {"item": "FLOUR", "lot": "NOPE", "format": "csv"}, 404, None),
        ("/api/v1/lots/trace", {"item": "FLOUR", "lot": "NOPE", "format": "xlsx"}, 404, None),
    ],
)
def test_a_refused_file_is_a_problem_not_a_half_file(
    bakery: Api, route: str, params: dict[str, str], status: int, field: str | None
) -> None:
    answer = bakery.client.get(route, params=params, headers=bakery.headers("viewer"))
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    if field is not None:
        assert answer.json()["field"] == field


@pytest.mark.parametrize("route", ["/api/v1/events", "/api/v1/lots/history", "/api/v1/lots/trace", "/api/v1/balances"])
def test_the_files_are_documented_and_need_a_token(bakery: Api, route: str) -> None:
    operation = bakery.client.get("/api/v1/openapi.json").json()["paths"][route]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv", XLSX_MEDIA_TYPE}
    assert "format" in {p["name"] for p in operation["parameters"]}
    assert bakery.client.get(route, params={"format": "csv", "item": "FLOUR", "lot": FORMULA}).status_code == 401
