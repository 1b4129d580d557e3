"""`lotledger copy` moves a whole ledger between SQLite and PostgreSQL: every row of every table, exactly,
verified; it never merges two ledgers, never copies an old schema, and a stopped copy leaves nothing behind."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from lotledger.bootstrap import App, bootstrap
from lotledger.cli import app as cli
from lotledger.config import Settings
from lotledger.domain.model import Item, LotKey, Partner
from lotledger.storage.engine import make_engine
from lotledger.storage.migrate import alembic_config, upgrade
from lotledger.storage.schema import metadata
from tests.conftest import fresh_db_url
from tests.factories import ADMIN, ATTRIBUTION, TESTER, line, produce, receive, record, setup_plant

runner = CliRunner()
DIRECTIONS = [("sqlite", "postgresql"), ("postgresql", "sqlite")]
UNICODE = "Pâte « feuilletée » 🥐 — 小麦粉 e\u0301 \u05e9\u05dc\u05d5\u05dd"
ENV = {"LOTLEDGER_FUTURE_MARGIN_MINUTES": "100000000"}  # the demo plant is dated ahead of a test's clock


def _open(url: str) -> App:
    return bootstrap(Settings(url), migrate=False)


def _fill(url: str) -> None:
    """The demo plant (events of every kind, orders, recipes, work orders, users, the audit trail) and what it
    lacks: a recall with its log, an API token, an idempotency key, SSCC counters, text in any script,
    empty optional fields, a quantity beyond 32 bits."""
    done = runner.invoke(cli, ["demo", "--scale", "60", "--db", url], env=ENV)
    assert done.exit_code == 0, done.output
    app = _open(url)
    try:
        app.master_data.save(Item("PATE", UNICODE, "kg", shelf_life_days=None), ATTRIBUTION)
        app.master_data.save(Partner("MILL", "Mill \u2019s", "supplier"), ATTRIBUTION)
        app.master_data.save(Partner("SHOP", "Shop", "customer"), ATTRIBUTION)
        receive(app, "PATE", "P-1", "999999999999", location="RAW", supplier_lot="Ünïcödé-7")
        produce(app, [line("PATE", "P-1", "0.000001")], [line("PATE", "P-2", "0.000001")], note=UNICODE)
        record(app, {"type": "ship", "location": "RAW", "partner": "SHOP", "lines": [line("PATE", "P-2", "0.000001")]})
        app.recalls.open({"supplier_lot": "Ünïcödé-7", "reason": UNICODE}, TESTER)
        recall_id = app.recalls.open({"supplier_lot": "Ünïcödé-7", "reason": "again", "kind": "mock"}, TESTER).case.id
        app.recalls.notified(recall_id, "SHOP", {"via": "email", "note": UNICODE}, TESTER)
        app.accounts.create_token("demo", "scanner")
        demo_user = app.accounts.user("demo")
        app.accounts.once(demo_user, "key-1", "0" * 64, lambda: (201, '{"ok": true}'))
        app.barcodes.allocate_ssccs(ADMIN, 2, "0614141", "0")
    finally:
        app.close()


def _blank_postgresql(request: pytest.FixtureRequest, name: str) -> Iterator[str]:
    """A database with nothing in it, not even the schema: the copy creates it."""
    server = request.getfixturevalue("pg_cluster")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield server.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture(scope="module", params=[source for source, _ in DIRECTIONS])
def source(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A full plant on each backend, built once: a copy only reads its source."""
    urls = fresh_db_url(request.param, request, tmp_path_factory.mktemp("source"))
    url = next(urls)
    _fill(url)
    yield url
    next(urls, None)


