"""Operations: the health check asks the database, every request is logged (never a secret), who logged
in, used a token or was refused is in the audit trail, and an idle login session ends."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lotledger.api.app import create_app
from lotledger.bootstrap import bootstrap
from lotledger.config import Settings
from lotledger.domain.accounts import AuditEntry
from lotledger.logs import JsonLines
from lotledger.services.accounts import Accounts
from lotledger.storage.accounts import SqlAccountStore
from lotledger.storage.engine import make_engine
from lotledger.storage.migrate import upgrade
from tests.api.conftest import Api

PASSWORD = "correct horse battery"  # tests/api/conftest.py's users have it


SET_UP: dict[int, int] = {}  # id(api) -> the last audit entry of the fixture's own users and tokens


@pytest.fixture
def api(api: Api) -> Api:
    SET_UP[id(api)] = max((e.id for e in api.app.accounts.audit.entries(limit=10_000)), default=0)
    return api


def _trail(api: Api, **where: str) -> list[AuditEntry]:
    """What the test itself put in the audit trail."""
    return [e for e in api.app.accounts.audit.entries(**where) if e.id > SET_UP[id(api)]]  # type: ignore[arg-type]


# --- health -------------------------------------------------------------------------


def test_health_answers_with_the_database_and_its_schema(api: Api) -> None:
    answer = api.client.get("/api/v1/health")
    assert answer.status_code == 200
    current, head = api.app.schema_revision()
    assert current == head
    assert answer.json() == {"status": "ok", "database": "ok", "schema": head}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a file that cannot be opened
def test_health_is_503_when_the_database_does_not_answer(db_url: str, tmp_path: Path) -> None:
    gone = bootstrap(Settings(f"sqlite:///{tmp_path}/no/such/dir/lotledger.db"), migrate=False)
    try:
        answer = TestClient(create_app(gone), raise_server_exceptions=False).get("/api/v1/health")
    finally:
        gone.close()
    assert answer.status_code == 503
    assert answer.json()["detail"].startswith("the database does not answer: OperationalError")
    assert answer.headers["content-type"] == "application/problem+json"


def test_health_is_503_when_the_schema_is_behind_this_version(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"  # the check is the same SQL on both backends
    engine = make_engine(url)
    upgrade(engine, "0007")
    engine.dispose()
    behind = bootstrap(Settings(url), migrate=False)
    try:
        answer = TestClient(create_app(behind), raise_server_exceptions=False).get("/api/v1/health")
        head = behind.schema_revision()[1]
    finally:
        behind.close()
    assert answer.status_code == 503
    assert answer.json()["detail"] == f"the database schema is at 0007, this version needs {head}: run lotledger init"


# --- the audit trail -----------------------------------------------------------------


def test_logins_good_and_bad_are_in_the_audit_trail_with_the_address(api: Api) -> None:
    assert api.client.post("/api/v1/auth/login", json={"username": "viewer-user", "password": "wrong!!!"}).status_code
    good = api.client.post("/api/v1/auth/login", json={"username": "viewer-user", "password": PASSWORD})
    assert good.status_code == 200
    entries = _trail(api, username="viewer-user")
    assert [(e.kind, e.address) for e in entries] == [("login_failed", "testclient"), ("login", "testclient")]
    assert entries[1].detail == f"session token {good.json()['id']}"


def test_a_throttled_login_is_in_the_audit_trail(api: Api) -> None:
    for _ in range(6):
        last = api.client.post("/api/v1/auth/login", json={"username": "admin-user", "password": "not-it-at-all"})
    assert last.status_code == 429
    kinds = [e.kind for e in _trail(api, username="admin-user")]
    assert kinds == ["login_failed"] * 5 + ["login_throttled"]


def test_token_use_is_noted_once_a_minute_with_where_it_came_from(api: Api) -> None:
    for _ in range(3):
        assert api.client.get("/api/v1/items", headers=api.headers("operator")).status_code == 200
    used = _trail(api, kind="token_used")
    assert [(e.username, e.address) for e in used] == [("operator-user", "testclient")]
    token = next(t for t in api.app.accounts.tokens() if t.username == "operator-user")
    assert used[0].detail == f"token {token.id} (operator-scanner)"
    assert token.last_used_at is not None
    assert abs(token.last_used_at - datetime.now(UTC)) < timedelta(minutes=1)


def test_refusals_are_in_the_audit_trail_naming_who_and_what(api: Api) -> None:
    assert api.client.get("/api/v1/users", headers=api.headers("viewer")).status_code == 403
    assert api.client.get("/api/v1/items", headers={"Authorization": "Bearer llt_made-up"}).status_code == 401
    hold = {
        "type": "hold",
        "time": "2026-11-02T08:00:00Z",
        "location": "RAW",
        "reason": "an operator may not decide this",
        "lots": [{"item": "FLOUR", "lot": "F-1"}],
    }
    assert api.client.post("/api/v1/events", json=hold, headers=api.headers("operator")).status_code == 403
    refused = [(e.username, e.detail) for e in _trail(api, kind="refused")]
    assert refused == [
        ("viewer-user", "GET /api/v1/users answered 403"),
        (None, "GET /api/v1/items answered 401"),
        ("operator-user", "POST /api/v1/events answered 403"),
    ]


def test_account_changes_are_in_the_audit_trail_with_who_made_them(api: Api) -> None:
    new = {"username": "ada", "password": PASSWORD, "role": "operator"}
    assert api.client.post("/api/v1/users", json=new, headers=api.headers("admin")).status_code == 201
    change = api.client.put("/api/v1/users/ada", json={"active": False}, headers=api.headers("admin"))
    assert change.status_code == 200
    made = api.client.post("/api/v1/tokens", json={"name": "erp"}, headers=api.headers("viewer")).json()
    assert api.client.delete(f"/api/v1/tokens/{made['id']}", headers=api.headers("admin")).status_code == 200
    kinds = {"user_added", "user_changed", "token_created", "token_revoked"}
    changes = [(e.kind, e.username, e.detail) for e in _trail(api) if e.kind in kinds]
    assert changes == [
        ("user_added", "admin-user", "ada as operator"),
        ("user_changed", "admin-user", "ada: role operator, deactivated"),
        ("token_created", "viewer-user", f"token {made['id']} (erp)"),
        ("token_revoked", "admin-user", f"token {made['id']} (erp) of viewer-user"),
    ]


def test_admins_read_the_audit_trail_filtered_and_others_may_not(api: Api) -> None:
    api.client.post("/api/v1/auth/login", json={"username": "quality-user", "password": "wrong-one"})
    answer = api.client.get(
        "/api/v1/audit", params={"kind": "login_failed", "user": "quality-user"}, headers=api.headers("admin")
    )
    assert answer.status_code == 200
    [entry] = answer.json()["entries"]
    assert entry["kind"] == "login_failed"
    assert entry["address"] == "testclient"
    assert api.client.get("/api/v1/audit", headers=api.headers("quality")).status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "everything"}, "kind"),
        ({"since": "0001-01-01T00:00:00+01:00"}, "since"),
        ({"since": "2026-11-25T10:00:00"}, "since"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_a_bad_audit_question_is_a_422_naming_it(api: Api, params: dict[str, str], field: str) -> None:
    answer = api.client.get("/api/v1/audit", params=params, headers=api.headers("admin"))
    assert answer.status_code == 422, answer.text
    assert field in answer.text


def test_the_audit_trail_is_written_when_the_app_closes(db_url: str) -> None:
    first = bootstrap(Settings(db_url))
    first.accounts.audit.note("refused", "someone", "10.0.0.9", "written at once")
    time.sleep(0.3)  # the writer has written it and gathers the next second's entries
    first.accounts.audit.note("refused", "someone", "10.0.0.9", "written when the app closes")
    first.close()
    second = bootstrap(Settings(db_url))
    try:
        details = [e.detail for e in second.accounts.audit.store.audit()]
    finally:
        second.close()
    assert details == ["written at once", "written when the app closes"]


# --- logs ---------------------------------------------------------------------------


def test_each_request_is_one_json_line_with_user_status_and_request_id(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="lotledger"):
        answer = api.client.get("/api/v1/items", headers=api.headers("viewer", **{"X-Request-ID": "scan-77"}))
    assert answer.headers["x-request-id"] == "scan-77"
    [record] = [r for r in caplog.records if r.name == "lotledger.access"]
    line = json.loads(JsonLines().format(record))
    assert line["message"] == "request"
    assert {k: line[k] for k in ("request_id", "method", "path", "status", "user", "address")} == {
        "request_id": "scan-77",
        "method": "GET",
        "path": "/api/v1/items",
        "status": 200,
        "user": "viewer-user",
        "address": "testclient",
    }
    assert line["ms"] >= 0


def test_an_unusable_request_id_is_replaced(api: Api) -> None:
    answer = api.client.get("/api/v1/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert len(answer.headers["x-request-id"]) == 32


def test_no_password_or_token_ever_reaches_the_logs(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        login = api.client.post("/api/v1/auth/login", json={"username": "admin-user", "password": PASSWORD})
        session = login.json()["token"]
        api.client.post("/api/v1/auth/login", json={"username": "admin-user", "password": "typo" + PASSWORD})
        made = api.client.post("/api/v1/tokens", json={"name": "erp"}, headers={"Authorization": f"Bearer {session}"})
        api.client.get("/api/v1/items", headers={"Authorization": f"Bearer {made.json()['token']}"})
        api.client.get("/api/v1/items", headers=api.headers("viewer"))
    logged = "\n".join(JsonLines().format(record) for record in caplog.records)
    assert "request" in logged
    assert "login" in logged
    for secret in (PASSWORD, session, made.json()["token"], api.tokens["viewer"], "llt_"):
        assert secret not in logged


# --- idle sessions ------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_a_login_session_ends_after_an_hour_unused_but_not_while_in_use(engine: Engine) -> None:
    clock = Clock()
    accounts = Accounts(SqlAccountStore(engine, clock), timedelta(hours=1), clock)
    accounts.add_user("ada", PASSWORD, "operator")
    _, session = accounts.login("ada", PASSWORD) or pytest.fail("no session")
    _, named = accounts.create_token("ada", "scanner-1")

    def works(secret: str) -> bool:
        accounts.forget_tokens()  # as five seconds later: ask the database
        accounts.audit.flush()  # as a second later: the last use is written
        return accounts.token_use(secret) is not None

    for _ in range(5):  # used every 50 minutes for over four hours
        clock.now += timedelta(minutes=50)
        assert works(session)
    clock.now += timedelta(minutes=61)
    assert not works(session)
    assert works(named)  # a named API token has no idle timeout
    accounts.close()


def test_a_login_session_unused_since_the_login_ends_after_the_idle_time(engine: Engine) -> None:
    clock = Clock()
    accounts = Accounts(SqlAccountStore(engine, clock), timedelta(minutes=30), clock)
    accounts.add_user("ada", PASSWORD, "operator")
    _, session = accounts.login("ada", PASSWORD) or pytest.fail("no session")
    clock.now += timedelta(minutes=31)
    assert accounts.token_use(session) is None
    accounts.close()
