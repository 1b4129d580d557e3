"""The `lotledger` command, run in-process against SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from lotledger.cli import app

runner = CliRunner()

GOOD = [
    '{"type":"item","sku":"FLOUR","name":"Flour","uom":"kg"}',
    '{"type":"item","sku":"DOUGH","name":"Dough","uom":"kg"}',
    '{"type":"location","code":"RAW","name":"Raw","kind":"warehouse"}',
    '{"type":"partner","code":"MILL","name":"Mill","role":"supplier"}',
    '{"type":"receive","time":"2026-11-01T08:00:00Z","location":"RAW","partner":"MILL","reference":"PO-1",'
    '"lines":[{"item":"FLOUR","lot":"F-1","qty":"100","uom":"kg","supplier_lot":"M-9"}]}',
    '{"type":"produce","time":"2026-11-01T09:00:00Z","location":"RAW",'
    '"inputs":[{"item":"FLOUR","lot":"F-1","qty":"40","uom":"kg"}],"outputs":[{"item":"DOUGH","lot":"D-1","qty":"40","uom":"kg"}]}',
]
BAD = [
    "{not json",
    '{"type":"produce","time":"2026-11-01T10:00:00Z","location":"RAW",'
    '"inputs":[{"item":"FLOUR","lot":"F-1","qty":"999","uom":"kg"}],"outputs":[{"item":"DOUGH","lot":"D-2","qty":"1","uom":"kg"}]}',
    '{"type":"receive","time":"2026-11-01T08:00:00Z","location":"RAW","partner":"MILL","lines":[{"item":"FLOUR","lot":"F-2","qty":"1","uom":"L"}]}',
]


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_import_stores_good_lines_reports_bad_ones_and_reruns_add_nothing(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(GOOD[:5] + BAD[:1] + GOOD[5:] + BAD[1:]) + "\n")
    code, output = run("import", str(path), "--db", db_url)
    assert code == 1
    assert "2 events stored, 0 already recorded, 4 master-data records saved (0 unchanged), 3 lines refused" in output
    assert "line 6: not valid JSON" in output
    assert "line 8: inputs[0].qty: lot FLOUR/F-1 at RAW has 60 kg, the event takes 999 kg" in output
    assert "line 9: lines[0].uom: unit 'L' does not convert to the item's base unit 'kg'" in output
    code, output = run("import", str(path), "--db", db_url)
    assert "0 events stored, 2 already recorded, 0 master-data records saved (4 unchanged)" in output
    code, output = run("massbalance", "FLOUR", "F-1", "--db", db_url, "--format", "json")
    balance = json.loads(output)
    assert (balance["received"], balance["consumed"], balance["on_hand"], balance["difference"]) == (
        "100",
        "40",
        "60",
        "0",
    )


def test_trace_json_names_supplier_lot_and_descendants(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(GOOD) + "\n")
    assert run("import", str(path), "--db", db_url)[0] == 0
    code, output = run("trace", "DOUGH", "D-1", "--both", "--format", "json", "--db", db_url)
    assert code == 0
    trace = json.loads(output)
    assert trace["backward"]["receipts"][0]["supplier_lot"] == "M-9"
    assert trace["backward"]["lots"] == [
        {"lot": {"item": "FLOUR", "lot": "F-1"}, "depth": 1, "origin": "received", "expiry": None, "held": False}
    ]
    assert trace["forward"]["lots"] == []
    code, output = run("trace", "FLOUR", "F-1", "--down", "--format", "json", "--db", db_url)
    assert json.loads(output)["forward"]["on_hand"][0]["qty"] == "60"


def test_unknown_lot_is_one_clear_line_and_exit_code_1(db_url: str) -> None:
    code, output = run("trace", "FLOUR", "NOPE", "--db", db_url)
    assert (code, output.strip()) == (1, "error: lot: unknown lot FLOUR/NOPE")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_demo_then_tables_render(tmp_path: Path, backend: str) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    code, output = run("demo", "--db", db)
    assert code == 0, output
    assert "0 lines refused" in output
    for args in (
        ["trace", "BREAD-W", "W-0001", "--both"],
        ["history", "SALT", "S-HUB"],
        ["balance", "--location", "PLANT"],
        ["exposure", "SALT", "S-HUB"],
        ["massbalance", "SALT", "S-HUB"],
    ):
        code, output = run(*args, "--db", db)
        assert code == 0, (args, output)
    assert "Customers reached" in run("trace", "SALT", "S-HUB", "--down", "--db", db)[1]
    code, output = run("trace", "SALT", "S-HUB", "--summary", "--db", db)
    assert "60 descendant lots (20 BREAD, 20 BREAD-W, 20 DOUGH)" in output
    summary = json.loads(run("trace", "SALT", "S-HUB", "--summary", "--format", "json", "--db", db)[1])
    assert summary["forward_summary"]["lots"] == 60
    assert {c["customer"] for c in summary["forward_summary"]["customers"]} == {
        "FRESHMART",
        "CORNERSHOP",
        "CITYDELI",
        "SCHOOLS",
    }


def test_an_unreachable_database_is_one_clear_line() -> None:
    code, output = run("balance", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert code == 1
    assert output.startswith("error: cannot use the database postgresql://nobody@127.0.0.1:1/none:")
    code, output = run("balance", "--db", "not a url")
    assert code == 1
    assert "cannot use the database not a url" in output


def test_every_command_has_help_text() -> None:
    def walk(group: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
        for name, sub in group.commands.items():
            yield (*path, name), sub
            if hasattr(sub, "commands"):
                yield from walk(sub, (*path, name))

    seen = []
    for path, sub in walk(get_command(app), ()):
        assert sub.help, f"lotledger {' '.join(path)} has no help"
        assert run(*path, "--help")[0] == 0
        seen.append(" ".join(path))
    assert {"trace", "user add", "token list", "label pallet", "sscc allocate"} <= set(seen)


def test_a_recent_demo_ends_before_now_with_fresh_stock_and_an_account_per_kind_of_work(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from lotledger.bootstrap import bootstrap
    from lotledger.config import Settings
    from lotledger.domain.records import EventFilter

    db = f"sqlite:///{tmp_path / 'demo.db'}"
    code, output = run("demo", "--recent", "--db", db)
    assert code == 0, output
    assert "user floor, password demo-plant (operator)" in output
    app = bootstrap(Settings(db), migrate=False)
    try:
        assert {(u.username, u.role) for u in app.accounts.users()} == {
            ("demo", "admin"),
            ("floor", "operator"),
            ("qa", "quality"),
        }
        times = [e.time for e in app.queries.events(EventFilter(), limit=1000).events]
        now = datetime.now(UTC)
        assert now - timedelta(days=4) < min(times)
        assert max(times) < now
    finally:
        app.close()
