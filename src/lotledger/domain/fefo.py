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
    why: str  # held or expired


@dataclass(frozen=True, slots=True)
class Suggestion:
    needed: Decimal
    picks: tuple[Pick, ...]
    skipped: tuple[Skipped, ...]
    short: Decimal  # what the usable stock does not cover (0 when covered)


def skip_reason(stock: StockLot, today: date) -> str | None:
    """Why a lot cannot be taken today: held (quality said no), expired (the ledger would refuse it)."""
    if stock.held:
        return HELD
    if stock.expiry is not None and stock.expiry < today:
        return EXPIRED
    return None


def suggest(stock: list[StockLot], needed: Decimal, location: str, today: date) -> Suggestion:
    """Lots to take `needed` from, first expired first out, preferring stock at `location`."""
    usable, skipped = [], []
    for line in stock:
        if line.qty <= 0:
            continue
        why = skip_reason(line, today)
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
