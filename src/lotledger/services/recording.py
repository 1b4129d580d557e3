"""Record events: one, a batch all or nothing, a file's worth each on its own, or many scanners at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

from lotledger.domain.accounts import Caller, role_to_record
from lotledger.domain.errors import ValidationError
from lotledger.domain.events import Event, parse_event
from lotledger.domain.purchasing import OrderReads
from lotledger.domain.recording import Attribution, Outcome, Recorded, Sealed
from lotledger.ports import Ledger
from lotledger.services.group_commit import GroupCommitter


def parse(raw: Any, prefix: str = "") -> Event:
    """An event from its JSON object; errors name the field under `prefix` (e.g. ``events[2].``)."""
    try:
        return parse_event(raw)
    except ValidationError as error:
        field = f"{prefix}{error.field}" if error.field else prefix.rstrip(".") or None
        raise ValidationError(error.message, field) from None


def _allowed(event: Event, who: Caller) -> None:
    who.user.require(role_to_record(event), f"recording a {event.type} event" + _override(event))


def _override(event: Event) -> str:
    return " with expiry_override" if getattr(event, "expiry_override", None) is not None else ""


class Recording:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.group = GroupCommitter(ledger)

    def record(self, event: Event, who: Caller, guard: Callable[[OrderReads], None] | None = None) -> Recorded:
        """Record one event, or raise and change nothing; `guard` is checked in the same transaction (a
        purchase order's receipt: its tolerance, with no other receipt in between)."""
        _allowed(event, who)
        outcome = self.ledger.record_many([event], [who.attribution], atomic=True, guard=guard)[0]
        assert isinstance(outcome, Recorded)
        return outcome

    def submit(self, event: Event, who: Caller) -> Future[Recorded]:
        """Record one event in the next group commit (many scanners, few disk flushes)."""
        _allowed(event, who)
        return self.group.submit(event, who.attribution)

    def record_all(self, events: Sequence[Event], who: Caller) -> list[Recorded]:
        """All or nothing: a refusal raises (BatchRejected naming events[i] when there are several)."""
        for event in events:
            _allowed(event, who)
        outcomes = self.ledger.record_many(events, [who.attribution] * len(events), atomic=True)
        return [o for o in outcomes if isinstance(o, Recorded)]

    def check(self, event: Event, who: Caller) -> None:
        """Raise what recording `event` for `who` would be refused for (a role, a held lot, too little
        stock...), recording nothing: a floor page asks at each scan, before the operator goes on."""
        _allowed(event, who)
        self.ledger.check(event)

    def record_each(
        self, events: Sequence[Event], attribution: Attribution, sealed: Sequence[Sealed | None] | None = None
    ) -> list[Outcome]:
        """Each event on its own (a file import by the plant's own tools): refusals come back as Rejected.
        `sealed`: the events' seals where the file's reader computed them (`interchange.read_ahead`)."""
        return self.ledger.record_many(events, [attribution] * len(events), atomic=False, sealed=sealed)

    def close(self) -> None:
        self.group.close()
