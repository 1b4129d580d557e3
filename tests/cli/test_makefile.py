"""`make run` serves where HOST and PORT say, and prints those URLs (checked with a dry run)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def dry_run(*variables: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    done = subprocess.run(["make", "-n", "run", *variables], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout


def test_make_run_defaults_to_localhost_8000() -> None:
    output = dry_run()
    assert "lotledger serve --host 127.0.0.1 --port 8000" in output
    assert "http://127.0.0.1:8000/api/v1/lots/trace" in output


def test_make_run_takes_port_and_host() -> None:
    output = dry_run("PORT=8080", "HOST=0.0.0.0")
    assert "lotledger serve --host 0.0.0.0 --port 8080" in output
    assert "http://0.0.0.0:8080/api/v1/lots/trace" in output
    assert "8000" not in output
