"""Roles: operators record stock events; holds, releases, voids and overrides need quality; master data admin."""

from __future__ import annotations

from typing import Any

import pytest

from lotledger.domain.accounts import Caller, User
from lotledger.domain.errors import Forbidden
from lotledger.domain.events import parse_event
from lotledger.domain.model import Item, LotKey
from lotledger.domain.recording import Attribution
from tests.factories import OPERATOR, TESTER, exactly, hold, line, now, receive, record, ship

VIEWER = Caller(User(4, "auditor", "viewer"), Attribution("user:auditor", "session:auditor"))
F1 = LotKey("FLOUR", "F-1")


def status_event(kind: str, target: str) -> dict[str, Any]:
    lots = [{"item": "FLOUR", "lot": "F-1"}]
    return {
        "hold": {"type": "hold", "location": "RAW", "reason": "recall", "lots": lots},
        "release": {"type": "release", "location": "RAW", "reason": "retested", "lots": lots},
        "void": {"type": "void", "location": "RAW", "reason": "mistake", "target": target},
    }[kind]


@pytest.mark.parametrize("kind", ["hold", "release", "void"])
def test_an_operator_may_not_record_holds_releases_or_voids(plant: Any, kind: str) -> None:
    shipped = receive(plant, "FLOUR", "F-1", 100)
    if kind == "release":
        hold(plant, "FLOUR", "F-1")
    with pytest.raises(
        Forbidden, match=exactly(f"recording a {kind} event needs the quality role; floor has the operator role")
    ):
        record(plant, status_event(kind, shipped.id), who=OPERATOR)
    assert len(plant.queries.history(F1)) == (2 if kind == "release" else 1)


@pytest.mark.parametrize("kind", ["hold", "release", "void"])
def test_a_quality_user_may_record_holds_releases_and_voids(plant: Any, kind: str) -> None:
    received = receive(plant, "FLOUR", "F-1", 100)
    if kind == "release":
        hold(plant, "FLOUR", "F-1")
    record(plant, status_event(kind, received.id), who=TESTER)


def test_an_operator_may_record_stock_events(plant: Any) -> None:
    record(
        plant,
        {"type": "receive", "location": "RAW", "partner": "MILL", "lines": [line("FLOUR", "F-1", 100)]},
        who=OPERATOR,
    )
    record(plant, {"type": "ship", "location": "RAW", "partner": "SHOP", "lines": [line("FLOUR", "F-1", 10)]}, OPERATOR)
    [first, second] = plant.queries.history(F1)
    assert (first.recorded_by, first.client, second.recorded_by) == ("user:floor", "token:scanner-1", "user:floor")


def test_a_viewer_may_not_record_any_event(plant: Any) -> None:
    with pytest.raises(
        Forbidden, match=exactly("recording a receive event needs the operator role; auditor has the viewer role")
    ):
        record(
            plant,
            {"type": "receive", "location": "RAW", "partner": "MILL", "lines": [line("FLOUR", "F-1", 100)]},
            who=VIEWER,
        )


def test_one_forbidden_event_refuses_the_whole_batch(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    batch = [
        parse_event(
            {"type": "ship", "time": now(), "location": "RAW", "partner": "SHOP", "lines": [line("FLOUR", "F-1", 1)]}
        ),
        parse_event({**status_event("hold", ""), "time": now()}),
    ]
    with pytest.raises(Forbidden, match="recording a hold event needs the quality role"):
        plant.recording.record_all(batch, OPERATOR)
    assert plant.queries.mass_balance(F1).shipped == 0


def test_an_operator_may_not_submit_a_hold_to_the_group_commit(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 100)
    with pytest.raises(Forbidden, match="recording a hold event needs the quality role; floor has the operator role"):
        plant.recording.submit(parse_event({**status_event("hold", ""), "time": now()}), OPERATOR)
    ship(plant, "FLOUR", "F-1", 1)


@pytest.mark.parametrize("who", [OPERATOR, TESTER])
def test_only_an_admin_may_create_master_data(plant: Any, who: Caller) -> None:
    with pytest.raises(
        Forbidden,
        match=exactly(f"creating an item needs the admin role; {who.user.username} has the {who.user.role} role"),
    ):
        plant.master_data.create(Item, {"sku": "RYE", "name": "Rye", "uom": "kg"}, who)
