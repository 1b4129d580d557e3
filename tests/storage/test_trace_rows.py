"""The forward trace written from its rows is exactly the trace built from records, on both backends.

`lotledger trace --down --format json` (and csv) writes a hub lot's trace as the rows
come, without a record per lot; the document must not change by a byte.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lotledger.bootstrap import App
from lotledger.domain.model import LotKey
from lotledger.interchange.jsonout import json_chunks
from lotledger.interchange.lists import trace_table
from lotledger.interchange.tables import csv_chunks
from lotledger.interchange.trace_out import ForwardJson
from tests.factories import PALLET, hold, line, move, pack, produce, receive, record, setup_plant, ship, void

_namespaces = itertools.count()
ITEMS = (("FLOUR", "kg"), ("MILK", "L"))  # two units: a customer's totals keep them apart, in order


@pytest.fixture
def plant(app: App) -> App:
    setup_plant(app)
    return app


def streamed_answers(app: App, key: LotKey) -> dict[str, Any]:
    """The trace's JSON (one line and indented) and CSV, from records and from rows."""
    found: dict[str, Any] = {}
    forward = app.queries.forward(key)
    for indent in (None, 2):
        document = {"lot": key, "backward": None, "forward": forward}
        found[f"records {indent}"] = "".join(json_chunks(document, indent))
        with app.queries.forward_rows(key) as rows:
            streamed = {"lot": key, "backward": None, "forward": ForwardJson(rows)}
            found[f"rows {indent}"] = "".join(json_chunks(streamed, indent))
    found["records csv"] = b"".join(csv_chunks(trace_table(key, None, forward)))
    with app.queries.forward_rows(key) as rows:
        found["rows csv"] = b"".join(csv_chunks(trace_table(key, None, rows)))
    return found


steps = st.integers(min_value=2, max_value=7).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(
            st.one_of(
                st.tuples(
                    st.just("produce"),
                    st.sets(st.integers(0, n - 1), min_size=1, max_size=3),
                    st.sets(st.integers(0, n - 1), min_size=1, max_size=2),
                    st.booleans(),
                ).filter(lambda e: not (e[1] & e[2])),
                st.tuples(
                    st.just("ship"),
                    st.integers(0, n - 1),
                    st.sampled_from(["SHOP", "DELI"]),
                    st.sampled_from(["1", "0.25", "2.000001"]),
                    st.booleans(),  # with a reference or without
                    st.booleans(),  # then voided
                ),
                st.tuples(st.just("move"), st.integers(0, n - 1)),
                st.tuples(st.just("pack"), st.integers(0, n - 1)),
            ),
            min_size=1,
            max_size=16,
        ),
        st.sets(st.integers(0, n - 1), max_size=2),  # held at the end
    )
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_trace_written_from_rows_equals_the_trace_of_records(plant: App, generated: tuple[int, list, set]) -> None:
    count, plan, held = generated
    ns = f"T{next(_namespaces)}"
    lots = [LotKey(ITEMS[i % 2][0], f"{ns}-{i}") for i in range(count)]
    uom = {lot: ITEMS[i % 2][1] for i, lot in enumerate(lots)}
    for lot in lots:
        receive(plant, lot.sku, lot.code, 1000, uom[lot], expiry="2027-01-31" if lot.sku == "MILK" else None)
    for step in plan:
        if step[0] == "produce":
            _, inputs, outputs, then_void = step
            made = produce(
                plant,
                [line(lots[i].sku, lots[i].code, 1, uom[lots[i]]) for i in sorted(inputs)],
                [line(lots[o].sku, lots[o].code, "0.5", uom[lots[o]]) for o in sorted(outputs)],
            )
            if then_void:
                void(plant, made.id)
        elif step[0] == "ship":
            _, i, customer, qty, referenced, then_void = step
            if referenced:
                done = ship(plant, lots[i].sku, lots[i].code, qty, uom[lots[i]], customer=customer)
            else:
                document = {"type": "ship", "location": "RAW", "partner": customer}
                done = record(plant, {**document, "lines": [line(lots[i].sku, lots[i].code, qty, uom[lots[i]])]})
            if then_void:
                void(plant, done.id)
        elif step[0] == "move":
            move(plant, lots[step[1]].sku, lots[step[1]].code, 1, uom[lots[step[1]]])
        else:
            pack(plant, lots[step[1]].sku, lots[step[1]].code, 1, uom[lots[step[1]]], container=PALLET)
    for i in held:
        hold(plant, lots[i].sku, lots[i].code)
    for lot in lots:
        found = streamed_answers(plant, lot)
        for kind in ("None", "2", "csv"):
            assert found[f"rows {kind}"] == found[f"records {kind}"], (lot, kind)
        assert json.loads(found["rows None"])["forward"]["root"] == {"item": lot.sku, "lot": lot.code}


def test_trace_rows_of_the_hub_hold_every_record(plant: App) -> None:
    """A lot with stock, shipments to two customers in two units, a held child and a voided shipment."""
    receive(plant, "FLOUR", "F-1", 100)
    receive(plant, "MILK", "M-1", 50, "L")
    produce(plant, [line("FLOUR", "F-1", 40), line("MILK", "M-1", 10, "L")], [line("DOUGH", "D-1", 50)])
    produce(plant, [line("DOUGH", "D-1", 50)], [line("BREAD", "B-1", 100, "ea"), line("BREAD", "B-2", 20, "ea")])
    ship(plant, "BREAD", "B-1", 30, "ea", customer="SHOP")
    ship(plant, "BREAD", "B-2", 20, "ea", customer="SHOP")
    ship(plant, "FLOUR", "F-1", "12.5", customer="SHOP")
    voided = ship(plant, "BREAD", "B-1", 5, "ea", customer="DELI")
    void(plant, voided.id)
    hold(plant, "BREAD", "B-1")
    found = streamed_answers(plant, LotKey("FLOUR", "F-1"))
    forward = json.loads(found["rows None"])["forward"]
    lots = [(x["lot"]["lot"], x["depth"], x["held"]) for x in forward["lots"]]
    assert lots == [("D-1", 1, False), ("B-1", 2, True), ("B-2", 2, False)]
    assert [(s["lot"]["lot"], s["qty"]) for s in forward["shipments"]] == [
        ("B-1", "30"),
        ("B-2", "20"),
        ("F-1", "12.5"),
    ]
    shop = forward["customers"][0]
    assert (shop["customer"], shop["shipments"], shop["lots"], shop["qty"]) == (
        "SHOP",
        3,
        3,
        {"ea": "50", "kg": "12.5"},
    )
    assert {(s["lot"]["lot"], s["qty"]) for s in forward["on_hand"]} == {("F-1", "47.5"), ("B-1", "70")}
    assert found["rows None"] == found["records None"]
    assert found["rows 2"] == found["records 2"]
    assert found["rows csv"] == found["records csv"]
