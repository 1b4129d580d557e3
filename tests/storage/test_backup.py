"""Backups taken while the ledger is in use are whole, and a restore brings back exactly that record."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from lotledger.bootstrap import App, bootstrap
from lotledger.config import Settings
from lotledger.domain.errors import ValidationError
from lotledger.domain.model import LotKey
from tests.conftest import fresh_db_url
from tests.factories import line, produce, receive, setup_plant, ship


def test_a_backup_restores_to_exactly_the_record_it_was_taken_of(app: App, tmp_path: Path) -> None:
    setup_plant(app)
    receive(app, "FLOUR", "F-1", 100)
    produce(app, [line("FLOUR", "F-1", 40)], [line("DOUGH", "D-1", 40)])
    copy = tmp_path / "ledger.backup"
    taken = app.backups.backup(copy)
    assert taken.intact
    assert taken.events == 2
    ship(app, "FLOUR", "F-1", 60)  # after the backup: gone again once it is restored
    restored = app.backups.restore(copy)
    assert restored.intact, (restored.chain_break, restored.differences)
    assert (restored.events, restored.head) == (2, taken.head)
    assert app.queries.mass_balance(LotKey("FLOUR", "F-1")).on_hand == 60


def test_a_backup_never_overwrites_a_file(app: App, tmp_path: Path) -> None:
    existing = tmp_path / "precious.db"
    existing.write_text("keep me")
    with pytest.raises(ValidationError, match="exists; choose a new file"):
        app.backups.backup(existing)
    assert existing.read_text() == "keep me"


@pytest.fixture
def sqlite_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[App]:
    """SQLite alone: what a copy of its write-ahead log misses is SQLite's own problem (pg_dump has a snapshot)."""
    urls = fresh_db_url("sqlite", request, tmp_path)
    ledger_app = bootstrap(Settings(next(urls)), migrate=False)
    yield ledger_app
    ledger_app.close()


def test_a_sqlite_backup_taken_while_events_arrive_is_whole(sqlite_app: App, tmp_path: Path) -> None:
    app = sqlite_app
    setup_plant(app)
    receive(app, "FLOUR", "F-1", 10_000)
    stop = threading.Event()

    def keep_shipping() -> None:
        while not stop.is_set():
            ship(app, "FLOUR", "F-1", 1)

    writer = threading.Thread(target=keep_shipping)
    writer.start()
    try:
        verdict = app.backups.backup(tmp_path / "live.backup")
    finally:
        stop.set()
        writer.join(timeout=30)
    assert verdict.intact, (verdict.chain_break, verdict.differences)
    assert verdict.events >= 1
