"""Recall cases in the ledger's database: the case, its lots, and its append-only log of actions."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, or_, select

from lotledger.domain.errors import NotFound, ValidationError
from lotledger.domain.model import LotKey
from lotledger.domain.quantities import from_micro
from lotledger.domain.recall import Action, RecallCase, Scope
from lotledger.storage import schema as t
from lotledger.storage.engine import reading


def _scope_document(scope: Scope) -> str:
    document: dict[str, Any] = {}
    if scope.lots:
        document["lots"] = [{"item": lot.sku, "lot": lot.code} for lot in scope.lots]
    if scope.supplier_lot is not None:
        document["supplier_lot"] = scope.supplier_lot
    if scope.supplier is not None:
        document |= {"supplier": scope.supplier, "since": _iso(scope.since), "until": _iso(scope.until)}
    return json.dumps(document, sort_keys=True)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _scope(text: str) -> Scope:
    document = json.loads(text)
    when = {k: datetime.fromisoformat(document[k]) for k in ("since", "until") if document.get(k)}
    lots = tuple(LotKey(lot["item"], lot["lot"]) for lot in document.get("lots", []))
    return Scope(lots, document.get("supplier_lot"), document.get("supplier"), **when)


class SqlRecalls:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.clock = clock

    def open(self, kind: str, title: str, reason: str, scope: Scope, lots: Sequence[LotKey], by: str) -> RecallCase:
        """A new case on `lots` (which exist), with its first action: opened."""
        now = self.clock()
        with self.engine.begin() as conn:
            lot_ids = self._lot_ids(conn, lots)
            recall_id = conn.execute(
                insert(t.recalls).values(
                    kind=kind, title=title, reason=reason, scope=_scope_document(scope), opened_at=now, opened_by=by
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            conn.execute(insert(t.recall_lots), [{"recall_id": recall_id, "lot_id": i} for i in lot_ids])
            self._append(conn, int(recall_id), Action(now, "opened", by, None, {"lots": len(lots)}))
        return self.case(int(recall_id))

    def case(self, recall_id: int) -> RecallCase:
        with reading(self.engine) as conn:
            found = self._cases(conn, [recall_id])
        if not found:
            raise NotFound(f"no recall {recall_id}", "recall")
        return found[0]

    def cases(self, kind: str | None = None, limit: int | None = None, before: int | None = None) -> list[RecallCase]:
        """Every case, newest first (`kind` recall or mock: only those); `limit` of them numbered below `before`."""
        query = select(t.recalls.c.id).order_by(t.recalls.c.id.desc()).limit(limit)
        if kind is not None:
            query = query.where(t.recalls.c.kind == kind)
        if before is not None:
            query = query.where(t.recalls.c.id < before)
        with reading(self.engine) as conn:
            return self._cases(conn, list(conn.execute(query).scalars()))

    def act(self, recall_id: int, action: Action, check: Callable[[RecallCase], None]) -> RecallCase:
        """Append `action` if `check` passes on the case as it stands, in one transaction (no close slips between)."""
        with self.engine.begin() as conn:
            lock = select(t.recalls.c.id).where(t.recalls.c.id == recall_id)
            if conn.dialect.name == "postgresql":
                lock = lock.with_for_update()
            if conn.execute(lock).first() is None:
                raise NotFound(f"no recall {recall_id}", "recall")
            check(self._cases(conn, [recall_id])[0])
            self._append(conn, recall_id, action)
        return self.case(recall_id)

    def returns(self, lots: Sequence[LotKey]) -> list[tuple[str, LotKey, Decimal, str]]:
        """(customer, lot, quantity, unit) that came back of `lots` and of everything made from them.

        Summed from the `return` movements of those lots alone (a void's reversals, kept
        under the same kind, net out), by the (lot_id, kind, qty) index: not every return
        the plant ever had."""
        m = t.movements.c
        with reading(self.engine) as conn:
            roots = self._lot_ids(conn, lots)
            made = select(t.lot_closure.c.descendant_id).where(t.lot_closure.c.ancestor_id.in_(roots))
            total = func.sum(m.qty)
            query = (
                select(t.partners.c.code, t.items.c.sku, t.lots.c.code.label("lot"), t.items.c.uom, total)
                .select_from(t.movements.join(t.lots).join(t.items).join(t.partners, t.partners.c.id == m.partner_id))
                .where(m.kind == "return", or_(m.lot_id.in_(roots), m.lot_id.in_(made)))
                .group_by(t.partners.c.code, t.items.c.sku, t.lots.c.code, t.items.c.uom)
                .having(total > 0)
            )
            return [(r.code, LotKey(r.sku, r.lot), from_micro(r[-1]), r.uom) for r in conn.execute(query)]

    # --- rows ---------------------------------------------------------------------

    def _lot_ids(self, conn: Connection, lots: Sequence[LotKey]) -> list[int]:
        ids = []
        for lot in lots:
            found = conn.execute(
                select(t.lots.c.id)
                .select_from(t.lots.join(t.items))
                .where(t.items.c.sku == lot.sku, t.lots.c.code == lot.code)
            ).scalar()
            if found is None:
                raise NotFound(f"unknown lot {lot}", "lots")
            ids.append(int(found))
        if not ids:
            raise ValidationError("a recall needs at least one lot", "lots")
        return ids

    def _append(self, conn: Connection, recall_id: int, action: Action) -> None:
        conn.execute(
            insert(t.recall_actions).values(
                recall_id=recall_id,
                at=action.at,
                kind=action.kind,
                by=action.by,
                customer=action.customer,
                detail=json.dumps(action.detail, sort_keys=True),
            )
        )

    def _cases(self, conn: Connection, ids: list[int]) -> list[RecallCase]:
        if not ids:
            return []
        rows = {r.id: r for r in conn.execute(select(t.recalls).where(t.recalls.c.id.in_(ids)))}
        lots: dict[int, list[LotKey]] = {i: [] for i in ids}
        for r in conn.execute(
            select(t.recall_lots.c.recall_id, t.items.c.sku, t.lots.c.code)
            .select_from(t.recall_lots.join(t.lots).join(t.items))
            .where(t.recall_lots.c.recall_id.in_(ids))
            .order_by(t.items.c.sku, t.lots.c.code)
        ):
            lots[r.recall_id].append(LotKey(r.sku, r.code))
        actions: dict[int, list[Action]] = {i: [] for i in ids}
        for r in conn.execute(
            select(t.recall_actions).where(t.recall_actions.c.recall_id.in_(ids)).order_by(t.recall_actions.c.id)
        ):
            actions[r.recall_id].append(Action(r.at, r.kind, r.by, r.customer, json.loads(r.detail)))
        return [
            RecallCase(
                r.id,
                r.kind,
                r.title,
                r.reason,
                _scope(r.scope),
                tuple(lots[r.id]),
                r.opened_at,
                r.opened_by,
                tuple(actions[r.id]),
            )
            for r in (rows[i] for i in ids if i in rows)
        ]
