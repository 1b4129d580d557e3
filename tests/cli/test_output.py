"""What the command line writes: plain JSON, whole identifiers, the plant's time zone, a light start-up."""

from __future__ import annotations

import ast
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from lotledger import cli
from lotledger.cli import accounts, barcodes, common, ledger
from lotledger.domain.model import LotKey
from lotledger.domain.records import MassBalance
from lotledger.interchange.jsonout import jsonable

runner = CliRunner()
SRC = Path(cli.__file__).parent.parent  # src/lotledger

EVENT_ID = "3f2b8c1e-9a47-4d2b-8e6f-0c1d2e3f4a5b"
LOT = "L2026-11-25-MIX-0042"  # 20 characters
SSCC = "006141410000000012"  # 18 digits
LINES = [
    '{"type":"item","sku":"FLOUR","name":"Flour","uom":"kg"}',
    '{"type":"location","code":"RAW","name":"Raw","kind":"warehouse"}',
    '{"type":"partner","code":"MILL","name":"Mill","role":"supplier"}',
    '{"type":"receive","time":"2026-11-01T08:00:00Z","location":"RAW","partner":"MILL","reference":"PO-2026-000123",'
    f'"lines":[{{"item":"FLOUR","lot":"{LOT}","qty":"100","uom":"kg","supplier_lot":"MILL-BATCH-7781"}}]}}',
    f'{{"type":"pack","id":"{EVENT_ID}","time":"2026-11-01T09:00:00Z","location":"RAW","container":"{SSCC}",'
    f'"lines":[{{"item":"FLOUR","lot":"{LOT}","qty":"40","uom":"kg"}}]}}',
    '{"type":"hold","time":"2026-11-25T16:10:00-08:00","location":"RAW","reason":"metal found in sieve",'
    f'"lots":[{{"item":"FLOUR","lot":"{LOT}"}}]}}',
]
# The hold is later than the ledger's clock may be when the tests run: allow it.
ENV = {"LOTLEDGER_FUTURE_MARGIN_MINUTES": "100000000"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("output") / "events.jsonl"
    path.write_text("\n".join(LINES) + "\n")
    url = f"sqlite:///{path.with_suffix('.db')}"
    result = runner.invoke(cli.app, ["import", str(path), "--db", url], env=ENV)
    assert result.exit_code == 0, result.output
    return url


def run(*args: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(cli.app, list(args), env={**ENV, **(env or {})})
    assert result.exit_code == 0, result.output
    return result.output


# --- JSON -------------------------------------------------------------------------


def test_json_never_goes_through_richs_highlighter(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    coloured = Console(force_terminal=True, color_system="truecolor", soft_wrap=True)
    for module in (common, ledger, accounts, barcodes):  # each command module holds the console
        monkeypatch.setattr(module, "console", coloured)
    output = run("history", "FLOUR", LOT, "--format", "json", "--db", db)
    assert "\x1b[" not in output
    assert json.loads(output)[0]["type"] == "receive"


def test_json_in_a_pipe_is_one_line(db: str) -> None:
    output = run("trace", "FLOUR", LOT, "--both", "--format", "json", "--db", db)
    assert output.endswith("\n")
    assert output.count("\n") == 1
    assert output.startswith('{"lot": {"item": "FLOUR", "lot": "L2026-11-25-MIX-0042"}, "backward": {')


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_json_on_a_terminal_is_indented_and_plain() -> None:
    out = Terminal()
    common._print_json({"lot": LotKey("FLOUR", LOT), "qty": Decimal("1.5")}, out)
    assert out.getvalue().splitlines() == [
        "{",
        '  "lot": {',
        '    "item": "FLOUR",',
        '    "lot": "L2026-11-25-MIX-0042"',
        "  },",
        '  "qty": "1.5"',
        "}",
    ]
    assert out.getvalue().endswith("}\n")


@dataclass
class Row:
    lot: LotKey
    time: datetime
    tags: list[str]


@dataclass
class Result:
    root: LotKey
    rows: list[Row]
    by_lot: dict[LotKey, Decimal]
    balance: MassBalance  # a dataclass that adds properties in its JSON
    empty: list[Row]
    nothing: dict[str, int]
    pair: tuple[int, int]


def test_streamed_json_is_exactly_jsonable_dumped() -> None:
    when = datetime(2026, 11, 25, 16, 10, tzinfo=UTC)
    key = LotKey("FLOUR", LOT)
    balance = MassBalance(key, "kg", *(Decimal(n) for n in (100, 0, 0, 40, 0, 0, 60)))
    value = {
        "result": Result(key, [Row(key, when, ["a"]), Row(key, when, [])], {key: Decimal(2)}, balance, [], {}, (1, 2)),
        "list": [1, {"a": [2]}, "x"],
        "none": None,
    }
    for indent in (None, 2):
        assert "".join(common._json_chunks(value, indent)) == json.dumps(jsonable(value), indent=indent)
    assert "".join(common._json_chunks([], 2)) == "[]"


def test_forward_trace_json_and_csv_are_written_from_rows_not_records(
    db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The command writes the forward trace as its rows are read (a hub's millions of lots are never
    records), and the document is the one the records give."""
    from lotledger.bootstrap import bootstrap
    from lotledger.config import Settings
    from lotledger.interchange.lists import trace_table
    from lotledger.interchange.tables import csv_chunks
    from lotledger.storage.reader import SqlReader

    key = LotKey("FLOUR", LOT)
    ledger_app = bootstrap(Settings(db))
    try:
        backward, forward = ledger_app.queries.backward(key), ledger_app.queries.forward(key)
    finally:
        ledger_app.close()
    document = {"lot": key, "backward": backward, "forward": forward, "forward_summary": None}

    def no_records(*args: object) -> None:
        raise AssertionError("the forward trace was built as records")

    monkeypatch.setattr(SqlReader, "forward", no_records)
    output = run("trace", "FLOUR", LOT, "--both", "--format", "json", "--db", db)
    assert output == "".join(common._json_chunks(document, None)) + "\n"
    assert SSCC in {line["container"] for line in json.loads(output)["forward"]["on_hand"]}
    run("trace", "FLOUR", LOT, "--both", "--format", "csv", "--out", str(tmp_path / "trace.csv"), "--db", db)
    assert (tmp_path / "trace.csv").read_bytes() == b"".join(csv_chunks(trace_table(key, backward, forward)))


def test_pipes_get_no_ansi_codes_in_any_format(db: str) -> None:
    env = {"TERM": "xterm-256color", "PATH": "/usr/bin:/bin", **ENV}
    for args in (["history", "FLOUR", LOT], ["trace", "FLOUR", LOT, "--both"], ["balance"]):
        for fmt in ("table", "json"):
            done = subprocess.run(
                [sys.executable, "-c", "from lotledger.cli import main; main()", *args, "--format", fmt, "--db", db],
                capture_output=True,
                env=env,
                check=True,
            )
            assert b"\x1b" not in done.stdout, (args, fmt)
            assert LOT.encode() in done.stdout


# --- tables -----------------------------------------------------------------------


def test_tables_in_a_pipe_keep_lot_codes_ssccs_and_event_ids_whole(db: str) -> None:
    output = run("history", "FLOUR", LOT, "--db", db)  # CliRunner's stdout is a pipe, 80 columns by default
    assert EVENT_ID in output
    assert "PO-2026-000123" in output
    output = run("trace", "FLOUR", LOT, "--both", "--db", db)
    assert "MILL-BATCH-7781" in output
    output = run("balance", "--db", db)
    assert f"FLOUR/{LOT}" in output
    assert SSCC in output


# --- time zones -------------------------------------------------------------------


def test_table_times_are_in_the_plants_zone_and_json_in_utc(db: str) -> None:
    output = run("history", "FLOUR", LOT, "--db", db, env={"LOTLEDGER_TIMEZONE": "America/Los_Angeles"})
    assert "2026-11-25 16:10 PST" in output
    assert "2026-11-26" not in output
    assert "2026-11-26 00:10 UTC" in run("history", "FLOUR", LOT, "--db", db)
    entries = json.loads(
        run("history", "FLOUR", LOT, "--format", "json", "--db", db, env={"LOTLEDGER_TIMEZONE": "America/Los_Angeles"})
    )
    assert entries[-1]["type"] == "hold"
    assert entries[-1]["time"] == "2026-11-26T00:10:00+00:00"


def test_an_unknown_time_zone_is_one_clear_line(db: str) -> None:
    result = runner.invoke(cli.app, ["history", "FLOUR", LOT, "--db", db], env={"LOTLEDGER_TIMEZONE": "Mars/Olympus"})
    assert result.exit_code == 1
    assert "unknown time zone 'Mars/Olympus'" in result.output


# --- start-up ---------------------------------------------------------------------

HEAVY = ("sqlalchemy", "alembic", "pint", "uvicorn", "fastapi", "rich.progress")
HEAVY_LOTLEDGER = ("lotledger.bootstrap", "lotledger.services", "lotledger.storage", "lotledger.barcodes")


def test_importing_the_cli_and_asking_for_help_loads_no_database_layer() -> None:
    script = (
        "import sys\n"
        "import lotledger.cli\n"
        "print(' '.join(sorted(sys.modules)))\n"
        "try:\n"
        "    lotledger.cli.app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    after_import, after_help = done.stdout.splitlines()[0], done.stdout.splitlines()[-1]
    for loaded in (after_import.split(), after_help.split()):
        heavy = [m for m in loaded if m.startswith(HEAVY + HEAVY_LOTLEDGER)]
        assert heavy == []


def test_the_cli_never_imports_storage() -> None:
    modules = sorted((SRC / "cli").glob("*.py"))
    assert len(modules) >= 4
    for module in modules:
        tree = ast.parse(module.read_text())
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert [m for m in imported if m.startswith("lotledger.storage")] == [], module.name
