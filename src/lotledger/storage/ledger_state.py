"""The ledger's state as one write transaction reads it: the domain's `LedgerView` over SQL.

Every answer is read once and cached for the transaction, and includes what
the transaction accepted but has not written yet (`unflushed`), so a thousand
imported events cost a handful of queries instead of thousands. Balances are
read with FOR UPDATE on PostgreSQL, so concurrent writers serialise on the
rows they touch (SQLite's writer holds the database from BEGIN IMMEDIATE).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from lotledger.domain.chain import Head
from lotledger.domain.events import Event, LotLine
from lotledger.domain.model import Item, LotKey, Partner
from lotledger.domain.quantities import from_micro
from lotledger.domain.rules import Movement, StoredEvent
from lotledger.storage import schema as t
from lotledger.storage.catalog import item_from_row, partner_from_row
from lotledger.storage.chain_store import read_head

BalanceKey = tuple[LotKey, str, str]

_EVENT_HASH = select(t.events.c.body_hash).where(t.events.c.id == bindparam("id"))
_EVENT_HASHES = select(t.events.c.id, t.events.c.body_hash).where(t.events.c.id.in_(bindparam("ids", expanding=True)))
_LOTS_BY_CODE = (
    select(t.lots.c.id, t.items.c.sku, t.lots.c.code, t.lots.c.expiry)
    .select_from(t.lots.join(t.items))
    .where(t.lots.c.code.in_(bindparam("codes", expanding=True)))
)
_BALANCES = select(
    t.items.c.sku, t.lots.c.code, t.locations.c.code.label("location"), t.balances.c.container, t.balances.c.qty
).select_from(t.balances.join(t.lots).join(t.items).join(t.locations))
_BALANCES_BY_LOT = _BALANCES.where(t.balances.c.lot_id.in_(bindparam("ids", expanding=True)))
_BALANCES_BY_CONTAINER = _BALANCES.where(t.balances.c.container.in_(bindparam("ssccs", expanding=True)))
# What a customer holds of a lot: shipped (negative movements) less returned; a
# void's reversals carry the same kind and partner, so they net out too.
_RECEIVED = select(func.coalesce(-func.sum(t.movements.c.qty), 0)).where(
    t.movements.c.lot_id == bindparam("lot"),
    t.movements.c.partner_id == bindparam("partner"),
    t.movements.c.kind.in_(("ship", "return")),
)


def _lines(event: Event) -> Iterator[LotLine]:
    for name in ("lines", "inputs", "outputs"):
        yield from getattr(event, name, ())


def _containers(event: Event) -> Iterator[str]:
    container = getattr(event, "container", None)
    if container:
        yield container
    yield from getattr(event, "containers", ())
    yield from (line.container for line in _lines(event) if line.container)


class LedgerState:
    """Cached reads of one write transaction, with its unflushed changes laid over them."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn = conn
        self.now = now
        self.postgres = conn.dialect.name == "postgresql"
        self.items: dict[str, tuple[int, Item] | None] = {}
        self.locations: dict[str, tuple[int, bool] | None] = {}
        self.partners: dict[str, tuple[int, Partner] | None] = {}
        self.lot_ids: dict[LotKey, int | None] = {}
        self.expiries: dict[LotKey, date | None] = {}
        self.base: dict[BalanceKey, int] = {}  # balances as stored, in micro-units
        self.unflushed: dict[BalanceKey, int] = defaultdict(int)  # accepted changes not yet written
        self.received_base: dict[tuple[str, LotKey], int] = {}
        self.received_unflushed: dict[tuple[str, LotKey], int] = defaultdict(int)
        self.holds: dict[LotKey, str | None] = {}
        self.event_ids: dict[str, str | None] = {}  # id -> body hash; None: known not recorded
        self.new_lots: set[LotKey] = set()  # accepted, not yet written
        self._lots_loaded: set[LotKey] = set()  # all balance rows of these lots are in `base`
        self._containers_loaded: set[str] = set()
        self.container_keys: dict[str, set[BalanceKey]] = defaultdict(set)
        self.chain: Head | None = None  # the hash chain's head, read once (locked on PostgreSQL)

    def chain_head(self) -> Head:
        if self.chain is None:
            self.chain = read_head(self.conn, for_update=True)
        return self.chain

    # --- master data ---------------------------------------------------------------

    def item_row(self, sku: str) -> tuple[int, Item] | None:
        if sku not in self.items:
            row = self.conn.execute(select(t.items).where(t.items.c.sku == sku)).mappings().first()
            self.items[sku] = None if row is None else (row["id"], item_from_row(row))
        return self.items[sku]

    def item(self, sku: str) -> Item | None:
        found = self.item_row(sku)
        return found[1] if found else None

    def location_row(self, code: str) -> tuple[int, bool] | None:
        if code not in self.locations:
            row = self.conn.execute(
                select(t.locations.c.id, t.locations.c.active).where(t.locations.c.code == code)
            ).first()
            self.locations[code] = None if row is None else (row.id, row.active)
        return self.locations[code]

    def location_active(self, code: str) -> bool | None:
        found = self.location_row(code)
        return None if found is None else found[1]

    def partner_row(self, code: str) -> tuple[int, Partner] | None:
        if code not in self.partners:
            row = self.conn.execute(select(t.partners).where(t.partners.c.code == code)).mappings().first()
            self.partners[code] = None if row is None else (row["id"], partner_from_row(row))
        return self.partners[code]

    def partner(self, code: str) -> Partner | None:
        found = self.partner_row(code)
        return found[1] if found else None

    # --- lots and stock ----------------------------------------------------------------

    def lot_id(self, lot: LotKey) -> int | None:
        if lot not in self.lot_ids:
            item = self.item_row(lot.sku)
            row = None
            if item is not None:
                row = self.conn.execute(
                    select(t.lots.c.id, t.lots.c.expiry).where(t.lots.c.item_id == item[0], t.lots.c.code == lot.code)
                ).first()
            self.lot_ids[lot] = None if row is None else row.id
            if row is not None:
                self.expiries[lot] = row.expiry
        return self.lot_ids[lot]

    def lot_exists(self, lot: LotKey) -> bool:
        return lot in self.new_lots or self.lot_id(lot) is not None

    def expiry(self, lot: LotKey) -> date | None:
        self.lot_id(lot)
        return self.expiries.get(lot)

    def balance(self, lot: LotKey, location: str, container: str) -> Decimal:
        return from_micro(self.micro_balance((lot, location, container)))

    def micro_balance(self, key: BalanceKey) -> int:
        if key not in self.base and key[0] in self._lots_loaded:
            self.base[key] = 0
        if key not in self.base:
            lot_id, loc = self.lot_id(key[0]), self.location_row(key[1])
            qty = 0
            if lot_id is not None and loc is not None:
                query = select(t.balances.c.qty).where(
                    t.balances.c.lot_id == lot_id,
                    t.balances.c.location_id == loc[0],
                    t.balances.c.container == key[2],
                )
                row = self.conn.execute(query.with_for_update() if self.postgres else query).first()
                qty = row.qty if row else 0
            self.base[key] = qty
        return self.base[key] + self.unflushed.get(key, 0)

    def received_by(self, customer: str, lot: LotKey) -> Decimal:
        key = (customer, lot)
        if key not in self.received_base:
            lot_id, partner = self.lot_id(lot), self.partner_row(customer)
            stored = 0
            if lot_id is not None and partner is not None:
                stored = int(self.conn.execute(_RECEIVED, {"lot": lot_id, "partner": partner[0]}).scalar_one())
            self.received_base[key] = stored
        return from_micro(self.received_base[key] + self.received_unflushed.get(key, 0))

    def hold_reason(self, lot: LotKey) -> str | None:
        if lot not in self.holds:
            lot_id = self.lot_id(lot)
            row = None
            if lot_id is not None:
                row = self.conn.execute(
                    select(t.holds.c.event_id, t.holds.c.reason)
                    .where(t.holds.c.lot_id == lot_id, t.holds.c.released_by.is_(None))
                    .order_by(t.holds.c.event_id)
                    .limit(1)
                ).first()
            self.holds[lot] = None if row is None else f"hold {row.event_id}: {row.reason}"
        return self.holds[lot]

    def container_contents(self, sscc: str) -> list[tuple[LotKey, str, Decimal]]:
        if sscc not in self._containers_loaded:
            self._containers_loaded.add(sscc)
            self._load_balances(_BALANCES_BY_CONTAINER, {"ssccs": [sscc]})
        contents = []
        for key in sorted(self.container_keys[sscc]):
            qty = self.micro_balance(key)
            if qty > 0:
                contents.append((key[0], key[1], from_micro(qty)))
        return contents

    # --- events --------------------------------------------------------------------

    def event_digest(self, event_id: str) -> str | None:
        if event_id not in self.event_ids:
            self.event_ids[event_id] = self.conn.execute(_EVENT_HASH, {"id": event_id}).scalar()
        return self.event_ids[event_id]

    def read_stored_event(self, event_id: str) -> StoredEvent | None:
        """A recorded event's type, void, movements and lots (all written: call after a flush)."""
        target = self.conn.execute(
            select(t.events.c.type, t.voids.c.void_id)
            .select_from(t.events.outerjoin(t.voids, t.voids.c.target_id == t.events.c.id))
            .where(t.events.c.id == event_id)
        ).first()
        if target is None:
            return None
        m = t.movements.c
        rows = self.conn.execute(
            select(m.lot_id, t.locations.c.code.label("location"), m.container, m.kind, m.qty, t.partners.c.code)
            .select_from(t.movements.join(t.locations).outerjoin(t.partners, t.partners.c.id == m.partner_id))
            .where(m.event_id == event_id)
            .order_by(m.id)
        ).all()
        touched_ids: list[int] = list(
            self.conn.execute(select(t.event_lots.c.lot_id).where(t.event_lots.c.event_id == event_id)).scalars()
        )
        keys = self.lot_keys(sorted({r.lot_id for r in rows} | set(touched_ids)))
        movements = [
            Movement(keys[r.lot_id], r.location, r.container, from_micro(r.qty), r.kind, "", r.code) for r in rows
        ]
        return StoredEvent(target.type, target.void_id, movements, [keys[i] for i in touched_ids])

    def lot_keys(self, lot_ids: list[int]) -> dict[int, LotKey]:
        """Domain keys for stored lot ids (learning them into the cache)."""
        if not lot_ids:
            return {}
        query = (
            select(t.lots.c.id, t.items.c.sku, t.lots.c.code)
            .select_from(t.lots.join(t.items))
            .where(t.lots.c.id.in_(bindparam("ids", expanding=True)))
        )
        found = {row.id: LotKey(row.sku, row.code) for row in self.conn.execute(query, {"ids": lot_ids})}
        self.lot_ids.update((key, lot_id) for lot_id, key in found.items())
        return found

    # --- reading a chunk ahead ---------------------------------------------------------

    def preload(self, events: list[Event]) -> None:
        """Read what a chunk of events will ask about in four queries instead of thousands:
        which ids are recorded, the lots they name with all their balances, and their containers."""
        ids = [str(e.id) for e in events]
        self.event_ids.update(dict.fromkeys(ids))
        self.event_ids.update((row.id, row.body_hash) for row in self.conn.execute(_EVENT_HASHES, {"ids": ids}))
        keys = {line.key for e in events for line in _lines(e)} | {k for e in events for k in getattr(e, "lots", ())}
        containers = {c for e in events for c in _containers(e)}
        if keys:
            self.lot_ids.update(dict.fromkeys(keys - set(self.lot_ids)))
            for row in self.conn.execute(_LOTS_BY_CODE, {"codes": sorted({k.code for k in keys})}):
                key = LotKey(row.sku, row.code)
                if key in keys:
                    self.lot_ids[key] = row.id
                    self.expiries[key] = row.expiry
            found = {self.lot_ids[k]: k for k in keys if self.lot_ids.get(k) is not None}
            if found:
                self._load_balances(_BALANCES_BY_LOT, {"ids": sorted(found)})
            self._lots_loaded |= keys
        if containers:
            self._load_balances(_BALANCES_BY_CONTAINER, {"ssccs": sorted(containers)})
            self._containers_loaded |= containers

    def _load_balances(self, query: Any, params: dict[str, Any]) -> None:
        query = query.with_for_update(of=t.balances) if self.postgres else query
        for row in self.conn.execute(query, params):
            key = (LotKey(row.sku, row.code), row.location, row.container)
            self.base.setdefault(key, row.qty)
            if row.container:
                self.container_keys[row.container].add(key)
