"""A guard runs in the ledger's write transaction and reads what was received under a reference, on every
ledger alike: voided receipts and the events being recorded left out; a refusal records nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from lotledger.domain.errors import Conflict
from lotledger.domain.events import parse_event
from lotledger.domain.purchasing import OrderReads
from tests.factories import ATTRIBUTION, give_back, line, now, receive, record, ship, void


def test_a_guard_reads_receipts_under_a_reference_and_can_refuse(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 30)  # reference PO-1, from MILL
    kept = receive(plant, "SALT", "S-1", 2000, "g")
    voided = receive(plant, "FLOUR", "F-2", 5)
    void(plant, voided.id)
    record(plant, {"type": "receive", "location": "RAW", "partner": "MILL", "reference": "PO-2",
                   "lines": [line("FLOUR", "F-3", 7)]})  # fmt: skip
    seen: list[dict[str, Decimal]] = []

    def guard(reads: OrderReads) -> None:
        seen.append(reads.received("PO-1", "MILL", [kept.id]))
        seen.append(reads.received("PO-1", "MILL", []))
        seen.append(reads.received("PO-1", "DELI", []))
        raise Conflict("refused by the guard", "reference")

    event = parse_event({"id": "00000000-0000-4000-8000-000000000001", "type": "receive", "time": now(),
                         "location": "RAW", "partner": "MILL", "reference": "PO-1",
                         "lines": [line("FLOUR", "F-4", 1)]})  # fmt: skip
    with pytest.raises(Conflict, match="refused by the guard"):
        plant.recording.ledger.record_many([event], [ATTRIBUTION], atomic=True, guard=guard)
    assert seen == [{"FLOUR": Decimal(30)}, {"FLOUR": Decimal(30), "SALT": Decimal(2)}, {}]
    assert plant.queries.find_lots("F-4") == []


def test_a_guard_reads_shipments_under_a_reference_voids_and_returns_aside(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 30)
    kept = ship(plant, "FLOUR", "F-1", 4)  # reference SO-1, to SHOP
    void(plant, ship(plant, "FLOUR", "F-1", 5).id)
    give_back(plant, "FLOUR", "F-1", 1)  # a return does not reduce what was shipped
    seen: list[dict[str, Decimal]] = []

    def guard(reads: OrderReads) -> None:
        seen.extend([reads.shipped("SO-1", "SHOP", []), reads.shipped("SO-1", "SHOP", [kept.id]),
                     reads.shipped("SO-1", "DELI", [])])  # fmt: skip
        raise Conflict("refused by the guard", "reference")

    event = parse_event({"id": "00000000-0000-4000-8000-000000000002", "type": "ship", "time": now(),
                         "location": "RAW", "partner": "SHOP", "reference": "SO-1",
                         "lines": [line("FLOUR", "F-1", 1)]})  # fmt: skip
    with pytest.raises(Conflict, match="refused by the guard"):
        plant.recording.ledger.record_many([event], [ATTRIBUTION], atomic=True, guard=guard)
    assert seen == [{"FLOUR": Decimal(4)}, {}, {}]
