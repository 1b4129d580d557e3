"""Invariant 7: every backend gives the same answers, for every lot of the demo plant.

The demo plant has voids, a hold and its release (and a voided release), customer
returns, rework and pallets. SQLite and PostgreSQL must answer every read the same
for every lot; the in-memory ledger, which answers the lot and stock reads (not
traces), must agree with them on those."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lotledger.bootstrap import App, bootstrap
from lotledger.config import Settings
from lotledger.demo import plant
from lotledger.domain.model import LotKey
from lotledger.domain.records import EventRecord
from lotledger.interchange.jsonout import jsonable
from tests.conftest import fresh_db_url, memory_plant
from tests.factories import load

CYCLES = 40  # the default `lotledger demo`


def demo_records() -> list[dict[str, Any]]:
    return list(plant(CYCLES))


def demo_lots(records: list[dict[str, Any]]) -> list[LotKey]:
    """Every lot the demo plant creates: each receipt line and each produce output."""
    found = {
        LotKey(line["item"], line["lot"])
        for r in records
        for line in (r.get("lines", []) if r.get("type") == "receive" else r.get("outputs", []))
    }
    return sorted(found)


def utc(value: Any) -> Any:
    """`value` with every time in UTC: the memory ledger keeps an event's own offset, SQL gives UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, dict):
        return {k: utc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [utc(v) for v in value]
    return value


def history(entries: list[EventRecord]) -> list[Any]:
    """A lot's history as JSON, less what each store numbers or times itself (seq, recorded_at)."""
    return [{k: v for k, v in e.items() if k not in ("seq", "recorded_at")} for e in jsonable(utc(entries))]


def lot_answers(reader: Any, key: LotKey, traces: bool) -> dict[str, Any]:
    found = {
        "lot": jsonable(reader.lot(key)),
        "history": history(reader.history(key)),
        "massbalance": jsonable(reader.mass_balance(key)),
        "balances": jsonable(reader.balances(sku=key.sku, lot=key.code)),
    }
    if traces:
        found |= {
            "backward": jsonable(utc(reader.backward(key))),
            "forward": jsonable(utc(reader.forward(key))),
            "summary": jsonable(reader.forward_summary(key)),
            "exposure": jsonable(reader.exposure(key)),
        }
    return found


def plant_answers(reader: Any, lots: list[LotKey], traces: bool) -> dict[str, Any]:
    found = {str(key): lot_answers(reader, key, traces) for key in lots}
    found["balances"] = jsonable(reader.balances(location="PLANT"))
    found["holds"] = jsonable(utc(reader.holds()))
    return found


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return demo_records()


def sql_answers(
    backend: str, records: list[dict[str, Any]], request: pytest.FixtureRequest, tmp_path: Path
) -> dict[str, Any]:
    urls: Iterator[str] = fresh_db_url(backend, request, tmp_path)
    app: App = bootstrap(Settings(next(urls)), migrate=False)
    try:
        assert load(app, records).errors == []
        return plant_answers(app.queries, demo_lots(records), traces=True)
    finally:
        app.close()
        next(urls, None)  # drop the database


def test_the_demo_plant_has_every_kind_of_correction(records: list[dict[str, Any]]) -> None:
    kinds = {r["type"] for r in records}
    assert {"void", "hold", "release", "return", "pack", "adjust", "observe"} <= kinds
    voided = {r["target"] for r in records if r["type"] == "void"}
    assert {r["type"] for r in records if r.get("id") in voided} == {"move", "ship", "release"}
    rework = [r for r in records if r["type"] == "produce" and r["inputs"][0]["item"] == r["outputs"][0]["item"]]
    assert [r["outputs"][0]["lot"] for r in rework] == ["WR-0006", "WR-0036"]
    assert len(demo_lots(records)) == 128  # 40 each of dough, bread and wrapped loaves, 2 rework, 6 raw


def test_sqlite_and_postgresql_answer_the_same_for_every_lot(
    records: list[dict[str, Any]], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    sqlite = sql_answers("sqlite", records, request, tmp_path)
    postgresql = sql_answers("postgresql", records, request, tmp_path)
    assert sqlite.keys() == postgresql.keys()
    for key in sqlite:
        assert sqlite[key] == postgresql[key], key


def test_the_memory_ledger_answers_the_lot_and_stock_reads_as_sqlite_does(
    records: list[dict[str, Any]], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    memory = memory_plant()
    assert load(memory, records).errors == []
    lots = demo_lots(records)
    in_memory = plant_answers(memory.queries, lots, traces=False)
    memory.close()
    urls = fresh_db_url("sqlite", request, tmp_path)
    app = bootstrap(Settings(next(urls)), migrate=False)
    assert load(app, records).errors == []
    sqlite = plant_answers(app.queries, lots, traces=False)
    app.close()
    for key in sqlite:
        assert in_memory[key] == sqlite[key], key
