"""`lotledger verify --replay` recomputes the tables derived from the ledger's rows (the closure, customer
reach, descendant counts and stock) and names every row that differs: each is broken here on purpose."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from lotledger.bootstrap import App
from lotledger.cli import app as cli
from tests.factories import line, produce, receive, setup_plant, ship, void

runner = CliRunner()


def _lot(code: str) -> str:
    return f"(SELECT id FROM lots WHERE code = '{code}')"


def _item(sku: str) -> str:
    return f"(SELECT id FROM items WHERE sku = '{sku}')"


def _build(app: App) -> None:
    """Two materials into a dough, a dough into another, rework of the second back into the first (a loop),
    shipments to two customers (one voided), and a production voided (its edges and closure taken back)."""
    setup_plant(app)
    receive(app, "FLOUR", "F-1", 100)
    receive(app, "SALT", "S-1", 10)
    produce(app, [line("FLOUR", "F-1", 40), line("SALT", "S-1", 1)], [line("DOUGH", "D-1", 41)])
    produce(app, [line("DOUGH", "D-1", 20)], [line("DOUGH", "D-2", 20)])
    produce(app, [line("DOUGH", "D-2", 5)], [line("DOUGH", "D-1", 5)])
    ship(app, "DOUGH", "D-1", 5)
    void(app, ship(app, "DOUGH", "D-2", 3, customer="DELI").id)
    ship(app, "DOUGH", "D-2", 2, customer="DELI")
    void(app, produce(app, [line("FLOUR", "F-1", 10)], [line("DOUGH", "D-3", 10)]).id)


def test_an_intact_ledger_has_no_differences_in_its_derived_tables(app: App) -> None:
    _build(app)
    verdict = app.verification.verify(replay=True)
    assert verdict.replayed == 11
    assert verdict.differences == []
    assert verdict.intact


BROKEN = [
    pytest.param(
        f"DELETE FROM lot_closure WHERE ancestor_id = {_lot('F-1')} AND descendant_id = {_lot('D-2')}",
        [
            "lot_closure: ancestor lot FLOUR/F-1, descendant lot DOUGH/D-2, depth 2, item DOUGH follows from its "
            "sources but is not kept"
        ],
        id="a closure pair lost",
    ),
    pytest.param(
        f"UPDATE lot_closure SET depth = 3 WHERE ancestor_id = {_lot('S-1')} AND descendant_id = {_lot('D-1')}",
        [
            "lot_closure: ancestor lot SALT/S-1, descendant lot DOUGH/D-1, depth 3, item DOUGH is kept but its "
            "sources do not give it",
            # the pair below it is checked against it: one step from a wrong depth is a wrong depth
            "lot_closure: ancestor lot SALT/S-1, descendant lot DOUGH/D-2, depth 2, item DOUGH is kept but its "
            "sources do not give it",
            "lot_closure: ancestor lot SALT/S-1, descendant lot DOUGH/D-1, depth 1, item DOUGH follows from its "
            "sources but is not kept",
            "lot_closure: ancestor lot SALT/S-1, descendant lot DOUGH/D-2, depth 4, item DOUGH follows from its "
            "sources but is not kept",
        ],
        id="a closure depth changed",
    ),
    pytest.param(
        "INSERT INTO lot_closure (ancestor_id, descendant_id, depth, item_id) "
        f"VALUES ({_lot('S-1')}, {_lot('F-1')}, 1, {_item('FLOUR')})",
        [
            "lot_closure: ancestor lot SALT/S-1, descendant lot FLOUR/F-1, depth 1, item FLOUR is kept but its "
            "sources do not give it"
        ],
        id="a closure pair made up",
    ),
    pytest.param(
        f"UPDATE descendant_counts SET lots = lots + 1 WHERE ancestor_id = {_lot('F-1')}",
        [
            "descendant_counts: ancestor lot FLOUR/F-1, item DOUGH, lots 3 is kept but its sources do not give it",
            "descendant_counts: ancestor lot FLOUR/F-1, item DOUGH, lots 2 follows from its sources but is not kept",
        ],
        id="a descendant count changed",
    ),
    pytest.param(
        f"UPDATE descendant_stock SET qty = qty - 1000000 WHERE ancestor_id = {_lot('S-1')} "
        f"AND item_id = {_item('DOUGH')}",
        [
            "descendant_stock: ancestor lot SALT/S-1, location RAW, item DOUGH, qty 33, lots 2 is kept but its "
            "sources do not give it",
            "descendant_stock: ancestor lot SALT/S-1, location RAW, item DOUGH, qty 34, lots 2 follows from its "
            "sources but is not kept",
        ],
        id="a descendant stock changed",
    ),
    pytest.param(
        f"DELETE FROM lot_reach WHERE ancestor_id = {_lot('F-1')} AND partner_id = "
        "(SELECT id FROM partners WHERE code = 'DELI')",
        [
            "lot_reach: ancestor lot FLOUR/F-1, partner DELI, item DOUGH, qty 2, lines 1 follows from its sources "
            "but is not kept"
        ],
        id="a customer's reach lost",
    ),
    pytest.param(
        f"UPDATE lot_reach SET lines = 0, qty = 0 WHERE ancestor_id = {_lot('D-2')} AND partner_id = "
        "(SELECT id FROM partners WHERE code = 'SHOP')",
        [
            "lot_reach: ancestor lot DOUGH/D-2, partner SHOP, item DOUGH, qty 5, lines 1 follows from its sources "
            "but is not kept"
        ],
        id="a customer's reach zeroed",
    ),
]


@pytest.mark.parametrize(("damage", "expected"), BROKEN)
def test_a_damaged_derived_table_is_named_row_by_row(
    app: App, engine: Engine, damage: str, expected: list[str]
) -> None:
    _build(app)
    with engine.begin() as conn:
        assert conn.execute(text(damage)).rowcount == 1
    verdict = app.verification.verify(replay=True)
    assert verdict.differences == expected
    assert not verdict.intact


def test_verify_exits_3_naming_the_derived_table(app: App, db_url: str, engine: Engine) -> None:
    _build(app)
    with engine.begin() as conn:
        conn.execute(text(f"DELETE FROM descendant_counts WHERE ancestor_id = {_lot('SALT')}"))
        conn.execute(text(f"DELETE FROM descendant_counts WHERE ancestor_id = {_lot('S-1')}"))
    done = runner.invoke(cli, ["verify", "--db", db_url])
    assert done.exit_code == 3, done.output
    said = " ".join(done.output.split())
    assert (
        "descendant_counts: ancestor lot SALT/S-1, item DOUGH, lots 2 follows from its sources but is not kept" in said
    )
    assert runner.invoke(cli, ["verify", "--db", db_url, "--no-replay"]).exit_code == 0  # the chain alone holds
