"""The HTTP API: capture, idempotency, errors as problem+json, roles, master data, queries."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.api.conftest import Api
from tests.factories import line

RECEIPT: dict[str, Any] = {
    "type": "receive",
    "time": "2026-11-25T08:00:00+01:00",
    "location": "RAW",
    "partner": "MILL",
    "reference": "PO-1",
    "lines": [line("FLOUR", "F-1", 100, supplier_lot="M-77")],
}
PUBLIC = {"/api/v1/health", "/api/v1/auth/login"}


def post_event(api: Api, body: dict[str, Any], role: str = "operator", **headers: str) -> Any:
    return api.client.post("/api/v1/events", json=body, headers=api.headers(role, **headers))


def test_capture_a_receipt_and_trace_it(api: Api) -> None:
    answer = post_event(api, RECEIPT)
    assert answer.status_code == 201
    assert answer.json()["type"] == "receive"
    assert answer.json()["duplicate"] is False
    trace = api.client.get(
        "/api/v1/lots/trace", params={"item": "FLOUR", "lot": "F-1", "direction": "down"}, headers=api.headers("viewer")
    ).json()
    assert trace["forward"]["on_hand"] == [
        {"lot": {"item": "FLOUR", "lot": "F-1"}, "location": "RAW", "container": "", "qty": "100", "uom": "kg"}
    ]
    history = api.client.get(
        "/api/v1/lots/history", params={"item": "FLOUR", "lot": "F-1"}, headers=api.headers("viewer")
    ).json()["history"]
    assert (history[0]["recorded_by"], history[0]["client"]) == ("user:operator-user", "token:operator-scanner")


def test_same_event_id_returns_the_same_answer_and_a_changed_body_is_409(api: Api) -> None:
    body = {**RECEIPT, "id": str(uuid.uuid4())}
    first, again = post_event(api, body), post_event(api, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "duplicate": True}
    changed = post_event(api, {**body, "reference": "PO-2"})
    assert changed.status_code == 409
    assert changed.headers["content-type"] == "application/problem+json"
    assert changed.json()["field"] == "id"


def test_idempotency_key_replays_the_first_answer(api: Api) -> None:
    first = post_event(api, RECEIPT, **{"Idempotency-Key": "k-1"})
    again = post_event(api, RECEIPT, **{"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code, again.json()) == (201, 201, first.json())
    other = post_event(api, {**RECEIPT, "reference": "PO-9"}, **{"Idempotency-Key": "k-1"})
    assert other.status_code == 409
    assert "different request" in other.json()["detail"]
    balance = api.client.get(
        "/api/v1/lots/massbalance", params={"item": "FLOUR", "lot": "F-1"}, headers=api.headers("viewer")
    ).json()
    assert balance["received"] == "100"


def test_batch_is_all_or_nothing_and_names_the_bad_event(api: Api) -> None:
    bad = {**RECEIPT, "lines": [line("FLOUR", "F-2", 5, "L")]}
    answer = api.client.post("/api/v1/events:batch", json={"events": [RECEIPT, bad]}, headers=api.headers("operator"))
    assert answer.status_code == 422
    assert answer.json()["field"] == "events[1].lines[0].uom"
    found = api.client.get("/api/v1/lots", params={"code": "F-1"}, headers=api.headers("viewer")).json()
    assert found == {"lots": []}
    good = api.client.post("/api/v1/events:batch", json={"events": [RECEIPT]}, headers=api.headers("operator"))
    assert good.status_code == 201
    assert len(good.json()["events"]) == 1


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "field"),
    [
        ("get", "/api/v1/lots/trace", {"params": {"item": "FLOUR", "lot": "NOPE"}}, 404, "lot"),
        ("post", "/api/v1/events", {"json": {**RECEIPT, "time": "yesterday"}}, 422, "time"),
        (
            "post",
            "/api/v1/events",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            422,
            None,
        ),
        ("post", "/api/v1/events", {"json": {**RECEIPT, "colour": "red"}}, 422, "colour"),
        ("get", "/api/v1/events", {"params": {"cursor": "garbage"}}, 422, "cursor"),
        ("get", "/api/v1/items/NOPE", {}, 404, "sku"),
    ],
)
def test_bad_input_gets_problem_json_naming_the_field(
    api: Api, method: str, path: str, kwargs: dict[str, Any], status: int, field: str | None
) -> None:
    request = dict(kwargs)  # the parameters are shared by every backend's run: never change them
    headers = {**api.headers("operator"), **request.pop("headers", {})}
    answer = getattr(api.client, method)(path, headers=headers, **request)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == status
    assert problem["detail"]
    if field:
        assert problem["field"] == field


def test_held_lot_ship_is_409_and_quality_decides_holds(api: Api) -> None:
    post_event(api, RECEIPT)
    hold = {
        "type": "hold",
        "time": "2026-11-25T09:00:00Z",
        "location": "RAW",
        "reason": "foreign body",
        "lots": [{"item": "FLOUR", "lot": "F-1"}],
    }
    assert post_event(api, hold, role="operator").status_code == 403
    assert post_event(api, hold, role="quality").status_code == 201
    ship = {
        "type": "ship",
        "time": "2026-11-25T10:00:00Z",
        "location": "RAW",
        "partner": "SHOP",
        "lines": [line("FLOUR", "F-1", 1)],
    }
    refused = post_event(api, ship)
    assert refused.status_code == 409
    assert "is on hold" in refused.json()["detail"]
    holds = api.client.get("/api/v1/holds", headers=api.headers("viewer")).json()["holds"]
    assert [h["lot"] for h in holds] == [{"item": "FLOUR", "lot": "F-1"}]


def _routes(api: Api) -> list[tuple[str, str]]:
    spec = api.client.get("/api/v1/openapi.json").json()
    return [(method, path) for path, ops in spec["paths"].items() for method in ops]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_route_answers_401_without_a_token(api: Api) -> None:
    routes = _routes(api)
    assert len(routes) > 25
    for method, path in routes:
        if path in PUBLIC:
            continue
        answer = api.client.request(method, _concrete(path), json={})
        assert answer.status_code == 401, (method, path)
        assert answer.headers["content-type"] == "application/problem+json"
        revoked = api.client.request(method, _concrete(path), json={}, headers={"Authorization": "Bearer llt_wrong"})
        assert revoked.status_code == 401, (method, path)


def test_every_route_above_viewer_answers_403_to_a_viewer(api: Api) -> None:
    viewer_may = {("post", "/api/v1/tokens"), ("delete", "/api/v1/tokens/{token_id}"), ("post", "/api/v1/scan")}
    admin_reads = {("get", "/api/v1/users"), ("get", "/api/v1/audit")}
    for method, path in _routes(api):
        if path in PUBLIC or (method, path) in viewer_may:
            continue
        answer = api.client.request(method, _concrete(path), json={}, headers=api.headers("viewer"))
        if method == "get" and (method, path) not in admin_reads:
            assert answer.status_code != 403, (method, path)
        else:
            assert answer.status_code == 403, (method, path, answer.text)
    for path in ("/api/v1/users", "/api/v1/items"):
        assert api.client.post(path, json={}, headers=api.headers("quality")).status_code == 403


def test_revoked_token_gets_401(api: Api) -> None:
    token_id = next(t.id for t in api.app.accounts.tokens() if t.username == "viewer-user")
    assert api.client.delete(f"/api/v1/tokens/{token_id}", headers=api.headers("viewer")).status_code == 200
    assert api.client.get("/api/v1/holds", headers=api.headers("viewer")).status_code == 401


def test_login_gives_a_token_and_wrong_password_401(api: Api) -> None:
    good = api.client.post("/api/v1/auth/login", json={"username": "viewer-user", "password": "correct horse battery"})
    assert good.status_code == 200
    token = good.json()["token"]
    assert api.client.get("/api/v1/holds", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    bad = api.client.post("/api/v1/auth/login", json={"username": "viewer-user", "password": "wrong"})
    assert bad.status_code == 401


def test_master_data_is_created_changed_and_deactivated_never_deleted(api: Api) -> None:
    admin = api.headers("admin")
    item = {"sku": "SUGAR", "name": "Sugar", "uom": "kg"}
    assert api.client.post("/api/v1/items", json=item, headers=admin).status_code == 201
    assert api.client.post("/api/v1/items", json=item, headers=admin).status_code == 409
    changed = api.client.put("/api/v1/items/SUGAR", json={**item, "name": "Cane sugar"}, headers=admin)
    assert changed.json()["name"] == "Cane sugar"
    gone = api.client.delete("/api/v1/items/SUGAR", headers=admin)
    assert gone.status_code == 200
    assert gone.json()["active"] is False
    assert api.client.get("/api/v1/items/SUGAR", headers=api.headers("viewer")).json()["active"] is False
    receipt = {**RECEIPT, "lines": [line("SUGAR", "SU-1", 1)]}
    refused = post_event(api, receipt)
    assert refused.status_code == 422
    assert "deactivated" in refused.json()["detail"]


def test_events_are_listed_with_filters_and_cursor_pages(api: Api) -> None:
    for n in range(5):
        post_event(api, {**RECEIPT, "reference": f"PO-{n}", "lines": [line("FLOUR", f"F-{n}", 1)]})
    viewer = api.headers("viewer")
    page = api.client.get("/api/v1/events", params={"limit": 2, "type": "receive"}, headers=viewer).json()
    assert [e["document"]["reference"] for e in page["events"]] == ["PO-0", "PO-1"]
    rest = api.client.get("/api/v1/events", params={"limit": 10, "cursor": page["next_cursor"]}, headers=viewer).json()
    assert [e["document"]["reference"] for e in rest["events"]] == ["PO-2", "PO-3", "PO-4"]
    assert rest["next_cursor"] is None
    lot = api.client.get("/api/v1/events", params={"item": "FLOUR", "lot": "F-3"}, headers=viewer).json()
    assert [e["document"]["reference"] for e in lot["events"]] == ["PO-3"]


def test_master_data_carries_contacts_addresses_and_fsma_descriptions_through_the_api(api: Api) -> None:
    customer = {
        "code": "GROCER",
        "name": "Valley Grocers",
        "role": "customer",
        "contact": "Dana Reyes",
        "phone": "+1 555 0100",
        "email": "qa@valleygrocers.example",
        "address": "12 Orchard Road, Fresno",
    }
    admin = api.headers("admin")
    assert api.client.post("/api/v1/partners", json=customer, headers=admin).status_code == 201
    got = api.client.get("/api/v1/partners/GROCER", headers=api.headers("viewer")).json()
    assert {k: got[k] for k in customer} == customer
    item = {"sku": "CUKE", "name": "Cucumbers", "uom": "kg", "commodity": "cucumbers", "ftl": True}
    assert api.client.post("/api/v1/items", json=item, headers=admin).status_code == 201
    assert api.client.get("/api/v1/items/CUKE", headers=admin).json()["ftl"] is True
    bad = api.client.post("/api/v1/partners", json={**customer, "code": "X", "email": "nope"}, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["field"] == "email"
    assert api.app.verification.verify().intact  # the changes replay with their new fields
