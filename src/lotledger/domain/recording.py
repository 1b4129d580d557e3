"""Recording events: idempotency, the time rule, and a batch's all-or-nothing or each-alone outcome.

A ledger (SQL or in memory) opens a `Transaction` that reads its state and
applies effects; `record_batch` decides, event by event, what is recorded.
The ledgers own how state is read and written; every decision is made here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from lotledger.domain.errors import BatchRejected, IdempotencyConflict, LotledgerError, ValidationError
from lotledger.domain.events import Event, to_document
from lotledger.domain.rules import Effects, LedgerView, check_effects, plan_effects


@dataclass(frozen=True, slots=True)
class Attribution:
    """Invariant 5: who recorded an event, from which client."""

    recorded_by: str
    client: str


@dataclass(frozen=True, slots=True)
class Policy:
    """The plant's settings the rules read."""

    future_margin: timedelta = timedelta(hours=1)  # an event may be dated this far ahead of the clock


@dataclass(frozen=True, slots=True)
class Recorded:
    """The answer to recording an event; a retry of the same event gets the same answer."""

    id: str
    type: str
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class Rejected:
    """An event a batch refused, with its position in the batch."""

    index: int
    error: LotledgerError


Outcome = Recorded | Rejected


@dataclass(frozen=True, slots=True)
class Sealed:
    """An event's canonical JSON (what is stored) and its fingerprint, computed once.

    The id is part of the text, so two bodies with one id differ exactly when
    their fingerprints do: that is all idempotency needs to compare."""

    text: str
    digest: str


def seal(event: Event) -> Sealed:
    text = json.dumps(to_document(event), sort_keys=True, separators=(",", ":"))
    return Sealed(text, hashlib.sha256(text.encode()).hexdigest())


class Transaction(LedgerView, Protocol):
    """One write transaction of a ledger: its state, and a place to apply accepted effects."""

    now: datetime

    def event_digest(self, event_id: str) -> str | None:
        """The fingerprint of the event recorded under this id, if any."""
        ...

    def apply(self, event: Event, sealed: Sealed, effects: Effects, attribution: Attribution) -> None: ...


def check_time(event: Event, now: datetime, policy: Policy) -> None:
    """An event is not dated further in the future than the plant's margin."""
    if event.time > now + policy.future_margin:
        minutes = int(policy.future_margin.total_seconds() // 60)
        raise ValidationError(
            f"{event.time.isoformat()} is more than {minutes} minutes ahead of the ledger's clock "
            f"({now.isoformat(timespec='seconds')})",
            "time",
        )


def record_one(
    tx: Transaction, event: Event, attribution: Attribution, policy: Policy, sealed: Sealed | None = None
) -> Recorded:
    """Record `event` in `tx`, or raise and change nothing. The same id and body again is a duplicate.

    `sealed` is `seal(event)` if the caller has it already (a file read in a second process seals there)."""
    assert event.id is not None, "ledgers give every event an id before recording it"
    if sealed is None:
        sealed = seal(event)
    known = tx.event_digest(event.id)
    if known is not None:
        if known != sealed.digest:
            raise IdempotencyConflict(f"event {event.id} is already recorded with a different body", "id")
        return Recorded(event.id, event.type, duplicate=True)
    effects = check_one(tx, event, policy)
    tx.apply(event, sealed, effects, attribution)
    return Recorded(event.id, event.type)


def check_one(tx: Transaction, event: Event, policy: Policy) -> Effects:
    """What recording `event` would do, or raise what the ledger would refuse (nothing is applied).

    `record_one` records through it; a floor page asks it at each scan, before anything is recorded."""
    check_time(event, tx.now, policy)
    effects = plan_effects(event, tx)
    check_effects(effects, tx, event)
    return effects


def record_batch(
    tx: Transaction,
    events: Sequence[Event],
    attributions: Sequence[Attribution],
    *,
    atomic: bool,
    policy: Policy,
    sealed: Sequence[Sealed | None] | None = None,
) -> list[Outcome]:
    """atomic: the first refusal raises (BatchRejected naming events[i] when there are several).
    Otherwise each event stands or falls alone and refusals come back as Rejected. `sealed`: each
    event's seal where the caller has it (see `record_one`)."""
    outcomes: list[Outcome] = []
    seals = sealed if sealed is not None else [None] * len(events)
    for index, (event, attribution, known) in enumerate(zip(events, attributions, seals, strict=True)):
        try:
            outcomes.append(record_one(tx, event, attribution, policy, known))
        except LotledgerError as error:
            if atomic:
                raise BatchRejected(index, error) if len(events) > 1 else error from None
            outcomes.append(Rejected(index, error))
    return outcomes
