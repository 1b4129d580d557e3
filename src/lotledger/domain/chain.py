"""Tamper evidence: every recorded event is a link in a hash chain.

Each link hashes the previous link with the event's fingerprint (the SHA-256
of its canonical JSON) and who recorded it, when and from which client. An
edit to any stored event, or to its attribution, breaks its own link and so
every link after it; deleting or reordering events breaks the chain where
they were. The last link (the head) can be written down or sent elsewhere:
a rewrite of the whole chain then no longer ends at the head on record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

GENESIS = "0" * 64  # what the first event's link chains to


@dataclass(frozen=True, slots=True)
class StoredLink:
    """One event as stored, with the link stored beside it."""

    position: int  # 1, 2, 3 ... in recording order
    event_id: str
    document: str  # the canonical JSON as stored
    body_hash: str
    recorded_at: datetime
    recorded_by: str
    client: str
    link: str


@dataclass(frozen=True, slots=True)
class Head:
    position: int
    link: str

    def __str__(self) -> str:
        return f"{self.position}:{self.link}"

    @classmethod
    def parse(cls, text: str) -> Head:
        position, _, link = text.partition(":")
        if not position.isdigit() or len(link) != 64:
            raise ValueError(f"expected POSITION:HASH as `lotledger verify` prints it, got {text!r}")
        return cls(int(position), link)


@dataclass(frozen=True, slots=True)
class Break:
    """The first place the chain does not hold, in words a person can act on."""

    position: int
    event_id: str | None
    reason: str

    def __str__(self) -> str:
        event = f" (event {self.event_id})" if self.event_id else ""
        return f"link {self.position}{event}: {self.reason}"


def fingerprint(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def link(previous: str, body_hash: str, recorded_at: datetime, recorded_by: str, client: str) -> str:
    """The link of one event: the previous link, the event's fingerprint and its attribution."""
    text = "\n".join((previous, body_hash, _moment(recorded_at), recorded_by, client))
    return hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=64)
def _moment(recorded_at: datetime) -> str:
    """A link's time (every event of a transaction has the same: formatted once, not per event)."""
    return recorded_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def first_break(links: Iterable[StoredLink], expected_events: int) -> tuple[Head, Break | None]:
    """Walk the chain in order; the head reached, and the first break if there is one."""
    previous, position = GENESIS, 0
    for stored in links:
        position += 1
        if stored.position != position:
            return Head(position - 1, previous), Break(position, stored.event_id, "a link is missing before it")
        if fingerprint(stored.document) != stored.body_hash:
            return Head(position - 1, previous), Break(position, stored.event_id, "the event's body was changed")
        expected = link(previous, stored.body_hash, stored.recorded_at, stored.recorded_by, stored.client)
        if expected != stored.link:
            reason = "the event, its attribution or the chain before it was changed"
            return Head(position - 1, previous), Break(position, stored.event_id, reason)
        previous = stored.link
    if position != expected_events:
        return Head(position, previous), Break(
            position + 1, None, f"{expected_events} events are stored but only {position} are in the chain"
        )
    return Head(position, previous), None
