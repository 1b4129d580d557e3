"""Traces: the closure, the recursive walk and a plain in-memory traversal agree, on both backends."""

from __future__ import annotations

import contextlib
import itertools
from collections import Counter, defaultdict, deque
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, select, text

from lotledger.bootstrap import App
from lotledger.demo import plant as demo_plant
from lotledger.domain.errors import Conflict, ValidationError
from lotledger.domain.events import parse_event
from lotledger.domain.model import LotKey
from lotledger.storage import schema as t
from lotledger.storage.projections import COUNTS_WHOLE, STOCK_WHOLE
from lotledger.storage.trace import relatives, walk
from tests.factories import (
    TESTER,
    adjust,
    hold,
    line,
    load,
    move,
    now,
    pack,
    produce,
    receive,
    release,
    setup_plant,
    ship,
    void,
)

_namespaces = itertools.count()


def reference(edges: set[tuple[str, str]], root: str, direction: str, max_depth: int = 256) -> dict[str, int]:
    """Breadth-first search over plain edges: the answer the SQL must give."""
    step: dict[str, set[str]] = defaultdict(set)
    for parent, child in edges:
        if direction == "down":
            step[parent].add(child)
        else:
            step[child].add(parent)
    depth = {root: 0}
    queue = deque([root])
    while queue:
        lot = queue.popleft()
        if depth[lot] == max_depth:
            continue
        for nxt in step[lot]:
            if nxt not in depth:
                depth[nxt] = depth[lot] + 1
                queue.append(nxt)
    del depth[root]
    return depth


plants = st.integers(min_value=2, max_value=9).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(
            st.tuples(
                st.sets(st.integers(0, n - 1), min_size=1, max_size=3),
                st.sets(st.integers(0, n - 1), min_size=1, max_size=2),
                st.booleans(),
            ).filter(lambda e: not (e[0] & e[1])),
            min_size=1,
            max_size=14,
        ),
    )
)


def received_lots(plant: App, count: int) -> list[str]:
    """`count` fresh FLOUR lots of 1000 kg, with codes no other example uses."""
    ns = f"R{next(_namespaces)}"
    codes = [f"{ns}-{i}" for i in range(count)]
    for code in codes:
        receive(plant, "FLOUR", code, 1000)
    return codes


def rework(plant: App, codes: list[str], inputs: set[int], outputs: set[int]) -> str:
    """1 kg of each input lot made into 1 kg of each output lot; the event's id."""
    made = produce(
        plant,
        [line("FLOUR", codes[i], 1) for i in sorted(inputs)],
        [line("FLOUR", codes[o], 1) for o in sorted(outputs)],
    )
    return made.id


def lot_id(conn: Connection, key: LotKey) -> int:
    """The stored id of a lot, for the trace functions below the services."""
    query = select(t.lots.c.id).select_from(t.lots.join(t.items))
    return int(conn.execute(query.where(t.items.c.sku == key.sku, t.lots.c.code == key.code)).scalar_one())


@pytest.fixture
def plant(app: App) -> App:
    setup_plant(app)
    return app


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plants)
def test_traces_match_a_plain_traversal_of_random_plants(
    plant: App, engine: Engine, generated: tuple[int, list]
) -> None:
    lots, productions = generated
    codes = received_lots(plant, lots)
    edges_by_event: dict[str, set[tuple[str, str]]] = {}
    for inputs, outputs, then_void in productions:
        made = rework(plant, codes, inputs, outputs)
        edges_by_event[made] = {(codes[i], codes[o]) for i in inputs for o in outputs}
        if then_void:
            void(plant, made)
            del edges_by_event[made]
    edges = set().union(*edges_by_event.values()) if edges_by_event else set()
    with engine.connect() as conn:
        ids = {code: lot_id(conn, LotKey("FLOUR", code)) for code in codes}
        names = {v: k for k, v in ids.items()}
        for code, direction, depth in itertools.product(codes, ("up", "down"), (1, 2, 256)):
            expected = reference(edges, code, direction, depth)
            by_closure = {names[i]: d for i, d in relatives(conn, ids[code], direction, depth).items()}
            by_walk = {names[i]: d for i, d in walk(conn, ids[code], direction, depth).items()}
            assert by_closure == expected, (code, direction, depth)
            assert by_walk == expected, (code, direction, depth)
    for code in codes:
        down = plant.queries.forward(LotKey("FLOUR", code))
        assert {lot.lot.code: lot.depth for lot in down.lots} == reference(edges, code, "down")


def test_rework_loop_is_traced_without_looping(plant: App) -> None:
    receive(plant, "FLOUR", "A", 100)
    produce(plant, [line("FLOUR", "A", 10)], [line("DOUGH", "B", 10)])
    produce(plant, [line("DOUGH", "B", 5)], [line("FLOUR", "A", 5)], note="rework")
    assert [(x.lot, x.depth) for x in plant.queries.forward(LotKey("FLOUR", "A")).lots] == [(LotKey("DOUGH", "B"), 1)]
    assert [(x.lot, x.depth) for x in plant.queries.backward(LotKey("FLOUR", "A")).lots] == [(LotKey("DOUGH", "B"), 1)]


