"""The seven invariants of docs/concepts.md, each on SQLite and on PostgreSQL, down to the database's rows."""

from __future__ import annotations

import re
import threading
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select, text
from sqlalchemy.exc import DBAPIError

from lotledger.bootstrap import App
from lotledger.domain.errors import (
    BatchRejected,
    IdempotencyConflict,
    InsufficientStock,
    LotOnHold,
    NotFound,
    ValidationError,
)
from lotledger.domain.events import parse_event
from lotledger.domain.model import LotKey
from tests.factories import TESTER, exactly, hold, line, now, produce, receive, record, setup_plant, ship, void


@pytest.fixture
def plant(app: App) -> App:
    setup_plant(app)
    return app


def snapshot(engine: Engine) -> dict[str, list[Any]]:
    """Every row of every table, in a stable order: 'nothing changed' means this is equal."""
    reflected = MetaData()
    with engine.connect() as conn:
        reflected.reflect(conn)
        return {
            name: sorted((tuple(str(v) for v in row) for row in conn.execute(select(table))), key=str)
            for name, table in reflected.tables.items()
            if name != "alembic_version"
        }


# 1. append-only


@pytest.mark.parametrize("statement", ["UPDATE events SET type = 'ship'", "DELETE FROM events"])
def test_database_refuses_to_change_recorded_events(plant: App, engine: Engine, statement: str) -> None:
    receive(plant, "FLOUR", "F-1", 10)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events")).scalar() == 1


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite has no TRUNCATE
def test_postgresql_refuses_to_truncate_recorded_events(plant: App, engine: Engine) -> None:
    receive(plant, "FLOUR", "F-1", 10)
    # CASCADE gets past the foreign keys, so only the trigger stands in the way.
    with pytest.raises(DBAPIError, match="events are append-only: TRUNCATE refused"), engine.begin() as conn:
        conn.execute(text("TRUNCATE events CASCADE"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events")).scalar() == 1
    assert plant.queries.mass_balance(LotKey("FLOUR", "F-1")).on_hand == 10


# 2. never below zero; a rejected event changes nothing


def test_consuming_more_than_on_hand_is_refused_with_both_quantities(plant: App) -> None:
    receive(plant, "FLOUR", "F-002", 400)
    with pytest.raises(
        InsufficientStock, match=exactly("inputs[0].qty: lot FLOUR/F-002 at RAW has 400 kg, the event takes 9999 kg")
    ):
        produce(plant, [line("FLOUR", "F-002", 9999)], [line("DOUGH", "D-1", 10)])


def test_rejected_event_leaves_every_table_unchanged(plant: App, engine: Engine) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    receive(plant, "SALT", "S-1", 5)
    before = snapshot(engine)
    production = {
        "type": "produce",
        "location": "RAW",
        "inputs": [line("FLOUR", "F-1", 50), line("SALT", "S-1", 6)],
        "outputs": [line("DOUGH", "D-NEW", 56)],
    }
    refused: list[tuple[dict[str, Any], type, str]] = [
        (production, InsufficientStock, "inputs[1].qty: lot SALT/S-1 at RAW has 5 kg, the event takes 6 kg"),
        (
            {"type": "receive", "location": "RAW", "partner": "SHOP", "lines": [line("FLOUR", "F-2", 1)]},
            ValidationError,
            "partner: partner 'SHOP' is a customer, expected a supplier",
        ),
        (
            {"type": "ship", "location": "RAW", "partner": "SHOP", "lines": [line("FLOUR", "F-1", 1, "L")]},
            ValidationError,
            "lines[0].uom: unit 'L' does not convert to the item's base unit 'kg'",
        ),
    ]
    for document, error, message in refused:
        with pytest.raises(error, match=exactly(message)):
            record(plant, document)
    with pytest.raises(
        BatchRejected, match=exactly("events[1].inputs[1].qty: lot SALT/S-1 at RAW has 5 kg, the event takes 6 kg")
    ):
        plant.recording.record_all(
            [
                parse_event({**production, "time": now(), "inputs": [line("FLOUR", "F-1", 1)]}),
                parse_event({**production, "time": now()}),
            ],
            TESTER,
        )
    assert snapshot(engine) == before


@pytest.mark.parametrize("grouped", [False, True], ids=["own-transactions", "group-commit"])
def test_sixteen_concurrent_consumers_never_overdraw_and_lose_nothing(
    plant: App, engine: Engine, grouped: bool
) -> None:
    receive(plant, "FLOUR", "F-RACE", 100)
    outcomes: list[str] = []
    barrier = threading.Barrier(16)
    shipment = {"type": "ship", "location": "RAW", "partner": "SHOP", "lines": [line("FLOUR", "F-RACE", 10)]}

    def consume(n: int) -> None:
        barrier.wait(timeout=30)
        try:
            if grouped:
                plant.recording.submit(parse_event({**shipment, "time": now()}), TESTER).result(timeout=60)
            else:
                ship(plant, "FLOUR", "F-RACE", 10)
            outcomes.append("ok")
        except InsufficientStock:
            outcomes.append("refused")

    threads = [threading.Thread(target=consume, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok"] * 10 + ["refused"] * 6
    balance = plant.queries.mass_balance(LotKey("FLOUR", "F-RACE"))
    assert (balance.on_hand, balance.shipped, balance.difference) == (0, 100, 0)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events WHERE type = 'ship'")).scalar() == 10


def test_balance_check_constraint_backs_up_the_rules(plant: App, engine: Engine) -> None:
    receive(plant, "FLOUR", "F-1", 10)
    with pytest.raises(DBAPIError, match=r"(?i)check|constraint"), engine.begin() as conn:
        conn.execute(text("UPDATE balances SET qty = -1"))


# 3. held lots


def test_held_lot_cannot_be_consumed_and_the_error_names_the_hold(plant: App) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    held = hold(plant, "FLOUR", "F-1")
    with pytest.raises(
        LotOnHold,
        match=exactly(
            f"inputs[0].lot: lot FLOUR/F-1 is on hold (hold {held.id}: metal detector alarm); "
            "it cannot be consumed or shipped"
        ),
    ):
        produce(plant, [line("FLOUR", "F-1", 10)], [line("DOUGH", "D-1", 10)])


def test_downstream_hold_blocks_shipping_what_was_made_from_the_lot(plant: App) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    produce(plant, [line("FLOUR", "F-1", 10)], [line("DOUGH", "D-1", 10)])
    produce(plant, [line("DOUGH", "D-1", 10)], [line("BREAD", "B-1", 20, "ea")])
    hold(plant, "FLOUR", "F-1", scope="downstream")
    with pytest.raises(LotOnHold, match="BREAD/B-1 is on hold"):
        ship(plant, "BREAD", "B-1", 5, "ea")
    record(
        plant,
        {
            "type": "release",
            "location": "RAW",
            "reason": "retested OK",
            "scope": "downstream",
            "lots": [{"item": "FLOUR", "lot": "F-1"}],
        },
    )
    ship(plant, "BREAD", "B-1", 5, "ea")
    assert plant.queries.lot(LotKey("BREAD", "B-1")).holds == []


def test_voiding_a_hold_lifts_it(plant: App) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    held = hold(plant, "FLOUR", "F-1")
    void(plant, held.id, "held the wrong lot")
    ship(plant, "FLOUR", "F-1", 1)


# 4. idempotency


def test_same_event_id_twice_is_recorded_once_with_the_same_answer(plant: App) -> None:
    document = {
        "id": "2f1c7a64-1b8e-4c1a-9a53-0e6b4a0d2c11",
        "type": "receive",
        "time": now(),
        "location": "RAW",
        "partner": "MILL",
        "lines": [line("FLOUR", "F-1", 10)],
    }
    first = record(plant, dict(document))
    again = record(plant, dict(document))
    assert (first.id, again.id, again.duplicate) == (document["id"], document["id"], True)
    assert plant.queries.mass_balance(LotKey("FLOUR", "F-1")).on_hand == 10
    with pytest.raises(IdempotencyConflict, match="already recorded with a different body"):
        record(plant, {**document, "lines": [line("FLOUR", "F-1", 11)]})


# 5. attribution


def test_every_event_records_who_and_which_client(plant: App) -> None:
    receive(plant, "FLOUR", "F-1", 10)
    [entry] = plant.queries.history(LotKey("FLOUR", "F-1"))
    assert (entry.recorded_by, entry.client) == ("user:tester", "token:test-suite")
    assert entry.recorded_at.tzinfo is not None


# 6. bad input: clear errors naming the field


@pytest.mark.parametrize(
    ("document", "error", "message"),
    [
        (
            {"type": "receive", "location": "RAW", "partner": "MILL", "lines": [line("FLOUR", "F-1", 1, "L")]},
            ValidationError,
            "lines[0].uom: unit 'L' does not convert to the item's base unit 'kg'",
        ),
        (
            {"type": "receive", "location": "RAW", "partner": "MILL", "lines": [line("NOPE", "F-1", 1)]},
            NotFound,
            "lines[0].item: unknown item 'NOPE'",
        ),
        (
            {"type": "ship", "location": "RAW", "partner": "SHOP", "lines": [line("FLOUR", "MISSING", 1)]},
            NotFound,
            "lines[0].lot: unknown lot FLOUR/MISSING",
        ),
        (
            {"type": "receive", "location": "MARS", "partner": "MILL", "lines": [line("FLOUR", "F-1", 1)]},
            NotFound,
            "location: unknown location 'MARS'",
        ),
        (
            {"type": "receive", "location": "RAW", "partner": "MILL", "colour": "red", "lines": []},
            ValidationError,
            "colour: unknown field for a receive event",
        ),
    ],
)
def test_bad_input_gets_an_error_naming_the_field(
    plant: App, document: dict[str, Any], error: type, message: str
) -> None:
    with pytest.raises(error, match=f"^{re.escape(message)}"):
        record(plant, document)


def test_units_convert_to_the_items_base_unit(plant: App) -> None:
    receive(plant, "FLOUR", "F-1", 2, "lb")
    receive(plant, "MILK", "M-1", 1500, "mL")
    assert plant.queries.mass_balance(LotKey("FLOUR", "F-1")).on_hand == Decimal("0.907185")
    assert plant.queries.mass_balance(LotKey("MILK", "M-1")).on_hand == Decimal("1.5")


# voids


def test_void_reverses_effects_and_both_stay_in_history(plant: App) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    made = produce(plant, [line("FLOUR", "F-1", 10)], [line("DOUGH", "D-1", 10)])
    assert [lot.lot for lot in plant.queries.forward(LotKey("FLOUR", "F-1")).lots] == [LotKey("DOUGH", "D-1")]
    cancel = void(plant, made.id)
    assert plant.queries.forward(LotKey("FLOUR", "F-1")).lots == []
    assert plant.queries.mass_balance(LotKey("FLOUR", "F-1")).on_hand == 100
    history = plant.queries.history(LotKey("FLOUR", "F-1"))
    assert [(h.type, h.voided_by) for h in history] == [("receive", None), ("produce", cancel.id), ("void", None)]
    with pytest.raises(ValidationError, match="a void cannot be voided"):
        void(plant, cancel.id)


def test_voiding_a_receipt_whose_stock_was_used_is_refused(plant: App) -> None:
    received = receive(plant, "FLOUR", "F-1", 100)
    ship(plant, "FLOUR", "F-1", 60)
    with pytest.raises(InsufficientStock, match="has 40 kg, the event takes 100 kg"):
        void(plant, received.id)
    with pytest.raises(NotFound, match="no event"):
        void(plant, "00000000-0000-4000-8000-000000000000")
