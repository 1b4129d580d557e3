"""A file down stdout into a reader that stops early (`| head`): the command ends quietly, status 141."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lotledger.bootstrap import App
from tests.factories import line, load, now, setup_plant

COMMANDS = [["export", "epcis", "--out", "-"], ["events", "--format", "csv"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_reader_that_stops_early_ends_the_command_quietly(app: App, db_url: str, command: list[str]) -> None:
    setup_plant(app)
    receipt = {"type": "receive", "time": now(), "location": "RAW", "partner": "MILL"}
    load(app, ({**receipt, "lines": [line("FLOUR", f"F-{n}", 1)]} for n in range(5000)))  # written in many pieces
    script = "from lotledger.cli import main; main()"
    with subprocess.Popen(
        [sys.executable, "-c", script, *command, "--db", db_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        assert process.stdout.read(10)
        process.stdout.close()
        stderr = process.stderr.read()
        assert process.wait(timeout=60) == 141
    assert b"Broken pipe" not in stderr
    assert b"Traceback" not in stderr
