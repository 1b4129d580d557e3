"""The behaviour suite: every rule of docs/concepts.md, through the services, on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import setup_plant


@pytest.fixture
def plant(ledger: Any) -> Any:
    """The small plant of tests/factories.py on each ledger."""
    setup_plant(ledger)
    return ledger
