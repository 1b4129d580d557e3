"""Schemathesis generates requests from the OpenAPI document: none may get a 500.

It runs in-process against the ASGI app, as an admin (who may call everything)
and on both backends, so every route sees malformed bodies, odd query values
and unknown codes. (Driven through Hypothesis directly: schemathesis' pytest
plugin does not support pytest 9 yet.)"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from lotledger.api.app import create_app
from tests.api.conftest import Api


def test_no_generated_request_gets_a_server_error(api: Api) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(api.app))
    headers = api.headers("admin")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 25
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def no_server_error(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)
            if response.status_code >= 400:
                content_type = response.headers.get("content-type", [""])
                assert "application/problem+json" in str(content_type), (case.method, case.path, content_type)

        no_server_error()
