"""A trace's rows written as JSON: each record's text is exactly what json.dumps gives its record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lotledger.domain import trace as tr
from lotledger.domain.model import LotKey
from lotledger.domain.quantities import format_qty, from_micro, micro_text
from lotledger.interchange.jsonout import json_chunks
from lotledger.interchange.trace_out import ForwardJson

texts = st.text(max_size=12)  # any character, quotes, controls and lone surrogates included
micro = st.integers(min_value=-(10**18), max_value=10**18)
times = st.datetimes(min_value=datetime(2000, 1, 1), timezones=st.just(UTC)).map(lambda t: t.astimezone(UTC))
lot_rows = st.tuples(texts, texts, st.integers(1, 256), texts, st.none() | st.dates(), st.booleans())
stock_rows = st.tuples(texts, texts, texts, texts, micro, texts)
shipment_rows = st.tuples(texts, texts, texts, times, texts, st.none() | texts, texts, texts, micro, texts)


@given(micro)
def test_micro_text_is_the_text_of_the_quantity(units: int) -> None:
    assert micro_text(units) == format_qty(from_micro(units))


@given(st.lists(lot_rows, max_size=3), st.lists(stock_rows, max_size=3), st.lists(shipment_rows, max_size=4))
def test_rows_are_written_as_json_dumps_writes_their_records(
    lots: list[tr.LotRow], stock: list[tr.StockRow], shipments: list[tr.ShipmentRow]
) -> None:
    root = LotKey("SALT", "S-1")
    record = tr.forward_trace(tr.ForwardRows(root, lots, stock, shipments))
    for indent in (None, 2):
        for level in (0, 1):
            streamed = ForwardJson(tr.ForwardRows(root, iter(lots), iter(stock), iter(shipments)))
            expected = "".join(json_chunks(record, indent, level))
            assert "".join(json_chunks(streamed, indent, level)) == expected


def test_customer_totals_count_events_and_lots_and_keep_units_in_order() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    rows: list[tr.ShipmentRow] = [
        ("BREAD", "B-1", "e1", start + timedelta(hours=2), "SHOP", None, "DOCK", "", 30_000_000, "ea"),
        ("BREAD", "B-1", "e2", start, "SHOP", "SO-1", "DOCK", "", 5_000_000, "ea"),
        ("FLOUR", "F-1", "e2", start, "SHOP", "SO-1", "DOCK", "", 12_500_000, "kg"),
        ("BREAD", "B-2", "e3", start + timedelta(hours=1), "DELI", None, "DOCK", "", 1, "ea"),
    ]
    record = tr.forward_trace(tr.ForwardRows(LotKey("SALT", "S-1"), [], [], rows))
    shop, deli = record.customers
    assert (shop.customer, shop.shipments, shop.lots, shop.first, shop.last) == (
        "SHOP",
        2,
        2,
        start,
        start + timedelta(hours=2),
    )
    assert list(shop.qty.items()) == [("ea", 35), ("kg", from_micro(12_500_000))]
    assert (deli.customer, deli.shipments, deli.lots, deli.qty) == ("DELI", 1, 1, {"ea": from_micro(1)})
