"""A lot's genealogy as a picture can show it, and a lot's timeline a page at a time.

The picture reads a few levels each way; a level with too many lots becomes
one group per item, of which only a few lots are read: enough to find the
joints between groups without reading a hub lot's 200,000 descendants.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from lotledger.domain import genealogy as gen
from lotledger.domain import trace as tr
from lotledger.domain.errors import ValidationError
from lotledger.domain.model import LotKey
from lotledger.domain.records import EventRecord
from lotledger.ports import GenealogyReads, LotReads, TimelineReads

SAMPLE = 8  # lots read of a closed group, to find what it joins


class Genealogy:
    def __init__(self, reads: GenealogyReads, lots: LotReads) -> None:
        self.reads = reads
        self.lots = lots

    def customers(self, key: LotKey) -> list[tr.CustomerReach]:
        """What each customer received of each item from this lot and everything made from it."""
        return self.reads.customers(key)

    def picture(
        self, key: LotKey, up: int = gen.DEFAULT_DEPTH, down: int = gen.DEFAULT_DEPTH, expand: gen.Expand | None = None
    ) -> gen.Picture:
        """The lot, `up` levels of ancestors and `down` of descendants, large levels grouped per item."""
        for name, depth in (("up", up), ("down", down)):
            if not 0 <= depth <= gen.MOST_DEPTH:
                raise ValidationError(f"expected a depth from 0 to {gen.MOST_DEPTH}, got {depth}", name)
        info = self.lots.lot(key)
        picture = gen.Picture(gen.Relative(key, 0, bool(info.holds), info.expiry))
        members: dict[int, list[LotKey]] = defaultdict(list)  # level -> lots read, drawn or standing for a group
        box_of: dict[LotKey, gen.Box] = {key: key}
        sides: tuple[tuple[gen.Direction, int], ...] = (("up", up), ("down", down))
        for direction, depth in sides:
            sign = -1 if direction == "up" else 1
            counts = self.reads.levels(key, direction, depth + 1) if depth else []
            picture.deeper[direction] = sum(c.lots for c in counts if c.depth > depth)
            counts = [c for c in counts if c.depth <= depth]
            big = gen.grouped(counts)
            small = sorted({c.depth for c in counts} - big)
            for relative in self.reads.relatives(key, direction, small) if small else []:
                picture.lots.setdefault(sign * relative.depth, []).append(relative)
                members[sign * relative.depth].append(relative.lot)
                box_of[relative.lot] = relative.lot
            for count in (c for c in counts if c.depth in big):
                level, opened = sign * count.depth, expand == gen.Expand(direction, count.depth, count.item)
                read = self.reads.relatives(
                    key, direction, [count.depth], count.item, gen.FIRST_OF_GROUP if opened else SAMPLE
                )
                group = gen.Group(level, count.item, count.lots, len(read) if opened else 0, count.all_depths)
                if opened:
                    picture.lots.setdefault(level, []).extend(read)
                if not opened or group.lots > group.shown:
                    picture.groups.setdefault(level, []).append(group)
                for relative in read:
                    box_of[relative.lot] = relative.lot if opened else group
                    members[level].append(relative.lot)
        members[0] = [key]
        picture.joints = _joints(self._edges(members, up, down), box_of)
        _assume_single_joints(picture, up, down)
        return picture

    def _edges(self, members: dict[int, list[LotKey]], up: int, down: int) -> list[tr.TraceEdge]:
        """The edges between neighbouring levels: parents on the left, children on the right."""
        found = []
        for level in range(-up, down):
            found += self.reads.edges(members.get(level, []), members.get(level + 1, []))
        return found


def _joints(edges: list[tr.TraceEdge], box_of: dict[LotKey, gen.Box]) -> list[gen.Joint]:
    """Edges between boxes, once per pair: with the parent's quantity summed when both are single lots."""
    sums: dict[tuple[gen.Box, gen.Box], Decimal] = defaultdict(Decimal)
    units: dict[tuple[gen.Box, gen.Box], str] = {}
    for edge in edges:
        pair = (box_of[edge.parent], box_of[edge.child])
        sums[pair] += edge.parent_qty
        units[pair] = edge.parent_uom
    return [
        gen.Joint(parent, child, *((sums[parent, child], units[parent, child]) if _lots(parent, child) else ()))
        for parent, child in sums
    ]


def _lots(*boxes: gen.Box) -> bool:
    return all(isinstance(box, LotKey) for box in boxes)


def _assume_single_joints(picture: gen.Picture, up: int, down: int) -> None:
    """Join the boxes whose link to the nearer level was not read: each relative at depth n has one at
    depth n - 1 (depths are shortest paths), and every edge between lots drawn one by one was read. So a
    box joined to nothing nearer hangs off the nearer level's only box, or else its only group (the
    relative is among that group's lots not read)."""
    for level in [*range(-up, 0), *range(1, down + 1)]:
        nearer_level = level + 1 if level < 0 else level - 1
        nearer = picture.boxes(nearer_level)
        groups = picture.groups.get(nearer_level, [])
        source = nearer[0] if len(nearer) == 1 else groups[0] if len(groups) == 1 else None
        if source is None:
            continue
        joined = {joint.parent if level < 0 else joint.child for joint in picture.joints}
        for box in picture.boxes(level):
            if box not in joined:
                picture.joints.append(gen.Joint(box, source) if level < 0 else gen.Joint(source, box))


@dataclass(frozen=True, slots=True)
class TimelinePage:
    events: list[EventRecord]
    more: str | None  # the cursor of the next (older) page


class Timeline:
    """A lot's events newest first, and one event in full."""

    def __init__(self, reads: TimelineReads) -> None:
        self.reads = reads

    def lot_events(self, key: LotKey, cursor: str | None = None, limit: int = 50) -> TimelinePage:
        events = self.reads.lot_events(key, _position(cursor), limit + 1)
        more = events[limit - 1] if len(events) > limit else None
        return TimelinePage(events[:limit], _cursor(more) if more else None)

    def event(self, event_id: str) -> EventRecord:
        return self.reads.event(event_id)


def _cursor(event: EventRecord) -> str:
    return base64.urlsafe_b64encode(f"{event.time.isoformat()}|{event.seq}".encode()).decode()


def _position(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        time, seq = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        moment = datetime.fromisoformat(time)
        if moment.tzinfo is None or not 0 <= int(seq) < 2**63:
            raise ValueError
        return moment, int(seq)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(f"not a cursor this page gave out: {cursor[:80]!r}", "before") from None
