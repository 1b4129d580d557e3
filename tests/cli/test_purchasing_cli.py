"""`lotledger po`: order, receive part, see what is open, a refusal beyond the tolerance, close short."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lotledger.bootstrap import App
from lotledger.cli import app as cli
from tests.factories import setup_plant

runner = CliRunner()


def _run(*args: str) -> str:
    done = runner.invoke(cli, list(args))
    assert done.exit_code == 0, done.output
    return done.output


def test_a_purchase_order_from_the_command_line(app: App, db_url: str) -> None:
    setup_plant(app)
    db = ("--db", db_url)
    made = _run(
        "po", "create", "MILL", "--line", "FLOUR 1 t expected=2026-12-01", "--line", "SALT 20", "--tolerance", "5", *db
    )
    assert "Purchase order PO-00001" in made
    assert "open" in made
    line = "FLOUR F-1 600 kg supplier_lot=M-77"
    received = _run("po", "receive", "PO-00001", "--location", "RAW", "--line", line, "--expiry", "2027-06-30", *db)
    assert "partly received" in received
    shown = json.loads(_run("po", "show", "PO-00001", "--format", "json", *db))
    assert [(p["line"]["item"], p["received"], p["open"]) for p in shown["lines"]] == [
        ("FLOUR", "600", "400"),
        ("SALT", "0", "20"),
    ]
    assert shown["lots"] == [
        {"item": "FLOUR", "lot": "F-1", "qty": "600", "uom": "kg", "supplier_lot": "M-77", "expiry": "2027-06-30"}
    ]
    over = runner.invoke(cli, ["po", "receive", "PO-00001", "--location", "RAW", "--line", "FLOUR F-2 0.5 t", *db])
    assert over.exit_code == 1
    assert "beyond the 5% tolerance (1050 kg at most)" in over.output
    bad = runner.invoke(cli, ["po", "receive", "PO-00001", "--location", "RAW", "--line", "FLOUR F-2", *db])
    assert bad.exit_code == 2
    assert "'FLOUR F-2': expected item lot qty uom" in " ".join(bad.output.replace("│", " ").split())
    listed = json.loads(_run("po", "list", "--status", "partly received", "--format", "json", *db))
    assert [s["order"]["number"] for s in listed] == ["PO-00001"]
    assert "done" in _run("po", "close", "PO-00001", *db)
    _run("po", "create", "MILL", "--line", "SALT 5 kg", "--number", "MILL-77", *db)
    assert "cancelled" in _run("po", "cancel", "MILL-77", "--reason", "Ordered twice", *db)


def test_the_demo_has_a_received_a_partly_received_and_an_open_order(tmp_path: Path) -> None:
    db = ("--db", f"sqlite:///{tmp_path / 'demo.db'}")
    _run("demo", *db)
    _run("demo", *db)  # again: no second set of orders
    listed = json.loads(_run("po", "list", "--format", "json", *db))
    assert [(s["order"]["number"], s["order"]["supplier"], s["status"]) for s in listed] == [
        ("PO-00006", "MILLCO", "open"),  # after the demo's five numbered deliveries
        ("PO-00002", "YEASTY", "partly received"),
        ("PO-00001", "MILLCO", "received"),
    ]
