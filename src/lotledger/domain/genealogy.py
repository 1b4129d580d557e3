"""A lot's genealogy as a picture shows it: levels of relatives, large levels grouped per item.

A hub lot has 200,000 descendants: nobody reads 200,000 boxes. A level with
more than GROUP_OVER lots is shown as one group per item ("BREAD-W · 18,000
lots"); a group can be opened (`Expand`) to show its first FIRST_OF_GROUP lots.
Levels are signed: ancestors at -1, -2..., the lot at 0, descendants at 1, 2...
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from lotledger.domain.errors import ValidationError
from lotledger.domain.model import LotKey

GROUP_OVER = 12  # more lots than this on one level: grouped per item
FIRST_OF_GROUP = 50  # an opened group shows this many of its lots
DEFAULT_DEPTH = 3  # levels each way, unless asked for more
MOST_DEPTH = 12  # the picture is no trace: deeper questions go to the trace
Direction = Literal["up", "down"]
_EXPAND = re.compile(r"(up|down):([1-9][0-9]?):(.{1,64})")


@dataclass(frozen=True, slots=True)
class LevelCount:
    """How many relatives of one item sit `depth` steps away (their shortest path)."""

    depth: int
    item: str
    lots: int
    all_depths: bool = False  # too many to count per depth: these are the item's relatives at every depth


@dataclass(frozen=True, slots=True)
class Relative:
    lot: LotKey
    depth: int  # 0: the lot itself
    held: bool = False
    expiry: date | None = None


@dataclass(frozen=True, slots=True)
class Expand:
    """A group opened on the picture: `down:2:BREAD-W` is the BREAD-W lots two levels below."""

    direction: Direction
    depth: int
    item: str

    @property
    def level(self) -> int:
        return self.depth if self.direction == "down" else -self.depth

    def __str__(self) -> str:
        return f"{self.direction}:{self.depth}:{self.item}"

    @classmethod
    def parse(cls, text: str) -> Expand:
        found = _EXPAND.fullmatch(text)
        if not found:
            raise ValidationError(f"expected up|down:<level>:<item>, got {text[:80]!r}", "expand")
        direction: Direction = "up" if found.group(1) == "up" else "down"
        return cls(direction, int(found.group(2)), found.group(3))


@dataclass(frozen=True, slots=True)
class Group:
    """The lots of one item on one level, drawn as one box (less the `shown` ones of an opened group)."""

    level: int
    item: str
    lots: int
    shown: int = 0
    all_depths: bool = False  # `lots` counts the item's relatives at every depth (see LevelCount)


Box = LotKey | Group


@dataclass(frozen=True, slots=True)
class Joint:
    """Material went from `parent` into `child`: `qty` of the parent when both are single lots."""

    parent: Box
    child: Box
    qty: Decimal | None = None
    uom: str | None = None


@dataclass(slots=True)
class Picture:
    """What the genealogy picture draws: the lot, relatives one by one, groups, and the joints between."""

    root: Relative
    lots: dict[int, list[Relative]] = field(default_factory=dict)  # level -> lots drawn one by one
    groups: dict[int, list[Group]] = field(default_factory=dict)  # level -> groups drawn as one box
    joints: list[Joint] = field(default_factory=list)
    deeper: dict[str, int] = field(default_factory=dict)  # up/down -> relatives beyond the drawn levels

    def boxes(self, level: int) -> list[Box]:
        if level == 0:
            return [self.root.lot]
        return [r.lot for r in self.lots.get(level, [])] + list(self.groups.get(level, []))


def grouped(counts: list[LevelCount]) -> set[int]:
    """The depths whose lots are too many to draw one by one."""
    per_depth: dict[int, int] = {}
    for count in counts:
        per_depth[count.depth] = per_depth.get(count.depth, 0) + count.lots
    return {depth for depth, lots in per_depth.items() if lots > GROUP_OVER}


def is_expired(expiry: date | None, today: date) -> bool:
    """Past its expiry date: the ledger refuses to consume or ship it from the next day on."""
    return expiry is not None and expiry < today
