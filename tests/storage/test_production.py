"""Recipes and work orders on SQLite and PostgreSQL: lots suggested first expired first out, production from two
lots of one input, yield and variance, output lot codes, status from the ledger, voids, and recipe versions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from lotledger import demo, demo_production
from lotledger.bootstrap import App
from lotledger.domain.errors import AlreadyExists, Conflict, Forbidden, NotFound, ValidationError
from lotledger.domain.model import LotKey
from tests.factories import ADMIN, OPERATOR, TESTER, exactly, hold, line, load, receive, record, setup_plant

TODAY = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
DOUGH = {
    "item": "DOUGH",
    "batch": "100",
    "yield": "95",
    "inputs": [{"item": "FLOUR", "qty": "98", "uom": "kg"}, {"item": "SALT", "qty": "2", "uom": "kg"}],
}


@pytest.fixture
def plant(app: App) -> App:
    setup_plant(app)
    app.production.clock = lambda: TODAY
    return app


def _order(app: App, planned: str = "95", **extra: Any) -> str:
    return app.production.create(
        {"recipe": "DOUGH", "planned": planned, "location": "LINE", **extra}, OPERATOR
    ).order.number


def _picks(report: Any, item: str) -> list[tuple[str, str, Decimal]]:
    found = next(s.suggestion for s in report.suggestions if s.item == item)
    return [(p.stock.lot, p.stock.location, p.take) for p in found.picks]


def test_fefo_skips_a_held_and_an_expired_lot_and_prefers_the_line(plant: App) -> None:
    plant.production.add_recipe({"item": "DOUGH", "inputs": [{"item": "FLOUR", "qty": "1", "uom": "kg"}]}, TESTER)
    receive(plant, "FLOUR", "F-OLD", 50, expiry="2026-03-05")  # expired by TODAY
    receive(plant, "FLOUR", "F-HELD", 50, expiry="2026-03-20")
    hold(plant, "FLOUR", "F-HELD")
    receive(plant, "FLOUR", "F-B", 50, expiry="2026-03-25")
    receive(plant, "FLOUR", "F-A", 50, expiry="2026-04-01")
    receive(plant, "FLOUR", "F-NONE", 500)  # no expiry: last
    receive(plant, "FLOUR", "F-LINE", 30, expiry="2026-05-01", location="LINE")
    report = plant.production.report(_order(plant, "100"))
    assert _picks(report, "FLOUR") == [
        ("F-LINE", "LINE", Decimal(30)),
        ("F-B", "RAW", Decimal(50)),
        ("F-A", "RAW", Decimal(20)),
    ]
    suggestion = report.suggestions[0].suggestion
    assert [(s.stock.lot, s.why) for s in suggestion.skipped] == [("F-OLD", "expired"), ("F-HELD", "held")]
    assert suggestion.short == 0


def test_two_lots_of_one_input_and_the_yield_variance(plant: App) -> None:
    plant.production.add_recipe(DOUGH, TESTER)
    receive(plant, "FLOUR", "F-1", 60, location="LINE")
    receive(plant, "FLOUR", "F-2", 100)
    receive(plant, "SALT", "S-1", 10)
    number = _order(plant)
    assert [(s.item, s.suggestion.needed) for s in plant.production.report(number).suggestions] == [
        ("FLOUR", Decimal(98)),
        ("SALT", Decimal(2)),
    ]
    inputs = [line("FLOUR", "F-1", 60), line("FLOUR", "F-2", 40), line("SALT", "S-1", 2000, "g")]
    _, report = plant.production.produce(number, {"inputs": inputs, "outputs": [{"qty": "90"}]}, OPERATOR)
    assert [(c.item, c.lot, c.location, c.qty) for c in report.consumed] == [
        ("FLOUR", "F-1", "LINE", Decimal(60)),
        ("FLOUR", "F-2", "RAW", Decimal(40)),  # found where it is: the one place that has it
        ("SALT", "S-1", "RAW", Decimal(2)),
    ]
    v = report.variance
    assert (v.planned, v.produced, v.output_variance) == (Decimal(95), Decimal(90), Decimal(-5))
    assert (v.from_inputs, v.yield_pct, v.expected_yield, v.yield_variance) == (100, 90, 95, -5)
    flour, salt = v.inputs
    assert (flour.planned, flour.expected, flour.consumed, flour.variance) == (
        Decimal(98), Decimal("92.842105"), Decimal(100), Decimal("7.157895"))  # fmt: skip
    assert (salt.expected, salt.consumed, salt.variance_pct) == (Decimal("1.894737"), Decimal(2), Decimal("5.56"))
    assert report.status == "in progress"
    assert plant.queries.mass_balance(LotKey("FLOUR", "F-2")).on_hand == 60


def test_output_lot_codes_count_the_days_lots_and_skip_a_code_in_use(plant: App) -> None:
    plant.production.add_recipe({"item": "DOUGH", "inputs": [{"item": "FLOUR", "qty": "1", "uom": "kg"}]}, TESTER)
    receive(plant, "FLOUR", "F-1", 100, location="LINE")
    record(plant, {"type": "produce", "location": "LINE", "inputs": [line("FLOUR", "F-1", 1)],
                   "outputs": [line("DOUGH", "DOUGH-260310-2", 1)]})  # fmt: skip
    number = _order(plant, "10")
    made = []
    for _ in range(2):
        _, report = plant.production.produce(
            number, {"inputs": [line("FLOUR", "F-1", 2)], "outputs": [{"qty": 4}]}, OPERATOR
        )
        made.append(report.made[-1])
    assert [(m.lot, m.qty) for m in made] == [("DOUGH-260310-1", 4), ("DOUGH-260310-3", 4)]
    assert made[0].expiry == datetime(2026, 3, 12).date()  # two days' shelf life from the day made
    plant.production.clock = lambda: datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    _, report = plant.production.produce(number, {"inputs": [line("FLOUR", "F-1", 2)]}, OPERATOR)  # the rest: 2
    assert [(m.lot, m.qty) for m in report.made][-1] == ("DOUGH-260311-1", 2)


def test_status_open_in_progress_done_and_a_void_undoes_production(plant: App) -> None:
    plant.production.add_recipe({"item": "DOUGH", "inputs": [{"item": "FLOUR", "qty": "1", "uom": "kg"}]}, TESTER)
    receive(plant, "FLOUR", "F-1", 100, location="LINE")
    number = _order(plant, "10")
    assert plant.production.report(number).status == "open"
    first, report = plant.production.produce(
        number, {"inputs": [line("FLOUR", "F-1", 4)], "outputs": [{"qty": "4"}]}, OPERATOR
    )
    assert (report.status, report.produced) == ("in progress", 4)
    record(plant, {"type": "void", "location": "LINE", "target": first, "reason": "wrong order"})
    report = plant.production.report(number)
    assert (report.status, report.produced, report.consumed) == ("open", 0, [])
    assert plant.queries.mass_balance(LotKey("FLOUR", "F-1")).on_hand == 100
    _, report = plant.production.produce(number, {"inputs": [line("FLOUR", "F-1", 10)]}, OPERATOR)  # the rest: 10
    assert (report.status, report.produced, report.suggestions) == ("done", 10, [])
    assert [(o.number, status) for o, status, _ in plant.production.work_orders()] == [(number, "done")]


def test_close_short_cancel_and_what_each_refuses(plant: App) -> None:
    plant.production.add_recipe({"item": "DOUGH", "inputs": [{"item": "FLOUR", "qty": "1", "uom": "kg"}]}, TESTER)
    receive(plant, "FLOUR", "F-1", 100, location="LINE")
    short, idle = _order(plant, "10"), _order(plant, "10")
    with pytest.raises(Conflict, match=exactly(f"number: work order {short} has produced nothing: cancel it instead")):
        plant.production.close(short, {}, OPERATOR)
    plant.production.produce(short, {"inputs": [line("FLOUR", "F-1", 5)], "outputs": [{"qty": "5"}]}, OPERATOR)
    with pytest.raises(Conflict, match="has produced 5 kg: close it, or void its production first"):
        plant.production.cancel(short, {"reason": "line down"}, OPERATOR)
    assert plant.production.close(short, {"note": "flour ran out"}, OPERATOR).status == "done"
    with pytest.raises(ValidationError, match=exactly("reason: is required")):
        plant.production.cancel(idle, {}, OPERATOR)
    cancelled = plant.production.cancel(idle, {"reason": "no orders"}, OPERATOR)
    assert (cancelled.status, cancelled.order.end_reason) == ("cancelled", "no orders")
    with pytest.raises(Conflict, match=f"work order {idle} is cancelled: nothing more is produced on it"):
        plant.production.produce(idle, {"inputs": [line("FLOUR", "F-1", 1)]}, OPERATOR)
    assert plant.queries.mass_balance(LotKey("FLOUR", "F-1")).on_hand == 95


def test_a_work_order_keeps_its_recipe_version(plant: App) -> None:
    first = plant.production.add_recipe(DOUGH, TESTER)
    old = _order(plant)
    second = plant.production.add_recipe({**DOUGH, "yield": "97"}, TESTER)
    assert (first.version, second.version) == (1, 2)
    assert plant.production.report(old).order.recipe.version == 1
    assert plant.production.report(_order(plant)).order.recipe.version == 2
    assert [r.yield_pct for r in plant.production.versions("DOUGH")] == [97, 95]
    assert plant.production.report(_order(plant, version=1)).order.recipe.yield_pct == 95
    plant.production.add_recipe({**DOUGH, "active": False}, TESTER)
    with pytest.raises(ValidationError, match=exactly("version: recipe DOUGH v3 is not active; use an active version")):
        _order(plant)


def test_numbers_given_allocated_and_never_a_reference_already_used(plant: App) -> None:
    plant.production.add_recipe(DOUGH, TESTER)
    receive(plant, "FLOUR", "F-1", 100)
    flour = [line("FLOUR", "F-1", 1, location="RAW")]
    record(plant, {"type": "produce", "location": "LINE", "reference": "WO-00001",
                   "inputs": flour, "outputs": [line("DOUGH", "D-1", 1)]})  # fmt: skip
    assert _order(plant) == "WO-00002"  # WO-00001 is the reference of production already recorded
    adopted = plant.production.report(_order(plant, number="WO-00001"))  # its production is the order's
    assert (adopted.produced, adopted.status) == (1, "in progress")
    with pytest.raises(AlreadyExists, match=exactly("number: work order WO-00001 exists already")):
        _order(plant, number="WO-00001")
    assert _order(plant) == "WO-00003"


def test_refusals_name_the_field_and_change_nothing(plant: App) -> None:
    with pytest.raises(NotFound, match=exactly("inputs[0].item: unknown item NOPE")):
        plant.production.add_recipe({"item": "DOUGH", "inputs": [{"item": "NOPE", "qty": 1, "uom": "kg"}]}, TESTER)
    with pytest.raises(
        ValidationError, match=exactly("inputs[0].uom: unit 'ea' does not convert to the item's base unit 'kg'")
    ):
        plant.production.add_recipe({"item": "DOUGH", "inputs": [{"item": "FLOUR", "qty": 1, "uom": "ea"}]}, TESTER)
    with pytest.raises(Forbidden):
        plant.production.add_recipe(DOUGH, OPERATOR)
    with pytest.raises(NotFound, match=exactly("recipe: no recipe for DOUGH")):
        _order(plant)
    plant.production.add_recipe(DOUGH, TESTER)
    receive(plant, "MILK", "M-1", 10, "L")
    number = _order(plant)
    with pytest.raises(
        ValidationError, match=exactly("inputs[0].item: MILK is not an input of recipe DOUGH v1 (FLOUR, SALT)")
    ):
        plant.production.produce(number, {"inputs": [line("MILK", "M-1", 1, "L")]}, OPERATOR)
    with pytest.raises(ValidationError, match=exactly("planned: must be greater than zero, got '0'")):
        _order(plant, "0")
    assert plant.production.report(number).consumed == []
    assert plant.queries.mass_balance(LotKey("MILK", "M-1")).on_hand == 10


def test_the_demo_plant_has_finished_work_orders_and_an_open_one(app: App) -> None:
    assert load(app, demo.plant(5)).errors == []
    assert demo_production.load(app, 5, ADMIN)
    assert not demo_production.load(app, 5, ADMIN)  # once
    listed = [(o.number, o.recipe.item, status, made) for o, status, made in app.production.work_orders()]
    assert listed == [
        ("WO-00006", "DOUGH", "open", 0),
        ("WO-00005", "BREAD-W", "done", 400),
        ("WO-00004", "BREAD", "done", 400),
        ("WO-00003", "DOUGH", "done", 206),
    ]
    dough = app.production.report("WO-00003").variance
    assert (dough.yield_pct, dough.yield_variance, [u.variance for u in dough.inputs]) == (100, 0, [0, 0, 0])
    yeast = next(s.suggestion for s in app.production.report("WO-00006").suggestions if s.item == "YEAST")
    assert {s.why for s in yeast.skipped} == {"expired"}  # January's yeast, 30 days' shelf life
