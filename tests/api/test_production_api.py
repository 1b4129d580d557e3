"""Recipes and work orders through the API: a recipe version, a work order with its FEFO lots, production from
two lots, the variance and the output's label, closing; refusals as problems naming the field."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.factories import receive

RECIPE = {
    "item": "DOUGH",
    "batch": "100",
    "yield": "95",
    "inputs": [{"item": "FLOUR", "qty": "98", "uom": "kg"}, {"item": "SALT", "qty": "2000", "uom": "g"}],
}


def test_a_work_order_through_the_api(api: Api) -> None:
    quality, operator, viewer = api.headers("quality"), api.headers("operator"), api.headers("viewer")
    for lot, qty, expiry in (("F-1", 60, "2099-01-01"), ("F-2", 100, "2099-06-01")):
        receive(api.app, "FLOUR", lot, qty, expiry=expiry)
    receive(api.app, "SALT", "S-1", 10)
    saved = api.client.post("/api/v1/recipes", json=RECIPE, headers=quality)
    assert saved.status_code == 201, saved.text
    assert (saved.json()["version"], saved.json()["yield_pct"]) == (1, "95")
    opened = api.client.post("/api/v1/work-orders", json={"recipe": "DOUGH", "planned": "95", "location": "LINE"},
                             headers=operator)  # fmt: skip
    assert opened.status_code == 201, opened.text
    number = opened.json()["order"]["number"]
    shown = api.client.get(f"/api/v1/work-orders/{number}", headers=viewer).json()
    assert shown["status"] == "open"
    flour = shown["suggestions"][0]
    assert [(p["stock"]["lot"], p["take"]) for p in flour["suggestion"]["picks"]] == [("F-1", "60"), ("F-2", "38")]
    body = {"inputs": [{"item": "FLOUR", "lot": "F-1", "qty": "60", "uom": "kg"},
                       {"item": "FLOUR", "lot": "F-2", "qty": "40", "uom": "kg"},
                       {"item": "SALT", "lot": "S-1", "qty": "2", "uom": "kg"}],
            "outputs": [{"qty": "90"}]}  # fmt: skip
    made = api.client.post(f"/api/v1/work-orders/{number}/production", json=body, headers=operator)
    assert made.status_code == 201, made.text
    report = made.json()["work_order"]
    assert report["status"] == "in progress"
    variance = report["variance"]
    assert (variance["yield_pct"], variance["yield_variance"], variance["output_variance"]) == ("90", "-5", "-5")
    assert [(u["item"], u["consumed"], u["variance"]) for u in variance["inputs"]] == [
        ("FLOUR", "100", "7.157895"),
        ("SALT", "2", "0.105263"),
    ]
    (output,) = report["made"]
    label = api.client.get(output["label"], headers=viewer)
    assert (label.status_code, label.content[:5]) == (200, b"%PDF-")
    listed = api.client.get("/api/v1/work-orders", headers=viewer).json()
    assert [(w["order"]["number"], w["status"], w["produced"]) for w in listed["work_orders"]] == [
        (number, "in progress", "90")
    ]
    closed = api.client.post(f"/api/v1/work-orders/{number}:close", json={"note": "short"}, headers=operator)
    assert (closed.status_code, closed.json()["status"]) == (200, "done")
    versions = api.client.get("/api/v1/recipes/DOUGH", headers=viewer).json()
    assert [v["version"] for v in versions["versions"]] == [1]


def test_refusals_are_problems_naming_the_field(api: Api) -> None:
    refused = api.client.post("/api/v1/recipes", json=RECIPE, headers=api.headers("operator"))
    assert refused.status_code == 403
    assert refused.json()["detail"] == "this request needs the quality role; operator-user has the operator role"
    api.client.post("/api/v1/recipes", json=RECIPE, headers=api.headers("quality"))
    opened = api.client.post("/api/v1/work-orders", json={"recipe": "DOUGH", "planned": "5", "location": "LINE"},
                             headers=api.headers("operator")).json()  # fmt: skip
    wrong = {"inputs": [{"item": "MILK", "lot": "M-1", "qty": "1", "uom": "L"}]}
    answer = api.client.post(f"/api/v1/work-orders/{opened['order']['number']}/production", json=wrong,
                             headers=api.headers("operator"))  # fmt: skip
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert (answer.json()["field"], answer.json()["detail"]) == (
        "inputs[0].item",
        "MILK is not an input of recipe DOUGH v1 (FLOUR, SALT)",
    )
    missing = api.client.get("/api/v1/work-orders/WO-99999", headers=api.headers("viewer"))
    assert (missing.status_code, missing.json()["detail"]) == (404, "no work order WO-99999")


def test_a_version_number_too_large_to_store_is_refused_naming_it(api: Api) -> None:
    api.client.post("/api/v1/recipes", json=RECIPE, headers=api.headers("quality"))
    order = {"recipe": "DOUGH", "version": 10**36, "planned": "5", "location": "LINE"}
    answer = api.client.post("/api/v1/work-orders", json=order, headers=api.headers("operator"))
    assert answer.status_code == 422
    assert answer.json()["field"] == "version"


def test_an_input_whose_unit_is_not_text_is_refused_naming_it(api: Api) -> None:
    api.client.post("/api/v1/recipes", json=RECIPE, headers=api.headers("quality"))
    order = {"recipe": "DOUGH", "planned": "5", "location": "LINE"}
    opened = api.client.post("/api/v1/work-orders", json=order, headers=api.headers("operator")).json()
    wrong = {"inputs": [{"item": "FLOUR", "lot": "F-1", "qty": "1", "uom": [None, None]}]}
    answer = api.client.post(
        f"/api/v1/work-orders/{opened['order']['number']}/production", json=wrong, headers=api.headers("operator")
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "inputs[0].uom"


def test_a_retried_production_with_its_idempotency_key_records_once(api: Api) -> None:
    quality, operator = api.headers("quality"), api.headers("operator")
    receive(api.app, "FLOUR", "F-1", 500, expiry="2099-01-01")
    receive(api.app, "SALT", "S-1", 10)
    assert api.client.post("/api/v1/recipes", json=RECIPE, headers=quality).status_code == 201
    opened = api.client.post("/api/v1/work-orders", json={"recipe": "DOUGH", "planned": "95", "location": "LINE"},
                             headers=operator)  # fmt: skip
    number = opened.json()["order"]["number"]
    body = {"inputs": [{"item": "FLOUR", "lot": "F-1", "qty": "98", "uom": "kg"},
                       {"item": "SALT", "lot": "S-1", "qty": "2", "uom": "kg"}]}  # fmt: skip
    keyed = {**operator, "Idempotency-Key": "line-3-batch-7"}
    url = f"/api/v1/work-orders/{number}/production"
    first = api.client.post(url, json=body, headers=keyed)
    again = api.client.post(url, json=body, headers=keyed)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json()
    assert [m["qty"] for m in again.json()["work_order"]["made"]] == ["95"]  # one output lot, not two
    other = api.client.post(url, json={**body, "note": "another"}, headers=keyed)
    assert other.status_code == 409, other.text