@pytest.fixture
def target(source: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The other backend: a new SQLite file, or a blank PostgreSQL database."""
    if source.startswith("postgresql"):
        yield f"sqlite:///{tmp_path}/copy.db"
        return
    yield from _blank_postgresql(request, f"copy_{os.getpid()}_{abs(hash(tmp_path)) % 10**9}")


def _copy(source: str, target: str, *extra: str) -> Any:
    return runner.invoke(cli, ["copy", "--db", source, "--to", target, *extra])


@pytest.fixture
def copied(source: str, target: str) -> str:
    done = _copy(source, target)
    assert done.exit_code == 0, done.output
    return target


def _table_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr) for t in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def test_the_plant_to_copy_has_rows_in_every_table(source: str) -> None:
    empty = [name for name, rows in _table_rows(source).items() if not rows]
    assert empty == []  # a new table needs rows in `_fill`, so that the copy of it is tested


def test_every_row_of_every_table_is_copied_exactly(source: str, copied: str) -> None:
    expected, found = _table_rows(source), _table_rows(copied)
    assert list(found) == list(expected)
    for name, rows in expected.items():
        assert found[name] == rows, name


def test_the_copy_prints_the_head_and_counts_and_its_chain_ends_at_the_sources_head(source: str, target: str) -> None:
    done = _copy(source, target)
    assert done.exit_code == 0, done.output
    app = _open(source)
    try:
        head = app.verification.verify(replay=False).head
    finally:
        app.close()
    assert f"source head {head}" in done.output
    assert f"events in the chain; head {head}" in done.output
    assert "intact: every link holds" in done.output
    assert "copied " in done.output
    assert "rows/s" in done.output
    events = next(row for row in done.output.splitlines() if row.startswith("events "))
    assert events.split()[1] == f"{head.position:,}"
    replayed = runner.invoke(cli, ["verify", "--db", target])
    assert replayed.exit_code == 0, replayed.output
    assert f"head {head}" in replayed.output


def test_traces_on_the_copy_are_the_traces_of_the_source(source: str, copied: str) -> None:
    original, copy = _open(source), _open(copied)
    try:
        lots = [LotKey("PATE", "P-1"), *(stock.lot for stock in original.queries.balances()[:6])]
        for key in lots:
            assert copy.queries.backward(key, 256) == original.queries.backward(key, 256), key
            assert copy.queries.forward(key, 256) == original.queries.forward(key, 256), key
            assert copy.queries.mass_balance(key) == original.queries.mass_balance(key), key
    finally:
        original.close()
        copy.close()


def test_the_copy_records_on_where_the_source_stopped(copied: str) -> None:
    """New events, lots, users and recalls get ids after the copied ones (PostgreSQL's sequences are set)."""
    app = _open(copied)
    try:
        before = app.verification.verify(replay=False)
        receive(app, "FLOUR", "NEW-1", 10)
        app.accounts.add_user("newcomer", "a-long-password", "operator")
        app.recalls.open({"lots": [{"item": "FLOUR", "lot": "NEW-1"}], "reason": "test"}, TESTER)
        app.accounts.create_token("newcomer", "scanner-2")
        after = app.verification.verify()
    finally:
        app.close()
    assert after.intact, (after.chain_break, after.differences)
    assert after.head.position == before.head.position + 1


def test_the_append_only_triggers_guard_the_copy(copied: str) -> None:
    engine = make_engine(copied)
    try:
        for statement in ("UPDATE events SET reference = 'changed'", "DELETE FROM event_chain"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def test_a_target_that_holds_a_ledger_is_refused(source: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    other = "postgresql" if source.startswith("sqlite") else "sqlite"
    urls = fresh_db_url(other, request, tmp_path)
    target = next(urls)
    app = _open(target)
    try:
        setup_plant(app)
        receive(app, "FLOUR", "F-1", 1)
    finally:
        app.close()
    done = _copy(source, target)
    assert done.exit_code == 1
    assert "already holds a ledger (1 rows in events, " in done.output
    assert "a copy never merges two ledgers" in done.output
    assert len(_table_rows(target)["events"]) == 1
    next(urls, None)


def test_the_source_database_is_refused_as_the_target(source: str) -> None:
    done = _copy(source, source.replace("postgresql+psycopg://", "postgresql://").replace("127.0.0.1", "localhost"))
    assert done.exit_code == 1
    assert "is the source database; copy into another one" in done.output


def test_a_target_that_cannot_be_opened_is_named_and_its_password_hidden(source: str, tmp_path: Path) -> None:
    missing = _copy(source, f"sqlite:///{tmp_path}/no/such/folder/copy.db")
    assert missing.exit_code == 1
    assert f"cannot open the target sqlite:///{tmp_path}/no/such/folder/copy.db" in " ".join(missing.output.split())
    closed = _copy(source, "postgresql://bob:s3cret@127.0.0.1:1/ledger")
    assert closed.exit_code == 1
    assert "cannot open the target postgresql+psycopg://bob:***@127.0.0.1:1/ledger" in closed.output
    assert "s3cret" not in closed.output


def test_a_source_behind_this_versions_schema_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    old = make_engine(f"sqlite:///{tmp_path}/old.db")
    scripts = alembic_config(old)
    from alembic.script import ScriptDirectory

    previous = str(ScriptDirectory.from_config(scripts).get_revision("head").down_revision)
    upgrade(old, previous)
    old.dispose()
    done = _copy(f"sqlite:///{tmp_path}/old.db", f"sqlite:///{tmp_path}/new.db")
    assert done.exit_code == 1
    assert f"schema is at revision {previous}" in done.output
    assert "upgrade it first (lotledger init --db SOURCE)" in done.output
    assert not (tmp_path / "new.db").exists()
    check = make_engine(f"sqlite:///{tmp_path}/old.db")
    with check.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == previous
    check.dispose()


class _StopAt:
    """Progress that presses Ctrl-C in the middle of a table, after its first rows went in."""

    def __init__(self, name: str) -> None:
        self.name, self.current = name, ""

    def step(self, doing: str) -> None:
        pass

    def table(self, name: str, rows: int) -> None:
        self.current = name

    def advance(self, rows: int) -> None:
        if self.current == self.name:
            raise KeyboardInterrupt


def test_a_stopped_copy_leaves_the_target_empty_and_can_be_run_again(source: str, target: str) -> None:
    app = _open(source)
    try:
        with pytest.raises(KeyboardInterrupt):
            app.copying.copy(target, _StopAt("movements"))
    finally:
        app.close()
    assert {name: rows for name, rows in _table_rows(target).items() if rows} == {}
    again = _copy(source, target)
    assert again.exit_code == 0, again.output


class _CutAt(_StopAt):
    """Progress that cuts a database's connections (as a server restart or a network fault would) in the
    middle of a table, after its first rows went in."""

    def __init__(self, name: str, url: str) -> None:
        super().__init__(name)
        self.url, self.cut = url, False

    def advance(self, rows: int) -> None:
        if self.current == self.name and not self.cut:
            self.cut = True
            _terminate_connections(self.url)


def _terminate_connections(url: str) -> None:
    """Every other connection to `url`'s PostgreSQL database is ended by the server."""
    database = url.rsplit("/", 1)[1]
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db"), {"db": database}
        )
    admin.dispose()


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(make_engine(url).url).render_as_string(hide_password=True)


def test_a_connection_lost_in_the_middle_names_the_database_that_failed_and_copies_nothing(
    source: str, target: str
) -> None:
    from lotledger.storage.copy import CopyStopped

    lost = target if target.startswith("postgresql") else source
    side = "target" if lost == target else "source"
    app = _open(source)
    try:
        with pytest.raises(CopyStopped) as stopped:
            app.copying.copy(target, _CutAt("movements", lost))
    finally:
        app.close()
    message = stopped.value.message
    assert message.startswith(f"the copy stopped: the {side} {_shown(lost)} failed: ")
    assert "Nothing was copied (one transaction on the target)" in message
    assert {name: rows for name, rows in _table_rows(target).items() if rows} == {}
    again = _copy(source, target)
    assert again.exit_code == 0, again.output


def test_a_target_that_fails_mid_copy_is_named_by_the_command_and_left_empty(
    source: str, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk on a SQLite target, a value PostgreSQL refuses: the command names the target, not the source."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from lotledger.storage import copy as copying

    real = copying._insert_rows if target.startswith("sqlite") else copying._copy_rows

    def fill_the_disk(reader: Any, writer: Any, table: Any, progress: Any) -> int:
        if table.name == "movements":
            raise OperationalError("INSERT INTO movements", {}, sqlite3.OperationalError("database or disk is full"))
        return int(real(reader, writer, table, progress))

    monkeypatch.setattr(copying, "_insert_rows" if target.startswith("sqlite") else "_copy_rows", fill_the_disk)
    done = _copy(source, target)
    assert done.exit_code == 1
    said = " ".join(done.output.split())
    assert f"the copy stopped: the target {_shown(target)} failed: database or disk is full." in said
    assert "cannot use the database" not in said
    assert {name: rows for name, rows in _table_rows(target).items() if rows} == {}


def test_a_failure_after_the_commit_says_the_rows_are_copied(
    source: str, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """VACUUM ANALYZE (or the count after it) failing, e.g. on a server's statement timeout: the rows are in the
    target, and the message says so instead of asking for a copy that would be refused."""
    from sqlalchemy.exc import OperationalError

    from lotledger.storage import copy as copying

    def time_out(engine: Any) -> None:
        raise OperationalError("VACUUM ANALYZE", {}, Exception("canceling statement due to statement timeout"))

    monkeypatch.setattr(copying, "analyze", time_out)
    done = _copy(source, target)
    assert done.exit_code == 1
    said = " ".join(done.output.split())
    assert f"the rows are copied and committed, but then the target {_shown(target)} failed: canceling" in said
    assert "Nothing was copied" not in said
    assert _table_rows(target) == _table_rows(source)


def test_two_copies_into_one_empty_target_at_once_leave_one_ledger(source: str, target: str) -> None:
    """Two people start the same copy (two processes): one copy lands whole, the other is refused
    (on SQLite it may instead wait out the first's write lock) and changes nothing."""
    import subprocess
    import sys

    import lotledger

    env = dict(os.environ, PYTHONPATH=str(Path(lotledger.__file__).parents[1]))
    command = [sys.executable, "-c", "from lotledger.cli import main; main()", "copy", "--db", source, "--to", target]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    said = [run.communicate(timeout=600)[0].decode() for run in runs]
    codes = sorted(run.returncode for run in runs)
    assert codes == [0, 1], said
    refused = " ".join(said[[run.returncode for run in runs].index(1)].split())
    assert "already holds a ledger" in refused or "database is locked" in refused, refused
    assert _table_rows(target) == _table_rows(source)


def test_a_copy_that_differs_exits_3_naming_the_table(
    source: str, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lotledger.storage import copy as copying

    real = copying._insert_rows if target.startswith("sqlite") else copying._copy_rows

    def lose_the_holds(reader: Any, writer: Any, table: Any, progress: Any) -> int:
        return real(reader, writer, table, progress) if table.name != "holds" else 0

    monkeypatch.setattr(copying, "_insert_rows" if target.startswith("sqlite") else "_copy_rows", lose_the_holds)
    done = _copy(source, target)
    assert done.exit_code == 3
    assert "holds: " in done.output
    assert " copied, 0 in the copy" in done.output
