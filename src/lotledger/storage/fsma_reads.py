"""Read the lot lines FSMA 204's spreadsheet is made of, as a stream in event order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, and_, case, exists, func, or_, select, true
from sqlalchemy.sql import ColumnElement, Select

from lotledger.domain.fsma204 import EVENT_TYPES, CteLine, Selection
from lotledger.domain.model import LotKey
from lotledger.domain.quantities import from_micro
from lotledger.storage import schema as t
from lotledger.storage.engine import reading

_CHUNK = 2_000  # rows fetched at a time: the export never holds the ledger in memory
_KINDS = ("receive", "return", "ship", "consume", "produce")
_e, _m = t.events.c, t.movements.c
_place = t.locations.alias("place")
_partner = t.partners.alias("partner")
_supplier = t.partners.alias("supplier")
_first = t.events.alias("first_event")
_made_at = t.locations.alias("made_at")
_joined = (
    t.movements.join(t.events, _e.id == _m.event_id)
    .join(t.lots, t.lots.c.id == _m.lot_id)
    .join(t.items, t.items.c.id == t.lots.c.item_id)
    .join(_place, _place.c.id == _e.location_id)
    .outerjoin(_partner, _partner.c.id == _e.partner_id)
    .outerjoin(_supplier, _supplier.c.id == t.lots.c.supplier_id)
    .join(_first, _first.c.id == t.lots.c.first_event_id)
    .join(_made_at, _made_at.c.id == _first.c.location_id)
)


def _lots_matching(selection: Selection, lots: Any, items: Any) -> ColumnElement[bool]:
    """The lots `selection` names: one lot, one item's, or the Food Traceability List's (or every lot)."""
    matching: ColumnElement[bool] = true()
    if selection.lot is not None:
        matching = and_(items.c.sku == selection.lot.sku, lots.c.code == selection.lot.code)
    elif selection.item is not None:
        matching = items.c.sku == selection.item
    elif selection.ftl_only:
        matching = items.c.ftl == true()
    return matching


def _where(query: Select[Any], selection: Selection) -> Select[Any]:
    """Lines of standing (not voided) receipts, returns, shipments and transformations in the window;
    a receipt's, return's or shipment's own lots, every line of a transformation that used or made one."""
    # EXISTS, never IN (subquery): PostgreSQL plans a streamed (cursor) query for its first rows, and
    # an IN it cannot hash is then run again for every row (300 s instead of 10 at 100,000 events).
    other_lots, other_items = t.lots.alias("other_lot"), t.items.alias("other_item")
    touching = exists(
        select(t.event_lots.c.event_id)
        .select_from(t.event_lots.join(other_lots).join(other_items, other_items.c.id == other_lots.c.item_id))
        .where(t.event_lots.c.event_id == _e.id, _lots_matching(selection, other_lots, other_items))
    )
    query = query.where(
        _e.type.in_(EVENT_TYPES),
        _m.kind.in_(_KINDS),
        ~t.voided(_e.id),
        or_(
            and_(_e.type != "produce", _lots_matching(selection, t.lots, t.items)),
            and_(_e.type == "produce", touching),
        ),
    )
    if selection.since is not None:
        query = query.where(_e.time >= selection.since)
    if selection.until is not None:
        query = query.where(_e.time < selection.until)
    return query


def _lines_query(selection: Selection) -> Select[Any]:
    inputs_first = case((_m.kind == "consume", 0), else_=1)
    columns = (
        _e.id,
        _e.type,
        _m.kind,
        _e.time,
        _place.c.code.label("location"),
        _partner.c.code.label("partner"),
        _e.reference,
        t.items.c.sku,
        t.lots.c.code,
        _m.qty,
        _m.container,
        t.lots.c.origin,
        _supplier.c.code.label("supplier"),
        t.lots.c.supplier_lot,
        _made_at.c.code.label("made_at"),
    )
    query = select(*columns).select_from(_joined)
    order = (_e.time, _e.seq, inputs_first, t.items.c.sku, t.lots.c.code, _m.container)
    return _where(query, selection).order_by(*order)


class SqlFsmaReads:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def cte_lines(self, selection: Selection) -> Iterator[CteLine]:
        """The lines in event order, fetched a chunk at a time in one read transaction."""
        with reading(self.engine) as conn:
            result = conn.execution_options(yield_per=_CHUNK).execute(_lines_query(selection))
            for r in result:
                yield CteLine(
                    r.id,
                    r.type,
                    r.kind,
                    r.time,
                    r.location,
                    r.partner,
                    r.reference,
                    LotKey(r.sku, r.code),
                    abs(from_micro(r.qty)),
                    r.container,
                    r.origin,
                    r.supplier,
                    r.supplier_lot,
                    r.made_at,
                )

    def count_rows(self, selection: Selection) -> int:
        """How many rows `cte_lines` makes: its lines by event, kind and lot."""
        groups = _where(select(_m.event_id, _m.kind, _m.lot_id).select_from(_joined), selection).distinct()
        with reading(self.engine) as conn:
            return int(conn.execute(select(func.count()).select_from(groups.subquery())).scalar_one())


__all__ = ["SqlFsmaReads"]
