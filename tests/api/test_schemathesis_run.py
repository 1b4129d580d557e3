"""Schemathesis's own runner against the live API: examples, coverage, fuzzing and stateful sequences
(a location created, changed, used by an event, deactivated; a user added then changed; a token made
then revoked), with the strict checks: no 500, every status, content type and answer body as the
OpenAPI document says. Afterwards the record still verifies: nothing was half-written.

The runner is the schemathesis command (its Python API for stateful runs meets a ledger that keeps
its state between examples, which Hypothesis rejects as flaky; the command's engine handles it)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lotledger.api.app import create_app
from tests.api.conftest import Api
from tests.api.live import serving

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.fixture
def server(api: Api) -> Iterator[str]:
    with serving(create_app(api.app)) as base:
        yield base


def _run(server: str, token: str, *options: str) -> None:
    argv = [
        SCHEMATHESIS,
        "run",
        f"{server}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--generation-database",
        "none",
        "--no-color",
        *options,
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=900, cwd="/tmp")
    assert done.returncode == 0, done.stdout[-20_000:] + done.stderr[-5_000:]


@pytest.mark.parametrize("phases", ["examples,coverage,fuzzing", "stateful"])
def test_the_api_keeps_its_documented_contract_under_generated_requests(api: Api, server: str, phases: str) -> None:
    # Unlinked fuzzing would revoke the very token the run uses; the stateful phase revokes only
    # the tokens it made itself.
    excluded = ["--exclude-path", "/api/v1/tokens/{token_id}"] if phases != "stateful" else []
    _run(server, api.tokens["admin"], "--phases", phases, "--max-examples", "15", *excluded)
    verdict = api.app.verification.verify()
    assert verdict.intact, verdict
