"""Fixtures: a fresh ledger in memory, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import copy
import itertools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from sqlalchemy import Engine, create_engine, text

from lotledger.bootstrap import App, bootstrap
from lotledger.config import Settings
from lotledger.services.master_data import MasterData
from lotledger.services.recording import Recording
from lotledger.storage.engine import make_engine
from lotledger.storage.memory import MemoryLedger
from lotledger.storage.memory_reads import MemoryReader
from lotledger.storage.migrate import upgrade
from tests.pg import Cluster

BACKENDS = ["sqlite", "postgresql"]
ALL_LEDGERS = ["memory", *BACKENDS]

# In CI the property tests replay the same examples every run (no flaky
# landings); on a developer's machine they keep exploring new ones.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
_names = itertools.count()


@pytest.fixture(autouse=True)
def _parameters_stay_as_written(request: pytest.FixtureRequest) -> Iterator[None]:
    """A parametrized dict or list is shared by every test it parametrizes: a test that changed
    it would change the next test's input. Fail the test that does (copy it instead)."""
    callspec = getattr(request.node, "callspec", None)
    params = {k: v for k, v in (callspec.params.items() if callspec else ()) if isinstance(v, (dict, list))}
    before = copy.deepcopy(params)
    yield
    for name, value in params.items():
        if value == before[name]:
            continue
        pytest.fail(f"{request.node.nodeid} changed its parameter {name!r}: copy it before changing it")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[str]:
    """The server URL: $LOTLEDGER_TEST_PG, or a throwaway cluster. In CI a missing server fails."""
    if os.environ.get("LOTLEDGER_TEST_PG"):
        yield os.environ["LOTLEDGER_TEST_PG"]
        return
    try:
        cluster = Cluster()
    except Exception as error:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs PostgreSQL and it did not start: {error}")
        pytest.skip(f"PostgreSQL not available: {error}")
    yield cluster.url
    cluster.stop()


@pytest.fixture(scope="session")
def pg_template(pg_cluster: str) -> str:
    """A migrated database that each test copies (CREATE DATABASE ... TEMPLATE)."""
    admin = create_engine(pg_cluster, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS lotledger_template"))
        conn.execute(text("CREATE DATABASE lotledger_template"))
    admin.dispose()
    engine = make_engine(pg_cluster.rsplit("/", 1)[0] + "/lotledger_template")
    upgrade(engine)
    engine.dispose()
    return pg_cluster


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def fresh_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "ledger.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("pg_template")
    name = f"test_{os.getpid()}_{next(_names)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE lotledger_template"))
    yield server.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database on each backend."""
    yield from fresh_db_url(request.param, request, tmp_path)


@pytest.fixture
def app(db_url: str) -> Iterator[App]:
    ledger_app = bootstrap(Settings(db_url), migrate=False)
    yield ledger_app
    ledger_app.close()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The same database as `app`, for checks below the services (triggers, snapshots)."""
    found = make_engine(db_url)
    yield found
    found.dispose()


@dataclass
class MemoryPlant:
    """The services the behaviour tests use, over the in-memory ledger (the same shape as App's)."""

    recording: Recording
    master_data: MasterData
    queries: MemoryReader

    def close(self) -> None:
        self.recording.close()


def memory_plant() -> MemoryPlant:
    ledger = MemoryLedger()
    reads = MemoryReader(ledger)
    return MemoryPlant(Recording(ledger), MasterData(ledger, reads), reads)


@pytest.fixture(params=ALL_LEDGERS)
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Services over each ledger: memory (milliseconds), SQLite and PostgreSQL. Same tests, same answers."""
    if request.param == "memory":
        plant: Any = memory_plant()
        yield plant
        plant.close()
        return
    urls = fresh_db_url(request.param, request, tmp_path)
    plant = bootstrap(Settings(next(urls)), migrate=False)
    yield plant
    plant.close()
    next(urls, None)  # drop the database
