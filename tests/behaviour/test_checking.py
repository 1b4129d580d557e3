"""A floor page asks the ledger before recording: `check` refuses exactly what recording would, and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from lotledger.domain.errors import Forbidden, InsufficientStock, LotOnHold, NotFound
from lotledger.domain.events import parse_event
from lotledger.domain.model import LotKey
from tests.factories import OPERATOR, TESTER, hold, line, now, receive

F1 = LotKey("FLOUR", "F-1")


def _ship(qty: Any, **extra: Any) -> Any:
    return parse_event(
        {
            "type": "ship",
            "time": now(),
            "location": "RAW",
            "partner": "SHOP",
            "lines": [line("FLOUR", "F-1", qty)],
            **extra,
        }
    )


def test_checking_an_event_the_ledger_would_take_records_nothing(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    before = plant.queries.mass_balance(F1)
    plant.recording.check(_ship(40), TESTER)
    plant.recording.check(_ship(40), TESTER)  # twice: nothing was taken the first time
    assert plant.queries.mass_balance(F1) == before
    assert len(plant.queries.history(F1)) == 1


def test_checking_refuses_too_little_stock_a_held_lot_and_a_role_as_recording_would(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    with pytest.raises(InsufficientStock, match="FLOUR/F-1"):
        plant.recording.check(_ship(101), TESTER)
    hold(plant, "FLOUR", "F-1")
    with pytest.raises(LotOnHold, match="is on hold"):
        plant.recording.check(_ship(1), TESTER)
    release = parse_event(
        {"type": "release", "time": now(), "location": "RAW", "reason": "ok", "lots": [{"item": "FLOUR", "lot": "F-1"}]}
    )
    with pytest.raises(Forbidden, match="quality role"):
        plant.recording.check(release, OPERATOR)
    with pytest.raises(NotFound, match=r"unknown partner 'NOWHERE'"):
        plant.recording.check(_ship(1, partner="NOWHERE"), TESTER)
