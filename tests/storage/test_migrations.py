"""Alembic builds exactly the schema the code declares, on both backends."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from lotledger.bootstrap import App
from lotledger.demo import plant as demo_plant
from lotledger.storage.engine import make_engine
from lotledger.storage.migrate import alembic_config, upgrade
from lotledger.storage.schema import metadata
from tests.factories import load


def test_migrations_match_the_declared_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


# SQLite only: batch mode rebuilds its tables, where PostgreSQL alters them in place.
def test_the_newest_migration_upgrades_a_database_whose_rows_refer_to_each_other(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    head = scripts.get_revision(scripts.get_current_head())
    previous = str(head.down_revision)
    upgrade(engine, previous)
    with engine.begin() as conn:  # one lot of one item, received at one place from one supplier
        for sql in (
            "INSERT INTO items (id, sku, name, uom, active) VALUES (1, 'FLOUR', 'Flour', 'kg', 1)",
            "INSERT INTO locations (id, code, name, kind, active) VALUES (1, 'RAW', 'Raw', 'warehouse', 1)",
            "INSERT INTO partners (id, code, name, role, active) VALUES (1, 'MILL', 'Mill', 'supplier', 1)",
            "INSERT INTO events (id, type, time, location_id, partner_id, document, body_hash, recorded_at,"
            " recorded_by, client) VALUES ('e1', 'receive', '2026-11-01 08:00:00', 1, 1, '{}', 'h',"
            " '2026-11-01 08:00:00', 'test', 'test')",
            "INSERT INTO lots (id, item_id, code, origin, supplier_id, first_event_id)"
            " VALUES (1, 1, 'F-1', 'received', 1, 'e1')",
        ):
            conn.exec_driver_sql(sql)
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert conn.exec_driver_sql("SELECT sku FROM items JOIN lots ON lots.item_id = items.id").all() == [("FLOUR",)]
    engine.dispose()


def test_descendant_projections_are_filled_as_the_ledger_keeps_them(app: App, engine: Engine) -> None:
    """Migration 0017 on a plant recorded with the projections: dropped and filled again, the same rows."""
    assert load(app, demo_plant(40)).errors == []
    queries = {
        "descendant_counts": "SELECT ancestor_id, item_id, lots FROM descendant_counts WHERE lots <> 0",
        "descendant_stock": "SELECT ancestor_id, location_id, item_id, qty, lots FROM descendant_stock"
        " WHERE qty <> 0 OR lots <> 0",
    }

    def rows() -> dict[str, set[tuple[int, ...]]]:
        with engine.connect() as conn:
            return {name: {tuple(r) for r in conn.execute(text(sql))} for name, sql in queries.items()}

    kept = rows()
    assert all(kept.values())
    config = alembic_config(engine)
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0016")
        connection.commit()
    upgrade(engine)
    assert rows() == kept
