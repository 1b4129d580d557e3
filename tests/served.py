"""`lotledger serve` in a subprocess on a free loopback port, as a plant runs it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

LOTLEDGER = str(Path(sys.executable).parent / "lotledger")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    """Use as `with Served(url) as served:`; a server a failed test leaves running is killed on the way out."""

    def __init__(self, db_url: str, *extra: str, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.base = f"{self.origin}/api/v1"
        argv = [LOTLEDGER, "serve", "--db", db_url, "--port", str(self.port), *extra]
        env = {**os.environ, "LOTLEDGER_PASSWORD": "", **(env or {})}
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.monotonic() + 30
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                pytest.fail(f"lotledger serve did not start: {self.process.communicate()}")
            time.sleep(0.1)

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.base}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> list[dict[str, object]]:
        """SIGTERM; the JSON lines it logged, once it has shut down cleanly."""
        self.process.send_signal(signal.SIGTERM)
        _, stderr = self.process.communicate(timeout=60)
        lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
        # uvicorn ends by raising the signal again, so a supervisor sees it was stopped (not that it failed)
        assert self.process.returncode in (0, -signal.SIGTERM), stderr
        assert "Application shutdown complete." in [line["message"] for line in lines], stderr
        return lines

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *_: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
