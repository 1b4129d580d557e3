"""What an event does to stock, and whether the ledger's state allows it.

`plan_effects` turns an event into balance movements (in base units), new
lots, genealogy edges and holds, reading master data and stock through a
`LedgerView`. `check_effects` then refuses anything that would drive a
balance below zero or consume/ship a held lot. Both are pure: storage and
the in-memory ledger apply the same effects, so the rules live here once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from lotledger.domain import events as ev
from lotledger.domain.errors import InsufficientStock, LotOnHold, NotFound, ValidationError
from lotledger.domain.model import Item, LotKey, Partner
from lotledger.domain.quantities import format_qty, to_base

LOOSE = ""  # the container of stock that is not in a case or pallet

# Movement kinds, and how mass balance counts them.
INFLOW_KINDS = ("receive", "produce", "return")
OUTFLOW_KINDS = ("consume", "ship")


class LedgerView(Protocol):
    """The read side the rules need; storage and the memory ledger provide it."""

    def item(self, sku: str) -> Item | None: ...
    def location_active(self, code: str) -> bool | None: ...
    def partner(self, code: str) -> Partner | None: ...
    def lot_exists(self, lot: LotKey) -> bool: ...
    def balance(self, lot: LotKey, location: str, container: str) -> Decimal: ...
    def hold_reason(self, lot: LotKey) -> str | None: ...
    def container_contents(self, sscc: str) -> list[tuple[LotKey, str, Decimal]]: ...


@dataclass(frozen=True, slots=True)
class Movement:
    lot: LotKey
    location: str
    container: str
    delta: Decimal  # in the item's base unit
    kind: str
    field: str = ""
    partner: str | None = None  # the supplier or customer, on receive, ship and return


@dataclass(frozen=True, slots=True)
class NewLot:
    key: LotKey
    expiry: date | None
    origin: str
    supplier: str | None = None
    supplier_lot: str | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    parent: LotKey
    child: LotKey
    parent_qty: Decimal
    child_qty: Decimal


@dataclass(slots=True)
class Effects:
    movements: list[Movement] = field(default_factory=list)
    new_lots: list[NewLot] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    touched: list[LotKey] = field(default_factory=list)
    guarded: dict[LotKey, str] = field(default_factory=dict)  # lot -> field that must not be held


def _item(view: LedgerView, sku: str, path: str) -> Item:
    item = view.item(sku)
    if item is None:
        raise NotFound(f"unknown item {sku!r}", path)
    if not item.active:
        raise ValidationError(f"item {sku!r} is deactivated", path)
    return item


def _location(view: LedgerView, code: str, path: str) -> str:
    active = view.location_active(code)
    if active is None:
        raise NotFound(f"unknown location {code!r}", path)
    if not active:
        raise ValidationError(f"location {code!r} is deactivated", path)
    return code


def _partner(view: LedgerView, code: str, roles: tuple[str, ...]) -> None:
    partner = view.partner(code)
    if partner is None:
        raise NotFound(f"unknown partner {code!r}", "partner")
    if partner.role not in roles:
        raise ValidationError(f"partner {code!r} is a {partner.role}, expected a {' or '.join(roles)}", "partner")


def _qty(view: LedgerView, line: ev.LotLine, path: str) -> Decimal:
    item = _item(view, line.item, f"{path}.item")
    try:
        return to_base(line.qty, line.uom, item.uom)
    except ValidationError as error:
        raise ValidationError(error.message, f"{path}.uom") from None


def _expiry(view: LedgerView, line: ev.LotLine, day: date) -> date | None:
    if line.expiry is not None:
        return line.expiry
    item = view.item(line.item)
    days = item.shelf_life_days if item else None
    return day + timedelta(days=days) if days else None


def _existing_lot(view: LedgerView, lot: LotKey, path: str) -> None:
    if not view.lot_exists(lot):
        raise NotFound(f"unknown lot {lot}", path)


def plan_effects(event: ev.Event, view: LedgerView) -> Effects:
    """The movements, lots, edges and guards an event implies. Raises on bad references."""
    _location(view, event.location, "location")
    effects = Effects()
    planner = _PLANNERS.get(type(event))
    if planner is not None:
        planner(event, view, effects)
    # Every lot the event names, once, in order: the lot's history index.
    effects.touched = list(
        dict.fromkeys([*(m.lot for m in effects.movements), *(n.key for n in effects.new_lots), *effects.touched])
    )
    return effects


def _plan_receive(event: ev.Event, view: LedgerView, fx: Effects) -> None:
    assert isinstance(event, (ev.Receive, ev.Return))
    roles = ("supplier",) if isinstance(event, ev.Receive) else ("customer",)
    _partner(view, event.partner, roles)
    for i, line in enumerate(event.lines):
        path = f"lines[{i}]"
        qty = _qty(view, line, path)
        if isinstance(event, ev.Return):
            _existing_lot(view, line.key, f"{path}.lot")
        else:
            fx.new_lots.append(
                NewLot(line.key, _expiry(view, line, event.time.date()), "received", event.partner, line.supplier_lot)
            )
        fx.movements.append(Movement(line.key, event.location, LOOSE, qty, event.type, f"{path}.qty", event.partner))


def _plan_produce(event: ev.Event, view: LedgerView, fx: Effects) -> None:
    assert isinstance(event, ev.Produce)
    consumed: dict[LotKey, Decimal] = defaultdict(Decimal)
    for i, line in enumerate(event.inputs):
        path = f"inputs[{i}]"
        qty = _qty(view, line, path)
        where = _location(view, line.location, f"{path}.location") if line.location else event.location
        _existing_lot(view, line.key, f"{path}.lot")
        fx.movements.append(Movement(line.key, where, line.container or LOOSE, -qty, "consume", f"{path}.qty"))
        fx.guarded.setdefault(line.key, f"{path}.lot")
        consumed[line.key] += qty
    made: dict[LotKey, Decimal] = defaultdict(Decimal)
    for i, line in enumerate(event.outputs):
        path = f"outputs[{i}]"
        qty = _qty(view, line, path)
        fx.new_lots.append(NewLot(line.key, _expiry(view, line, event.time.date()), "produced"))
        fx.movements.append(Movement(line.key, event.location, LOOSE, qty, "produce", f"{path}.qty"))
        made[line.key] += qty
    fx.edges.extend(Edge(p, c, pq, cq) for p, pq in consumed.items() for c, cq in made.items())


def _container_lines(view: LedgerView, sscc: str, location: str, path: str) -> list[tuple[LotKey, Decimal]]:
    contents = view.container_contents(sscc)
    if not contents:
        raise NotFound(f"container {sscc} is empty or unknown", path)
    elsewhere = sorted({where for _, where, _ in contents if where != location})
    if elsewhere:
        raise ValidationError(f"container {sscc} is at {', '.join(elsewhere)}, not at {location}", path)
    return [(lot, qty) for lot, _, qty in contents]


def _plan_transfer(event: ev.Event, view: LedgerView, fx: Effects) -> None:
    """move, ship: lines and whole containers leave `location` (to `to_location` for a move)."""
    assert isinstance(event, (ev.Move, ev.Ship))
    if isinstance(event, ev.Ship):
        _partner(view, event.partner, ("customer",))
        out_kind, target, partner = "ship", None, event.partner
    else:
        out_kind, target, partner = "move", _location(view, event.to_location, "to_location"), None
    taken: list[tuple[LotKey, str, Decimal, str]] = []
    for i, line in enumerate(event.lines):
        _existing_lot(view, line.key, f"lines[{i}].lot")
        taken.append((line.key, line.container or LOOSE, _qty(view, line, f"lines[{i}]"), f"lines[{i}].qty"))
    for i, sscc in enumerate(event.containers):
        for lot, qty in _container_lines(view, sscc, event.location, f"containers[{i}]"):
            taken.append((lot, sscc, qty, f"containers[{i}]"))
    for lot, container, qty, path in taken:
        fx.movements.append(Movement(lot, event.location, container, -qty, out_kind, path, partner))
        if target is not None:
            fx.movements.append(Movement(lot, target, container, qty, out_kind, path))
        else:
            fx.guarded.setdefault(lot, path)


def _plan_pack(event: ev.Event, view: LedgerView, fx: Effects) -> None:
    assert isinstance(event, (ev.Pack, ev.Unpack))
    sign = Decimal(1) if isinstance(event, ev.Pack) else Decimal(-1)
    for i, line in enumerate(event.lines):
        path = f"lines[{i}]"
        _existing_lot(view, line.key, f"{path}.lot")
        qty = _qty(view, line, path) * sign
        fx.movements.append(Movement(line.key, event.location, LOOSE, -qty, event.type, f"{path}.qty"))
        fx.movements.append(Movement(line.key, event.location, event.container, qty, event.type, f"{path}.qty"))


def _plan_adjust(event: ev.Event, view: LedgerView, fx: Effects) -> None:
    assert isinstance(event, ev.Adjust)
    for i, line in enumerate(event.lines):
        path = f"lines[{i}]"
        _existing_lot(view, line.key, f"{path}.lot")
        fx.movements.append(
            Movement(line.key, event.location, line.container or LOOSE, _qty(view, line, path), "adjust", f"{path}.qty")
        )


def _plan_lots(event: ev.Event, view: LedgerView, fx: Effects) -> None:
    """hold, release, observe: they name lots and move no stock."""
    assert isinstance(event, (ev.Hold, ev.Release, ev.Observe))
    for i, lot in enumerate(event.lots):
        _existing_lot(view, lot, f"lots[{i}].lot")
        fx.touched.append(lot)


_PLANNERS = {
    ev.Receive: _plan_receive,
    ev.Return: _plan_receive,
    ev.Produce: _plan_produce,
    ev.Move: _plan_transfer,
    ev.Ship: _plan_transfer,
    ev.Pack: _plan_pack,
    ev.Unpack: _plan_pack,
    ev.Adjust: _plan_adjust,
    ev.Hold: _plan_lots,
    ev.Release: _plan_lots,
    ev.Observe: _plan_lots,
}


def net_deltas(movements: list[Movement]) -> dict[tuple[LotKey, str, str], Decimal]:
    """The net change per (lot, location, container), dropping zero nets."""
    totals: dict[tuple[LotKey, str, str], Decimal] = defaultdict(Decimal)
    for m in movements:
        totals[(m.lot, m.location, m.container)] += m.delta
    return totals


def check_effects(effects: Effects, view: LedgerView) -> None:
    """Refuse a balance below zero or a held lot consumed or shipped; the error names which."""
    for lot, path in effects.guarded.items():
        reason = view.hold_reason(lot)
        if reason is not None:
            raise LotOnHold(f"lot {lot} is on hold ({reason}); it cannot be consumed or shipped", path)
    first_field: dict[tuple[LotKey, str, str], str] = {}
    for m in effects.movements:
        first_field.setdefault((m.lot, m.location, m.container), m.field)
    for key, delta in net_deltas(effects.movements).items():
        if delta >= 0:
            continue
        lot, location, container = key
        have = view.balance(lot, location, container)
        if have + delta < 0:
            item = view.item(lot.sku)
            uom = item.uom if item else ""
            where = f"{location} in container {container}" if container else location
            raise InsufficientStock(
                f"lot {lot} at {where} has {format_qty(have)} {uom}, the event takes {format_qty(-delta)} {uom}",
                first_field[key],
            )


def reverse(movements: list[Movement]) -> list[Movement]:
    """The movements that undo `movements`, kept under the same kinds for mass balance."""
    return [Movement(m.lot, m.location, m.container, -m.delta, m.kind, m.field, m.partner) for m in movements]
