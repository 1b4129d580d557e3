"""A forward trace written straight from its rows: the JSON of the `ForwardTrace` record, exactly.

A hub lot reaches millions of lots; building a record for each (and then a dict
for each, and then its text) took most of `lotledger trace --down --format json`.
Here each row becomes its JSON text with one template, the customers' totals add
up as the shipments go by (`CustomerTally`), and nothing is kept of the rest.
Tests hold the text equal to `json_chunks` of the record, on one line and indented.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from json.encoder import encode_basestring_ascii as _text  # json.dumps's own string encoder (C)
from typing import Any

from lotledger.domain import trace as tr
from lotledger.domain.quantities import micro_text
from lotledger.interchange.jsonout import EncodedItems, StreamedJson, json_chunks


def _opt(value: str | None) -> str:
    return "null" if value is None else _text(value)


def _day(value: date | None) -> str:
    return "null" if value is None else f'"{value.isoformat()}"'


def _lot(sku: str, code: str) -> dict[str, str]:
    return {"item": sku, "lot": code}


# Each record as json.dumps writes it on one line (separators ", " and ": ").


def _lot_line(r: tr.LotRow) -> str:
    held = "true" if r[5] else "false"
    return (
        f'{{"lot": {{"item": {_text(r[0])}, "lot": {_text(r[1])}}}, "depth": {r[2]}, '
        f'"origin": {_text(r[3])}, "expiry": {_day(r[4])}, "held": {held}}}'
    )


def _stock_line(r: tr.StockRow) -> str:
    return (
        f'{{"lot": {{"item": {_text(r[0])}, "lot": {_text(r[1])}}}, "location": {_text(r[2])}, '
        f'"container": {_text(r[3])}, "qty": "{micro_text(r[4])}", "uom": {_text(r[5])}}}'
    )


def _shipment_line(r: tr.ShipmentRow) -> str:
    return (
        f'{{"lot": {{"item": {_text(r[0])}, "lot": {_text(r[1])}}}, "event_id": {_text(r[2])}, '
        f'"time": "{r[3].isoformat()}", "customer": {_text(r[4])}, "reference": {_opt(r[5])}, '
        f'"location": {_text(r[6])}, "container": {_text(r[7])}, "qty": "{micro_text(r[8])}", "uom": {_text(r[9])}}}'
    )


# The same records as the plain values jsonable gives, for indented output (a terminal).


def _lot_value(r: tr.LotRow) -> dict[str, Any]:
    expiry = None if r[4] is None else r[4].isoformat()
    return {"lot": _lot(r[0], r[1]), "depth": r[2], "origin": r[3], "expiry": expiry, "held": bool(r[5])}


def _stock_value(r: tr.StockRow) -> dict[str, Any]:
    return {"lot": _lot(r[0], r[1]), "location": r[2], "container": r[3], "qty": micro_text(r[4]), "uom": r[5]}


def _shipment_value(r: tr.ShipmentRow) -> dict[str, Any]:
    names = ("event_id", "time", "customer", "reference", "location", "container")
    fields = dict(zip(names, (r[2], r[3].isoformat(), *r[4:8]), strict=True))
    return {"lot": _lot(r[0], r[1]), **fields, "qty": micro_text(r[8]), "uom": r[9]}


class ForwardJson(StreamedJson):
    """The JSON of `tr.forward_trace(rows)`, written as the rows are read (once: the rows are a stream)."""

    def __init__(self, rows: tr.ForwardRows) -> None:
        self.rows = rows

    def json_chunks(self, indent: int | None, level: int) -> Iterator[str]:
        tally = tr.CustomerTally()

        def tallied(shipments: Iterable[tr.ShipmentRow]) -> Iterator[tr.ShipmentRow]:
            for r in shipments:
                tally.add(r[4], r[2], (r[0], r[1]), r[8], r[9], r[3])
                yield r

        def customers() -> Iterator[tr.CustomerTotal]:
            yield from tally.totals()  # asked for after the last shipment

        members = {
            "root": self.rows.root,
            "lots": self._encoded(self.rows.lots, _lot_line, _lot_value, indent, level),
            "on_hand": self._encoded(self.rows.on_hand, _stock_line, _stock_value, indent, level),
            "shipments": self._encoded(tallied(self.rows.shipments), _shipment_line, _shipment_value, indent, level),
            "customers": customers(),
        }
        return json_chunks(members, indent, level)

    @staticmethod
    def _encoded(
        rows: Iterable[Any],
        line: Callable[[Any], str],
        value: Callable[[Any], dict[str, Any]],
        indent: int | None,
        level: int,
    ) -> EncodedItems:
        """Each row's JSON text, as an item of a list that is a member of the trace at `level`."""
        if not indent:
            return EncodedItems(map(line, rows))
        pad = "\n" + " " * (indent * (level + 2))
        return EncodedItems(json.dumps(value(r), indent=indent).replace("\n", pad) for r in rows)
