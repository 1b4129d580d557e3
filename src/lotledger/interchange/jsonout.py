"""Plain JSON for results: Decimals as strings (exact), times as ISO 8601, lots as {item, lot}."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from lotledger.domain.model import LotKey
from lotledger.domain.quantities import format_qty


def jsonable(value: Any) -> Any:
    """`value` as JSON-ready lists, dicts, strings and numbers."""
    if isinstance(value, LotKey):
        return {"item": value.sku, "lot": value.code}
    if isinstance(value, Decimal):
        return format_qty(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in _PROPERTIES.get(type(value).__name__, ()):
            result[name] = jsonable(getattr(value, name))
        return result
    if isinstance(value, dict):
        if any(isinstance(k, LotKey) for k in value):
            return [{**jsonable(k), "qty": jsonable(v)} for k, v in value.items()]
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


# Derived values worth showing next to the fields they come from.
_PROPERTIES = {
    "MassBalance": ("inflow", "outflow", "difference"),
    "RecallCase": ("status", "closed_at", "report_seconds"),
    "CustomerAccount": ("accounted", "share_accounted"),
    "RecallReport": ("shipped", "accounted", "share_accounted", "held"),
}


class EncodedItems:
    """The items of a list, each already JSON text for its place in the document being written
    (its indentation included): `json_chunks` writes them as they are, a batch at a time."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.texts = texts


class StreamedJson:
    """A value that writes its own JSON text in pieces, at the indent and nesting level it is given:
    a trace read as rows writes them as they come, and no list of them is ever built."""

    def json_chunks(self, indent: int | None, level: int) -> Iterator[str]:
        raise NotImplementedError


def json_chunks(value: Any, indent: int | None, level: int = 0) -> Iterator[str]:
    """The text of `json.dumps(jsonable(value), indent=indent)` in pieces: dicts and dataclasses member
    by member, lists and iterators item by item (each item encoded whole), so a trace of 200,000 lots is
    never one string, and an iterator (the event log, read a page at a time) is never a list in memory.
    `level` is the nesting of `value` in a document being written (its indentation)."""
    separators = (",", ": ") if indent else (", ", ": ")  # json.dumps's own: one line, or indented

    def chunks(value: Any, level: int, whole: bool) -> Iterator[str]:
        if isinstance(value, StreamedJson):
            yield from value.json_chunks(indent, level)
            return
        if isinstance(value, EncodedItems):
            yield from encoded_list(value.texts, level)
            return
        members = None if whole else _members(value)
        if members is None and (whole or not isinstance(value, (list, Iterator))):
            text = json.dumps(jsonable(value), indent=indent, separators=separators)
            yield text.replace("\n", "\n" + " " * (indent * level)) if indent and level else text
            return
        inner = "\n" + " " * (indent * (level + 1)) if indent else ""
        parts: Iterator[tuple[str, Any]]
        if members is not None:
            parts = ((json.dumps(key) + separators[1], member) for key, member in members)
            opening, closing = "{", "}"
        else:
            parts = (("", item) for item in value)
            opening, closing = "[", "]"
        yield opening
        empty = True
        for prefix, member in parts:
            yield ("" if empty else separators[0]) + inner + prefix
            yield from chunks(member, level + 1, members is None)
            empty = False
        if indent and not empty:
            yield "\n" + " " * (indent * level)
        yield closing

    def encoded_list(texts: Iterable[str], level: int) -> Iterator[str]:
        inner = "\n" + " " * (indent * (level + 1)) if indent else ""
        between, items, opening, empty = separators[0] + inner, iter(texts), "[" + inner, True
        while batch := list(islice(items, _BATCH)):
            yield opening + between.join(batch)
            opening, empty = between, False
        yield "[]" if empty else ("\n" + " " * (indent * level) if indent else "") + "]"

    return chunks(value, level, False)


_BATCH = 1000  # pre-encoded list items joined into one piece of output


def _members(value: Any) -> list[tuple[str, Any]] | None:
    """The members `jsonable` would write for `value`, if they can be written one by one; else None."""
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return list(value.items())
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and not _has_properties(type(value)):
        return [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)]
    return None  # lot-keyed dicts become lists and some dataclasses add properties: jsonable writes those


def _has_properties(cls: type) -> bool:
    return any(isinstance(attr, property) for klass in cls.__mro__ for attr in vars(klass).values())
