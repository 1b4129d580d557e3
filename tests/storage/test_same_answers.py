"""Invariant 7: every trace gives the same answer on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lotledger.bootstrap import App, bootstrap
from lotledger.config import Settings
from lotledger.demo import plant
from lotledger.domain.model import LotKey
from lotledger.interchange.jsonout import jsonable
from tests.conftest import fresh_db_url
from tests.factories import load

LOTS = [LotKey("SALT", "S-HUB"), LotKey("BREAD-W", "W-0007"), LotKey("DOUGH", "D-0003"), LotKey("FLOUR", "F-00001")]


def answers(app: App) -> dict[str, Any]:
    """Everything a reader answers about a few lots, as JSON, with the backend-specific ids left out."""
    found: dict[str, Any] = {}
    for key in LOTS:
        history = [
            {k: v for k, v in e.items() if k not in ("seq", "recorded_at")} for e in jsonable(app.queries.history(key))
        ]
        found[str(key)] = {
            "backward": jsonable(app.queries.backward(key)),
            "forward": jsonable(app.queries.forward(key)),
            "summary": jsonable(app.queries.forward_summary(key)),
            "massbalance": jsonable(app.queries.mass_balance(key)),
            "exposure": jsonable(app.queries.exposure(key)),
            "history": history,
        }
    found["balances"] = jsonable(app.queries.balances(location="PLANT"))
    return found


def test_sqlite_and_postgresql_answer_the_same(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    results = []
    for backend in ("sqlite", "postgresql"):
        urls = fresh_db_url(backend, request, tmp_path)
        url = next(urls)
        app = bootstrap(Settings(url), migrate=False)
        assert load(app, plant(25)).errors == []
        results.append(answers(app))
        app.close()
        next(urls, None)  # drop the database
    sqlite, postgresql = results
    for key in sqlite:
        assert sqlite[key] == postgresql[key], key
