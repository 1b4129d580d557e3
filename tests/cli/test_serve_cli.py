"""`lotledger serve` as a plant runs it: JSON log lines, the client's address through a trusted proxy,
a clean stop on SIGTERM that answers what is in flight and writes the audit trail; `lotledger audit`."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from typer.testing import CliRunner

from lotledger.bootstrap import App
from lotledger.cli import app as cli
from lotledger.domain.records import EventFilter
from tests.factories import setup_plant
from tests.served import Served

runner = CliRunner()


@pytest.fixture
def plant(app: App) -> App:
    setup_plant(app)
    app.accounts.add_user("ada", "correct horse battery", "quality")
    return app


def test_serve_logs_json_lines_with_the_forwarded_address_and_stops_cleanly(plant: App, db_url: str) -> None:
    via_proxy = {"X-Forwarded-For": "203.0.113.7", "X-Request-ID": "proxy-1"}
    login = {"username": "ada", "password": "correct horse battery"}
    with Served(db_url, "--forwarded-allow-ips", "127.0.0.1") as served:
        assert httpx.post(f"{served.base}/auth/login", json=login, headers=via_proxy).status_code == 200
        lines = served.stop()
    [request] = [line for line in lines if line.get("request_id") == "proxy-1"]
    assert request["address"] == "203.0.113.7"
    assert request["status"] == 200
    assert all({"ts", "level", "logger", "message"} <= set(line) for line in lines)
    assert "correct horse battery" not in json.dumps(lines)
    logins = plant.accounts.audit.store.audit(kind="login")  # written by the server as it stopped
    assert [(e.username, e.address) for e in logins] == [("ada", "203.0.113.7")]


def test_an_untrusted_proxy_cannot_choose_the_address(plant: App, db_url: str) -> None:
    wrong = {"username": "ada", "password": "not the password"}
    with Served(db_url, "--forwarded-allow-ips", "10.9.9.9") as served:
        httpx.post(f"{served.base}/auth/login", json=wrong, headers={"X-Forwarded-For": "203.0.113.7"})
        served.stop()
    [failed] = plant.accounts.audit.store.audit(kind="login_failed")
    assert failed.address == "127.0.0.1"


def _receipt(n: int) -> dict[str, object]:
    return {
        "type": "receive",
        "time": "2026-11-02T08:00:00Z",
        "location": "RAW",
        "partner": "MILL",
        "lines": [{"item": "FLOUR", "lot": f"F-{n}", "qty": "1", "uom": "kg"}],
    }


def test_sigterm_answers_the_captures_in_flight_and_loses_none(plant: App, db_url: str) -> None:
    token = plant.accounts.create_token("ada", "line-1")[1]
    headers = {"Authorization": f"Bearer {token}"}

    def batch(first: int) -> httpx.Response:
        events = {"events": [_receipt(n) for n in range(first, first + 1000)]}
        return httpx.post(f"{served.base}/events:batch", json=events, headers=headers, timeout=120)

    def single(n: int) -> int:
        return httpx.post(f"{served.base}/events", json=_receipt(n), headers=headers, timeout=60).status_code

    with Served(db_url) as served, ThreadPoolExecutor(8) as pool:
        assert list(pool.map(single, range(16))) == [201] * 16
        in_flight = [pool.submit(batch, first) for first in (1000, 2000, 3000)]
        time.sleep(0.3)  # the batches are sent; they are recorded one after another (each takes a while)
        assert not all(future.done() for future in in_flight)
        served.stop()
        answers = [future.result() for future in in_flight]
    assert [answer.status_code for answer in answers] == [201, 201, 201]
    stored = plant.queries.events(EventFilter(type="receive"), None, 1000)
    count = len(stored.events)
    while stored.next_cursor:
        stored = plant.queries.events(EventFilter(type="receive"), stored.next_cursor, 1000)
        count += len(stored.events)
    assert count == 16 + 3000  # every capture answered is in the ledger, each once


def test_audit_lists_the_trail_as_a_table_and_as_json(plant: App, db_url: str) -> None:
    assert plant.accounts.login("ada", "wrong password here", "10.1.2.3") is None
    plant.accounts.audit.flush()
    table = runner.invoke(cli, ["audit", "--db", db_url, "--kind", "login_failed"])
    assert table.exit_code == 0, table.output
    assert "login_failed" in table.output
    assert "10.1.2.3" in table.output
    as_json = runner.invoke(cli, ["audit", "--db", db_url, "--user", "ada", "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    entries = json.loads(as_json.output)["entries"]
    assert [(e["kind"], e["address"]) for e in entries] == [("login_failed", "10.1.2.3")]
    bad = runner.invoke(cli, ["audit", "--db", db_url, "--kind", "everything"])
    assert bad.exit_code == 1
    assert "kind: 'everything' is not one of" in bad.output
