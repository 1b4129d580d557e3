"""Recording: retries are safe, batches are all or nothing, every event is attributed and timed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lotledger.domain.accounts import Caller, User
from lotledger.domain.errors import BatchRejected, IdempotencyConflict, NotFound, ValidationError
from lotledger.domain.events import parse_event
from lotledger.domain.model import LotKey
from lotledger.domain.recording import Attribution
from tests.factories import TESTER, exactly, line, now, receive, record

F1 = LotKey("FLOUR", "F-1")
EVENT_ID = "2f1c7a64-1b8e-4c1a-9a53-0e6b4a0d2c11"


def receipt(qty: Any = 10, **change: Any) -> dict[str, Any]:
    return {
        "id": EVENT_ID,
        "type": "receive",
        "time": "2026-03-01T08:00:00Z",
        "location": "RAW",
        "partner": "MILL",
        "lines": [line("FLOUR", "F-1", qty)],
        **change,
    }


def test_the_same_event_id_twice_is_recorded_once(plant: Any) -> None:
    first = record(plant, receipt())
    again = record(plant, receipt())
    assert (first.id, first.duplicate) == (EVENT_ID, False)
    assert (again.id, again.type, again.duplicate) == (EVENT_ID, "receive", True)
    assert plant.queries.mass_balance(F1).on_hand == 10
    assert len(plant.queries.history(F1)) == 1


def test_the_same_event_id_with_another_body_is_refused(plant: Any) -> None:
    record(plant, receipt())
    with pytest.raises(
        IdempotencyConflict, match=exactly(f"id: event {EVENT_ID} is already recorded with a different body")
    ):
        record(plant, receipt(qty=11))
    assert plant.queries.mass_balance(F1).on_hand == 10


def test_the_same_quantity_written_differently_is_the_same_body(plant: Any) -> None:
    record(plant, receipt(qty="10"))
    assert record(plant, receipt(qty="10.000")).duplicate is True
    assert record(plant, receipt(qty=10)).duplicate is True


def test_the_same_event_id_twice_in_one_batch_is_recorded_once(plant: Any) -> None:
    answers = plant.recording.record_all([parse_event(receipt()), parse_event(receipt())], TESTER)
    assert [a.duplicate for a in answers] == [False, True]
    assert plant.queries.mass_balance(F1).on_hand == 10


def test_a_batch_with_one_refused_event_records_nothing(plant: Any) -> None:
    batch = [
        parse_event(receipt()),
        parse_event(
            {"type": "ship", "time": now(), "location": "RAW", "partner": "SHOP", "lines": [line("FLOUR", "F-1", 4)]}
        ),
        parse_event(
            {"type": "ship", "time": now(), "location": "RAW", "partner": "SHOP", "lines": [line("FLOUR", "F-1", 7)]}
        ),
    ]
    with pytest.raises(
        BatchRejected, match=exactly("events[2].lines[0].qty: lot FLOUR/F-1 at RAW has 6 kg, the event takes 7 kg")
    ):
        plant.recording.record_all(batch, TESTER)
    with pytest.raises(NotFound, match="unknown lot FLOUR/F-1"):
        plant.queries.lot(F1)
    assert plant.queries.balances(sku="FLOUR") == []
    record(plant, receipt())  # the id was not used up by the refused batch
    assert plant.queries.mass_balance(F1).on_hand == 10


def test_a_batch_of_one_refused_event_raises_the_events_own_error(plant: Any) -> None:
    with pytest.raises(ValidationError, match=exactly("partner: partner 'SHOP' is a customer, expected a supplier")):
        plant.recording.record_all([parse_event(receipt(partner="SHOP"))], TESTER)


def test_an_import_keeps_the_good_events_and_reports_the_bad_ones(plant: Any) -> None:
    good = parse_event(receipt())
    bad = parse_event(
        {"type": "ship", "time": now(), "location": "RAW", "partner": "SHOP", "lines": [line("FLOUR", "F-1", 70)]}
    )
    outcomes = plant.recording.record_each([good, bad], TESTER.attribution)
    assert [type(o).__name__ for o in outcomes] == ["Recorded", "Rejected"]
    assert str(outcomes[1].error) == "lines[0].qty: lot FLOUR/F-1 at RAW has 10 kg, the event takes 70 kg"
    assert plant.queries.mass_balance(F1).on_hand == 10


def test_recorded_at_is_when_it_was_recorded_not_when_it_happened(plant: Any) -> None:
    week_ago = datetime.now(UTC) - timedelta(days=7)
    before = datetime.now(UTC)
    record(plant, receipt(time=week_ago.isoformat()))
    after = datetime.now(UTC)
    [entry] = plant.queries.history(F1)
    assert entry.time == week_ago
    assert before - timedelta(seconds=1) <= entry.recorded_at <= after + timedelta(seconds=1)
    assert entry.recorded_at.utcoffset() is not None


def test_each_event_of_one_group_commit_keeps_its_own_attribution(plant: Any) -> None:
    """Two callers submit at once while the writer is held at a gate, so all their events
    share one transaction (one recorded_at) and must still each name their own caller."""
    callers = [
        Caller(User(10, "anna", "operator"), Attribution("user:anna", "token:scanner-a")),
        Caller(User(11, "ben", "operator"), Attribution("user:ben", "session:web-b")),
    ]
    receive(plant, "FLOUR", "F-1", 100)
    group = plant.recording.group
    entered, gate, ledger = threading.Event(), threading.Event(), group.ledger

    class Gated:
        def record_many(self, *args: Any, **kwargs: Any) -> Any:
            entered.set()
            assert gate.wait(timeout=30), "the test never opened the gate"
            return ledger.record_many(*args, **kwargs)

    def shipment(reference: str) -> Any:
        return parse_event({"type": "ship", "time": now(), "location": "RAW", "partner": "SHOP",
                            "reference": reference, "lines": [line("FLOUR", "F-1", 1)]})  # fmt: skip

    group.ledger = Gated()
    try:
        opener = plant.recording.submit(shipment("opener"), TESTER)
        assert entered.wait(timeout=30), "the group commit never started"
        barrier = threading.Barrier(2)
        futures: dict[str, list[Any]] = {"anna": [], "ben": []}

        def submit(who: Caller) -> None:
            barrier.wait(timeout=30)
            for n in range(10):
                futures[who.user.username].append(plant.recording.submit(shipment(f"{who.user.username}-{n}"), who))

        threads = [threading.Thread(target=submit, args=(who,)) for who in callers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        gate.set()
        opener.result(timeout=30)
        ids = {name: {f.result(timeout=30).id for f in found} for name, found in futures.items()}
    finally:
        gate.set()
        group.ledger = ledger
    shipments = [e for e in plant.queries.history(F1) if e.type == "ship" and e.reference != "opener"]
    assert len(shipments) == 20
    for event in shipments:
        name = event.reference.split("-")[0]
        caller = next(c for c in callers if c.user.username == name)
        assert event.id in ids[name]
        assert (event.recorded_by, event.client) == (caller.attribution.recorded_by, caller.attribution.client)
    assert len({e.recorded_at for e in shipments}) == 1, "the twenty events were not one group commit"
