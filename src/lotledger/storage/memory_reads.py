"""The lot, stock and master-data reads of the in-memory ledger (the `LotReads` and `MasterReads` ports)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from lotledger.domain.errors import NotFound
from lotledger.domain.master import kind_name
from lotledger.domain.model import Item, Location, LotKey, MasterRecord, Partner
from lotledger.domain.records import EventFilter, EventRecord, HoldRecord, LotInfo, MassBalance
from lotledger.domain.trace import StockLine
from lotledger.storage.memory import MemoryLedger


class MemoryReader:
    def __init__(self, ledger: MemoryLedger) -> None:
        self.ledger = ledger

    # --- master data -------------------------------------------------------------------

    def _all(self, kind: type[MasterRecord]) -> list[MasterRecord]:
        masters = self.ledger.state.masters[kind]
        return [masters[code] for code in sorted(masters)]

    def items(self) -> list[Item]:
        return [i for i in self._all(Item) if isinstance(i, Item)]

    def locations(self) -> list[Location]:
        return [i for i in self._all(Location) if isinstance(i, Location)]

    def partners(self) -> list[Partner]:
        return [i for i in self._all(Partner) if isinstance(i, Partner)]

    def one(self, kind: type[MasterRecord], code: str) -> MasterRecord:
        found = self.ledger.state.masters[kind].get(code)
        if found is None:
            raise NotFound(f"unknown {kind_name(kind)} {code!r}", "sku" if kind is Item else "code")
        return found

    def item_by_gtin(self, gtin: str) -> Item:
        for item in self.items():
            if item.gtin == gtin:
                return item
        raise NotFound(f"no item has GTIN {gtin}", "scan")

    # --- lots and stock ----------------------------------------------------------------

    def lot(self, key: LotKey) -> LotInfo:
        state = self.ledger.state
        stored = state.lots.get(key)
        if stored is None:
            raise NotFound(f"unknown lot {key}", "lot")
        item = self.one(Item, key.sku)
        assert isinstance(item, Item)
        holds = sorted((h for h in state.holds if h.lot == key and h.released_by is None), key=lambda h: h.event_id)
        return LotInfo(
            key,
            item.name,
            item.uom,
            stored.expiry,
            stored.origin,
            stored.supplier,
            stored.supplier_lot,
            [f"hold {h.event_id}: {h.reason}" for h in holds],
        )

    def find_lots(self, code: str) -> list[LotKey]:
        lots = self.ledger.state.lots
        return sorted(key for key, lot in lots.items() if code in (key.code, lot.supplier_lot))

    def balances(
        self,
        *,
        location: str | None = None,
        sku: str | None = None,
        lot: str | None = None,
        container: str | None = None,
    ) -> list[StockLine]:
        within = None if location is None else set(self._subtree(location))
        lines = [
            StockLine(key, where, box, qty, self._uom(key))
            for (key, where, box), qty in self.ledger.state.balances.items()
            if qty > 0
            and (within is None or where in within)
            and sku in (None, key.sku)
            and lot in (None, key.code)
            and container in (None, box)
        ]
        return sorted(lines, key=lambda s: (s.lot.sku, s.lot.code, s.location, s.container))

    def _uom(self, key: LotKey) -> str:
        item = self.ledger.state.masters[Item].get(key.sku)
        return item.uom if isinstance(item, Item) else ""

    def _subtree(self, code: str) -> list[str]:
        locations = self.locations()
        if code not in {loc.code for loc in locations}:
            raise NotFound(f"unknown location {code!r}", "location")
        found, stack = [], [code]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(loc.code for loc in locations if loc.parent == current)
        return found

    def mass_balance(self, key: LotKey) -> MassBalance:
        info = self.lot(key)
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for _, movement in self.ledger.state.movements:
            if movement.lot == key:
                sums[movement.kind] += movement.delta
        on_hand = sum((qty for (lot, _, _), qty in self.ledger.state.balances.items() if lot == key), Decimal(0))
        return MassBalance(
            key,
            info.uom,
            sums["receive"],
            sums["produce"],
            sums["return"],
            -sums["consume"],
            -sums["ship"],
            sums["adjust"],
            on_hand,
        )

    def holds(self) -> list[HoldRecord]:
        state = self.ledger.state
        found = [
            HoldRecord(h.lot, h.event_id, h.reason, state.events[h.event_id].record.time)
            for h in state.holds
            if h.released_by is None
        ]
        return sorted(found, key=lambda h: (h.time, h.lot))

    def lots_in_container(self, sscc: str) -> list[LotKey]:
        return sorted({m.lot for _, m in self.ledger.state.movements if m.container == sscc})

    def packed(self, sscc: str) -> list[StockLine]:
        totals: dict[tuple[LotKey, str], Decimal] = defaultdict(Decimal)
        for _, m in self.ledger.state.movements:
            if m.container == sscc and m.kind in ("pack", "unpack"):
                totals[(m.lot, m.location)] += m.delta
        return [
            StockLine(lot, where, sscc, qty, self._uom(lot)) for (lot, where), qty in sorted(totals.items()) if qty > 0
        ]

    # --- events ------------------------------------------------------------------------

    def history(self, key: LotKey) -> list[EventRecord]:
        self.lot(key)
        state = self.ledger.state
        rows = [row.record for row in state.events.values() if key in state.event_lots.get(row.record.id, [])]
        return [self._voided(record) for record in sorted(rows, key=lambda r: (r.time, r.seq))]

    def events(self, where: EventFilter, after: int = 0, limit: int = 100) -> list[EventRecord]:
        state = self.ledger.state
        found = []
        for record in (row.record for row in state.events.values()):
            lots = state.event_lots.get(record.id, [])
            if (
                record.seq > after
                and where.type in (None, record.type)
                and (where.since is None or record.time >= where.since)
                and (where.until is None or record.time < where.until)
                and where.reference in (None, record.reference)
                and where.location in (None, record.location)
                and where.partner in (None, record.document.get("partner"))
                and (where.item is None or any(lot.sku == where.item for lot in lots))
                and (where.lot is None or any(lot.code == where.lot for lot in lots))
            ):
                found.append(self._voided(record))
        return found[:limit]

    def _voided(self, record: EventRecord) -> EventRecord:
        return replace(record, voided_by=self.ledger.state.voids.get(record.id))
