"""Time: events are not dated ahead of the clock, and fall in the years 1900-2199; odd input never crashes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from lotledger.domain.errors import ValidationError
from lotledger.domain.model import LotKey
from tests.factories import exactly, line, record

F1 = LotKey("FLOUR", "F-1")


def receipt(**change: Any) -> dict[str, Any]:
    return {"type": "receive", "location": "RAW", "partner": "MILL", "lines": [line("FLOUR", "F-1", 10)], **change}


def test_an_event_more_than_an_hour_ahead_of_the_clock_is_refused_on_time(plant: Any) -> None:
    ahead = (datetime.now(UTC) + timedelta(hours=1, minutes=5)).replace(microsecond=0)
    clock = r"\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00\)"  # the ledger's clock when it refused, to the second
    ahead_of = f"^time: {re.escape(ahead.isoformat())} is more than 60 minutes ahead of the ledger's clock {clock}$"
    with pytest.raises(ValidationError, match=ahead_of):
        record(plant, receipt(time=ahead.isoformat()))
    assert plant.queries.balances(sku="FLOUR") == []


def test_an_event_a_little_ahead_of_the_clock_is_accepted(plant: Any) -> None:
    record(plant, receipt(time=(datetime.now(UTC) + timedelta(minutes=50)).isoformat()))
    assert plant.queries.mass_balance(F1).on_hand == 10


def test_the_margin_is_measured_in_absolute_time_not_the_written_offset(plant: Any) -> None:
    # 30 minutes ahead, written in UTC-10: the wall-clock hour looks far behind but the instant is near.
    soon = (datetime.now(UTC) + timedelta(minutes=30)).astimezone(_zone(-10))
    record(plant, receipt(time=soon.isoformat()))
    later = (datetime.now(UTC) + timedelta(hours=2)).astimezone(_zone(14))
    with pytest.raises(ValidationError, match="is more than 60 minutes ahead of the ledger's clock"):
        record(plant, receipt(time=later.isoformat()))


def _zone(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


@pytest.mark.parametrize(
    "time",
    [
        "1899-12-31T23:59:59Z",
        "1900-01-01T00:30:00+01:00",  # 1899 in UTC
        "2200-01-01T00:00:00Z",
        "2199-12-31T23:30:00-01:00",  # 2200 in UTC
        "0001-01-01T00:00:00+01:00",  # before the first instant a datetime can hold in UTC
        "9999-12-31T23:59:59-01:00",  # after the last one
    ],
)
def test_a_time_outside_the_years_1900_to_2199_is_refused_with_a_clear_message(plant: Any, time: str) -> None:
    with pytest.raises(
        ValidationError,
        match=exactly(
            f"time: {datetime.fromisoformat(time).isoformat()} is outside the years 1900-2199 lotledger records"
        ),
    ):
        record(plant, receipt(time=time))


def test_the_first_moment_of_1900_is_accepted(plant: Any) -> None:
    record(plant, receipt(time="1900-01-01T00:00:00Z", lines=[line("FLOUR", "F-1", 10, expiry="1900-01-02")]))
    assert [e.time for e in plant.queries.history(F1)] == [datetime(1900, 1, 1, tzinfo=UTC)]


@pytest.mark.parametrize("expiry", ["1899-12-31", "2200-01-01", "0001-01-01", "9999-12-31"])
def test_an_expiry_outside_the_years_1900_to_2199_is_refused(plant: Any, expiry: str) -> None:
    with pytest.raises(ValidationError, match=exactly(f"lines[0].expiry: {expiry} is outside the years 1900-2199")):
        record(plant, receipt(lines=[line("FLOUR", "F-1", 10, expiry=expiry)]))


@pytest.mark.parametrize("time", ["yesterday", "2026-03-01T08:00:00", "10000-01-01T00:00:00Z", 20260301])
def test_a_time_that_is_not_iso_8601_with_an_offset_is_refused(plant: Any, time: Any) -> None:
    with pytest.raises(
        ValidationError, match=r"^time: (expected ISO 8601 with an offset|.* has no UTC offset)"
    ) as refused:
        record(plant, receipt(time=time))
    assert refused.value.field == "time"


def test_a_lone_surrogate_in_a_reference_is_refused_not_a_crash(plant: Any) -> None:
    with pytest.raises(
        ValidationError, match=exactly("reference: contains a lone surrogate, which is not text in any encoding")
    ):
        record(plant, receipt(reference="PO-\ud800"))
    assert plant.queries.balances(sku="FLOUR") == []


@pytest.mark.parametrize("field", ["actor", "note"])
def test_a_lone_surrogate_in_any_free_text_is_refused(plant: Any, field: str) -> None:
    with pytest.raises(ValidationError, match="contains a lone surrogate") as refused:
        record(plant, receipt(**{field: "\udfff"}))
    assert refused.value.field == field


def test_text_outside_ascii_is_kept_as_written(plant: Any) -> None:
    record(plant, receipt(reference="Lieferschein Nr. 7 – Müller 🍞", note="日本語"))
    [entry] = plant.queries.history(F1)
    assert (entry.reference, entry.document["note"]) == ("Lieferschein Nr. 7 – Müller 🍞", "日本語")


@pytest.mark.parametrize("uom", ["t", "lb", "kg", "g"])
def test_an_astronomical_quantity_is_refused_on_its_field(plant: Any, uom: str) -> None:
    with pytest.raises(
        ValidationError, match=exactly("lines[0].qty: '1e999999' is too large (less than 10^12 in any unit)")
    ):
        record(plant, receipt(lines=[line("FLOUR", "F-1", "1e999999", uom)]))


def test_a_quantity_that_reaches_ten_to_the_twelve_base_units_after_conversion_is_refused_on_qty(plant: Any) -> None:
    with pytest.raises(ValidationError, match=exactly("lines[0].qty: 1000000000 t is too large (10^12 kg at most)")):
        record(plant, receipt(lines=[line("FLOUR", "F-1", "1e9", "t")]))


def test_a_quantity_below_a_millionth_of_the_base_unit_is_refused_on_qty(plant: Any) -> None:
    with pytest.raises(ValidationError, match=exactly("lines[0].qty: 0.0000001 g is below a millionth of kg")):
        record(plant, receipt(lines=[line("FLOUR", "F-1", "0.0000001", "g")]))


def test_a_vanishingly_small_quantity_is_refused_with_a_short_message(plant: Any) -> None:
    with pytest.raises(
        ValidationError, match=exactly("lines[0].qty: '1e-999999' is too small (below a millionth in any unit)")
    ):
        record(plant, receipt(lines=[line("FLOUR", "F-1", "1e-999999", "kg")]))


@pytest.mark.parametrize("qty", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_a_quantity_that_is_not_finite_is_refused(plant: Any, qty: str) -> None:
    with pytest.raises(ValidationError, match=exactly(f"lines[0].qty: expected a finite number, got {qty!r}")):
        record(plant, receipt(lines=[line("FLOUR", "F-1", qty)]))
