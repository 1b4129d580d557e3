"""Purchase orders over HTTP: create, receive partly, read, a refusal beyond the tolerance, cancel and close."""

from __future__ import annotations

from tests.api.conftest import Api


def test_a_planner_orders_and_the_floor_receives_against_the_order(api: Api) -> None:
    client = api.client
    body = {"supplier": "MILL", "tolerance": "5", "lines": [{"item": "FLOUR", "qty": "1", "uom": "t"}]}
    refused = client.post("/api/v1/purchase-orders", json=body, headers=api.headers("operator"))
    assert refused.status_code == 403
    made = client.post("/api/v1/purchase-orders", json=body, headers=api.headers("admin"))
    assert made.status_code == 201, made.text
    number = made.json()["order"]["number"]
    assert (number, made.json()["status"]) == ("PO-00001", "open")

    receipt = {
        "location": "RAW",
        "lines": [{"item": "FLOUR", "lot": "F-1", "qty": "600", "uom": "kg", "supplier_lot": "M-1"}],
    }
    got = client.post(f"/api/v1/purchase-orders/{number}/receipts", json=receipt, headers=api.headers("operator"))
    assert got.status_code == 201, got.text
    assert got.json()["event"]["type"] == "receive"
    line = got.json()["order"]["lines"][0]
    assert (got.json()["order"]["status"], line["received"], line["open"]) == ("partly received", "600", "400")
    assert got.json()["order"]["lots"] == [
        {"item": "FLOUR", "lot": "F-1", "qty": "600", "uom": "kg", "supplier_lot": "M-1", "expiry": None}
    ]

    over = {"location": "RAW", "lines": [{"item": "FLOUR", "lot": "F-2", "qty": "451", "uom": "kg"}]}
    problem = client.post(f"/api/v1/purchase-orders/{number}/receipts", json=over, headers=api.headers("operator"))
    assert problem.status_code == 409
    assert problem.headers["content-type"] == "application/problem+json"
    assert problem.json()["field"] == "lines[0].qty"
    assert "ordered 1000 kg, received 600 kg" in problem.json()["detail"]
    assert "beyond the 5% tolerance (1050 kg at most)" in problem.json()["detail"]

    listed = client.get("/api/v1/purchase-orders?status=partly%20received", headers=api.headers("viewer"))
    assert [o["order"]["number"] for o in listed.json()["orders"]] == [number]
    shown = client.get(f"/api/v1/purchase-orders/{number}", headers=api.headers("viewer"))
    assert [r["document"]["lines"][0]["lot"] for r in shown.json()["receipts"]] == ["F-1"]

    closed = client.post(f"/api/v1/purchase-orders/{number}:close", json={}, headers=api.headers("admin"))
    assert closed.json()["status"] == "done"
    again = client.post(f"/api/v1/purchase-orders/{number}/receipts", json=receipt, headers=api.headers("operator"))
    assert again.status_code == 409


def test_cancel_unknown_orders_and_bad_bodies(api: Api) -> None:
    client, admin = api.client, api.headers("admin")
    body = {"supplier": "MILL", "lines": [{"item": "SALT", "qty": "5"}]}
    number = client.post("/api/v1/purchase-orders", json=body, headers=admin).json()["order"]["number"]
    missing = client.post(f"/api/v1/purchase-orders/{number}:cancel", json={}, headers=admin)
    assert (missing.status_code, missing.json()["field"]) == (422, "reason")
    cancelled = client.post(f"/api/v1/purchase-orders/{number}:cancel", json={"reason": "Not needed"}, headers=admin)
    assert cancelled.json()["status"] == "cancelled"
    assert client.get("/api/v1/purchase-orders/PO-99999", headers=admin).status_code == 404
    bad = client.post("/api/v1/purchase-orders", json={**body, "lines": [{"item": "SALT"}]}, headers=admin)
    assert (bad.status_code, bad.json()["field"]) == (422, "lines[0].qty")
    partner = client.post(f"/api/v1/purchase-orders/{number}/receipts", json={"partner": "X"}, headers=admin)
    assert (partner.status_code, partner.json()["field"]) == (422, "partner")
