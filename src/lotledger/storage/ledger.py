"""The SQL ledger: events with their projections, and master data, each in one transaction.

It owns transactions, retries and rows; the domain decides what is recorded
(`domain.recording`) and which master-data changes are allowed
(`domain.master`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from lotledger.domain.errors import LotledgerError
from lotledger.domain.events import Event
from lotledger.domain.master import Change, check_change, kind_name
from lotledger.domain.model import Item, Location, MasterRecord, Partner, record_code
from lotledger.domain.purchasing import OrderReads
from lotledger.domain.recording import Attribution, Outcome, Policy, Rejected, Sealed, check_one, record_batch
from lotledger.storage import schema as t
from lotledger.storage.catalog import MASTER_QUERIES
from lotledger.storage.transaction import SqlTransaction

_RETRIES = 5
T = TypeVar("T")
_TABLES = {Item: t.items, Location: t.locations, Partner: t.partners}


REHEARSAL_CHUNK = 2000  # events per run in a dry run, as an import records them: bounded statements


class SqlLedger:
    """Events and master data on SQLite or PostgreSQL through one SQLAlchemy engine."""

    def __init__(
        self, engine: Engine, policy: Policy | None = None, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.engine = engine
        self.policy = policy or Policy()
        self.clock = clock

    def record_many(
        self,
        events: Sequence[Event],
        attributions: Sequence[Attribution],
        *,
        atomic: bool,
        guard: Callable[[OrderReads], None] | None = None,
        sealed: Sequence[Sealed | None] | None = None,
    ) -> list[Outcome]:
        """Record a batch in one transaction (see `domain.recording.record_batch`); `guard` first, in it."""
        events = [e if e.id else replace(e, id=str(uuid.uuid4())) for e in events]
        return self._retrying(lambda conn: self._record(conn, events, attributions, atomic, guard, sealed))

    def _record(
        self,
        conn: Connection,
        events: list[Event],
        attributions: Sequence[Attribution],
        atomic: bool,
        guard: Callable[[OrderReads], None] | None = None,
        sealed: Sequence[Sealed | None] | None = None,
    ) -> list[Outcome]:
        tx = SqlTransaction(conn, self.clock())
        tx.chain_head()  # first: writers take turns at the chain before they lock any balance (no deadlock)
        if guard is not None:
            guard(tx)  # after the turn is ours: every writer before has committed, none can slip in
        tx.preload(events)
        outcomes = record_batch(tx, events, attributions, atomic=atomic, policy=self.policy, sealed=sealed)
        tx.flush()
        return outcomes

    def check(self, event: Event) -> None:
        """Raise what recording `event` now would be refused for; nothing is written or locked for long."""
        event = event if event.id else replace(event, id=str(uuid.uuid4()))
        with self.engine.connect() as conn:
            tx = SqlTransaction(conn, self.clock())
            tx.preload([event])
            check_one(tx, event, self.policy)
            conn.rollback()

    def rehearse(self, records: Sequence[Event | MasterRecord], attribution: Attribution) -> list[Outcome | bool]:
        """What importing `records` would do, in one transaction rolled back at the end (see `ports.Ledger`)."""
        outcomes: list[Outcome | bool] = []
        events: list[Event] = []
        with self.engine.connect() as conn:
            try:
                for index, record in enumerate([*records, None]):
                    if isinstance(record, Event):
                        events.append(record if record.id else replace(record, id=str(uuid.uuid4())))
                        if len(events) < REHEARSAL_CHUNK:
                            continue
                        record = None  # a full chunk: record it now (a statement has a bounded number of values)
                    if events:  # a run of events in one transaction of the ledger's own, as an import's chunk
                        outcomes += self._record(conn, events, [attribution] * len(events), False)
                        events = []
                    if record is not None:
                        try:
                            outcomes.append(self._save(conn, record, attribution, Change.SAVE))
                        except LotledgerError as error:  # refused before anything was written
                            outcomes.append(Rejected(index, error))
            finally:
                conn.rollback()
        return outcomes

    def save(self, record: MasterRecord, attribution: Attribution, change: Change = Change.SAVE) -> bool:
        """Create or change an item, location or partner, recording the change; False if unchanged."""
        return self._retrying(lambda conn: self._save(conn, record, attribution, change))

    def _save(self, conn: Connection, record: MasterRecord, attribution: Attribution, change: Change) -> bool:
        if not check_change(record, _SqlMasterView(conn), change):
            return False
        table = _TABLES[type(record)]
        values = _row(conn, record)
        key = table.c.sku if table is t.items else table.c.code
        existing = conn.execute(select(table.c.id).where(key == record_code(record))).scalar()
        if existing is None:
            conn.execute(insert(table).values(values))
        else:
            conn.execute(update(table).where(table.c.id == existing).values(values))
        document = {"type": kind_name(type(record)), **{k: v for k, v in _fields(record).items() if v is not None}}
        conn.execute(
            insert(t.master_changes).values(
                kind=kind_name(type(record)),
                code=record_code(record),
                document=json.dumps(document, sort_keys=True),
                recorded_at=self.clock(),
                recorded_by=attribution.recorded_by,
                client=attribution.client,
            )
        )
        return True

    def _retrying(self, work: Callable[[Connection], T]) -> T:
        for attempt in range(_RETRIES):
            try:
                with self.engine.begin() as conn:
                    return work(conn)
            except (IntegrityError, DBAPIError) as error:
                # A concurrent writer won a race (same id, same new lot, same new
                # sku, a deadlock): run again, and the state it left decides.
                if attempt == _RETRIES - 1 or getattr(error, "connection_invalidated", False):
                    raise
        raise AssertionError("unreachable")


def _fields(record: MasterRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def _row(conn: Connection, record: MasterRecord) -> dict[str, Any]:
    values = _fields(record)
    if isinstance(record, Location):
        parent = values.pop("parent")
        values["parent_id"] = (
            None
            if parent is None
            else conn.execute(select(t.locations.c.id).where(t.locations.c.code == parent)).scalar()
        )
    return values


class _SqlMasterView:
    """The domain's `MasterView` inside one write transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def master(self, kind: type[MasterRecord], code: str) -> MasterRecord | None:
        query, convert = MASTER_QUERIES[kind]
        row = self.conn.execute(query, {"code": code}).mappings().first()
        return None if row is None else convert(row)

    def item_has_lots(self, sku: str) -> bool:
        query = select(t.lots.c.id).select_from(t.lots.join(t.items)).where(t.items.c.sku == sku).limit(1)
        return self.conn.execute(query).first() is not None

    def item_with_gtin(self, gtin: str) -> str | None:
        return self.conn.execute(select(t.items.c.sku).where(t.items.c.gtin == gtin)).scalar()


__all__ = ["SqlLedger"]
