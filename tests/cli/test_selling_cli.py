"""`lotledger so`: order, see the pick list, ship, a refused lot, the delivery note."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lotledger.bootstrap import App
from lotledger.cli import app as cli
from tests.factories import hold, receive, setup_plant

runner = CliRunner()


def _run(*args: str, code: int = 0) -> str:
    done = runner.invoke(cli, list(args))
    assert done.exit_code == code, done.output
    return done.output


def test_a_sales_order_from_the_command_line(app: App, db_url: str, tmp_path: Path) -> None:
    setup_plant(app)
    receive(app, "BREAD", "B-1", 30, "ea", location="FG", expiry="2099-01-01")
    receive(app, "BREAD", "B-2", 30, "ea", location="FG", expiry="2099-02-01")
    hold(app, "BREAD", "B-1")
    db = ("--db", db_url)
    made = _run("so", "create", "SHOP", "--line", "BREAD 20 ea", "--min-shelf-days", "3", *db)
    assert "SO-00001" in made
    picks = json.loads(_run("so", "pick", "SO-00001", "--format", "json", *db))
    assert [(p["stock"]["lot"], p["take"]) for p in picks[0]["suggestion"]["picks"]] == [("B-2", "20")]
    refused = _run("so", "ship", "SO-00001", "--location", "FG", "--line", "BREAD B-1 5 ea", *db, code=1)
    assert "held" in refused
    shipped = _run("so", "ship", "SO-00001", "--location", "FG", "--line", "BREAD B-2 20 ea", *db)
    assert "shipped" in shipped
    listed = json.loads(_run("so", "list", "--format", "json", *db))
    assert [(o["order"]["number"], o["status"]) for o in listed] == [("SO-00001", "shipped")]
    out = tmp_path / "note.pdf"
    _run("so", "note", "SO-00001", "--out", str(out), *db)
    assert out.read_bytes().startswith(b"%PDF-")


def test_the_demo_has_a_shipped_and_an_open_sales_order(tmp_path: Path) -> None:
    db = ("--db", f"sqlite:///{tmp_path / 'demo.db'}")
    _run("demo", *db)
    _run("demo", *db)  # again: no second set of orders
    listed = json.loads(_run("so", "list", "--format", "json", *db))
    assert [s["status"] for s in listed] == ["open", "shipped"]
    assert listed[0]["order"]["number"] == "SO-00041"  # past the plant's shipments' references
