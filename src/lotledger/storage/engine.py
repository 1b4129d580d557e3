"""Engines for SQLite (WAL, synchronous=FULL, foreign keys) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite connections get the pragmas the ledger relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # Traces are many small index lookups: starting parallel workers costs more
    # (about 4 ms a query here) than the lookups themselves, and so does JIT
    # compiling a query whose estimated cost passes jit_above_cost (90 ms for a
    # 0.1 ms trace query at 10 M events, docs/performance.md).
    options = "-c max_parallel_workers_per_gather=0 -c jit=off"
    return create_engine(url, pool_pre_ping=True, connect_args={"options": options})


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction: on SQLite it begins deferred and never waits for, nor blocks, a writer."""
    with engine.connect().execution_options(readonly=True) as conn, conn.begin():
        yield conn


def analyze(engine: Engine) -> None:
    """Refresh the planner's statistics after a bulk import, so traces keep their index plans.

    On PostgreSQL also VACUUM: it marks pages all-visible, which lets the
    trace queries answer from their indexes alone."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN; we take the write lock
    # at BEGIN (IMMEDIATE) so a read-check-write sequence is never interleaved.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        # The default 2 MB page cache thrashes once a plant has a million
        # events: index inserts (random UUIDs, the closure) want their pages hot.
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.close()

    # Readers (connections with execution option readonly=True) begin deferred:
    # under WAL they see a snapshot and never block the writer.
    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        readonly = connection.get_execution_options().get("readonly", False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
