"""settings -> engine -> ledger, reader -> services. Nothing runs at import."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from lotledger.config import Settings
from lotledger.storage.accounts import AccountStore
from lotledger.storage.catalog import Catalog
from lotledger.storage.engine import make_engine
from lotledger.storage.ledger import SqlLedger
from lotledger.storage.migrate import upgrade
from lotledger.storage.reader import SqlReader
from lotledger.storage.sscc import SsccAllocator


@dataclass(slots=True)
class App:
    """Everything an interface needs, wired once."""

    settings: Settings
    engine: Engine
    ledger: SqlLedger
    reader: SqlReader
    catalog: Catalog
    accounts: AccountStore
    ssccs: SsccAllocator

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(settings: Settings | None = None, *, migrate: bool = True) -> App:
    """Connect to the configured database, bring its schema up to date, and wire the parts."""
    settings = settings or Settings.from_env()
    engine = make_engine(settings.db_url)
    if migrate:
        upgrade(engine)
    return App(
        settings,
        engine,
        SqlLedger(engine),
        SqlReader(engine),
        Catalog(engine),
        AccountStore(engine),
        SsccAllocator(engine),
    )
