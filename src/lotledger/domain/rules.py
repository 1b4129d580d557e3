"""What an event does to stock, and whether the ledger's state allows it.

`plan_effects` turns an event into balance movements (in base units), new
lots, genealogy edges, holds placed or released and a void's target, reading
master data and stock through a `LedgerView`. `check_effects` then refuses
what the ledger's state does not allow: a balance below zero, a held or
expired lot consumed or shipped, a return beyond what the customer received.
Both are pure: the SQL and in-memory ledgers apply the same effects, so every
rule lives here once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from lotledger.domain import events as ev
from lotledger.domain.errors import (
    Conflict,
    InsufficientStock,
    LotExpired,
    LotOnHold,
    NotFound,
    ReturnExceedsShipped,
    ValidationError,
)
from lotledger.domain.model import Item, LotKey, Partner
from lotledger.domain.quantities import format_qty, to_base

LOOSE = ""  # the container of stock that is not in a case or pallet
MAX_BALANCE = Decimal(10) ** 12  # base units at one place: as for a quantity, so millionths fit 64 bits

# Movement kinds that take stock out, for mass balance and the traces.
OUTFLOW_KINDS = ("consume", "ship")
# What makes a lot: its quantity-exposure share is divided by this total. A
# return brings back what the lot was made as, it makes nothing new.
CREATION_KINDS = ("receive", "produce")


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
    """Everything an accepted event changes; a ledger applies it and decides nothing more."""

    movements: list[Movement] = field(default_factory=list)
    new_lots: list[NewLot] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    touched: list[LotKey] = field(default_factory=list)  # the lots the event's history entry names
    guarded: dict[LotKey, str] = field(default_factory=dict)  # consumed or shipped: must not be held
    guarded_expiry: dict[LotKey, str] = field(default_factory=dict)  # received, consumed or shipped: not expired
    holds: list[LotKey] = field(default_factory=list)  # placed by a hold, with the event's reason
    releases: list[LotKey] = field(default_factory=list)  # every hold in force on these is released
    # A void: the target's stock movements come back reversed (in `movements`),
    # its genealogy edges go, the holds it placed are lifted and the holds it
    # released are in force again.
    void_target: str | None = None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """What a recorded event did, as a void needs it."""

    type: str
    voided_by: str | None
    movements: list[Movement]
    touched: list[LotKey]


class LedgerView(Protocol):
    """The ledger's state as the rules read it; the SQL and memory ledgers provide it."""

    def item(self, sku: str) -> Item | None: ...
    def location_active(self, code: str) -> bool | None: ...
    def partner(self, code: str) -> Partner | None: ...
    def lot_exists(self, lot: LotKey) -> bool: ...
    def expiry(self, lot: LotKey) -> date | None: ...
    def balance(self, lot: LotKey, location: str, container: str) -> Decimal: ...
    def hold_reason(self, lot: LotKey) -> str | None: ...
    def container_contents(self, sscc: str) -> list[tuple[LotKey, str, Decimal]]: ...
    def received_by(self, customer: str, lot: LotKey) -> Decimal:
        """What the customer was shipped of the lot, net of voided shipments and of returns."""
        ...

    def descendants(self, lots: list[LotKey]) -> list[LotKey]:
        """Every lot made from these, at any depth (not the lots themselves)."""
        ...

    def stored_event(self, event_id: str) -> StoredEvent | None: ...


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
    if not partner.active:
        raise ValidationError(f"partner {code!r} is deactivated", "partner")


def _qty(view: LedgerView, line: ev.LotLine, path: str) -> Decimal:
    item = _item(view, line.item, f"{path}.item")
    try:
        return to_base(line.qty, line.uom, item.uom)
    except ValidationError as error:  # the unit, or the quantity once converted (too large, below a millionth)
        raise ValidationError(error.message, f"{path}.{error.field or 'uom'}") from None


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
    assert isinstance(event, ev.Receive)
    _partner(view, event.partner, ("supplier",))
    for i, line in enumerate(event.lines):
        path = f"lines[{i}]"
        qty = _qty(view, line, path)
        expiry = _expiry(view, line, event.time.date())
        fx.new_lots.append(NewLot(line.key, expiry, "received", event.partner, line.supplier_lot))
        fx.guarded_expiry.setdefault(line.key, f"{path}.lot")
        fx.movements.append(Movement(line.key, event.location, LOOSE, qty, "receive", f"{path}.qty", event.partner))


def _plan_return(event: ev.Event, view: LedgerView, fx: Effects) -> None:
    """A customer sends back what it received: never more of a lot than it was shipped, net."""
    assert isinstance(event, ev.Return)
    _partner(view, event.partner, ("customer",))
    returned: dict[LotKey, Decimal] = defaultdict(Decimal)
    for i, line in enumerate(event.lines):
        path = f"lines[{i}]"
        _existing_lot(view, line.key, f"{path}.lot")
        qty = _qty(view, line, path)
        returned[line.key] += qty
        received = view.received_by(event.partner, line.key)
        if returned[line.key] > received:
            uom = _item(view, line.item, f"{path}.item").uom
            raise ReturnExceedsShipped(
                f"customer {event.partner} received {format_qty(received)} {uom} of lot {line.key} "
                f"(net of earlier returns); the return is {format_qty(returned[line.key])} {uom}",
                f"{path}.qty",
            )
        fx.movements.append(Movement(line.key, event.location, LOOSE, qty, "return", f"{path}.qty", event.partner))


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
        fx.guarded_expiry.setdefault(line.key, f"{path}.lot")
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
        else:  # a held or expired lot is named by its line's lot (or the pallet it is on)
            guard = path.replace(".qty", ".lot")
            fx.guarded.setdefault(lot, guard)
            fx.guarded_expiry.setdefault(lot, guard)


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
    """observe: names lots and moves no stock."""
    assert isinstance(event, (ev.Hold, ev.Release, ev.Observe))
    for i, lot in enumerate(event.lots):
        _existing_lot(view, lot, f"lots[{i}].lot")
        fx.touched.append(lot)