def test_backward_trace_ends_at_receipts_with_supplier_lot_and_quantities(plant: App) -> None:
    receive(plant, "FLOUR", "F-1", 500, supplier_lot="MILL-77")
    receive(plant, "SALT", "S-1", 20)
    produce(plant, [line("FLOUR", "F-1", 200), line("SALT", "S-1", 4000, "g")], [line("DOUGH", "D-1", 204)])
    produce(plant, [line("DOUGH", "D-1", 204)], [line("BREAD", "B-1", 400, "ea")])
    trace = plant.queries.backward(LotKey("BREAD", "B-1"))
    assert [(x.lot.code, x.depth) for x in trace.lots] == [("D-1", 1), ("F-1", 2), ("S-1", 2)]
    assert {(e.parent.code, e.child.code, e.parent_qty, e.child_qty) for e in trace.edges} == {
        ("F-1", "D-1", 200, 204),
        ("S-1", "D-1", 4, 204),
        ("D-1", "B-1", 204, 400),
    }
    assert [(r.lot.code, r.supplier, r.supplier_lot, r.reference, r.qty) for r in trace.receipts] == [
        ("F-1", "MILL", "MILL-77", "PO-1", 500),
        ("S-1", "MILL", None, "PO-1", 20),
    ]


def test_forward_trace_shows_stock_shipments_customers_and_exposure(plant: App) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    receive(plant, "FLOUR", "F-2", 300)
    produce(plant, [line("FLOUR", "F-1", 100), line("FLOUR", "F-2", 300)], [line("DOUGH", "D-1", 400)])
    produce(plant, [line("DOUGH", "D-1", 400)], [line("BREAD", "B-1", 800, "ea")])
    ship(plant, "BREAD", "B-1", 200, "ea", customer="SHOP")
    ship(plant, "BREAD", "B-1", 600, "ea", customer="DELI")
    trace = plant.queries.forward(LotKey("FLOUR", "F-1"))
    assert [(c.customer, c.qty) for c in trace.customers] == [("DELI", {"ea": 600}), ("SHOP", {"ea": 200})]
    assert trace.on_hand == []
    exposure = plant.queries.exposure(LotKey("FLOUR", "F-1"))
    # F-1 is a quarter of the dough, so a quarter of each shipment is F-1: 100 kg in all.
    assert exposure.lots[LotKey("DOUGH", "D-1")] == 100
    assert exposure.customers == {"SHOP": Decimal(25), "DELI": Decimal(75)}


def test_closure_agrees_with_the_recursive_walk_on_the_demo_plant(app: App, engine: Engine) -> None:
    assert load(app, demo_plant(30)).errors == []
    with engine.connect() as conn:
        hub = lot_id(conn, LotKey("SALT", "S-HUB"))
        assert relatives(conn, hub, "down") == walk(conn, hub, "down")
        assert len(relatives(conn, hub, "down")) == 45  # half the 30 doughs, each with bread and wrapped loaf
        wrapped = lot_id(conn, LotKey("BREAD-W", "W-0001"))
        assert relatives(conn, wrapped, "up") == walk(conn, wrapped, "up")
    balance = app.queries.mass_balance(LotKey("SALT", "S-HUB"))
    assert balance.difference == 0


# A step: its kind, a few lots and one more (indexes into the plant's lots so far, modulo their number),
# a choice (customer, item, place, scope) and whether to void it at once. Making and rework come twice as often.
_KINDS = ["make", "make", "rework", "rework", "ship", "move", "pack", "zero", "hold", "release", "void"]
_index = st.integers(0, 63)
summary_steps = st.integers(min_value=2, max_value=6).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(
            st.tuples(
                st.sampled_from(_KINDS), st.sets(_index, min_size=1, max_size=3), _index, st.booleans(), st.booleans()
            ),
            min_size=8,
            max_size=30,
        ),
    )
)
_made = itertools.count()


