"""The in-thread server the schemathesis and soak tests use fails loudly when it cannot start."""

from __future__ import annotations

import socket

import pytest

from lotledger.api.app import create_app
from tests.api.conftest import Api
from tests.api.live import start_server


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the backend plays no part
def test_a_server_that_cannot_start_fails_the_test_with_its_output(api: Api) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(pytest.fail.Exception, match=r"(?s)did not start \(it stopped with SystemExit.*address"):
            start_server(create_app(api.app), port)