def _in_scope(event: ev.Hold | ev.Release, view: LedgerView) -> list[LotKey]:
    lots = list(dict.fromkeys(event.lots))
    return lots + [lot for lot in view.descendants(lots) if lot not in lots] if event.scope == "downstream" else lots


def _plan_hold(event: ev.Event, view: LedgerView, fx: Effects) -> None:
    """A hold stops the named lots (and with scope downstream everything made from them)."""
    assert isinstance(event, ev.Hold)
    _plan_lots(event, view, fx)
    fx.holds = fx.touched = _in_scope(event, view)


def _plan_release(event: ev.Event, view: LedgerView, fx: Effects) -> None:
    """A release needs a hold in force on every lot it names."""
    assert isinstance(event, ev.Release)
    _plan_lots(event, view, fx)
    for i, lot in enumerate(event.lots):
        if view.hold_reason(lot) is None:
            raise Conflict(f"lot {lot} is not on hold", f"lots[{i}]")
    fx.releases = fx.touched = _in_scope(event, view)


def _plan_void(event: ev.Event, view: LedgerView, fx: Effects) -> None:
    """A void reverses its target: stock back, genealogy and holds undone; both stay in history."""
    assert isinstance(event, ev.Void)
    target = view.stored_event(event.target)
    if target is None:
        raise NotFound(f"no event {event.target} to void", "target")
    if target.type == "void":
        raise ValidationError("a void cannot be voided; record the original event again instead", "target")
    if target.voided_by is not None:
        raise Conflict(f"event {event.target} is already voided by {target.voided_by}", "target")
    fx.movements = reverse(target.movements, "target")
    fx.touched = list(target.touched)
    fx.void_target = event.target


_PLANNERS = {
    ev.Receive: _plan_receive,
    ev.Return: _plan_return,
    ev.Produce: _plan_produce,
    ev.Move: _plan_transfer,
    ev.Ship: _plan_transfer,
    ev.Pack: _plan_pack,
    ev.Unpack: _plan_pack,
    ev.Adjust: _plan_adjust,
    ev.Hold: _plan_hold,
    ev.Release: _plan_release,
    ev.Void: _plan_void,
    ev.Observe: _plan_lots,
}


def net_deltas(movements: list[Movement]) -> dict[tuple[LotKey, str, str], Decimal]:
    """The net change per (lot, location, container), dropping zero nets."""
    totals: dict[tuple[LotKey, str, str], Decimal] = defaultdict(Decimal)
    for m in movements:
        totals[(m.lot, m.location, m.container)] += m.delta
    return totals


def check_effects(effects: Effects, view: LedgerView, event: ev.Event) -> None:
    """Refuse a held or expired lot consumed or shipped, a balance below 0 or reaching 10^12; the error says which."""
    for lot, path in effects.guarded.items():
        reason = view.hold_reason(lot)
        if reason is not None:
            raise LotOnHold(f"lot {lot} is on hold ({reason}); it cannot be consumed or shipped", path)
    if getattr(event, "expiry_override", None) is None:
        _check_expiry(effects, view, event)
    first_field: dict[tuple[LotKey, str, str], str] = {}
    for m in effects.movements:
        first_field.setdefault((m.lot, m.location, m.container), m.field)
    for key, delta in net_deltas(effects.movements).items():
        if delta == 0:
            continue
        lot, location, container = key
        have = view.balance(lot, location, container)
        if delta > 0:
            if have + delta >= MAX_BALANCE:
                _refuse_too_large(view, key, have + delta, first_field[key])
            continue
        if have + delta < 0:
            item = view.item(lot.sku)
            uom = item.uom if item else ""
            where = f"{location} in container {container}" if container else location
            raise InsufficientStock(
                f"lot {lot} at {where} has {format_qty(have)} {uom}, the event takes {format_qty(-delta)} {uom}",
                first_field[key],
            )


def _refuse_too_large(view: LedgerView, key: tuple[LotKey, str, str], total: Decimal, field: str) -> None:
    """Storage keeps millionths in 64 bits: a balance stays below 10^12 base units, as a quantity does."""
    lot, location, container = key
    item = view.item(lot.sku)
    uom = item.uom if item else ""
    where = f"{location} in container {container}" if container else location
    raise Conflict(
        f"lot {lot} at {where} would hold {format_qty(total)} {uom}; a balance stays below 10^12 {uom}", field
    )


def _check_expiry(effects: Effects, view: LedgerView, event: ev.Event) -> None:
    """A lot past its expiry date (the last good day) is not received, consumed or shipped."""
    day = event.time.date()
    new = {lot.key: lot.expiry for lot in effects.new_lots}
    for lot, path in effects.guarded_expiry.items():
        expiry = view.expiry(lot) if view.lot_exists(lot) else new.get(lot)
        if expiry is not None and expiry < day:
            doing = {"receive": "received", "produce": "consumed", "ship": "shipped"}.get(event.type, "used")
            raise LotExpired(
                f"lot {lot} expired on {expiry.isoformat()}; it cannot be {doing} on {day.isoformat()} "
                "(a quality user may record the event with expiry_override and a reason)",
                path,
            )


def reverse(movements: list[Movement], field: str) -> list[Movement]:
    """The movements that undo `movements`, kept under the same kinds for mass balance.

    A refusal names `field` (a void's `target`): not the original event's line, which the
    SQL ledger does not keep and the void does not have."""
    return [Movement(m.lot, m.location, m.container, -m.delta, m.kind, field, m.partner) for m in movements]
