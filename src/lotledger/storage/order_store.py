"""What purchase and sales orders store alike: the order row, its lines, its number, the decisions people make
about it, and the movements the ledger recorded against it.

An order kind names its tables, its partner column, the movement kind that fulfils it (`receive` for a
purchase, `ship` for a sale) and its number prefix; `SqlOrders` does the rest. What was moved against an order
is summed from the movements of its kind whose event carries the order's number as `reference` and its partner
as `partner`; a voided event is left out (its void's reversals would net it out the same).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from sqlalchemy import Connection, Engine, Row, Select, Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from lotledger.domain.errors import AlreadyExists, NotFound
from lotledger.domain.orders import Numbering
from lotledger.domain.quantities import from_micro, to_micro
from lotledger.storage import schema as t
from lotledger.storage.chain_store import read_head
from lotledger.storage.engine import reading

Moved = dict[str, Decimal]  # sku -> quantity in the item's base unit
_ALLOCATE_TRIES = 5
_REFERENCES_SEEN = 20  # the highest allocated-looking references the numbering steps over


class OrderLine(Protocol):
    @property
    def line(self) -> int: ...
    @property
    def item(self) -> str: ...
    @property
    def qty(self) -> Decimal: ...
    @property
    def uom(self) -> str: ...
    @property
    def ordered(self) -> Decimal: ...


class Order(Protocol):
    @property
    def number(self) -> str: ...
    @property
    def partner(self) -> str: ...


class NewOrder(Protocol):
    @property
    def number(self) -> str | None: ...
    @property
    def lines(self) -> Sequence[OrderLine]: ...
    @property
    def note(self) -> str | None: ...


OrderT = TypeVar("OrderT", bound=Order)
NewT = TypeVar("NewT", bound=NewOrder)


@dataclass(frozen=True, slots=True)
class OrderKind:
    what: str  # "purchase order": in messages
    orders: Table
    lines: Table
    partner_id: str  # the order row's partner column
    partner_code: str  # the partner's code as the partner row and the domain's order name it
    moved_by: str  # the movement (and event) kind that fulfils the order
    sign: int  # +1: the movements add stock (receipts); -1: they take it (shipments)
    numbering: Numbering
    line_day: str  # the line's date column: expected (a purchase), requested (a sale)


def moved_under(
    kind: OrderKind, query: Select[Any], pairs: Collection[tuple[str, str]], excluding: Collection[str] = ()
) -> Select[Any]:
    """`query` over the order kind's movements of events under (reference, partner) pairs, not voided, not
    `excluding` (the events being recorded: a retry is not counted twice)."""
    e, m = t.events.c, t.movements.c
    query = (
        query.select_from(
            t.movements.join(t.events, m.event_id == e.id)
            .join(t.partners, t.partners.c.id == e.partner_id)
            .join(t.lots, t.lots.c.id == m.lot_id)
            .join(t.items, t.items.c.id == t.lots.c.item_id)
        )
        .where(e.type == kind.moved_by, m.kind == kind.moved_by, e.reference.in_(sorted({r for r, _ in pairs})))
        .where(t.partners.c.code.in_(sorted({p for _, p in pairs})), ~t.voided(e.id))
    )
    return query.where(e.id.not_in(sorted(excluding))) if excluding else query


def moved_totals(
    conn: Connection, kind: OrderKind, pairs: Collection[tuple[str, str]], excluding: Collection[str] = ()
) -> dict[tuple[str, str], Moved]:
    """{(reference, partner): {sku: quantity}} moved against orders of `kind`, as `conn` sees the ledger (a
    guard's read inside the write transaction, too)."""
    found: dict[tuple[str, str], Moved] = {pair: {} for pair in pairs}
    if not pairs:
        return found
    e = t.events.c
    query = moved_under(
        kind, select(e.reference, t.partners.c.code, t.items.c.sku, func.sum(t.movements.c.qty)), pairs, excluding
    ).group_by(e.reference, t.partners.c.code, t.items.c.sku)
    for row in conn.execute(query):
        pair = (str(row[0]), str(row[1]))
        if pair in found:
            found[pair][str(row[2])] = kind.sign * from_micro(int(row[3]))
    return found


class SqlOrders(ABC, Generic[OrderT, NewT]):
    """One kind of order in the ledger's database; a subclass names the kind and its one column of its own."""

    kind: ClassVar[OrderKind]

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.clock = clock

    # --- what a kind adds -----------------------------------------------------------------------

    @abstractmethod
    def _own_values(self, order: NewT) -> dict[str, Any]:
        """The columns of the order row only this kind has, from a new order."""
        ...

    @abstractmethod
    def _line_days(self, order: NewT) -> list[date | None]: ...

    @abstractmethod
    def _build(self, row: Row[Any], lines: tuple[Any, ...]) -> OrderT:
        """The domain's order from its row (with `partner` and the kind's columns) and its lines."""
        ...

    @abstractmethod
    def _build_line(self, row: Row[Any]) -> Any: ...

    # --- writing ----------------------------------------------------------------------------------

    def create(self, order: NewT, by: str) -> OrderT:
        """Keep a new order; allocate the next number when it has none (retried if another took it)."""
        for _ in range(_ALLOCATE_TRIES):
            try:
                with self.engine.begin() as conn:
                    number = order.number or self._next_number(conn)
                    self._insert(conn, order, number, by)
                return self.order(number)
            except IntegrityError:
                if order.number is not None:
                    raise AlreadyExists(f"{self.kind.what} {order.number} exists already", "number") from None
        raise AlreadyExists(f"could not allocate a {self.kind.what} number: try again", "number")

    def decide(self, number: str, check: Callable[[OrderT, Moved], None], values: Mapping[str, Any]) -> OrderT:
        """Set `values` (cancelled or closed) if `check` passes on the order and what was moved against it.

        The ledger's writers take turns at the chain head; so does this, so no receipt or shipment is recorded
        between the check and the change (and its own check sees the change)."""
        with self.engine.begin() as conn:
            read_head(conn, for_update=True)
            found = self._orders(conn, [number])
            if not found:
                raise NotFound(f"no {self.kind.what} {number}", "number")
            pair = (number, found[0].partner)
            check(found[0], moved_totals(conn, self.kind, [pair])[pair])
            table = self.kind.orders
            conn.execute(update(table).where(table.c.number == number).values(**values))
        return self.order(number)

    # --- reading ------------------------------------------------------------------------------------

    def order(self, number: str) -> OrderT:
        with reading(self.engine) as conn:
            found = self._orders(conn, [number])
        if not found:
            raise NotFound(f"no {self.kind.what} {number}", "number")
        return found[0]

    def orders(self, partner: str | None, decided: str | None, limit: int, before: str | None = None) -> list[OrderT]:
        """Newest first: `limit` orders (of `partner`; `decided` cancelled / closed / undecided) below `before`."""
        c = self.kind.orders.c
        query = select(c.number).order_by(c.id.desc()).limit(limit)
        if partner is not None:
            partner_id = select(t.partners.c.id).where(t.partners.c.code == partner).scalar_subquery()
            query = query.where(c[self.kind.partner_id] == partner_id)
        if decided == "cancelled":
            query = query.where(c.cancelled_at.is_not(None))
        elif decided == "closed":
            query = query.where(c.cancelled_at.is_(None), c.closed_at.is_not(None))
        elif decided == "undecided":
            query = query.where(c.cancelled_at.is_(None), c.closed_at.is_(None))
        if before is not None:
            query = query.where(c.id < select(c.id).where(c.number == before).scalar_subquery())
        with reading(self.engine) as conn:
            return self._orders(conn, list(conn.execute(query).scalars()))

    def moved(self, orders: Sequence[OrderT]) -> dict[str, Moved]:
        """{number: {sku: quantity}} moved against each order, with its own partner only."""
        pairs = [(o.number, o.partner) for o in orders]
        with reading(self.engine) as conn:
            found = moved_totals(conn, self.kind, pairs)
        return {number: found[(number, partner)] for number, partner in pairs}

    def _moved_lots(self, order: OrderT, columns: Sequence[Any]) -> list[Row[Any]]:
        """`columns` and the quantity (last, signed as stock moved) of the lots moved against `order`."""
        query = (
            moved_under(self.kind, select(*columns, func.sum(t.movements.c.qty)), [(order.number, order.partner)])
            .group_by(*columns)
            .order_by(*columns[:2])
        )
        with reading(self.engine) as conn:
            return list(conn.execute(query))

    # --- rows -----------------------------------------------------------------------------------------

    def _next_number(self, conn: Connection) -> str:
        """One past the highest allocated number of the orders and of the ledger's references, and never a
        number the ledger carries already: an allocated number names no event recorded before its order."""
        number, reference = self.kind.orders.c.number, t.events.c.reference
        numbering = self.kind.numbering
        prefix = numbering.prefix
        taken: list[str] = list(conn.execute(select(number).where(number.like(f"{prefix}%"))).scalars())
        highest = max((n for n in map(numbering.sequence, taken) if n is not None), default=0)
        # The references by the index, highest first (PO-99999 sorts above PO-100000: the loop below steps on).
        latest = select(reference).where(reference >= f"{prefix}0", reference < f"{prefix}:")
        references: list[str | None] = list(
            conn.execute(latest.order_by(reference.desc()).limit(_REFERENCES_SEEN)).scalars()
        )
        for text in references:
            highest = max(highest, numbering.sequence(text or "") or 0)
        candidate = highest + 1
        while conn.execute(select(reference).where(reference == numbering.number(candidate)).limit(1)).first():
            candidate += 1
        return numbering.number(candidate)

    def _insert(self, conn: Connection, order: NewT, number: str, by: str) -> None:
        partner_code = getattr(order, self.kind.partner_code)
        partner: int = conn.execute(select(t.partners.c.id).where(t.partners.c.code == partner_code)).scalar_one()
        values = {self.kind.partner_id: partner, **self._own_values(order)}
        row = {"number": number, "note": order.note, "created_at": self.clock(), "created_by": by, **values}
        order_id = conn.execute(insert(self.kind.orders).values(**row)).inserted_primary_key[0]  # type: ignore[index]
        items = {
            r.sku: r.id
            for r in conn.execute(
                select(t.items.c.sku, t.items.c.id).where(t.items.c.sku.in_([line.item for line in order.lines]))
            )
        }
        lines = [
            {
                "order_id": order_id,
                "line": line.line,
                "item_id": items[line.item],
                "qty": format(line.qty.normalize(), "f"),
                "uom": line.uom,
                "ordered": to_micro(line.ordered),
                self.kind.line_day: day,
            }
            for line, day in zip(order.lines, self._line_days(order), strict=True)
        ]
        conn.execute(insert(self.kind.lines), lines)

    def _orders(self, conn: Connection, numbers: list[str]) -> list[OrderT]:
        if not numbers:
            return []
        orders, lines_table = self.kind.orders, self.kind.lines
        rows = {
            r.number: r
            for r in conn.execute(
                select(orders, t.partners.c.code.label("partner"))
                .select_from(orders.join(t.partners))
                .where(orders.c.number.in_(numbers))
            )
        }
        lines: dict[int, list[Any]] = {r.id: [] for r in rows.values()}
        c = lines_table.c
        for r in conn.execute(
            select(c.order_id, c.line, t.items.c.sku, c.qty, c.uom, c.ordered, c[self.kind.line_day].label("day"))
            .add_columns(t.items.c.uom.label("base"))
            .select_from(lines_table.join(t.items))
            .where(c.order_id.in_(list(lines)))
            .order_by(c.order_id, c.line)
        ):
            lines[r.order_id].append(self._build_line(r))
        return [self._build(r, tuple(lines[r.id])) for r in (rows[n] for n in numbers if n in rows)]


def line_values(row: Row[Any]) -> tuple[int, str, Decimal, str, Decimal, str, date | None]:
    """A stored line as the domain's line classes take it: line, item, qty, uom, ordered, base unit, its day."""
    return (row.line, row.sku, Decimal(row.qty), row.uom, from_micro(int(row.ordered)), row.base, row.day)


def decisions(row: Row[Any]) -> dict[str, Any]:
    """The fields every order keeps alike: who made it and when, its note, and the decisions about it."""
    names = ("created_at", "created_by", "note", "cancelled_at", "cancelled_by", "cancel_reason", "closed_at")
    return {name: row._mapping[name] for name in (*names, "closed_by")}
