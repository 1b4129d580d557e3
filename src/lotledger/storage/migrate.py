"""Bring a database to the newest schema with Alembic."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine

from lotledger.storage.engine import reading

_SCRIPTS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x6C6F746D6967  # PostgreSQL advisory lock held while migrating ("lotmig")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to `revision` (idempotent)."""
    config = alembic_config(engine)
    with engine.connect().execution_options(readonly=False) as connection:
        if connection.dialect.name == "postgresql":  # two processes upgrading at once: one after the other
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


def revisions(engine: Engine) -> tuple[str | None, str]:
    """The database's schema revision (None if it has none) and the newest this code knows."""
    from alembic.runtime.migration import MigrationContext

    with reading(engine) as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, _head()


@functools.cache
def _head() -> str:
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return str(ScriptDirectory.from_config(config).get_current_head())


def new_revision(message: str, revision_id: str) -> None:
    """Write a new migration by comparing schema.py with a scratch SQLite database at head."""
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{scratch}/scratch.db")
        upgrade(engine)
        config = alembic_config(engine)
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.revision(config, message=message, autogenerate=True, rev_id=revision_id)
        engine.dispose()
