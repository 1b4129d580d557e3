"""The OpenAPI document describes every body, and its examples work on the demo plant."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from lotledger.api.app import create_app
from lotledger.api.examples import EVENT_EXAMPLES
from lotledger.bootstrap import App
from lotledger.demo import plant
from tests.api.conftest import Api
from tests.factories import load

BINARY = {  # labels (SVG, PNG, PDF or ZPL); recall notices (PDF or CSV); the FSMA 204 export (XLSX or CSV)
    "/api/v1/labels/lot",
    "/api/v1/labels/pallet",
    "/api/v1/exports/fsma204",
    "/api/v1/imports/templates/{type}",
    "/api/v1/exports/epcis",  # EPCIS 2.0 JSON-LD (application/ld+json)
    "/api/v1/recalls/{recall_id}/notices",
    "/api/v1/sales-orders/{number}/delivery-note.pdf",
}


def test_every_request_and_answer_body_is_described(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert {"Event", "ReceiveEvent", "VoidEvent", "Item", "Problem", "Trace"} <= set(schemas)
    assert len(schemas["Event"]["oneOf"]) == 12
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            if body:
                assert "$ref" in body["schema"], (method, path, body["schema"])
            if path in BINARY:
                continue
            answers = [a for status, a in operation["responses"].items() if status.startswith("2")]
            assert answers, (method, path)
            for answer in answers:
                schema = answer["content"]["application/json"]["schema"]
                assert "$ref" in schema, (method, path, schema)


def test_the_documented_event_examples_record_on_the_demo_plant(app: App) -> None:
    assert load(app, plant(40)).errors == []
    app.accounts.add_user("qa", "correct horse battery", "quality")
    _, token = app.accounts.create_token("qa", "docs")
    client = TestClient(create_app(app))
    headers = {"Authorization": f"Bearer {token}"}
    answers: dict[str, Any] = {}
    for kind, example in EVENT_EXAMPLES.items():  # in document order: pack before unpack, hold before release
        answer = client.post("/api/v1/events", json=example, headers=headers)
        answers[kind] = (answer.status_code, answer.json())
    assert {kind: status for kind, (status, _) in answers.items()} == dict.fromkeys(EVENT_EXAMPLES, 201), answers
