"""Quantity is conserved: for any sequence of accepted events, every lot's books add up.

Random receive, produce, ship, return, adjust, move and void events, refusals allowed
(and skipped); afterwards each lot's mass balance matches a plain model of the accepted
events, figure by figure, its difference is zero, and its balances sum to what it shows."""

from __future__ import annotations

import itertools
from collections import defaultdict
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lotledger.domain.errors import LotledgerError, NotFound
from lotledger.domain.model import LotKey
from tests.factories import line, record

LOTS = [("FLOUR", "F0"), ("FLOUR", "F1"), ("DOUGH", "D0"), ("DOUGH", "D1")]
_examples = itertools.count()

lots = st.integers(0, len(LOTS) - 1)
quantities = st.integers(1, 25)
places = st.sampled_from(["RAW", "RAW", "FG"])
customers = st.sampled_from(["SHOP", "SHOP", "DELI"])
# Every example starts with stock of each lot at RAW, so most later steps can be accepted.
PRELUDE = [("receive", i, 60, "RAW") for i in range(len(LOTS))]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), lots, quantities, places),
        st.tuples(st.just("produce"), lots, quantities, lots, quantities, places).filter(lambda s: s[1] != s[3]),
        st.tuples(st.just("ship"), lots, quantities, customers, places),
        # A return of part of the k-th accepted shipment (or of any lot, refused, when there is none).
        st.tuples(st.just("return"), lots, st.integers(1, 10), customers, places, st.integers(0, 10_000)),
        st.tuples(st.just("adjust"), lots, st.integers(-30, 30).filter(bool), places),
        st.tuples(st.just("move"), lots, quantities, places),
        st.tuples(st.just("void"), st.integers(0, 10_000)),
    ),
    min_size=5,
    max_size=30,
).map(lambda plan: PRELUDE + plan)


def document(step: tuple[Any, ...], keys: list[LotKey], recorded: list[str]) -> dict[str, Any]:
    kind = step[0]
    if kind == "void":
        return {"type": "void", "location": "RAW", "target": recorded[step[1] % len(recorded)], "reason": "mistake"}
    lot = keys[step[1]]
    if kind == "receive":
        _, _, qty, place = step
        return {"type": "receive", "location": place, "partner": "MILL", "lines": [line(lot.sku, lot.code, qty)]}
    if kind == "produce":
        _, _, qty, out, made, place = step
        made_lot = keys[out]
        return {
            "type": "produce",
            "location": place,
            "inputs": [line(lot.sku, lot.code, qty)],
            "outputs": [line(made_lot.sku, made_lot.code, made)],
        }
    if kind in ("ship", "return"):
        qty, customer, place = step[2:5]
        return {"type": kind, "location": place, "partner": customer, "lines": [line(lot.sku, lot.code, qty)]}
    if kind == "adjust":
        _, _, qty, place = step
        return {"type": "adjust", "location": place, "reason": "count", "lines": [line(lot.sku, lot.code, qty)]}
    _, _, qty, place = step
    elsewhere = "FG" if place == "RAW" else "RAW"
    return {"type": "move", "location": place, "to_location": elsewhere, "lines": [line(lot.sku, lot.code, qty)]}


def effects(step: tuple[Any, ...], keys: list[LotKey]) -> dict[tuple[LotKey, str], Decimal]:
    """What an accepted event does to each lot, by movement kind, as the model books it."""
    kind, lot, qty = step[0], keys[step[1]], Decimal(step[2])
    if kind == "produce":
        return {(lot, "consume"): -qty, (keys[step[3]], "produce"): Decimal(step[4])}
    if kind == "ship":
        return {(lot, "ship"): -qty}
    if kind == "move":
        return {}
    return {(lot, kind): qty}  # receive, return, adjust (signed)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_every_lots_books_add_up_after_any_sequence_of_events(plant: Any, plan: list[tuple[Any, ...]]) -> None:
    namespace = f"Q{next(_examples)}"
    keys = [LotKey(sku, f"{namespace}-{code}") for sku, code in LOTS]
    model: dict[LotKey, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    recorded: list[str] = []
    booked: dict[str, dict[tuple[LotKey, str], Decimal]] = {}
    shipments: list[tuple[int, str]] = []
    for step in plan:
        if step[0] == "void" and not recorded:
            continue
        if step[0] == "return" and shipments:
            lot, customer = shipments[step[5] % len(shipments)]
            step = (step[0], lot, step[2], customer, step[4])
        body = document(step, keys, recorded)
        try:
            done = record(plant, body)
        except LotledgerError:
            continue  # refused: it must have changed nothing, which the books below check
        recorded.append(done.id)
        if step[0] == "ship":
            shipments.append((step[1], step[3]))
        if step[0] == "void":  # the target's effects come back reversed
            booked[done.id] = {key: -qty for key, qty in booked[body["target"]].items()}
        else:
            booked[done.id] = effects(step, keys)
        for (lot, kind), qty in booked[done.id].items():
            model[lot][kind] += qty
    for lot in keys:
        stock = plant.queries.balances(sku=lot.sku, lot=lot.code)
        expected = model[lot]
        if not _exists(plant, lot):
            assert (stock, sum(expected.values(), Decimal(0))) == ([], 0), lot
            continue
        balance = plant.queries.mass_balance(lot)
        on_hand = sum((s.qty for s in stock), Decimal(0))
        figures = (balance.received, balance.produced, balance.returned, balance.consumed, balance.shipped)
        assert figures == (
            expected["receive"],
            expected["produce"],
            expected["return"],
            -expected["consume"],
            -expected["ship"],
        ), lot
        assert balance.adjusted == expected["adjust"], lot
        assert balance.on_hand == on_hand == sum(expected.values(), Decimal(0)), lot
        assert balance.difference == 0, lot
        assert on_hand == balance.inflow + balance.adjusted - balance.outflow, lot
        assert all(s.qty > 0 for s in stock), lot


def _exists(plant: Any, lot: LotKey) -> bool:
    try:
        plant.queries.lot(lot)
    except NotFound:
        return False
    return True
