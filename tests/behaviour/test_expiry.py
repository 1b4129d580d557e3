"""Expiry: a lot past its expiry date is not received, consumed or shipped, unless quality overrides it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lotledger.domain.errors import Forbidden, LotExpired
from lotledger.domain.model import LotKey
from tests.factories import OPERATOR, exactly, line, record

OLD = LotKey("FLOUR", "F-OLD")
OVERRIDE = "customer accepted it for animal feed"


def receipt(expiry: str, time: str = "2026-03-01T08:00:00Z", **extra: Any) -> dict[str, Any]:
    return {
        "type": "receive",
        "time": time,
        "location": "RAW",
        "partner": "MILL",
        "lines": [line("FLOUR", "F-OLD", 100, expiry=expiry)],
        **extra,
    }


def shipment(time: str = "2026-03-11T08:00:00Z", **extra: Any) -> dict[str, Any]:
    return {
        "type": "ship",
        "time": time,
        "location": "RAW",
        "partner": "SHOP",
        "lines": [line("FLOUR", "F-OLD", 10)],
        **extra,
    }


def production(time: str = "2026-03-11T08:00:00Z", **extra: Any) -> dict[str, Any]:
    return {
        "type": "produce",
        "time": time,
        "location": "RAW",
        "inputs": [line("FLOUR", "F-OLD", 10)],
        "outputs": [line("DOUGH", "D-1", 10)],
        **extra,
    }


def test_shipping_a_lot_after_its_expiry_date_is_refused_naming_the_date(plant: Any) -> None:
    record(plant, receipt("2026-03-10"))
    with pytest.raises(
        LotExpired,
        match=exactly(
            "lines[0].lot: lot FLOUR/F-OLD expired on 2026-03-10; it cannot be shipped on 2026-03-11 "
            "(a quality user may record the event with expiry_override and a reason)"
        ),
    ):
        record(plant, shipment())


def test_consuming_a_lot_after_its_expiry_date_is_refused_naming_the_date(plant: Any) -> None:
    record(plant, receipt("2026-03-10"))
    with pytest.raises(
        LotExpired,
        match=exactly(
            "inputs[0].lot: lot FLOUR/F-OLD expired on 2026-03-10; it cannot be consumed on 2026-03-11 "
            "(a quality user may record the event with expiry_override and a reason)"
        ),
    ):
        record(plant, production())


def test_a_lot_may_still_be_used_on_its_expiry_date(plant: Any) -> None:
    record(plant, receipt("2026-03-11"))
    record(plant, shipment("2026-03-11T23:00:00Z"))
    record(plant, production("2026-03-11T23:30:00Z"))
    assert plant.queries.mass_balance(OLD).on_hand == 80


def test_the_expiry_compares_with_the_events_own_calendar_date(plant: Any) -> None:
    record(plant, receipt("2026-03-10"))
    # 23:30 on the 10th in New York is already the 11th in UTC: the event's own date counts.
    record(plant, shipment("2026-03-10T23:30:00-04:00"))
    with pytest.raises(LotExpired, match="cannot be shipped on 2026-03-11"):
        record(plant, shipment("2026-03-11T00:30:00+01:00"))


def test_receiving_a_lot_that_has_already_expired_is_refused(plant: Any) -> None:
    with pytest.raises(
        LotExpired,
        match=exactly(
            "lines[0].lot: lot FLOUR/F-OLD expired on 2026-02-28; it cannot be received on 2026-03-01 "
            "(a quality user may record the event with expiry_override and a reason)"
        ),
    ):
        record(plant, receipt("2026-02-28"))
    assert plant.queries.balances(sku="FLOUR", lot="F-OLD") == []


def test_receiving_more_of_a_lot_that_has_expired_since_is_refused(plant: Any) -> None:
    record(plant, receipt("2026-03-10"))
    with pytest.raises(LotExpired, match=re.escape("lot FLOUR/F-OLD expired on 2026-03-10; it cannot be received")):
        # The lot keeps its first expiry: a later receipt naming another date does not renew it.
        record(plant, receipt("2026-12-31", time="2026-03-12T08:00:00Z"))


def test_an_expiry_override_lets_a_quality_user_ship_an_expired_lot(plant: Any) -> None:
    record(plant, receipt("2026-03-10"))
    record(plant, shipment(expiry_override=OVERRIDE))
    assert plant.queries.mass_balance(OLD).shipped == 10


def test_an_expiry_override_lets_a_quality_user_consume_an_expired_lot(plant: Any) -> None:
    record(plant, receipt("2026-03-10"))
    record(plant, production(expiry_override="reworked into animal feed"))
    assert plant.queries.mass_balance(OLD).consumed == 10


def test_an_expiry_override_lets_a_quality_user_receive_an_expired_lot(plant: Any) -> None:
    record(plant, receipt("2026-02-28", expiry_override="bought for the test kitchen"))
    assert plant.queries.lot(OLD).expiry.isoformat() == "2026-02-28"


def test_the_override_and_its_reason_are_kept_in_the_recorded_event(plant: Any) -> None:
    record(plant, receipt("2026-03-10"))
    shipped = record(plant, shipment(expiry_override=OVERRIDE))
    entry = plant.queries.history(OLD)[-1]
    assert (entry.id, entry.type, entry.document["expiry_override"]) == (shipped.id, "ship", OVERRIDE)


def test_an_operator_may_not_record_an_expiry_override(plant: Any) -> None:
    record(plant, receipt("2026-03-10"))
    with pytest.raises(
        Forbidden,
        match=exactly(
            "recording a ship event with expiry_override needs the quality role; floor has the operator role"
        ),
    ):
        record(plant, shipment(expiry_override=OVERRIDE), who=OPERATOR)
    assert plant.queries.mass_balance(OLD).shipped == 0


def test_an_operator_may_not_override_even_a_lot_that_has_not_expired(plant: Any) -> None:
    with pytest.raises(Forbidden, match="recording a receive event with expiry_override needs the quality role"):
        record(plant, receipt("2026-12-31", expiry_override="just in case"), who=OPERATOR)


def test_an_operator_may_ship_a_lot_that_has_not_expired(plant: Any) -> None:
    record(plant, receipt("2026-03-11"))
    record(plant, shipment(), who=OPERATOR)
    assert plant.queries.mass_balance(OLD).shipped == 10


def test_the_default_expiry_is_the_event_day_plus_the_shelf_life(plant: Any) -> None:
    record(plant, {**receipt("2026-12-31"), "lines": [line("FLOUR", "F-1", 100)]})
    record(plant, {**production("2026-03-01T10:00:00Z"), "inputs": [line("FLOUR", "F-1", 1)]})
    assert plant.queries.lot(LotKey("DOUGH", "D-1")).expiry.isoformat() == "2026-03-03"  # DOUGH keeps 2 days
    with pytest.raises(LotExpired, match="lot DOUGH/D-1 expired on 2026-03-03; it cannot be shipped on 2026-03-04"):
        record(plant, {**shipment("2026-03-04T08:00:00Z"), "lines": [line("DOUGH", "D-1", 1)]})