def _summary_step(plant: App, lots: list[LotKey], done: list[str], step: tuple[Any, ...]) -> str | None:
    """Record one random step on the plant's lots; the event's id (None when there was nothing to do)."""
    kind, some, one, choice, _ = step
    pick = lots[one % len(lots)]
    if kind in ("rework", "make"):  # rework: edges into lots with a past; make: into lots the event makes
        inputs = [lots[i % len(lots)] for i in sorted(some)]
        outputs = [pick] if kind == "rework" else [LotKey("DOUGH" if choice else "SALT", f"M{next(_made)}")]
        if kind == "rework" and pick in inputs:
            return None
        made = produce(plant, [line(k.sku, k.code, 1) for k in inputs], [line(k.sku, k.code, 3) for k in outputs])
        lots.extend(k for k in outputs if k not in lots)
        return made.id
    if kind == "ship":
        return ship(plant, pick.sku, pick.code, 1, customer="SHOP" if choice else "DELI").id
    if kind == "move":
        return move(plant, pick.sku, pick.code, 1).id
    if kind == "pack":
        return pack(plant, pick.sku, pick.code, 1).id
    if kind == "zero":  # count a lot's loose stock at a place to zero
        place = "FG" if choice else "RAW"
        stock = plant.queries.balances(sku=pick.sku, lot=pick.code)
        loose = [s.qty for s in stock if s.location == place and not s.container and s.qty > 0]
        return adjust(plant, pick.sku, pick.code, -loose[0], location=place).id if loose else None
    if kind == "hold":
        return hold(plant, pick.sku, pick.code, scope="downstream" if choice else "lot").id
    if kind == "release":
        return release(plant, pick.sku, pick.code).id
    return void(plant, done[one % len(done)]).id if done else None  # an earlier event, if the rules let it go


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(summary_steps)
def test_forward_summary_agrees_with_the_full_forward_trace(
    plant: App, engine: Engine, generated: tuple[int, list[Any]]
) -> None:
    """Random plants (rework loops, new lots, shipments, moves, pallets, stock counted to zero, holds,
    releases, voids now and later, refusals): every lot's summary is its full forward trace in totals,
    and the per-ancestor projections are what the closure and balances give computed whole."""
    count, plan = generated
    lots = [LotKey("FLOUR", code) for code in received_lots(plant, count)]
    done: list[str] = []
    for step in plan:
        try:
            recorded = _summary_step(plant, lots, done, step)
        except Conflict:  # too little stock, a lot on hold, already voided...: refused, nothing changed
            continue
        if recorded is not None and step[0] != "void":
            done.append(recorded)
            if step[-1]:
                with contextlib.suppress(Conflict):
                    void(plant, recorded)
    held = {h.lot for h in plant.queries.holds()}
    for key in lots:
        full, summary = plant.queries.forward(key), plant.queries.forward_summary(key)
        assert summary.lots == len(full.lots)
        assert summary.lots_by_item == dict(sorted(Counter(lot.lot.sku for lot in full.lots).items()))
        assert summary.held == sum(lot.held for lot in full.lots) + (key in held)
        shipped: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
        for s in full.shipments:
            shipped[(s.customer, s.lot.sku)].append(s.qty)
        expected = {k: (sum(v), len(v)) for k, v in shipped.items()}
        assert {(c.customer, c.item): (c.qty, c.lines) for c in summary.customers if c.lines or c.qty} == expected
        stock: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        stocked: dict[tuple[str, str], set[LotKey]] = defaultdict(set)
        for s in full.on_hand:
            stock[(s.location, s.lot.sku)] += s.qty
            if s.qty > 0:
                stocked[(s.location, s.lot.sku)].add(s.lot)
        assert {(s.location, s.item): (s.qty, s.lots) for s in summary.on_hand} == {
            k: (stock[k], len(v)) for k, v in stocked.items()
        }
    assert_projections_are_whole(engine)


def assert_projections_are_whole(engine: Engine) -> None:
    """descendant_counts and descendant_stock hold, for every lot, what the closure and balances give."""
    with engine.connect() as conn:
        kept_counts = set(
            conn.execute(text("SELECT ancestor_id, item_id, lots FROM descendant_counts WHERE lots <> 0"))
        )
        kept_stock = set(
            conn.execute(
                text(
                    "SELECT ancestor_id, location_id, item_id, qty, lots FROM descendant_stock"
                    " WHERE qty <> 0 OR lots <> 0"
                )
            )
        )
        assert kept_counts == {tuple(r) for r in conn.execute(text(COUNTS_WHOLE))}
        assert kept_stock == {(r[0], r[1], r[2], int(r[3]), r[4]) for r in conn.execute(text(STOCK_WHOLE))}


def test_traces_reach_exactly_256_levels_deep(plant: App, engine: Engine) -> None:
    """A chain of 258 lots, C-0 -> C-1 -> ... -> C-257: 256 levels are kept, the 257th is cut."""
    receive(plant, "FLOUR", "C-0", 1000)
    chain = [
        parse_event(
            {
                "type": "produce",
                "time": now(),
                "location": "RAW",
                "inputs": [line("FLOUR", f"C-{n}", 1)],
                "outputs": [line("FLOUR", f"C-{n + 1}", 1)],
            }
        )
        for n in range(257)
    ]
    plant.recording.record_all(chain, TESTER)
    first, last = LotKey("FLOUR", "C-0"), LotKey("FLOUR", "C-257")
    down = plant.queries.forward(first)
    assert [(lot.lot.code, lot.depth) for lot in down.lots] == [(f"C-{n}", n) for n in range(1, 257)]
    up = plant.queries.backward(last)
    assert [(lot.lot.code, lot.depth) for lot in up.lots] == [(f"C-{257 - n}", n) for n in range(1, 257)]
    assert plant.queries.forward_summary(first).lots == 256
    with engine.connect() as conn:
        root, end = lot_id(conn, first), lot_id(conn, last)
        assert max(relatives(conn, root, "down").values()) == max(walk(conn, root, "down").values()) == 256
        assert max(relatives(conn, end, "up").values()) == max(walk(conn, end, "up").values()) == 256
        assert end not in relatives(conn, root, "down")
    with pytest.raises(ValidationError, match="depth: expected a depth from 1 to 256, got 257"):
        plant.queries.forward(first, depth=257)
