"""A legacy register imported on SQLite and PostgreSQL (and the memory ledger): the same traces as the same
events recorded directly; a dry run reports every bad row, ledger rules included, and writes nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from lotledger.bootstrap import App, bootstrap
from lotledger.config import Settings
from lotledger.domain.accounts import Caller, User
from lotledger.domain.errors import Forbidden
from lotledger.domain.model import LotKey
from lotledger.interchange.formats import read_file
from lotledger.interchange.jsonl import parse_record
from lotledger.interchange.jsonout import jsonable
from lotledger.interchange.sheets import ReadOptions
from lotledger.services.importing import ImportReport, import_file, import_lines, rehearse_lines
from lotledger.storage import schema as t
from tests.conftest import fresh_db_url
from tests.factories import ADMIN, ATTRIBUTION, exactly, hold, receive, setup_plant
from tests.legacy_register import DIRECT, ROW_HEADER, csv_bytes, event_row, one_table, register_xlsx

FILES = {"csv": lambda: csv_bytes(one_table(), ";", bom=True), "xlsx": register_xlsx}


def lines_of(data: bytes) -> list[Any]:
    return list(read_file(io.BytesIO(data), ReadOptions())[1])


def run(plant: Any, data: bytes, dry_run: bool = False) -> ImportReport:
    if dry_run:
        return rehearse_lines(plant.recording, plant.master_data, lines_of(data), ATTRIBUTION, "row")
    return import_lines(plant.recording, plant.master_data, lines_of(data), ATTRIBUTION, unit="row")


def stored_events(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.events)).scalar_one())


def without_ids(value: Any) -> Any:
    """A trace as JSON, with event ids (random for events recorded directly) left out."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k not in ("event", "event_id", "id")}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def traces(app: App) -> Any:
    return without_ids(
        jsonable(
            [
                app.queries.backward(LotKey("BAR", "B-1")),
                app.queries.forward(LotKey("OATS", "O-1")),
                app.queries.forward(LotKey("HONEY", "H-1")),
                app.queries.balances(),
            ]
        )
    )


@pytest.fixture
def direct(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[App]:
    """A second database of the same backend, where the same plant is recorded directly."""
    backend = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    folder = tmp_path / "direct"
    folder.mkdir()
    urls = fresh_db_url(backend, request, folder)
    other = bootstrap(Settings(next(urls)), migrate=False)
    for document in DIRECT:
        record = parse_record(document)
        if document["type"] in ("item", "location", "partner"):
            other.master_data.save(record, ATTRIBUTION)  # type: ignore[arg-type]
        else:
            other.recording.record(record, ADMIN)  # type: ignore[arg-type]
    yield other
    other.close()
    next(urls, None)


@pytest.mark.parametrize("kind", sorted(FILES))
def test_an_imported_register_traces_as_the_same_events_recorded_directly(app: App, direct: App, kind: str) -> None:
    report = run(app, FILES[kind]())
    assert (report.events, report.master, report.errors) == (3, 6, [])
    assert traces(app) == traces(direct)
    again = run(app, FILES[kind]())
    assert (again.events, again.duplicates, again.master, again.master_unchanged) == (0, 3, 0, 6)


def test_the_csv_and_the_xlsx_of_one_register_are_the_same_events(app: App) -> None:
    run(app, FILES["csv"]())
    again = run(app, FILES["xlsx"]())
    assert (again.events, again.duplicates, again.errors) == (0, 3, [])


def test_a_dry_run_passes_what_the_file_itself_makes_possible_and_writes_nothing(ledger: Any) -> None:
    dry = run(ledger, FILES["xlsx"](), dry_run=True)
    assert (dry.events, dry.master, dry.errors) == (3, 6, [])  # the ship uses the lot the file receives
    real = run(ledger, FILES["xlsx"]())  # nothing was written by the dry run: all of it is still new
    assert (real.events, real.duplicates, real.master) == (3, 0, 6)
    assert (run(ledger, FILES["xlsx"](), dry_run=True).duplicates, real.errors) == (3, [])


def test_a_dry_run_reports_every_bad_row_and_changes_nothing(app: App, engine: Engine) -> None:
    setup_plant(app)
    receive(app, "FLOUR", "F-1", 10)
    hold(app, "FLOUR", "F-1")
    shipped = {"time": "2025-03-03T08:00:00Z", "partner": "SHOP"}
    rows = [
        ROW_HEADER,
        event_row("receive", "R1", "F-2"),
        event_row("receive", "R2", "F-3", uom="parsec"),
        event_row("receive", "R3", "F-4", item="NOPE"),
        event_row("ship", "S1", "F-9", "1", **shipped),
        event_row("ship", "S2", "F-1", "1", **shipped),
        event_row("receive", "R5", "F-5", "1e999999"),
        event_row("receive", "R6", "F-6", time="9999-03-02T08:00:00Z"),
        event_row("ship", "S3", "F-2", "6", **shipped),
        event_row("ship", "S4", "F-2", "5", **shipped),
    ]
    data = csv_bytes(rows) + b"receive,R7,2025-03-02T08:00:00Z,RAW,MILL,FLOUR,F-\xed\xa0\x80,1,kg\r\n"
    before = stored_events(engine)
    report = run(app, data, dry_run=True)
    assert [str(error) for error in report.errors] == [
        "row 3: uom: unknown unit 'parsec'; expected one of L, ea, g, kg, l, lb, mL, ml, t",
        "row 4: item: unknown item 'NOPE'",
        "row 5: lot: unknown lot FLOUR/F-9",
        f"row 6: lot: lot FLOUR/F-1 is on hold (hold {hold_id(app)}: metal detector alarm); it cannot be consumed "
        "or shipped",
        "row 7: qty: '1e999999' is too large (less than 10^12 in any unit)",
        "row 8: time: 9999-03-02T08:00:00+00:00 is outside the years 1900-2199 lotledger records",
        "row 9: qty: lot FLOUR/F-2 at RAW has 5 kg, the event takes 6 kg",
        "row 11: lot: not valid UTF-8: byte 0xed",
    ]
    assert (report.events, report.unit) == (2, "row")  # R1, and S4 shipping what R1 received
    assert stored_events(engine) == before


def hold_id(app: App) -> str:
    return app.queries.lot(LotKey("FLOUR", "F-1")).holds[0].split(":")[0].removeprefix("hold ")


def test_master_data_in_a_file_needs_the_admin_role(app: App) -> None:
    operator = Caller(User(2, "floor", "operator"), ATTRIBUTION)
    with pytest.raises(
        Forbidden,
        match=exactly("row 2: importing master data (item) needs the admin role; floor has the operator role"),
    ):
        import_file(app.recording, app.master_data, FILES["xlsx"](), ReadOptions(), operator, dry_run=True)
    rows = [
        ["type", "time", "location", "item", "lot", "reason"],
        ["hold", "2025-03-02T08:00:00Z", "RAW", "FLOUR", "F-1", "lab"],
    ]
    with pytest.raises(Forbidden, match=r"^row 2: recording a hold event needs the quality role"):
        import_file(app.recording, app.master_data, csv_bytes(rows), ReadOptions(), operator, dry_run=False)
