"""Schemathesis generates requests from the running server's OpenAPI document: none may get a 500.

The API is served by uvicorn on a free loopback port, as `lotledger serve`
does, on both backends; requests come as an admin (who may call everything),
so every route sees malformed bodies, odd query values and unknown codes.
(Driven through Hypothesis directly: schemathesis' pytest plugin does not
support pytest 9 yet.)"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings

from lotledger.api.app import create_app
from tests.api.conftest import Api


@pytest.fixture
def server(api: Api) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    live = uvicorn.Server(uvicorn.Config(create_app(api.app), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{base}/api/v1/health")
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield base
    live.should_exit = True
    thread.join(10)


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
