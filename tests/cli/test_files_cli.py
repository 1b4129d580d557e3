"""Files on the command line: invalid UTF-8 named by line, labels never overwrite or follow links."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from lotledger.bootstrap import App
from lotledger.cli import app as cli
from tests.factories import receive, setup_plant

runner = CliRunner()
RECEIPT = (
    '{{"type":"receive","time":"2026-11-01T08:00:00Z","location":"RAW","partner":"MILL",'
    '"lines":[{{"item":"FLOUR","lot":"{0}","qty":"1","uom":"kg"}}]}}'
)


def test_a_line_of_invalid_utf8_is_refused_by_number_and_the_rest_is_kept(
    app: App, db_url: str, tmp_path: Path
) -> None:
    setup_plant(app)
    path = tmp_path / "events.jsonl"
    path.write_bytes(
        b"\n".join([RECEIPT.format("F-1").encode(), b'{"note": "caf\xe9"}', RECEIPT.format("F-2").encode()])
    )
    result = runner.invoke(cli, ["import", str(path), "--db", db_url])
    assert result.exit_code == 1
    assert "2 events stored" in result.output
    assert "line 2: not valid UTF-8: byte 0xe9 at column 14" in result.output


def _label(db_url: str, out: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["label", "lot", "BREAD", "B-1", "--out", str(out), "--db", db_url, *extra])
    return result.exit_code, result.output


def test_a_label_is_never_written_over_a_file_or_through_a_link(app: App, db_url: str, tmp_path: Path) -> None:
    setup_plant(app)
    receive(app, "BREAD", "B-1", 10, "ea")
    missing = tmp_path / "no-such-dir" / "label.svg"
    code, output = _label(db_url, missing)
    assert code == 1
    assert output.strip().splitlines() == [f"error: cannot write {missing}: No such file or directory"]
    existing = tmp_path / "label.svg"
    existing.write_text("yesterday's label")
    code, output = _label(db_url, existing)
    assert (code, existing.read_text()) == (1, "yesterday's label")
    assert "exists; pass --force to replace it" in output
    assert _label(db_url, existing, "--force")[0] == 0
    assert existing.read_text().startswith("<?xml")
    link = tmp_path / "link.svg"
    link.symlink_to(tmp_path / "elsewhere.svg")
    code, output = _label(db_url, link, "--force")
    assert code == 1
    assert "is a symbolic link" in output
    assert not (tmp_path / "elsewhere.svg").exists()
