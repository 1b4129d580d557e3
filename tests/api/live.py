"""A real uvicorn server in a thread, on a free loopback port, as `lotledger serve` runs the API."""

from __future__ import annotations

import io
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn

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


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """The base URL of `app` served on a free port while the block runs; stopped afterwards."""
    live, thread, base = start_server(app, free_port())
    try:
        yield base
    finally:
        live.should_exit = True
        thread.join(timeout=10)
