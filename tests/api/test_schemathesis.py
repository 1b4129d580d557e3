"""Schemathesis generates requests from the running server's OpenAPI document: none may get a 500.

The API is served by uvicorn on a free loopback port, as `lotledger serve`
does, on both backends; requests come as an admin (who may call everything),
so every route sees malformed bodies, odd query values and unknown codes.
(Driven through Hypothesis directly: schemathesis' pytest plugin does not
support pytest 9 yet.)"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from lotledger.api.app import create_app
from tests.api.conftest import Api
from tests.api.live import free_port as free_port  # re-exported: tests that still import both from here
from tests.api.live import serving, start_server


@pytest.fixture
def server(api: Api) -> Iterator[str]:
    with serving(create_app(api.app)) as base:
        yield base


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
