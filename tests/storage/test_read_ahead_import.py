"""An import read in a second process (`interchange.read_ahead`, as `lotledger import` reads a large file)
stores what an import read in this process stores: the same events, bodies and hashes, in the same chain
order, the same refusals on the same lines, master data applied from its line on; and the chain verifies.
On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from lotledger.bootstrap import App, bootstrap
from lotledger.config import Settings
from lotledger.domain.model import LotKey
from lotledger.domain.recording import Attribution
from lotledger.interchange.jsonl import Line, read_lines
from lotledger.interchange.read_ahead import read_file_lines
from lotledger.services.importing import ImportReport, import_lines
from lotledger.storage.engine import make_engine
from tests.conftest import fresh_db_url
from tests.unit.test_read_ahead import RECEIPT, plant_file

WHO = Attribution("os:tester", "cli:test")
LATE_ITEM = '{"type":"item","sku":"LATE","name":"An item named after its first use","uom":"kg"}'
LATE_RECEIPT = RECEIPT.replace("FLOUR", "LATE").replace("F-1", "L-1") % "3"


def stored(db_url: str) -> list[tuple[Any, ...]]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.position, e.id, e.document, e.body_hash FROM event_chain c "
                "JOIN events e ON e.id = c.event_id ORDER BY c.position"
            )
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def imported(app: App, lines: Iterator[Line]) -> ImportReport:
    return import_lines(app.recording, app.master_data, lines, WHO)


@pytest.fixture
def second_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[App, str]]:
    """A second fresh database on the same backend as `app`."""
    (tmp_path / "second").mkdir()
    urls = fresh_db_url(request.node.callspec.params["db_url"], request, tmp_path / "second")
    url = next(urls)
    second = bootstrap(Settings(url), migrate=False)
    yield second, url
    second.close()
    next(urls, None)


def test_an_import_read_ahead_stores_what_one_read_here_stores(
    app: App, db_url: str, second_app: tuple[App, str], tmp_path: Path
) -> None:
    path = plant_file(tmp_path / "plant.jsonl", cycles=120)
    with path.open("a") as handle:  # a lot of an item the file names only after it: refused, then stored
        handle.write(f"{LATE_RECEIPT}\n{LATE_ITEM}\n{LATE_RECEIPT.replace('08:00', '08:30')}\n")
    with path.open("rb") as handle:
        here = imported(app, read_lines(handle))
    ahead_app, ahead_url = second_app
    with closing(read_file_lines(path, ahead=True)) as lines:
        ahead = imported(ahead_app, lines)

    assert [str(error) for error in ahead.errors] == [str(error) for error in here.errors]
    assert (ahead.events, ahead.duplicates, ahead.master, ahead.refused) == (
        here.events,
        here.duplicates,
        here.master,
        here.refused,
    )
    assert here.refused == 8
    assert str(here.errors[-1]).endswith("lines[0].item: unknown item 'LATE'")
    assert app.queries.lot(LotKey("LATE", "L-1")).origin == "received"  # the receipt after the item's line
    assert stored(ahead_url) == stored(db_url)
    for ledger_app in (app, ahead_app):
        verdict = ledger_app.verification.verify(replay=False)
        assert verdict.intact
        assert verdict.events == here.events


def test_an_import_read_ahead_again_stores_nothing_new(app: App, db_url: str, tmp_path: Path) -> None:
    path = plant_file(tmp_path / "plant.jsonl", cycles=40)
    with closing(read_file_lines(path, ahead=True)) as lines:
        first = imported(app, lines)
    with closing(read_file_lines(path, ahead=True)) as lines:
        again = imported(app, lines)
    assert (again.events, again.duplicates) == (0, first.events)
    assert [str(e) for e in again.errors] == [str(e) for e in first.errors]
