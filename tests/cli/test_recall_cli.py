"""`lotledger recall`: a whole recall drill from the command line, as the README shows it."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC
from pathlib import Path

from typer.testing import CliRunner

from lotledger.bootstrap import App
from lotledger.cli import app as cli
from lotledger.domain.model import LotKey
from tests.storage.test_recalls import plant  # noqa: F401 (the fixture)

runner = CliRunner()


def _run(*args: str) -> str:
    done = runner.invoke(cli, list(args))
    assert done.exit_code == 0, done.output
    return done.output


def test_a_recall_from_the_command_line(plant: App, db_url: str, tmp_path: Path) -> None:  # noqa: F811
    db = ("--db", db_url)
    shown = _run("recall", "--supplier-lot", "M-77", "--reason", "sesame in flour", "--hold", *db)
    assert "Recall 1: Recall: supplier lot M-77" in shown
    assert "Dana Reyes" in shown
    assert "qa@shop.example" in shown
    assert "106141412345678908" in shown  # the pallet the shop got
    as_json = json.loads(_run("recall", "show", "1", "--format", "json", *db))
    assert {lot["lot"] for lot in as_json["held"]} == {"F-1", "D-1", "B-1"}
    rows = list(csv.DictReader(io.StringIO(_run("recall", "show", "1", "--format", "csv", *db))))
    assert {(r["section"], r["lot"]) for r in rows} >= {("lot", "F-1"), ("on hand", "B-1"), ("shipped", "B-1")}
    _run("recall", "notify", "1", "SHOP", "--via", "phone", "--note", "spoke to Dana", *db)
    _run("recall", "dispose", "1", "DELI", "BREAD", "B-1", "20", "ea", *db)
    notices = tmp_path / "notices.pdf"
    _run("recall", "notices", "1", "--out", str(notices), *db)
    content = notices.read_bytes()
    assert content.startswith(b"%PDF-")
    assert content.count(b"/Type /Page\n") + content.count(b"/Type /Page ") + content.count(b"/Type /Page>") >= 2
    listed = _run("recall", "list", *db)
    assert "notified" in listed
    closed = _run("recall", "close", "1", "--note", "done", *db)
    assert "note: closed with never notified: DELI; accounted for 40% of what was shipped" in closed
    refused = runner.invoke(cli, ["recall", "notify", "1", "SHOP", *db])
    assert refused.exit_code == 1
    assert "recall 1 is closed" in refused.output


def test_a_mock_drill_is_timed_and_listed(plant: App, db_url: str) -> None:  # noqa: F811
    shown = _run("recall", "FLOUR", "F-1", "--mock", "--db", db_url)
    assert "Mock recall (drill) 1" in shown
    assert "drill: the complete report took" in shown
    listed = json.loads(_run("recall", "list", "--mock", "--format", "json", "--db", db_url))
    assert [(r["case"]["kind"], r["traced"]) for r in listed] == [("mock", "1")]


def test_a_recall_without_a_reason_or_of_an_unknown_lot_is_one_red_line(plant: App, db_url: str) -> None:  # noqa: F811
    missing = runner.invoke(cli, ["recall", "FLOUR", "F-1", "--db", db_url])
    assert missing.exit_code == 1
    assert missing.output.strip() == "error: --reason is required: say why the lots are recalled"
    unknown = runner.invoke(cli, ["recall", "FLOUR", "F-9", "--reason", "x", "--db", db_url])
    assert unknown.exit_code == 1
    assert "unknown lot FLOUR/F-9" in unknown.output
    assert "Traceback" not in unknown.output


def test_a_supplier_window_includes_its_last_day_and_ids_out_of_range_are_refused(plant: App, db_url: str) -> None:  # noqa: F811
    # the days the plant's flour came in (tests/factories.py dates events a minute apart), both included
    first, last = (plant.queries.history(LotKey("FLOUR", lot))[0].time.astimezone(UTC).date().isoformat()
                   for lot in ("F-1", "F-2"))  # fmt: skip
    shown = _run("recall", "--supplier", "MILL", "--since", first, "--until", last, "--reason", "x", "--db", db_url)
    assert "recalled lots" in shown
    assert "FLOUR/F-1, FLOUR/F-2" in shown
    for bad in ("0", "99999999999999999999999"):
        refused = runner.invoke(cli, ["recall", "show", bad, "--db", db_url])
        assert refused.exit_code == 2
        assert "Traceback" not in refused.output
