"""`lotledger verify`: exit 0 on an intact record, 3 naming the first break after tampering."""

from __future__ import annotations

from sqlalchemy import Engine, text
from typer.testing import CliRunner

from lotledger.bootstrap import App
from lotledger.cli import app as cli
from tests.factories import line, produce, receive, setup_plant

runner = CliRunner()


def test_verify_passes_an_intact_record_and_names_a_changed_balance(app: App, db_url: str, engine: Engine) -> None:
    setup_plant(app)
    receive(app, "FLOUR", "F-1", 100)
    produce(app, [line("FLOUR", "F-1", 40)], [line("DOUGH", "D-1", 40)])
    intact = runner.invoke(cli, ["verify", "--db", db_url])
    assert intact.exit_code == 0, intact.output
    assert "2 events in the chain; head 2:" in intact.output
    assert "intact: 2 events replayed" in intact.output
    head = intact.output.split("head ")[1].split()[0]
    assert runner.invoke(cli, ["verify", "--db", db_url, "--head", head, "--no-replay"]).exit_code == 0
    with engine.begin() as conn:
        conn.execute(text("UPDATE balances SET qty = 1 WHERE lot_id = (SELECT id FROM lots WHERE code = 'D-1')"))
    broken = runner.invoke(cli, ["verify", "--db", db_url])
    assert broken.exit_code == 3
    assert "balance of DOUGH/D-1 at RAW: stored 0.000001, the events give 40" in broken.output
    assert runner.invoke(cli, ["verify", "--db", db_url, "--head", "nonsense"]).exit_code == 2
