"""First expired, first out: which lots to take a quantity of an item from.

Held lots and lots past their expiry (their last good day before today) are skipped, and said to be; of the
rest, stock at the preferred location comes first (no walk across the plant), then the earliest expiry, lots
without an expiry last. As many lots as it takes to cover the quantity; what no lot covers is `short`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

HELD = "held"
EXPIRED = "expired"
SHORT = "too short a shelf life"  # expires before the customer's minimum remaining shelf life runs out


@dataclass(frozen=True, slots=True)
class StockLot:
    """Stock of one lot of the item at one place (in a container, or loose: "")."""

    lot: str
    location: str
    container: str
    qty: Decimal  # in the item's base unit
    expiry: date | None
    held: bool


@dataclass(frozen=True, slots=True)
class Pick:
    stock: StockLot
    take: Decimal


@dataclass(frozen=True, slots=True)
class Skipped:
    stock: StockLot
    why: str  # held, expired or too short a shelf life


@dataclass(frozen=True, slots=True)
class Suggestion:
    needed: Decimal
    picks: tuple[Pick, ...]
    skipped: tuple[Skipped, ...]
    short: Decimal  # what the usable stock does not cover (0 when covered)


def skip_reason(stock: StockLot, today: date, good_until: date | None = None) -> str | None:
    """Why a lot cannot be taken today: held (quality said no), expired (the ledger would refuse it), or, when a
    customer wants it good until `good_until`, too short a shelf life (it expires before then)."""
    if stock.held:
        return HELD
    if stock.expiry is not None and stock.expiry < today:
        return EXPIRED
    if good_until is not None and stock.expiry is not None and stock.expiry < good_until:
        return SHORT
    return None


def suggest(
    stock: list[StockLot], needed: Decimal, location: str, today: date, good_until: date | None = None
) -> Suggestion:
    """Lots to take `needed` from, first expired first out, preferring stock at `location`; none that expires
    before `good_until` (a customer's minimum remaining shelf life)."""
    usable, skipped = [], []
    for line in stock:
        if line.qty <= 0:
            continue
        why = skip_reason(line, today, good_until)
        if why is None:
            usable.append(line)
        else:
            skipped.append(Skipped(line, why))
    usable.sort(key=lambda s: (s.location != location, s.expiry is None, s.expiry or date.max, s.lot, s.location,
                               s.container))  # fmt: skip
    picks, left = [], needed
    for line in usable:
        if left <= 0:
            break
        take = min(line.qty, left)
        picks.append(Pick(line, take))
        left -= take
    skipped.sort(key=lambda s: (s.stock.expiry or date.max, s.stock.lot, s.stock.location))
    return Suggestion(needed, tuple(picks), tuple(skipped), max(left, Decimal(0)))
