"""`lotledger export epcis`: a valid document written whole, to stdout with its count on stderr, bad input in
one red line and no file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lotledger.cli import app
from tests.epcis_plant import DOMAIN, PREFIX, bakery, epcis_app, schema_errors

runner = CliRunner()


@pytest.fixture
def db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, dict[str, str]]:
    monkeypatch.setenv("LOTLEDGER_GS1_PREFIX", PREFIX)
    monkeypatch.setenv("LOTLEDGER_ID_DOMAIN", DOMAIN)
    monkeypatch.setenv("LOTLEDGER_TIMEZONE", "America/Chicago")
    plant = epcis_app(db_url)
    ids = bakery(plant)
    plant.close()
    return db_url, ids


def test_the_document_is_written_whole_and_counted(db: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    url, ids = db
    out = tmp_path / "bakery.jsonld"
    result = runner.invoke(app, ["export", "epcis", "--out", str(out), "--db", url])
    assert result.exit_code == 0, result.output
    assert result.output.split() == [str(len(ids)), "events;", "wrote", str(out)]
    document = json.loads(out.read_text())
    assert schema_errors(document) == []
    assert document["epcisBody"]["eventList"][0]["bizLocation"] == {"id": f"{DOMAIN}/locations/RAW"}
    again = runner.invoke(app, ["export", "epcis", "--out", str(out), "--db", url])
    assert again.exit_code == 1
    assert f"{out} exists; pass --force to replace it" in again.output
    forced = runner.invoke(app, ["export", "epcis", "--out", str(out), "--force", "--lot", "BREAD", "B-2", "--db", url])
    assert forced.exit_code == 0, forced.output
    assert len(json.loads(out.read_text())["epcisBody"]["eventList"]) == 9


def test_to_stdout_the_document_is_plain_and_the_count_goes_to_stderr(db: tuple[str, dict[str, str]]) -> None:
    url, ids = db
    result = runner.invoke(app, ["export", "epcis", "--out", "-", "--from", "2026-03-05", "--db", url])
    assert result.exit_code == 0, result.output
    events = json.loads(result.stdout)["epcisBody"]["eventList"]
    assert [e["eventID"] for e in events] == [f"urn:uuid:{ids['salt']}"]
    assert "\x1b[" not in result.stdout
    assert result.stderr.strip() == "1 events"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-03-05", "--to", "2026-03-02"], "error: from: 2026-03-05 is after to 2026-03-02"),
        (["--from", "0001-01-01"], "error: from: 0001-01-01 is outside the years 1900-2199"),
        (["--to", "yesterday"], "error: to: expected a date like 2026-12-31, got 'yesterday'"),
        (["--lot", "BREAD", "B-9"], "error: lot: unknown lot BREAD/B-9"),
    ],
)
def test_bad_input_is_one_red_line_and_no_file(
    db: tuple[str, dict[str, str]], tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "never.jsonld"
    result = runner.invoke(app, ["export", "epcis", "--out", str(out), "--db", db[0], *args])
    assert result.exit_code == 1
    assert result.output.strip() == message
    assert list(out.parent.iterdir()) == []  # no temporary file left behind either
