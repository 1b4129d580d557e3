"""The terminal's genealogy picture ends on loops and names suppliers; tables never cut identifiers;
times are shown in the plant's zone."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console

from lotledger.domain import trace as tr
from lotledger.domain.model import LotKey
from lotledger.domain.records import EventRecord
from lotledger.render import _when, genealogy_tree, history_table, render_rows, show

NOW = datetime(2026, 11, 25, tzinfo=UTC)
A, B, C = LotKey("FLOUR", "A"), LotKey("DOUGH", "B"), LotKey("BREAD", "C")


def edge(parent: LotKey, child: LotKey) -> tr.TraceEdge:
    return tr.TraceEdge(parent, child, "e", NOW, Decimal(2), "kg", Decimal(1), "kg")


def text(tree: object) -> str:
    console = Console(width=120, record=True)
    console.print(tree)
    return console.export_text()


def test_tree_shows_each_lot_with_quantity_and_supplier() -> None:
    receipt = tr.Receipt(A, "r", NOW, "MILL", "M-77", "PO-1", "RAW", Decimal(10), "kg")
    trace = tr.BackwardTrace(C, [], [edge(B, C), edge(A, B)], [receipt])
    assert text(genealogy_tree(trace)).splitlines() == [
        "BREAD/C",
        "└── DOUGH/B  2 kg",
        "    └── FLOUR/A  2 kg  from MILL lot M-77",
    ]


def test_rework_loop_is_named_once_and_ends() -> None:
    trace = tr.BackwardTrace(B, [], [edge(A, B), edge(B, A)], [])
    assert text(genealogy_tree(trace)).splitlines() == [
        "DOUGH/B",
        "└── FLOUR/A  2 kg",
        "    └── DOUGH/B  2 kg  (above)",
    ]


LOT = "L2026-11-25-MIX-0042"  # 20 characters
SSCC = "006141410000000012"  # 18 digits
EVENT_ID = "3f2b8c1e-9a47-4d2b-8e6f-0c1d2e3f4a5b"
NAME = "Stone-ground organic wholemeal flour from the northern mill, second harvest"


def shown(terminal: bool) -> str:
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=terminal, color_system=None, soft_wrap=True)
    table = render_rows(
        "Shipments",
        ("time", "lot", "container", "supplier lot", "reference", "event", "name", "qty"),
        [(_when(NOW), f"FLOUR/{LOT}", SSCC, "MILL-BATCH-7781", "PO-2026-000123", EVENT_ID, NAME, "40 kg")] * 3,
    )
    show(console, table)
    return out.getvalue()


@pytest.mark.parametrize("terminal", [True, False], ids=["80-column terminal", "pipe"])
def test_identifiers_are_never_cut(terminal: bool) -> None:
    text = shown(terminal)
    for whole in (f"FLOUR/{LOT}", SSCC, "MILL-BATCH-7781", "PO-2026-000123", EVENT_ID, "2026-11-25 00:00 UTC"):
        assert text.count(whole) == 3, whole
    assert "…" not in text


def test_free_text_folds_on_a_terminal_and_stays_on_one_line_in_a_pipe() -> None:
    assert NAME not in shown(terminal=True)
    assert "Stone-ground" in shown(terminal=True)
    assert NAME in shown(terminal=False)


def test_a_table_that_fits_the_terminal_is_not_widened() -> None:
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=True, color_system=None)
    show(console, render_rows("Lots", ("lot", "name"), [(LOT, NAME)]))
    assert max(len(line) for line in out.getvalue().splitlines()) <= 80
    assert console.width == 80


def test_times_are_in_the_plants_zone_with_the_zone_named() -> None:
    hold = datetime(2026, 11, 25, 16, 10, tzinfo=timezone(timedelta(hours=-8))).astimezone(UTC)
    assert _when(hold, ZoneInfo("America/Los_Angeles")) == "2026-11-25 16:10 PST"
    assert _when(hold, ZoneInfo("Europe/Berlin")) == "2026-11-26 01:10 CET"
    assert _when(hold) == "2026-11-26 00:10 UTC"
    assert _when(hold.replace(tzinfo=None)) == "2026-11-26 00:10 UTC"  # a time without zone is UTC
    assert _when(None) == ""
    entry = EventRecord(1, EVENT_ID, "hold", hold, "RAW", None, hold, "os:qa", "cli", None, {})
    table = history_table(LotKey("FLOUR", LOT), [entry], ZoneInfo("America/Los_Angeles"))
    assert "2026-11-25 16:10 PST" in text(table)
