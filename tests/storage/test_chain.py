"""Tamper evidence: `verify` finds an edited event, an edited projection, and a rewritten chain."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from lotledger.bootstrap import App
from lotledger.domain.chain import Head
from tests.factories import hold, line, produce, receive, release, setup_plant, ship, void


@pytest.fixture
def plant(app: App) -> App:
    setup_plant(app)
    receive(app, "FLOUR", "F-1", 100)
    made = produce(app, [line("FLOUR", "F-1", 40)], [line("DOUGH", "D-1", 40)])
    ship(app, "FLOUR", "F-1", 10)
    hold(app, "FLOUR", "F-1")
    release(app, "FLOUR", "F-1")
    void(app, made.id)
    return app


def test_an_untouched_record_verifies(plant: App) -> None:
    verdict = plant.verification.verify()
    assert verdict.intact, (verdict.chain_break, verdict.differences)
    assert (verdict.events, verdict.replayed, verdict.head.position) == (6, 6, 6)
    assert plant.verification.verify(verdict.head).intact


def _tamper(engine: Engine, statement: str) -> None:
    """What an attacker with the database's password can do: drop the guard, edit, put the guard back."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE events DISABLE TRIGGER events_no_change"))
            conn.execute(text(statement))
            conn.execute(text("ALTER TABLE events ENABLE TRIGGER events_no_change"))
        else:
            conn.execute(text("DROP TRIGGER events_no_update"))
            conn.execute(text(statement))
            conn.execute(
                text(
                    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN "
                    "SELECT RAISE(ABORT, 'events are append-only: UPDATE refused; record a void event'); END"
                )
            )


def test_an_edited_event_body_is_named(plant: App, engine: Engine) -> None:
    _tamper(engine, "UPDATE events SET document = replace(document, '\"100\"', '\"1000\"') WHERE type = 'receive'")
    verdict = plant.verification.verify()
    assert not verdict.intact
    assert str(verdict.chain_break).startswith("link 1 (event ")
    assert str(verdict.chain_break).endswith("the event's body was changed")


def test_an_edit_with_a_recomputed_fingerprint_breaks_the_link(plant: App, engine: Engine) -> None:
    _tamper(engine, "UPDATE events SET recorded_by = 'user:someone-else' WHERE type = 'ship'")
    verdict = plant.verification.verify()
    assert verdict.chain_break is not None
    assert verdict.chain_break.position == 3
    assert verdict.chain_break.reason == "the event, its attribution or the chain before it was changed"


def test_an_edited_balance_is_named_by_the_replay(plant: App, engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE balances SET qty = qty + 5000000 WHERE lot_id = (SELECT id FROM lots WHERE code = 'F-1')")
        )
    verdict = plant.verification.verify()
    assert verdict.chain_break is None
    assert verdict.differences
    assert verdict.differences[0].startswith("balance of FLOUR/F-1 at RAW: stored 95, the events give 90")


def test_a_head_on_record_catches_a_rewritten_chain(plant: App) -> None:
    verdict = plant.verification.verify()
    other = Head(verdict.head.position, "f" * 64)
    assert plant.verification.verify(other).head_mismatch == "link 6 is not the head on record"
    assert plant.verification.verify(Head(9, "0" * 64)).head_mismatch == (
        "the chain has 6 links; the head on record is at 9"
    )
