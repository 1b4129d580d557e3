"""lotledger import of a register (dry run, then the import, then again) and lotledger template."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lotledger.bootstrap import App
from lotledger.cli import app as cli
from lotledger.domain.model import LotKey
from lotledger.domain.records import EventFilter
from lotledger.interchange import read_ahead
from tests.epcis_documents import (
    DOCK_GLN,
    FLOUR_GTIN,
    IDS,
    MILL_GLN,
    document,
    encode,
    own_element,
    partner_receipt,
    vocabulary,
)
from tests.factories import setup_plant
from tests.legacy_register import csv_bytes, register_xlsx
from tests.unit.test_read_ahead import Children, plant_file

runner = CliRunner()


def events(app: App) -> int:
    return len(app.queries.events(EventFilter(), limit=1000).events)


def test_a_register_is_dry_run_imported_and_imported_again_for_nothing(app: App, db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "register.data"  # the name says nothing: the content does
    path.write_bytes(register_xlsx())
    dry = runner.invoke(cli, ["import", str(path), "--dry-run", "--db", db_url])
    assert (dry.exit_code, events(app)) == (0, 0), dry.output
    assert "dry run, nothing written: would be 3 events stored" in dry.output
    done = runner.invoke(cli, ["import", str(path), "--db", db_url])
    assert (
        "3 events stored, 0 already recorded, 6 master-data records saved (0 unchanged), 0 rows refused" in done.output
    )
    again = runner.invoke(cli, ["import", str(path), "--db", db_url])
    assert "0 events stored, 3 already recorded, 0 master-data records saved (6 unchanged)" in again.output
    assert app.queries.lot(LotKey("BAR", "B-1")).origin == "produced"


def test_a_mapped_csv_with_bad_rows_names_them_and_exits_1(app: App, db_url: str, tmp_path: Path) -> None:
    setup_plant(app)
    rows = [
        ["Date", "Lot [no]", "qty"],
        ["02/03/2025", "F-1", "5"],
        ["31/02/2025", "F-2", "5"],
        ["03/03/2025", "F-3", "-1"],
    ]
    (tmp_path / "in.csv").write_bytes(csv_bytes(rows, ";"))
    (tmp_path / "map.toml").write_text(
        'date_format = "%d/%m/%Y"\n[columns]\nDate = "time"\n"Lot [no]" = "lot"\n'
        '[defaults]\nitem = "FLOUR"\nuom = "kg"\nlocation = "RAW"\npartner = "MILL"\n'
    )
    argv = ["import", str(tmp_path / "in.csv"), "--type", "receive", "--mapping", str(tmp_path / "map.toml")]
    result = runner.invoke(cli, [*argv, "--dry-run", "--db", db_url])
    assert result.exit_code == 1
    assert "would be 1 events stored" in result.output
    assert "row 3: Date: expected a date like '%d/%m/%Y', got '31/02/2025'" in result.output
    assert "row 4: qty: expected a positive quantity, got '-1'" in result.output
    assert events(app) == 0


def test_a_file_of_another_kind_is_one_line_naming_it(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "photo.csv").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = runner.invoke(cli, ["import", str(tmp_path / "photo.csv"), "--db", db_url])
    assert result.exit_code == 1
    assert result.output.startswith(
        "error: file: not a file lotledger imports (JSON Lines, EPCIS JSON-LD, CSV or XLSX)"
    )
    (tmp_path / "map.toml").write_text('[columns]\nA = "nope"\n')
    (tmp_path / "in.csv").write_text("A,B\n1,2\n")
    result = runner.invoke(
        cli, ["import", str(tmp_path / "in.csv"), "--mapping", str(tmp_path / "map.toml"), "--db", db_url]
    )
    assert result.exit_code == 1
    assert "error: columns.A: 'nope' is not a lotledger column" in result.output


def test_templates_are_printed_or_written(tmp_path: Path) -> None:
    printed = runner.invoke(cli, ["template", "ship"])
    assert printed.exit_code == 0
    assert printed.output.splitlines()[0] == "event,id,time,location,reference,actor,note,partner,item,lot,qty,uom"
    out = tmp_path / "all.xlsx"
    written = runner.invoke(cli, ["template", "all", "--format", "xlsx", "--out", str(out)])
    assert (written.exit_code, out.read_bytes()[:2]) == (0, b"PK")
    wrong = runner.invoke(cli, ["template", "sell"])
    assert (wrong.exit_code, wrong.output.startswith("error: type: 'sell' is not a record type")) == (1, True)


def test_an_epcis_document_is_imported_by_content_and_lists_what_it_created(
    app: App, db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "from-the-mill.json"
    path.write_bytes(encode(document([partner_receipt()])))
    dry = runner.invoke(cli, ["import", str(path), "--dry-run", "--db", db_url])
    assert (dry.exit_code, events(app)) == (0, 0), dry.output
    assert f"item {FLOUR_GTIN}" in dry.output
    done = runner.invoke(cli, ["import", str(path), "--db", db_url])
    assert done.exit_code == 0, done.output
    assert "1 events stored" in done.output
    assert f"location {DOCK_GLN}" in done.output
    assert f"partner {MILL_GLN}" in done.output
    assert app.queries.lot(LotKey(FLOUR_GTIN, "F-77")).origin == "received"


def test_a_dry_run_and_the_import_of_an_epcis_document_name_the_same_records(
    app: App, db_url: str, tmp_path: Path
) -> None:
    """Names resolve against the ledger as it was before the document: a header item whose sku happens to be
    the GTIN an event names (without a gtin field) is saved first, and the event still creates its item,
    in the dry run and in the import alike (the import streams the events after saving the header)."""
    own = own_element(IDS.product_class(FLOUR_GTIN, None), {"sku": FLOUR_GTIN, "name": "Rye flour", "uom": "kg"})
    path = tmp_path / "header-first.json"
    path.write_bytes(encode(document([partner_receipt()], [vocabulary("EPCClass", [own])])))
    dry = runner.invoke(cli, ["import", str(path), "--dry-run", "--db", db_url])
    done = runner.invoke(cli, ["import", str(path), "--db", db_url])
    assert (dry.exit_code, done.exit_code) == (0, 0), dry.output + done.output

    def said(output: str) -> tuple[str, list[str]]:
        counts, created = " ".join(output.split()).split(" events stored, ", 1)[1].split(" Created: ")
        return counts, sorted(created.split(", "))

    assert said(dry.output) == said(done.output)
    assert said(done.output)[0] == "0 already recorded, 4 master-data records saved (0 unchanged), 0 events refused"


def test_the_template_imports_beside_a_plant_without_changing_its_records(
    app: App, db_url: str, tmp_path: Path
) -> None:
    from lotledger.domain.model import Item, Location, Partner

    setup_plant(app)
    before = [sorted(map(repr, app.master_data.all(kind))) for kind in (Item, Location, Partner)]
    path = tmp_path / "register.xlsx"
    assert runner.invoke(cli, ["template", "all", "--format", "xlsx", "--out", str(path)]).exit_code == 0
    done = runner.invoke(cli, ["import", str(path), "--db", db_url])
    assert done.exit_code == 0, done.output
    assert "6 master-data records saved (0 unchanged), 0 rows refused" in done.output
    after = [sorted(map(repr, app.master_data.all(kind))) for kind in (Item, Location, Partner)]
    assert all(set(old) <= set(new) for old, new in zip(before, after, strict=True))  # nothing changed, 6 added


def test_a_large_json_lines_file_is_read_in_a_second_process_that_ends_with_the_import(
    app: App, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read_ahead, "AHEAD_FROM", 0)  # every file is large
    children = Children(monkeypatch)
    path = plant_file(tmp_path / "plant.jsonl", cycles=40)
    result = runner.invoke(cli, ["import", str(path), "--db", db_url])
    assert result.exit_code == 1  # the file's bad lines
    assert "line 66: lines[0].qty: '1e999999' is too large (less than 10^12 in any unit)" in result.output
    assert "7 lines refused" in result.output
    assert len(children.started) == 1
    assert children.all_ended()
    assert app.verification.verify(replay=False).intact
