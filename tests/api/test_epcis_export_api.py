"""GET /api/v1/exports/epcis: the EPCIS 2.0 document streamed as a named JSON-LD file, for every role that reads;
bad parameters as problems naming them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from lotledger.domain.accounts import ROLES
from lotledger.interchange.epcis_out import MEDIA_TYPE
from tests.api.conftest import Api
from tests.epcis_plant import bakery, epcis_app, schema_errors

ROUTE = "/api/v1/exports/epcis"


@pytest.fixture
def plant(db_url: str) -> Iterator[tuple[Api, dict[str, str]]]:
    app = epcis_app(db_url)
    ids = bakery(app)
    yield Api(app), ids
    app.close()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_that_reads_gets_the_document_as_a_named_file(plant: tuple[Api, dict[str, str]], role: str) -> None:
    api, ids = plant
    answer = api.client.get(ROUTE, headers=api.headers(role))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == MEDIA_TYPE
    assert answer.headers["content-disposition"] == 'attachment; filename="epcis.jsonld"'
    document = answer.json()
    assert schema_errors(document) == []
    assert len(document["epcisBody"]["eventList"]) == len(ids)  # the void is its target again


def test_a_lot_and_days_select_the_events(plant: tuple[Api, dict[str, str]]) -> None:
    api, ids = plant
    params = {"item": "BREAD", "lot": "B-2", "from": "2026-03-04", "to": "2026-03-04"}
    answer = api.client.get(ROUTE, params=params, headers=api.headers("viewer"))
    assert answer.status_code == 200, answer.text
    name = "epcis_BREAD_B-2_from-2026-03-04_to-2026-03-04.jsonld"
    assert answer.headers["content-disposition"] == f'attachment; filename="{name}"'
    events = json.loads(answer.content)["epcisBody"]["eventList"]
    assert [e["eventID"] for e in events] == [
        f"urn:uuid:{ids[n]}" for n in ("spilt", "mixed", "hold", "release", "observe")
    ]


@pytest.mark.parametrize(
    ("params", "field", "detail"),
    [
        ({"from": "2026-03-05", "to": "2026-03-02"}, "from", "2026-03-05 is after to 2026-03-02"),
        ({"from": "0001-01-01"}, "from", "0001-01-01 is outside the years 1900-2199"),
        ({"to": "9999-12-31"}, "to", "9999-12-31 is outside the years 1900-2199"),
        ({"to": "2026-02-30"}, "to", None),
        ({"lot": "B-1"}, "item", "a lot is named by its item and its code: give both"),
        ({"item": "BREAD"}, "lot", "a lot is named by its item and its code: give both"),
        ({"item": "BREAD", "lot": "B-9"}, "lot", "unknown lot BREAD/B-9"),
        ({"item": "BREAD", "lot": "x" * 21}, "lot", None),
    ],
)
def test_bad_parameters_are_422_problems_naming_them(
    plant: tuple[Api, dict[str, str]], params: dict[str, str], field: str, detail: str | None
) -> None:
    api, _ = plant
    answer = api.client.get(ROUTE, params=params, headers=api.headers("viewer"))
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["field"] == field
    if detail is not None:
        assert answer.json()["detail"] == detail


def test_the_route_is_documented_and_needs_a_token(plant: tuple[Api, dict[str, str]]) -> None:
    api, _ = plant
    operation = api.client.get("/api/v1/openapi.json").json()["paths"][ROUTE]["get"]
    assert set(operation["responses"]["200"]["content"]) == {MEDIA_TYPE}
    assert {p["name"] for p in operation["parameters"]} == {"from", "to", "item", "lot"}
    assert api.client.get(ROUTE).status_code == 401


def test_days_and_times_are_iso_text_not_unix_numbers(api: Api) -> None:
    for url in ("/api/v1/exports/epcis?from=-0", "/api/v1/exports/epcis?to=1767657600", "/api/v1/events?since=0"):
        answer = api.client.get(url, headers=api.headers("viewer"))
        assert answer.status_code == 422, (url, answer.text)
        assert "expected an ISO 8601 day (YYYY-MM-DD) or time" in answer.json()["detail"]
    assert api.client.get("/api/v1/events?since=2026-01-01T00:00:00Z", headers=api.headers("viewer")).status_code == 200
