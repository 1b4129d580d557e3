"""`lotledger export fsma204`: files written whole, a summary after, CSV down a pipe, bad input in one red line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from lotledger.bootstrap import bootstrap
from lotledger.cli import app
from lotledger.config import Settings
from tests.fsma_plant import salad_plant

runner = CliRunner()


@pytest.fixture
def db(db_url: str) -> str:
    plant = bootstrap(Settings(db_url), migrate=False)
    salad_plant(plant)
    plant.close()
    return db_url


def test_the_workbook_is_written_and_summed_up(db: str, tmp_path: Path) -> None:
    out = tmp_path / "fsma.xlsx"
    result = runner.invoke(app, ["export", "fsma204", "--format", "xlsx", "--out", str(out), "--db", db])
    assert result.exit_code == 0, result.output
    assert [line.split()[:4] for line in result.output.splitlines() if line.startswith(("│ Rec", "│ Tot"))] == [
        ["│", "Receiving", "│", "4"],
        ["│", "Total", "│", "12"],
    ]
    assert "9/12" not in result.output  # cells, not rows, after the slash
    assert f"wrote {out}" in result.output
    book = load_workbook(out)
    assert book["Transformation"].max_row == 6  # the header and five rows
    assert oct(out.stat().st_mode & 0o777) != "0o600"  # not the temporary file's mode
    again = runner.invoke(app, ["export", "fsma204", "--format", "xlsx", "--out", str(out), "--db", db])
    assert again.exit_code == 1
    assert f"{out} exists; pass --force to replace it" in again.output
    forced = runner.invoke(app, ["export", "fsma204", "--format", "csv", "--out", str(out), "--force", "--db", db])
    assert forced.exit_code == 0, forced.output


def test_csv_to_stdout_is_plain_and_the_summary_goes_to_stderr(db: str) -> None:
    args = ["export", "fsma204", "--format", "csv", "--out", "-", "--lot", "LETTUCE", "L-2", "--db", db]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["CTE"], r["Traceability Lot Code (TLC)"], r["Date"]) for r in table] == [
        ("Receiving", "FARM-78", "2026-03-05")
    ]
    assert "\x1b[" not in result.stdout
    assert "FSMA 204 export" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-03-05", "--to", "2026-03-02"], "error: from: 2026-03-05 is after to 2026-03-02"),
        (["--from", "0001-01-01"], "error: from: 0001-01-01 is outside the years 1900-2199"),
        (["--to", "yesterday"], "error: to: expected a date like 2026-12-31, got 'yesterday'"),
        (["--item", "CAVIAR"], "error: item: unknown item 'CAVIAR'"),
        (["--lot", "SALAD", "S-9"], "error: lot: unknown lot SALAD/S-9"),
    ],
)
def test_bad_input_is_one_red_line_and_exit_1(db: str, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "never.csv"
    result = runner.invoke(app, ["export", "fsma204", "--format", "csv", "--out", str(out), "--db", db, *args])
    assert result.exit_code == 1
    assert result.output.strip() == message
    assert not out.exists()
    assert list(out.parent.iterdir()) == []  # no temporary file left behind either


def test_an_export_that_fails_midway_leaves_no_file(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lotledger.interchange import fsma204

    def broken(export: object, rows: object, target: io.BufferedWriter) -> None:
        target.write(b"PK half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fsma204, "write_xlsx", broken)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "fsma.xlsx"
    result = runner.invoke(app, ["export", "fsma204", "--format", "xlsx", "--out", str(out), "--db", db])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: cannot write {out}: No space left on device"
    assert list(out.parent.iterdir()) == []
