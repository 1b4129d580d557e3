"""One write transaction: the ledger's state as the rules see it, plus what to write.

A `Unit` answers the domain's `LedgerView` questions from the database and
from what this transaction has already accepted but not yet written, so a
thousand imported events cost a handful of executemany calls instead of
thousands of round trips. Balances are read once per key, with FOR UPDATE on
PostgreSQL, so concurrent writers serialise on the rows they touch.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, select

from lotledger.domain.errors import NotFound
from lotledger.domain.events import Event, LotLine, to_document
from lotledger.domain.model import Item, LotKey, Partner
from lotledger.domain.quantities import from_micro, to_micro
from lotledger.domain.rules import Effects, Movement
from lotledger.storage import schema as t
from lotledger.storage.catalog import item_from_row, partner_from_row
from lotledger.storage.projections import CLOSURE_INSERT, PAIRS, REACH_SHIFT, REACH_UPSERT
from lotledger.storage.schema import db_time

BalanceKey = tuple[LotKey, str, str]

_EVENT_HASH = select(t.events.c.body_hash).where(t.events.c.id == bindparam("id"))
_EVENT_HASHES = select(t.events.c.id, t.events.c.body_hash).where(t.events.c.id.in_(bindparam("ids", expanding=True)))
_LOTS_BY_CODE = (
    select(t.lots.c.id, t.items.c.sku, t.lots.c.code)
    .select_from(t.lots.join(t.items))
    .where(t.lots.c.code.in_(bindparam("codes", expanding=True)))
)
_BALANCES = select(
    t.items.c.sku, t.lots.c.code, t.locations.c.code.label("location"), t.balances.c.container, t.balances.c.qty
).select_from(t.balances.join(t.lots).join(t.items).join(t.locations))
_BALANCES_BY_LOT = _BALANCES.where(t.balances.c.lot_id.in_(bindparam("ids", expanding=True)))
_BALANCES_BY_CONTAINER = _BALANCES.where(t.balances.c.container.in_(bindparam("ssccs", expanding=True)))


def _lines(event: Event) -> Iterator[LotLine]:
    for name in ("lines", "inputs", "outputs"):
        yield from getattr(event, name, ())


def _containers(event: Event) -> Iterator[str]:
    container = getattr(event, "container", None)
    if container:
        yield container
    yield from getattr(event, "containers", ())
    yield from (line.container for line in _lines(event) if line.container)


@dataclass(frozen=True, slots=True)
class Sealed:
    """An event's canonical JSON (what is stored) and its fingerprint, computed once.

    The id is part of the text, so two bodies with one id differ exactly when
    their fingerprints do: that is all idempotency needs to compare."""

    text: str
    digest: str


def seal(event: Event) -> Sealed:
    text = json.dumps(to_document(event), sort_keys=True, separators=(",", ":"))
    return Sealed(text, hashlib.sha256(text.encode()).hexdigest())


@dataclass(slots=True)
class Attribution:
    """Invariant 5: who recorded an event, from which client."""

    recorded_by: str
    client: str


@dataclass(slots=True)
class _Pending:
    events: list[dict[str, Any]] = field(default_factory=list)
    lots: dict[LotKey, dict[str, Any]] = field(default_factory=dict)
    movements: list[tuple[str, Movement]] = field(default_factory=list)
    deltas: dict[BalanceKey, int] = field(default_factory=lambda: defaultdict(int))
    edges: list[tuple[str, Any]] = field(default_factory=list)
    touched: list[tuple[str, LotKey]] = field(default_factory=list)


class Unit:
    """The state one transaction reads and the rows it will write."""

    def __init__(self, conn: Connection, attribution: Attribution, now: datetime) -> None:
        self.conn = conn
        self.attribution = attribution
        self.now = now
        self.postgres = conn.dialect.name == "postgresql"
        self._items: dict[str, tuple[int, Item] | None] = {}
        self._locations: dict[str, tuple[int, bool] | None] = {}
        self._partners: dict[str, tuple[int, Partner] | None] = {}
        self._lot_ids: dict[LotKey, int | None] = {}
        self._base: dict[BalanceKey, int] = {}
        self._containers_loaded: set[str] = set()
        self._container_keys: dict[str, set[BalanceKey]] = defaultdict(set)
        self._holds: dict[LotKey, str | None] = {}
        self.event_ids: dict[str, str | None] = {}  # id -> body hash; None: known not recorded
        self._lots_loaded: set[LotKey] = set()  # all balance rows of these lots are in _base
        self.pending = _Pending()

    # --- LedgerView ------------------------------------------------------------

    def item(self, sku: str) -> Item | None:
        found = self.item_row(sku)
        return found[1] if found else None

    def item_row(self, sku: str) -> tuple[int, Item] | None:
        if sku not in self._items:
            row = self.conn.execute(select(t.items).where(t.items.c.sku == sku)).mappings().first()
            self._items[sku] = None if row is None else (row["id"], item_from_row(row))
        return self._items[sku]

    def location_row(self, code: str) -> tuple[int, bool] | None:
        if code not in self._locations:
            row = self.conn.execute(
                select(t.locations.c.id, t.locations.c.active).where(t.locations.c.code == code)
            ).first()
            self._locations[code] = None if row is None else (row.id, row.active)
        return self._locations[code]

    def location_active(self, code: str) -> bool | None:
        found = self.location_row(code)
        return None if found is None else found[1]

    def partner_row(self, code: str) -> tuple[int, Partner] | None:
        if code not in self._partners:
            row = self.conn.execute(select(t.partners).where(t.partners.c.code == code)).mappings().first()
            self._partners[code] = None if row is None else (row["id"], partner_from_row(row))
        return self._partners[code]

    def partner(self, code: str) -> Partner | None:
        found = self.partner_row(code)
        return found[1] if found else None

    def lot_id(self, lot: LotKey) -> int | None:
        if lot not in self._lot_ids:
            item = self.item_row(lot.sku)
            row = None
            if item is not None:
                row = self.conn.execute(
                    select(t.lots.c.id).where(t.lots.c.item_id == item[0], t.lots.c.code == lot.code)
                ).first()
            self._lot_ids[lot] = None if row is None else row.id
        return self._lot_ids[lot]

    def lot_exists(self, lot: LotKey) -> bool:
        return lot in self.pending.lots or self.lot_id(lot) is not None

    def balance(self, lot: LotKey, location: str, container: str) -> Decimal:
        return from_micro(self._balance(lot, location, container))

    def _balance(self, lot: LotKey, location: str, container: str) -> int:
        key = (lot, location, container)
        if key not in self._base and lot in self._lots_loaded:
            self._base[key] = 0
        if key not in self._base:
            lot_id, loc = self.lot_id(lot), self.location_row(location)
            qty = 0
            if lot_id is not None and loc is not None:
                query = select(t.balances.c.qty).where(
                    t.balances.c.lot_id == lot_id,
                    t.balances.c.location_id == loc[0],
                    t.balances.c.container == container,
                )
                row = self.conn.execute(query.with_for_update() if self.postgres else query).first()
                qty = row.qty if row else 0
            self._base[key] = qty
        return self._base[key] + self.pending.deltas.get(key, 0)

    def hold_reason(self, lot: LotKey) -> str | None:
        if lot not in self._holds:
            lot_id = self.lot_id(lot)
            row = None
            if lot_id is not None:
                row = self.conn.execute(
                    select(t.holds.c.event_id, t.holds.c.reason)
                    .where(t.holds.c.lot_id == lot_id, t.holds.c.released_by.is_(None))
                    .order_by(t.holds.c.event_id)
                    .limit(1)
                ).first()
            self._holds[lot] = None if row is None else f"hold {row.event_id}: {row.reason}"
        return self._holds[lot]

    def container_contents(self, sscc: str) -> list[tuple[LotKey, str, Decimal]]:
        if sscc not in self._containers_loaded:
            self._containers_loaded.add(sscc)
            self._load_balances(_BALANCES_BY_CONTAINER, {"ssccs": [sscc]})
        contents = []
        for key in sorted(self._container_keys[sscc]):
            qty = self._balance(*key)
            if qty > 0:
                contents.append((key[0], key[1], from_micro(qty)))
        return contents

    # --- accepting an event ------------------------------------------------------

    def known_hash(self, event_id: str) -> str | None:
        if event_id not in self.event_ids:
            self.event_ids[event_id] = self.conn.execute(_EVENT_HASH, {"id": event_id}).scalar()
        return self.event_ids[event_id]

    def preload(self, events: list[Event]) -> None:
        """Read what a chunk of events will ask about in four queries instead of thousands:
        which ids are recorded, the lots they name with all their balances, and their containers."""
        ids = [str(e.id) for e in events]
        self.event_ids.update(dict.fromkeys(ids))
        self.event_ids.update((row.id, row.body_hash) for row in self.conn.execute(_EVENT_HASHES, {"ids": ids}))
        keys = {line.key for e in events for line in _lines(e)} | {k for e in events for k in getattr(e, "lots", ())}
        containers = {c for e in events for c in _containers(e)}
        if keys:
            self._lot_ids.update(dict.fromkeys(keys - set(self._lot_ids)))
            for row in self.conn.execute(_LOTS_BY_CODE, {"codes": sorted({k.code for k in keys})}):
                key = LotKey(row.sku, row.code)
                if key in keys:
                    self._lot_ids[key] = row.id
            found = {self._lot_ids[k]: k for k in keys if self._lot_ids.get(k) is not None}
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
            self._base.setdefault(key, row.qty)
            if row.container:
                self._container_keys[row.container].add(key)

    def accept(self, event: Event, sealed: Sealed, effects: Effects) -> None:
        """Take an event the rules accepted into the pending writes."""
        event_id = str(event.id)
        self.event_ids[event_id] = sealed.digest
        partner = getattr(event, "partner", None)
        self.pending.events.append(
            {
                "id": event_id,
                "type": event.type,
                "time": event.time,
                "location_id": self._require(self.location_row(event.location), event.location)[0],
                "partner_id": self._require(self.partner_row(partner), partner)[0] if partner else None,
                "reference": event.reference,
                "document": sealed.text,
                "body_hash": sealed.digest,
                "recorded_at": self.now,
                "recorded_by": self.attribution.recorded_by,
                "client": self.attribution.client,
            }
        )
        # An edge into a lot that already exists (a lot that grows, rework) can
        # join lots that have shipped already: write it alone, diffing the closure.
        joins_existing = any(self.lot_exists(edge.child) for edge in effects.edges)
        if joins_existing:
            self.flush()
        for new in effects.new_lots:
            if not self.lot_exists(new.key):
                supplier = self.partner_row(new.supplier) if new.supplier else None
                self.pending.lots[new.key] = {
                    "code": new.key.code,
                    "expiry": new.expiry,
                    "origin": new.origin,
                    "supplier_id": supplier[0] if supplier else None,
                    "supplier_lot": new.supplier_lot,
                    "first_event_id": event_id,
                }
        for movement in effects.movements:
            key = (movement.lot, movement.location, movement.container)
            self._balance(*key)  # read the stored balance before it changes
            self.pending.deltas[key] += to_micro(movement.delta)
            if movement.container:
                self._container_keys[movement.container].add(key)
            self.pending.movements.append((event_id, movement))
        self.pending.edges.extend((event_id, edge) for edge in effects.edges)
        if joins_existing:
            self.flush(diff_reach=True)
        self.pending.touched.extend((event_id, lot) for lot in effects.touched)

    @staticmethod
    def _require(found: Any, code: object) -> Any:
        if found is None:
            raise NotFound(f"unknown code {code!r}")
        return found

    # --- writing ---------------------------------------------------------------

    def flush(self, diff_reach: bool = False) -> None:
        """Write everything pending, in foreign-key order, one executemany per table.

        The hot tables go straight to the driver: SQLAlchemy's per-row parameter
        processing costs more than SQLite's own insert."""
        pending, self.pending = self.pending, _Pending()
        location_id = {code: row[0] for code, row in self._locations.items() if row is not None}
        if pending.events:
            self._bulk(
                "events",
                (
                    "id",
                    "type",
                    "time",
                    "location_id",
                    "partner_id",
                    "reference",
                    "document",
                    "body_hash",
                    "recorded_at",
                    "recorded_by",
                    "client",
                ),
                [
                    (
                        e["id"],
                        e["type"],
                        db_time(e["time"], self.conn.dialect),
                        e["location_id"],
                        e["partner_id"],
                        e["reference"],
                        e["document"],
                        e["body_hash"],
                        db_time(self.now, self.conn.dialect),
                        e["recorded_by"],
                        e["client"],
                    )
                    for e in pending.events
                ],
            )
        if pending.lots:
            keys = list(pending.lots)
            rows = [dict(pending.lots[k], item_id=self._require(self.item_row(k.sku), k.sku)[0]) for k in keys]
            ids: list[int] = list(
                self.conn.execute(t.lots.insert().returning(t.lots.c.id, sort_by_parameter_order=True), rows)
                .scalars()
                .all()
            )
            self._lot_ids.update(zip(keys, ids, strict=True))
        lot_id = self._lot_ids
        partner_id = {code: row[0] for code, row in self._partners.items() if row is not None}
        if pending.movements:
            self._bulk(
                "movements",
                ("event_id", "lot_id", "location_id", "container", "kind", "qty", "partner_id"),
                [
                    (
                        event_id,
                        lot_id[m.lot],
                        location_id[m.location],
                        m.container,
                        m.kind,
                        to_micro(m.delta),
                        partner_id[m.partner] if m.partner else None,
                    )
                    for event_id, m in pending.movements
                ],
            )
        self._write_balances(pending.deltas, location_id)
        if pending.edges:
            edges: list[tuple[Any, ...]] = [
                (lot_id[e.parent], lot_id[e.child], event_id, to_micro(e.parent_qty), to_micro(e.child_qty))
                for event_id, e in pending.edges
            ]
            self._bulk("lot_edges", ("parent_id", "child_id", "event_id", "parent_qty", "child_qty"), edges)
            if diff_reach:
                self._join_existing([(p, c) for p, c, *_ in edges])
            else:
                self.conn.exec_driver_sql(self.driver_sql(CLOSURE_INSERT), [(p, p, c, c) for p, c, *_ in edges])
        reach = [
            (
                partner_id[m.partner],
                self._require(self.item_row(m.lot.sku), m.lot.sku)[0],
                -to_micro(m.delta),
                1 if m.delta < 0 else -1,
                lot_id[m.lot],
                lot_id[m.lot],
            )
            for _, m in pending.movements
            if m.kind == "ship" and m.partner
        ]
        if reach:
            self.conn.exec_driver_sql(self.driver_sql(REACH_UPSERT), reach)
        if pending.touched:
            self._bulk("event_lots", ("lot_id", "event_id"), [(lot_id[lot], eid) for eid, lot in pending.touched])

    def _join_existing(self, edges: list[tuple[Any, Any]]) -> None:
        """Add edges one by one, granting each newly joined ancestor its descendant's shipments."""
        pairs_sql, insert_sql = self.driver_sql(PAIRS), self.driver_sql(CLOSURE_INSERT)
        for parent, child in edges:
            params = (parent, parent, child, child)
            before = self._pairs(pairs_sql, params)
            self.conn.exec_driver_sql(insert_sql, params)
            after = self._pairs(pairs_sql, params)
            self.shift_reach(after - before, withdraw=False)

    def _pairs(self, sql: str, params: tuple[Any, ...]) -> set[tuple[int, int]]:
        return {(row[0], row[1]) for row in self.conn.exec_driver_sql(sql, params)}

    def shift_reach(self, pairs: set[tuple[int, int]], withdraw: bool) -> None:
        """Move each descendant's own shipments into or out of its ancestor's reach."""
        sign = 1 if withdraw else -1
        if pairs:
            self.conn.exec_driver_sql(self.driver_sql(REACH_SHIFT), [(a, sign, sign, d) for a, d in sorted(pairs)])

    def driver_sql(self, sql: str) -> str:
        """`sql` written with ? placeholders, in the driver's own paramstyle."""
        return sql if self.conn.dialect.paramstyle == "qmark" else sql.replace("?", "%s")

    def _bulk(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if rows:
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            self.conn.exec_driver_sql(self.driver_sql(sql), rows)

    def _write_balances(self, deltas: dict[BalanceKey, int], location_id: dict[str, int]) -> None:
        # Increases upsert; decreases update the row the rules read (it exists,
        # or the check would have refused). An upsert of a negative row would
        # trip CHECK (qty >= 0) on the proposed row before the conflict merges.
        increases: list[tuple[Any, ...]] = []
        decreases: list[tuple[Any, ...]] = []
        for key, delta in deltas.items():
            self._base[key] = self._base.get(key, 0) + delta
            if delta:
                lot, location, container = key
                if delta > 0:
                    increases.append((self._lot_ids[lot], location_id[location], container, delta))
                else:
                    decreases.append((delta, self._lot_ids[lot], location_id[location], container))
        if decreases:
            sql = "UPDATE balances SET qty = qty + ? WHERE lot_id = ? AND location_id = ? AND container = ?"
            self.conn.exec_driver_sql(self.driver_sql(sql), decreases)
        if increases:
            sql = (
                "INSERT INTO balances (lot_id, location_id, container, qty) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (lot_id, location_id, container) DO UPDATE SET qty = balances.qty + excluded.qty"
            )
            self.conn.exec_driver_sql(self.driver_sql(sql), increases)

    def forget_holds(self) -> None:
        self._holds.clear()

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
        self._lot_ids.update((key, lot_id) for lot_id, key in found.items())
        return found

    def location_codes(self, location_ids: list[int]) -> dict[int, str]:
        query = select(t.locations.c.id, t.locations.c.code).where(
            t.locations.c.id.in_(bindparam("ids", expanding=True))
        )
        return {row.id: row.code for row in self.conn.execute(query, {"ids": location_ids})}
