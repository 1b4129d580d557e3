"""Examples of every event for the OpenAPI document, on the demo plant (`lotledger demo`).

A test records them all, in this order, on a fresh demo plant: the docs page's
examples always work.
"""

from __future__ import annotations

from typing import Any


def _line(item: str, lot: str, qty: str, uom: str, **extra: str) -> dict[str, Any]:
    return {"item": item, "lot": lot, "qty": qty, "uom": uom, **extra}


def _at(kind: str, time: str, location: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "time": f"2026-01-08T{time}:00+01:00", "location": location, **fields}


# On the demo plant (`lotledger demo`): its sites, partners and lots, just after its last event.
# Each works on its own but unpack and release, which need pack's pallet and hold's hold;
# in this order they all work one after the other.
_PALLET = "006141410000000418"  # the demo's next pallet, demo.sscc(41)
_FLOUR = [{"item": "FLOUR", "lot": "F-00005"}]
EVENT_EXAMPLES: dict[str, dict[str, Any]] = {
    "receive": _at(
        "receive",
        "09:00",
        "RAW",
        id="0f5e8a52-3c1d-4d7e-9a61-2b8f4c9d1e07",
        partner="MILLCO",
        reference="PO-4711",
        lines=[_line("FLOUR", "F-4711", "1000", "kg", supplier_lot="MIL-4711")],
    ),
    "produce": _at(
        "produce",
        "09:30",
        "MIX",
        reference="WO-00041",
        inputs=[
            _line("FLOUR", "F-00005", "200", "kg", location="RAW"),
            _line("YEAST", "Y-00002", "2", "kg", location="RAW"),
            _line("SALT", "S-HUB", "4", "kg", location="RAW"),
        ],
        outputs=[_line("DOUGH", "D-0041", "206", "kg")],
    ),
    "move": _at("move", "10:00", "FG", to_location="DOCK", lines=[_line("BREAD-W", "W-0040", "20", "ea")]),
    "pack": _at("pack", "10:15", "FG", container=_PALLET, lines=[_line("BREAD-W", "W-0039", "36", "ea")]),
    "unpack": _at("unpack", "10:30", "FG", container=_PALLET, lines=[_line("BREAD-W", "W-0039", "6", "ea")]),
    "ship": _at(
        "ship",
        "11:00",
        "FG",
        partner="FRESHMART",
        reference="SO-00041",
        lines=[_line("BREAD-W", "W-0040", "12", "ea")],
    ),
    "return": _at(
        "return",
        "11:30",
        "DOCK",
        partner="SCHOOLS",
        reference="RMA-0040",
        lines=[_line("BREAD-W", "W-0040", "24", "ea")],
    ),
    "adjust": _at(
        "adjust", "12:00", "FG", reason="Damaged in handling", lines=[_line("BREAD-W", "W-0039", "-2", "ea")]
    ),
    "hold": _at("hold", "12:30", "RAW", reason="MillCo recall notice", scope="downstream", lots=_FLOUR),
    "release": _at("release", "14:00", "RAW", reason="Lab result negative", scope="downstream", lots=_FLOUR),
    "void": _at(  # the demo's last QC-sample adjust
        "void", "14:30", "FG", target="5c327a6d-f7ba-48b6-9304-106e470b4fad", reason="The sample was counted twice"
    ),
    "observe": _at(
        "observe",
        "15:00",
        "OVEN",
        lots=[{"item": "BREAD", "lot": "B-0040"}],
        results=[{"name": "core temperature", "value": "96", "unit": "Cel", "pass": True}],
    ),
}
