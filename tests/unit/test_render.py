"""The terminal's genealogy picture ends on loops and names suppliers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from rich.console import Console

from lotledger.domain import trace as tr
from lotledger.domain.model import LotKey
from lotledger.render import genealogy_tree

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
