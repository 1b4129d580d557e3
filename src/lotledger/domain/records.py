"""What the ledger answers about lots and events: plain records every interface renders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lotledger.domain.model import LotKey


@dataclass(frozen=True, slots=True)
class LotInfo:
    lot: LotKey
    item_name: str
    uom: str
    expiry: date | None
    origin: str  # received or produced
    supplier: str | None
    supplier_lot: str | None
    holds: list[str]  # "hold <event id>: <reason>" for each hold in force


@dataclass(frozen=True, slots=True)
class MassBalance:
    lot: LotKey
    uom: str
    received: Decimal
    produced: Decimal
    returned: Decimal
    consumed: Decimal
    shipped: Decimal
    adjusted: Decimal
    on_hand: Decimal

    @property
    def inflow(self) -> Decimal:
        return self.received + self.produced + self.returned

    @property
    def outflow(self) -> Decimal:
        return self.consumed + self.shipped

    @property
    def difference(self) -> Decimal:
        """in + adjustments - out - on hand: zero when the books add up."""
        return self.inflow + self.adjusted - self.outflow - self.on_hand


@dataclass(frozen=True, slots=True)
class EventRecord:
    """An event as recorded: its document, who recorded it, and its void if any."""

    seq: int
    id: str
    type: str
    time: datetime
    location: str
    reference: str | None
    recorded_at: datetime
    recorded_by: str
    client: str
    voided_by: str | None
    document: dict[str, Any]


@dataclass(frozen=True, slots=True)
class HoldRecord:
    lot: LotKey
    event_id: str
    reason: str
    time: datetime


@dataclass(frozen=True, slots=True)
class EventFilter:
    type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    item: str | None = None
    lot: str | None = None
    location: str | None = None
    partner: str | None = None
    reference: str | None = None


BalanceKey = tuple[LotKey, str, str]  # lot, location, container ("" when loose)


@dataclass(frozen=True, slots=True)
class Projections:
    """What the events add up to, as a ledger keeps it: compared with a replay by `lotledger verify`."""

    balances: dict[BalanceKey, Decimal]  # non-zero only
    holds: frozenset[tuple[LotKey, str]]  # (lot, hold event id) in force
    voids: dict[str, str]  # target -> void
    edges: frozenset[tuple[LotKey, LotKey, str]]  # parent, child, event id

    def differences(self, replayed: Projections, most: int = 20) -> list[str]:
        """How this ledger's projections differ from a replay of its events, at most `most` of them."""
        found: list[str] = []
        for key in sorted(self.balances.keys() | replayed.balances.keys()):
            stored, expected = self.balances.get(key, Decimal(0)), replayed.balances.get(key, Decimal(0))
            if stored != expected:
                lot, location, container = key
                where = f"{location} in container {container}" if container else location
                found.append(f"balance of {lot} at {where}: stored {stored}, the events give {expected}")
        for name, mine, theirs in (
            ("hold", self.holds, replayed.holds),
            ("genealogy edge", self.edges, replayed.edges),
            ("void", frozenset(self.voids.items()), frozenset(replayed.voids.items())),
        ):
            found += [f"{name} {_show(x)} is stored but the events do not make it" for x in sorted(mine - theirs)]
            found += [f"{name} {_show(x)} follows from the events but is not stored" for x in sorted(theirs - mine)]
        return found[:most]


def _show(value: tuple[object, ...]) -> str:
    return " / ".join(str(part) for part in value)
