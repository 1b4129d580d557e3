"""`lotledger recipe` and `lotledger wo`: a recipe, a work order, production from two lots, the variance table."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from lotledger.bootstrap import App
from lotledger.cli import app as cli
from tests.factories import receive, setup_plant

runner = CliRunner()


def _run(*args: str) -> str:
    done = runner.invoke(cli, list(args), terminal_width=200)
    assert done.exit_code == 0, done.output
    return done.output


def test_a_work_order_from_the_command_line(app: App, db_url: str) -> None:
    setup_plant(app)
    receive(app, "FLOUR", "F-1", 60, expiry="2099-01-01")
    receive(app, "FLOUR", "F-2", 100, expiry="2099-02-01")
    db = ("--db", db_url)
    saved = _run("recipe", "add", "DOUGH", "--input", "FLOUR", "98", "kg", "--input", "SALT", "2000", "g",
                 "--batch", "100", "--yield", "95", *db)  # fmt: skip
    assert "recipe DOUGH v1 saved" in saved
    assert "FLOUR 98 kg, SALT 2000 g" in _run("recipe", "show", "DOUGH", *db)
    opened = _run("wo", "create", "DOUGH", "95", *db)  # the plant's one line
    assert "Work order WO-00001: DOUGH v1" in opened
    assert "F-1" in opened
    assert "take" in opened
    made = _run("wo", "produce", "WO-00001", "--input", "FLOUR", "F-1", "60", "kg", "--input", "FLOUR", "F-2",
                "40", "kg", "--output", "90", *db)  # fmt: skip
    assert "DOUGH-" in made
    shown = json.loads(_run("wo", "show", "WO-00001", "--format", "json", *db))
    assert (shown["status"], shown["variance"]["yield_pct"]) == ("in progress", None)  # no salt: nothing to divide by
    assert [(c["lot"], c["qty"]) for c in shown["consumed"]] == [("F-1", "60"), ("F-2", "40")]
    table = _run("wo", "show", "WO-00001", *db)
    assert "Yield and variance" in table
    assert "7.157895 kg" in table
    listed = json.loads(_run("wo", "list", "--format", "json", *db))
    assert [(w["order"]["number"], w["status"]) for w in listed] == [("WO-00001", "in progress")]
    assert "work order WO-00001: done" in _run("wo", "close", "WO-00001", "--note", "out of salt", *db)


def test_a_refusal_names_the_field(app: App, db_url: str) -> None:
    setup_plant(app)
    refused = runner.invoke(cli, ["recipe", "add", "DOUGH", "--input", "FLOUR", "1", "ea", "--db", db_url])
    assert refused.exit_code == 1
    assert "inputs[0].uom: unit 'ea' does not convert to the item's base unit 'kg'" in refused.output
    odd = runner.invoke(cli, ["recipe", "add", "DOUGH", "--input", "FLOUR", "1", "--db", db_url])
    assert odd.exit_code == 2
    assert "--input takes 3 values: ITEM QTY UOM" in odd.output
