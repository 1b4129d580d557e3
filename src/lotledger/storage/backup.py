"""Backups that are whole while the server writes: SQLite's online backup, PostgreSQL's pg_dump.

Copying `lotledger.db` by hand while the server runs can miss the events
still in its write-ahead log; SQLite's backup API copies a consistent
snapshot, WAL included. For PostgreSQL `pg_dump` takes a consistent snapshot
in its custom format, which `pg_restore` reads back.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from lotledger.domain.errors import LotledgerError, ValidationError


class SqlBackups:
    """The `BackupStore` port over one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def backup(self, target: Path) -> None:
        backup(self.engine, target)

    def restore(self, source: Path) -> None:
        restore(self.engine, source)

    def copy_url(self, target: Path) -> str | None:
        return f"sqlite:///{target.resolve()}" if self.engine.dialect.name == "sqlite" else None


def backup(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the database to `target` (which must not exist)."""
    if target.exists():
        raise ValidationError(f"{target} exists; choose a new file (a backup never overwrites one)", "file")
    if not target.parent.is_dir():
        raise ValidationError(f"the directory {target.parent} does not exist", "file")
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            destination = sqlite3.connect(target)
            try:
                raw.driver_connection.backup(destination)  # type: ignore[union-attr]
            finally:
                destination.close()
        finally:
            raw.close()
        return
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", _libpq_url(engine)], target)


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's contents with the backup in `source`."""
    if not source.is_file():
        raise ValidationError(f"no backup file {source}", "file")
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database:
            raise ValidationError("an in-memory SQLite database cannot be restored into", "db")
        engine.dispose()
        origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            destination = sqlite3.connect(database)
            try:
                origin.backup(destination)
            finally:
                destination.close()
        finally:
            origin.close()
        return
    engine.dispose()
    command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction"]
    _run([*command, f"--dbname={_libpq_url(engine)}", str(source)], None)


def _libpq_url(engine: Engine) -> str:
    url = make_url(engine.url.render_as_string(hide_password=False)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise LotledgerError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _run(command: list[str], written: Path | None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        if written is not None:
            written.unlink(missing_ok=True)
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise LotledgerError(f"{Path(command[0]).name} failed: {reason[-1] if reason else done.returncode}")
