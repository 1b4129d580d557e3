"""Sales orders over HTTP: create, read the pick list, ship, a refused lot, close short, the delivery note."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.factories import hold, receive


def test_a_planner_takes_an_order_and_the_floor_ships_it(api: Api) -> None:
    client = api.client
    receive(api.app, "BREAD", "B-1", 30, "ea", location="FG", expiry="2099-01-01")
    receive(api.app, "BREAD", "B-2", 30, "ea", location="FG", expiry="2099-02-01")
    hold(api.app, "BREAD", "B-2")
    body = {"customer": "SHOP", "lines": [{"item": "BREAD", "qty": "40"}]}
    assert client.post("/api/v1/sales-orders", json=body, headers=api.headers("operator")).status_code == 403
    made = client.post("/api/v1/sales-orders", json=body, headers=api.headers("admin"))
    assert made.status_code == 201, made.text
    number = made.json()["order"]["number"]
    assert (number, made.json()["status"]) == ("SO-00001", "open")
    pick = made.json()["pick_list"][0]["suggestion"]
    assert [(p["stock"]["lot"], p["take"]) for p in pick["picks"]] == [("B-1", "30")]
    assert (pick["skipped"][0]["why"], pick["short"]) == ("held", "10")

    held = {"location": "FG", "lines": [{"item": "BREAD", "lot": "B-2", "qty": "5", "uom": "ea"}]}
    problem = client.post(f"/api/v1/sales-orders/{number}/shipments", json=held, headers=api.headers("operator"))
    assert (problem.status_code, problem.headers["content-type"]) == (409, "application/problem+json")
    assert problem.json()["field"] == "lines[0].lot"
    assert problem.json()["detail"].endswith("B-2 (5 ea) cannot go on SO-00001: held")

    good = {"location": "FG", "lines": [{"item": "BREAD", "lot": "B-1", "qty": "30", "uom": "ea"}]}
    shipped = client.post(f"/api/v1/sales-orders/{number}/shipments", json=good, headers=api.headers("operator"))
    assert shipped.status_code == 201, shipped.text
    assert (shipped.json()["event"]["type"], shipped.json()["order"]["status"]) == ("ship", "partly shipped")
    closed = client.post(f"/api/v1/sales-orders/{number}:close", json={}, headers=api.headers("admin"))
    assert closed.json()["status"] == "done"
    listed = client.get("/api/v1/sales-orders", headers=api.headers("viewer")).json()
    assert [(o["order"]["number"], o["status"]) for o in listed["orders"]] == [(number, "done")]
    for status, numbers in (("done", [number]), ("open", []), ("shipped", [])):
        found = client.get(f"/api/v1/sales-orders?status={status}", headers=api.headers("viewer")).json()
        assert [o["order"]["number"] for o in found["orders"]] == numbers
    odd = client.get("/api/v1/sales-orders?status=lost", headers=api.headers("viewer"))
    assert (odd.status_code, odd.json()["field"]) == (422, "status")
    pdf = client.get(f"/api/v1/sales-orders/{number}/delivery-note.pdf", headers=api.headers("viewer"))
    assert (pdf.status_code, pdf.headers["content-type"], pdf.content[:5]) == (200, "application/pdf", b"%PDF-")
    missing = client.get("/api/v1/sales-orders/SO-99999", headers=api.headers("viewer"))
    assert (missing.status_code, missing.json()["field"]) == (404, "number")


def test_an_order_for_a_supplier_is_refused_naming_the_field(api: Api) -> None:
    body = {"customer": "MILL", "lines": [{"item": "BREAD", "qty": "4"}]}
    refused = api.client.post("/api/v1/sales-orders", json=body, headers=api.headers("admin"))
    assert (refused.status_code, refused.json()["field"]) == (422, "customer")
