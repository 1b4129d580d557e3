"""Schemathesis generates requests from the running server's OpenAPI document: none may get a 500.

The API is served by uvicorn on a free loopback port, as `lotledger serve`
does, on both backends; requests come as an admin (who may call everything),
so every route sees malformed bodies, odd query values and unknown codes.
(Driven through Hypothesis directly: schemathesis' pytest plugin does not
support pytest 9 yet.)"""

from __future__ import annotations

import io
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings

from lotledger.api.app import create_app
from tests.api.conftest import Api

STARTUP_SECONDS = 20


def start_server(app: Any, port: int) -> tuple[uvicorn.Server, threading.Thread, str]:
    """uvicorn serving `app` on loopback `port`, started in a thread and answering /health.

    If it has not answered within STARTUP_SECONDS, or its thread has stopped (it could
    not bind, the app failed to start), the test fails with the server's own output."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    log = logging.getLogger("uvicorn.error")
    log.addHandler(handler)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info", log_config=None, access_log=False)
    live = uvicorn.Server(config)
    stopped: list[BaseException] = []

    def run() -> None:
        try:
            live.run()
        except BaseException as error:  # uvicorn raises SystemExit when it cannot start
            stopped.append(error)

    thread = threading.Thread(target=run, name="uvicorn", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while not _answers(base):
            if not thread.is_alive() or time.monotonic() > deadline:
                live.should_exit = True
                thread.join(timeout=10)
                why = f"it stopped with {stopped[0]!r}" if stopped else f"no answer within {STARTUP_SECONDS} s"
                pytest.fail(f"the API server on {base} did not start ({why}); its output:\n{output.getvalue()}")
            time.sleep(0.05)
    finally:
        log.removeHandler(handler)
    return live, thread, base


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(api: Api) -> Iterator[str]:
    live, thread, base = start_server(create_app(api.app), free_port())
    yield base
    live.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the backend plays no part
def test_a_server_that_cannot_start_fails_the_test_with_its_output(api: Api) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(pytest.fail.Exception, match=r"(?s)did not start \(it stopped with SystemExit.*address"):
            start_server(create_app(api.app), port)


def test_no_generated_request_gets_a_server_error(api: Api, server: str) -> None:
    schema = schemathesis.openapi.from_url(f"{server}/api/v1/openapi.json")
    headers = api.headers("admin")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 25
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def no_server_error(case: schemathesis.Case) -> None:
            response = case.call(base_url=server, headers=headers)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)
            if response.status_code >= 400:
                content_type = response.headers.get("content-type", "")
                assert "application/problem+json" in str(content_type), (case.method, case.path, content_type)

        no_server_error()
