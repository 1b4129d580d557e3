"""--format csv|xlsx on history, balance, trace, exposure and `lotledger events`: the JSON's rows, as files."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lotledger.bootstrap import bootstrap
from lotledger.cli import app
from lotledger.config import Settings
from lotledger.interchange.lists import BALANCE_HEADERS, EVENT_HEADERS, EXPOSURE_HEADERS, TRACE_HEADERS
from tests.factories import setup_plant
from tests.list_files import FORMULA, ODD_NOTE, balance_rows, csv_rows, event_rows, plant, rows_of, trace_rows

runner = CliRunner()
FORMATS = ["csv", "xlsx"]


@pytest.fixture
def db(db_url: str) -> str:
    ledger = bootstrap(Settings(db_url), migrate=False)
    setup_plant(ledger)
    plant(ledger)
    ledger.close()
    return db_url


def _json(*args: str) -> object:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _file(tmp_path: Path, format: str, *args: str) -> list[list[str]]:
    """The rows of the list, to stdout (CSV) or to --out (XLSX)."""
    if format == "csv":
        result = runner.invoke(app, [*args, "--format", "csv"])
        assert result.exit_code == 0, result.output
        assert "\x1b[" not in result.stdout
        return csv_rows(result.stdout_bytes)
    out = tmp_path / "list.xlsx"
    result = runner.invoke(app, [*args, "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"wrote {out}"
    return rows_of(out.read_bytes(), "xlsx")


@pytest.mark.parametrize("format", FORMATS)
def test_history_as_a_file_is_the_json_history(db: str, tmp_path: Path, format: str) -> None:
    args = ("history", "SALT", "S1", "--db", db)
    rows = _file(tmp_path, format, *args)
    assert rows[0] == list(EVENT_HEADERS)
    history = _json(*args)
    assert isinstance(history, list)
    assert rows[1:] == event_rows(history, format)
    assert json.dumps(ODD_NOTE, ensure_ascii=False) in rows[1][-1]  # the receipt's document, its note whole


@pytest.mark.parametrize("format", FORMATS)
def test_balance_as_a_file_is_the_json_balance(db: str, tmp_path: Path, format: str) -> None:
    args = ("balance", "--location", "RAW", "--db", db)
    rows = _file(tmp_path, format, *args)
    balances = _json(*args)
    assert isinstance(balances, list)
    assert rows == [list(BALANCE_HEADERS), *balance_rows(balances)]
    assert ["FLOUR", FORMULA, "RAW", "", "50", "kg"] in rows


@pytest.mark.parametrize("format", FORMATS)
def test_a_trace_as_a_file_is_the_json_trace_in_one_table(db: str, tmp_path: Path, format: str) -> None:
    args = ("trace", "DOUGH", "D1", "--both", "--db", db)
    rows = _file(tmp_path, format, *args)
    answer = _json(*args)
    assert isinstance(answer, dict)
    assert rows == [list(TRACE_HEADERS), *trace_rows(answer, format)]
    assert {row[2] for row in rows[1:]} == {"lot", "edge", "receipt", "shipment", "on hand"}


@pytest.mark.parametrize("format", FORMATS)
def test_exposure_as_a_file_lists_lots_stock_and_customers(db: str, tmp_path: Path, format: str) -> None:
    args = ("exposure", "FLOUR", FORMULA, "--db", db)
    rows = _file(tmp_path, format, *args)
    answer = _json(*args)
    assert isinstance(answer, dict)
    expected = [["lot", lot["item"], lot["lot"], "", lot["qty"], "kg"] for lot in answer["lots"]]
    expected += [["on hand", lot["item"], lot["lot"], "", lot["qty"], "kg"] for lot in answer["on_hand"]]
    expected += [["customer", "", "", customer, qty, "kg"] for customer, qty in answer["customers"].items()]
    assert rows == [list(EXPOSURE_HEADERS), *expected]


@pytest.mark.parametrize("format", FORMATS)
def test_events_lists_the_log_filtered(db: str, tmp_path: Path, format: str) -> None:
    everything = _json("events", "--db", db)
    assert isinstance(everything, list)
    # the factories' clock runs on through a whole test run: the plant's day is whatever its events say
    day = everything[0]["time"][:10]
    last = date.fromisoformat(everything[-1]["time"][:10])
    args = ("events", "--type", "produce", "--from", day, "--to", last.isoformat(), "--db", db)
    rows = _file(tmp_path, format, *args)
    answer = _json(*args)
    assert isinstance(answer, list)
    assert rows == [list(EVENT_HEADERS), *event_rows(answer, format)]
    assert [row[2] for row in rows[1:]] == ["produce", "produce"]
    lot = _json("events", "--lot", "FLOUR", FORMULA, "--db", db)
    assert isinstance(lot, list)
    assert [e["type"] for e in lot] == ["receive", "produce"]
    assert _json("events", "--from", (last + timedelta(days=1)).isoformat(), "--db", db) == []


def test_events_as_a_table_names_each_event(db: str) -> None:
    result = runner.invoke(app, ["events", "--type", "ship", "--db", db])
    assert result.exit_code == 0, result.output
    assert "Events" in result.output
    assert "ship" in result.output
    assert "SO-1" in result.output


def test_an_empty_list_is_its_header_row(db: str, tmp_path: Path) -> None:
    assert _file(tmp_path, "csv", "balance", "--location", "DOCK", "--db", db) == [list(BALANCE_HEADERS)]
    assert _file(tmp_path, "xlsx", "events", "--type", "observe", "--db", db) == [list(EVENT_HEADERS)]


def test_xlsx_needs_out(db: str) -> None:
    result = runner.invoke(app, ["history", "SALT", "S1", "--format", "xlsx", "--db", db])
    assert result.exit_code == 1
    assert result.output.strip() == "error: --format xlsx writes a file: give --out FILE (or --out - into a pipe)"


def test_a_file_is_not_replaced_without_force(db: str, tmp_path: Path) -> None:
    out = tmp_path / "stock.csv"
    first = runner.invoke(app, ["balance", "--format", "csv", "--out", str(out), "--db", db])
    assert first.exit_code == 0, first.output
    written = out.read_bytes()
    assert written.startswith(b"item,lot,location,container,qty,uom\r\n")
    again = runner.invoke(app, ["balance", "--item", "SALT", "--format", "csv", "--out", str(out), "--db", db])
    assert again.exit_code == 1
    assert again.output.strip() == f"error: {out} exists; pass --force to replace it"
    assert out.read_bytes() == written
    forced = runner.invoke(
        app, ["balance", "--item", "SALT", "--format", "xlsx", "--out", str(out), "--force", "--db", db]
    )
    assert forced.exit_code == 0, forced.output
    assert out.read_bytes().startswith(b"PK")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["events", "--type", "shipped", "--format", "csv"],
            "error: type: expected one of receive, produce, move, pack, unpack, ship, "
            "return, adjust, hold, release, void, observe, got 'shipped'",
        ),
        (["events", "--from", "2026-03-05", "--to", "2026-03-02"], "error: from: 2026-03-05 is after to 2026-03-02"),
        (["events", "--from", "0001-01-01"], "error: from: 0001-01-01 is outside the years 1900-2199"),
        (["events", "--to", "9999-12-31"], "error: to: 9999-12-31 is outside the years 1900-2199"),
        (["events", "--to", "yesterday"], "error: to: expected a date like 2026-12-31, got 'yesterday'"),
        (["events", "--item", "SALT", "--lot", "FLOUR", "F1"], "error: item: 'SALT' is not the item of --lot FLOUR F1"),
        (
            ["trace", "FLOUR", FORMULA, "--summary", "--format", "csv"],
            "error: --summary is totals, not a list: use --format table or json, or drop --summary for csv",
        ),
        (["history", "FLOUR", "NOPE", "--format", "csv"], "error: lot: unknown lot FLOUR/NOPE"),
        (["balance", "--format", "json"], "error: --out writes a file: add --format csv or --format xlsx (not json)"),
        (["events"], "error: --out writes a file: add --format csv or --format xlsx (not table)"),
    ],
)
def test_bad_input_is_one_red_line_and_no_file(db: str, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "never.csv"
    result = runner.invoke(app, [*args, "--db", db, "--out", str(out)])
    assert result.exit_code == 1
    assert result.output.strip() == message
    assert list(out.parent.iterdir()) == []  # no file, no temporary file
