"""Recalls through the API: a drill on the demo-like plant of tests/storage/test_recalls.py, each step's answer as
the OpenAPI document says, notices as files, refusals as problems."""

from __future__ import annotations

import csv
import io

import pytest

from tests.api.conftest import Api
from tests.storage.test_recalls import WHY
from tests.storage.test_recalls import plant as recall_plant  # noqa: F401 (the fixture)


@pytest.fixture
def api(recall_plant: object, app: object) -> Api:  # noqa: F811
    return Api(app)  # type: ignore[arg-type]


def test_a_recall_drill_through_the_api(api: Api) -> None:
    quality, viewer = api.headers("quality"), api.headers("viewer")
    opened = api.client.post("/api/v1/recalls", json={"kind": "mock", "supplier_lot": "M-77", **WHY}, headers=quality)
    assert opened.status_code == 201, opened.text
    report = opened.json()
    recall_id = report["case"]["id"]
    assert (report["case"]["kind"], report["case"]["status"]) == ("mock", "open")
    assert [c["partner"]["code"] for c in report["customers"]] == ["DELI", "SHOP"]
    assert report["case"]["report_seconds"] > 0
    held = api.client.post(f"/api/v1/recalls/{recall_id}/hold", json={}, headers=quality)
    assert held.status_code == 200, held.text
    assert {lot["lot"] for lot in held.json()["held"]} == {"F-1", "D-1", "B-1"}
    told = api.client.post(
        f"/api/v1/recalls/{recall_id}/customers/SHOP/notified", json={"via": "email"}, headers=quality
    )
    assert told.json()["case"]["status"] == "notified"
    gone = {"lines": [{"item": "BREAD", "lot": "B-1", "qty": "20", "uom": "ea"}]}
    disposed = api.client.post(f"/api/v1/recalls/{recall_id}/customers/DELI/disposals", json=gone, headers=quality)
    assert disposed.json()["customers"][0]["share_accounted"] == "1"
    listed = api.client.get("/api/v1/recalls", params={"kind": "mock"}, headers=viewer).json()["recalls"]
    assert [(r["case"]["id"], r["traced"]) for r in listed] == [(recall_id, "1")]
    pdf = api.client.get(f"/api/v1/recalls/{recall_id}/notices", headers=viewer)
    assert (pdf.status_code, pdf.headers["content-type"], pdf.content[:5]) == (200, "application/pdf", b"%PDF-")
    assert pdf.headers["content-disposition"] == f'attachment; filename="recall-{recall_id}-notices.pdf"'
    sheet = api.client.get(f"/api/v1/recalls/{recall_id}/notices", params={"format": "csv", "customer": "SHOP"},
                           headers=viewer)  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    assert [(r["customer"], r["contact"], r["lot"], r["qty"], r["sscc"]) for r in rows] == [
        ("SHOP", "Dana Reyes", "B-1", "30", "106141412345678908")
    ]
    closed = api.client.post(f"/api/v1/recalls/{recall_id}/close", json={"note": "drill done"}, headers=quality)
    assert closed.json()["case"]["status"] == "closed"
    again = api.client.post(f"/api/v1/recalls/{recall_id}/close", json={}, headers=quality)
    assert (again.status_code, again.json()["field"]) == (409, "recall")


def test_recall_refusals_are_problems_naming_what_is_wrong(api: Api) -> None:
    quality = api.headers("quality")
    operator = api.client.post("/api/v1/recalls", json={"supplier_lot": "M-77", **WHY}, headers=api.headers("operator"))
    assert operator.status_code == 403
    for body, status, field in [
        ({"supplier_lot": "M-77"}, 422, "reason"),
        ({"supplier_lot": "NOPE", **WHY}, 404, "supplier_lot"),
        ({**WHY}, 422, "scope"),
        ({"lots": "F-1", **WHY}, 422, "lots"),
    ]:
        answer = api.client.post("/api/v1/recalls", json=body, headers=quality)
        assert (answer.status_code, answer.json().get("field")) == (status, field), answer.text
    assert api.client.get("/api/v1/recalls/999", headers=quality).status_code == 404
    assert api.client.get("/api/v1/recalls", headers=quality).json() == {"recalls": []}
