"""settings -> engine -> storage -> services. The one place that wires storage in; nothing runs at import."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from lotledger.config import Settings
from lotledger.domain.recording import Policy
from lotledger.interchange.epcis_ids import Identifiers
from lotledger.services.accounts import Accounts
from lotledger.services.backups import Backups
from lotledger.services.barcodes import Barcodes
from lotledger.services.copying import Copying
from lotledger.services.dashboard import Dashboard, Pallets
from lotledger.services.epcis_export import EpcisExport
from lotledger.services.fsma204 import Fsma204
from lotledger.services.genealogy import Genealogy, Timeline
from lotledger.services.master_data import MasterData
from lotledger.services.production import Production
from lotledger.services.purchasing import PurchaseOrders
from lotledger.services.queries import Queries
from lotledger.services.recalls import Recalls
from lotledger.services.recording import Recording
from lotledger.services.search import Search
from lotledger.services.selling import SalesOrders
from lotledger.services.verification import Verification


@dataclass(slots=True)
class App:
    """The services every interface uses, wired once."""

    settings: Settings
    recording: Recording
    master_data: MasterData
    queries: Queries
    accounts: Accounts
    barcodes: Barcodes
    verification: Verification
    backups: Backups
    recalls: Recalls
    refresh_statistics: Callable[[], None]  # after a bulk import: keep the database's query plans good
    schema_revision: Callable[[], tuple[str | None, str]]  # (the database's, the code's): asks the database
    _close: Callable[[], None]
    fsma204: Fsma204  # FSMA 204's sortable spreadsheet
    search: Search  # the one search field: lot codes, supplier lots, references, SSCCs, scans
    dashboard: Dashboard  # holds, expiring stock, latest events, open recalls
    pallets: Pallets  # one pallet: on it now, packed with, its history
    genealogy: Genealogy  # a lot's genealogy picture (large levels grouped) and its customers
    timeline: Timeline  # a lot's events newest first, a page at a time; one event in full
    purchasing: PurchaseOrders  # purchase orders; their receipts, open lines and status read from the ledger
    production: Production  # recipes and work orders: FEFO lots, production, yield and variance
    selling: SalesOrders  # sales orders: FEFO pick lists, picking by scan, shipments and status from the ledger
    epcis_export: EpcisExport  # GS1 EPCIS 2.0 documents of the ledger's events for partners
    copying: Copying  # the whole ledger into another database (SQLite to PostgreSQL or back), verified

    def close(self) -> None:
        self.recording.close()
        self.accounts.close()
        self._close()


def bootstrap(settings: Settings | None = None, *, migrate: bool = True) -> App:
    """Connect to the configured database, bring its schema up to date, and wire the services."""
    from lotledger.storage.accounts import SqlAccountStore
    from lotledger.storage.backup import SqlBackups
    from lotledger.storage.catalog import Catalog
    from lotledger.storage.copy import SqlCopier
    from lotledger.storage.dashboard_reads import SqlDashboardReads
    from lotledger.storage.engine import analyze, make_engine
    from lotledger.storage.epcis_reads import SqlEpcisReads
    from lotledger.storage.fsma_reads import SqlFsmaReads
    from lotledger.storage.genealogy import SqlGenealogy
    from lotledger.storage.ledger import SqlLedger
    from lotledger.storage.lot_events import SqlLotEvents
    from lotledger.storage.memory import MemoryLedger
    from lotledger.storage.migrate import revisions, upgrade
    from lotledger.storage.pallet_reads import SqlPalletReads
    from lotledger.storage.production import SqlProduction
    from lotledger.storage.purchasing import SqlPurchaseOrders
    from lotledger.storage.reader import SqlReader
    from lotledger.storage.recalls import SqlRecalls
    from lotledger.storage.record_reads import SqlRecord
    from lotledger.storage.search_reads import SqlSearchReads
    from lotledger.storage.selling import SqlSalesOrders
    from lotledger.storage.sscc import SsccAllocator

    settings = settings or Settings.from_env()
    engine = make_engine(settings.db_url)
    if migrate:
        upgrade(engine)
    ledger = SqlLedger(engine, Policy(settings.future_margin))
    reader, catalog = SqlReader(engine), Catalog(engine)
    recall_store = SqlRecalls(engine)
    verification = Verification(SqlRecord(engine), lambda: MemoryLedger(Policy(settings.future_margin)))
    recording, master_data, queries = Recording(ledger), MasterData(ledger, catalog), Queries(reader, reader, catalog)
    barcodes = Barcodes(reader, catalog, SsccAllocator(engine), settings.gs1_company_prefix, settings.sscc_extension)
    return App(
        settings,
        recording,
        master_data,
        queries,
        Accounts(SqlAccountStore(engine), settings.session_idle),
        barcodes,
        verification,
        Backups(SqlBackups(engine), verification, _open_copy),
        Recalls(recall_store, queries, master_data, recording),
        lambda: analyze(engine),
        lambda: revisions(engine),
        engine.dispose,
        fsma204=Fsma204(SqlFsmaReads(engine), catalog, reader, settings.zone),
        search=Search(SqlSearchReads(engine)),
        dashboard=Dashboard(SqlDashboardReads(engine), recall_store, settings.zone),
        pallets=Pallets(reader, SqlPalletReads(engine)),
        genealogy=Genealogy(SqlGenealogy(engine), reader),
        timeline=Timeline(SqlLotEvents(engine)),
        purchasing=PurchaseOrders(SqlPurchaseOrders(engine), recording, master_data, queries),
        production=Production(
            SqlProduction(engine), queries, master_data, recording, settings.zone, settings.lot_pattern
        ),
        selling=SalesOrders(SqlSalesOrders(engine), recording, master_data, queries, barcodes, settings.zone),
        epcis_export=EpcisExport(
            Identifiers(settings.id_domain, settings.gs1_company_prefix),
            SqlEpcisReads(engine),
            catalog,
            reader,
            settings.zone,
        ),
        copying=Copying(SqlCopier(engine), _open_copy),
    )


@contextmanager
def _open_copy(url: str) -> Iterator[Verification]:
    """The verification service over a backup copy, closed when done."""
    copy = bootstrap(Settings(url), migrate=False)
    try:
        yield copy.verification
    finally:
        copy.close()
