"""The recall-day rules and bad input through the API: clear problem documents, never a 500."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lotledger.services.accounts import token_hash
from tests.api.conftest import Api
from tests.api.test_api import RECEIPT, post_event
from tests.factories import line


def _ship(qty: Any, lot: str = "F-1", **extra: Any) -> dict[str, Any]:
    return {"type": "ship", "time": "2026-11-25T09:00:00+01:00", "location": "RAW", "partner": "SHOP",
            "lines": [line("FLOUR", lot, qty)], **extra}  # fmt: skip


def test_a_return_beyond_what_the_customer_received_is_409_naming_both_quantities(api: Api) -> None:
    post_event(api, RECEIPT)
    assert post_event(api, _ship(30)).status_code == 201
    back = {**_ship(31), "type": "return", "time": "2026-11-25T10:00:00+01:00"}
    refused = post_event(api, back)
    assert refused.status_code == 409
    assert refused.json()["field"] == "lines[0].qty"
    assert refused.json()["detail"] == (
        "customer SHOP received 30 kg of lot FLOUR/F-1 (net of earlier returns); the return is 31 kg"
    )
    assert post_event(api, {**back, "lines": [line("FLOUR", "F-1", 30)]}).status_code == 201


def test_shipping_an_expired_lot_is_409_and_a_quality_override_is_recorded(api: Api) -> None:
    expired = {**RECEIPT, "time": "2026-11-01T08:00:00Z", "lines": [line("FLOUR", "F-OLD", 10, expiry="2026-11-10")]}
    assert post_event(api, expired).status_code == 201  # received before its expiry
    ship = _ship(1, lot="F-OLD")
    refused = post_event(api, ship)
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith(
        "lot FLOUR/F-OLD expired on 2026-11-10; it cannot be shipped on 2026-11-25"
    )
    override = {**ship, "expiry_override": "customer accepted it for animal feed"}
    assert post_event(api, override).status_code == 403
    assert post_event(api, override, role="quality").status_code == 201
    history = api.client.get(
        "/api/v1/lots/history", params={"item": "FLOUR", "lot": "F-OLD"}, headers=api.headers("viewer")
    ).json()["history"]
    assert history[-1]["document"]["expiry_override"] == "customer accepted it for animal feed"


def test_an_event_dated_hours_ahead_is_422_on_time(api: Api) -> None:
    ahead = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    refused = post_event(api, {**RECEIPT, "time": ahead})
    assert refused.status_code == 422
    assert refused.json()["field"] == "time"
    assert "ahead of the ledger's clock" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time": "0001-01-01T00:00:00+01:00"}, "time"),
        ({"time": "9999-12-31T23:59:59-01:00"}, "time"),
        ({"lines": [line("FLOUR", "F-1", "1e999999", "t")]}, "lines[0].qty"),
        ({"lines": [line("FLOUR", "F-1", "1e999999", "lb")]}, "lines[0].qty"),
        ({"reference": "x" * 129}, "reference"),
        ({"note": "   "}, "note"),
    ],
)
def test_bad_event_input_is_422_naming_the_field(api: Api, change: dict[str, Any], field: str) -> None:
    refused = post_event(api, {**RECEIPT, **change})
    assert (refused.status_code, refused.json()["field"]) == (422, field), refused.text


def test_a_lone_surrogate_is_422(api: Api) -> None:
    body = json.dumps({**RECEIPT, "reference": "\ud800"})  # ASCII JSON with the escape, as a client may send it
    refused = api.client.post(
        "/api/v1/events", content=body, headers=api.headers("operator", **{"Content-Type": "application/json"})
    )
    assert (refused.status_code, refused.json()["field"]) == (422, "reference")


def test_deeply_nested_json_is_422(api: Api) -> None:
    body = "[" * 10_000 + "]" * 10_000
    refused = api.client.post(
        "/api/v1/events", content=body, headers=api.headers("operator", **{"Content-Type": "application/json"})
    )
    assert (refused.status_code, refused.json()["field"]) == (422, "body")


def test_events_since_year_one_is_422(api: Api) -> None:
    refused = api.client.get(
        "/api/v1/events", params={"since": "0001-01-01T00:00:00+01:00"}, headers=api.headers("viewer")
    )
    assert (refused.status_code, refused.json()["field"]) == (422, "since")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sku": "X", "name": "X", "uom": "kg", "shelf_life_days": 1e20}, "shelf_life_days"),
        ({"sku": "X", "name": "X", "uom": "kg", "shelf_life_days": 3_000_000}, "shelf_life_days"),
        ({"sku": "X", "name": "X", "uom": "kg", "active": "false"}, "active"),
        ({"sku": "X", "name": "   ", "uom": "kg"}, "name"),
    ],
)
def test_bad_master_data_is_422_naming_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    refused = api.client.post("/api/v1/items", json=body, headers=api.headers("admin"))
    assert (refused.status_code, refused.json()["field"]) == (422, field), refused.text


def test_a_nul_in_a_login_username_is_422(api: Api) -> None:
    refused = api.client.post("/api/v1/auth/login", json={"username": "ad\x00a", "password": "x" * 10})
    assert (refused.status_code, refused.json()["field"]) == (422, "username")


def test_an_operator_may_not_void_or_release(api: Api) -> None:
    recorded = post_event(api, RECEIPT).json()
    void = {"type": "void", "time": "2026-11-25T09:00:00Z", "location": "RAW", "target": recorded["id"], "reason": "x"}
    release = {"type": "release", "time": "2026-11-25T09:00:00Z", "location": "RAW", "reason": "ok",
               "lots": [{"item": "FLOUR", "lot": "F-1"}]}  # fmt: skip
    for body in (void, release):
        refused = post_event(api, body)
        assert refused.status_code == 403
        assert refused.json()["detail"].endswith("needs the quality role; operator-user has the operator role")


def test_an_idempotency_key_sent_twice_at_once_records_once(api: Api) -> None:
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def send() -> None:
        barrier.wait(timeout=30)
        statuses.append(post_event(api, RECEIPT, **{"Idempotency-Key": "same-retry"}).status_code)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == 8
    assert set(statuses) <= {201, 409}
    on_hand = api.client.get("/api/v1/lots/massbalance", params={"item": "FLOUR", "lot": "F-1"},
                             headers=api.headers("viewer")).json()["on_hand"]  # fmt: skip
    assert on_hand == "100"


def test_a_body_over_four_mebibytes_is_413_before_it_is_read(api: Api) -> None:
    huge = b'{"username": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    refused = api.client.post("/api/v1/auth/login", content=huge, headers={"Content-Type": "application/json"})
    assert (refused.status_code, refused.json()["field"]) == (413, "body")


def test_a_batch_of_more_than_a_thousand_events_is_422(api: Api) -> None:
    batch = {"events": [RECEIPT] * 1001}
    refused = api.client.post("/api/v1/events:batch", json=batch, headers=api.headers("operator"))
    assert (refused.status_code, refused.json()["field"]) == (422, "events")
    assert refused.json()["detail"].startswith("1001 events; a batch holds at most 1000")


def test_a_chunked_body_over_the_limit_is_cut_off_with_413(api: Api) -> None:
    chunks = iter([b'{"username": "', *[b"x" * 1024 * 1024] * 5, b'"}'])
    refused = api.client.post("/api/v1/auth/login", content=chunks, headers={"Content-Type": "application/json"})
    assert (refused.status_code, refused.json()["field"]) == (413, "body")


def test_logins_after_five_failures_are_429_with_retry_after_even_with_the_right_password(api: Api) -> None:
    wrong = {"username": "viewer-user", "password": "not the password"}
    assert [api.client.post("/api/v1/auth/login", json=wrong).status_code for _ in range(5)] == [401] * 5
    right = api.client.post("/api/v1/auth/login", json={**wrong, "password": "correct horse battery"})
    assert right.status_code == 429
    assert int(right.headers["Retry-After"]) > 0
    assert right.json()["detail"].startswith("too many failed logins; try again in")


def test_a_login_token_expires_and_is_not_cached_by_clients(api: Api) -> None:
    good = api.client.post("/api/v1/auth/login", json={"username": "viewer-user", "password": "correct horse battery"})
    assert good.headers["Cache-Control"] == "no-store"
    created, expires = (datetime.fromisoformat(good.json()[k]) for k in ("created_at", "expires_at"))
    assert expires - created == timedelta(hours=12)
    expired_secret = "llt_expired-session"
    api.app.accounts.store.create_token("viewer-user", "session", token_hash(expired_secret), timedelta(seconds=-1))
    refused = api.client.get("/api/v1/holds", headers={"Authorization": f"Bearer {expired_secret}"})
    assert refused.status_code == 401


def test_the_last_admin_cannot_be_demoted(api: Api) -> None:
    refused = api.client.put("/api/v1/users/admin-user", json={"role": "viewer"}, headers=api.headers("admin"))
    assert (refused.status_code, refused.json()["field"]) == (409, "role")
    assert api.client.post(
        "/api/v1/users", json={"username": "second", "password": "correct horse battery", "role": "admin"},
        headers=api.headers("admin"),
    ).status_code == 201  # fmt: skip
    demoted = api.client.put("/api/v1/users/admin-user", json={"role": "quality"}, headers=api.headers("admin"))
    assert demoted.status_code == 200


def test_every_answer_carries_the_security_headers(api: Api) -> None:
    for answer in (
        api.client.get("/api/v1/health"),
        api.client.get("/api/v1/holds"),
        api.client.get("/api/v1/holds", headers=api.headers("viewer")),
        api.client.get("/api/v1/docs"),
        api.client.get("/api/v1/docs/static/swagger-ui.css"),
    ):
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["X-Frame-Options"] == "DENY"
        policy = answer.headers["Content-Security-Policy"]
        assert "default-src 'self'; script-src 'self'; style-src 'self';" in policy
        assert "unsafe" not in policy
        assert "frame-ancestors 'none'" in policy


def test_a_label_file_name_is_quoted_whatever_the_lot_code(api: Api) -> None:
    post_event(api, {**RECEIPT, "lines": [line("BREAD", 'B";x=1', 10, "ea")]})
    answer = api.client.get(
        "/api/v1/labels/lot", params={"item": "BREAD", "lot": 'B";x=1'}, headers=api.headers("viewer")
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == (
        "inline; filename=\"BREAD-B__x_1.svg\"; filename*=UTF-8''BREAD-B%22%3Bx%3D1.svg"
    )
