"""Read a large JSON document without building its big arrays: each of their items is decoded on its own.

`json.loads` builds the whole document: an EPCIS file of a million events
(800 MB) becomes about 5 GB of objects before its first event is read.
`load` walks the text instead. Everything is decoded as
`json.loads(text, parse_float=Decimal)` would decode it, except the arrays
at the paths asked for: their items are decoded one at a time (so a syntax
error anywhere is found before anything is used) and left in the text, and
the array becomes a `Lazy` that decodes them again, one at a time, when read.
Anything the walk does not expect raises `NotWalkable`; the caller then
reads the text with `json.loads`, whose own message names the error.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder(parse_float=Decimal)
Path = tuple[str, ...]


class NotWalkable(Exception):
    """The text is not what the walk expects (not JSON, extra data, a lazy path that is no array)."""


class TooDeep:
    """An item nested deeper than the decoder reaches from where it is read (it was read in the check)."""


TOO_DEEP = TooDeep()


@dataclass(frozen=True, slots=True)
class Lazy:
    """An array left in the text: its items, decoded one at a time each time it is iterated. An item the
    decoder's recursion cannot reach from the reader's depth comes as TOO_DEEP (never an exception)."""

    text: str
    starts: array[int]  # where each item begins (8 bytes an item)

    def __iter__(self) -> Iterator[Any]:
        for start in self.starts:
            try:
                yield _DECODER.raw_decode(self.text, start)[0]
            except RecursionError:
                yield TOO_DEEP

    def __len__(self) -> int:
        return len(self.starts)


def built(value: Any) -> Any:
    """`value` with every Lazy array in it decoded into a list (where lazy arrays are not wanted after all)."""
    if isinstance(value, Lazy):
        return list(value)
    if isinstance(value, dict):
        return {key: built(child) for key, child in value.items()}
    if isinstance(value, list):
        return [built(child) for child in value]
    return value


def load(text: str, lazy: set[Path], start: int = 0) -> Any:
    """The document in `text` (from `start`), with the arrays at the `lazy` paths left as `Lazy`."""
    prefixes = {path[:n] for path in lazy for n in range(len(path))}
    document, at = _walk(text, start, (), lazy, prefixes)
    if _skip(text, at) != len(text):
        raise NotWalkable  # extra data after the document
    return document


def _walk(text: str, at: int, path: Path, lazy: set[Path], prefixes: set[Path]) -> tuple[Any, int]:
    at = _skip(text, at)
    if path in lazy and text[at : at + 1] == "[":
        return _counted(text, at)
    if path not in prefixes or text[at : at + 1] != "{":
        return _value(text, at)
    found: dict[str, Any] = {}
    at = _after(text, at, "{")
    end = _closed(text, at, "}")
    while end is None:
        key, at = _value(text, at)
        if not isinstance(key, str):
            raise NotWalkable
        found[key], at = _walk(text, _after(text, at, ":"), (*path, key), lazy, prefixes)
        end = _closed(text, at, "}")
        if end is None:
            at = _after(text, at, ",")
    return found, end


def _counted(text: str, start: int) -> tuple[Lazy, int]:
    """Decode each item once (checking the whole array) and note where it starts; keep none."""
    at, starts = _after(text, start, "["), array("q")
    end = _closed(text, at, "]")
    while end is None:
        starts.append(_skip(text, at))
        _, at = _value(text, at)
        end = _closed(text, at, "]")
        if end is None:
            at = _after(text, at, ",")
    return Lazy(text, starts), end


def _closed(text: str, at: int, bracket: str) -> int | None:
    """Just after `bracket` when it is the next character (the object or array ends there), else None."""
    at = _skip(text, at)
    return at + 1 if text[at : at + 1] == bracket else None


def _skip(text: str, at: int) -> int:
    found = _SPACE.match(text, at)
    return at if found is None else found.end()


def _after(text: str, at: int, wanted: str) -> int:
    at = _skip(text, at)
    if text[at : at + 1] != wanted:
        raise NotWalkable
    return at + 1


def _value(text: str, at: int) -> tuple[Any, int]:
    try:
        found, end = _DECODER.raw_decode(text, _skip(text, at))
    except (json.JSONDecodeError, RecursionError, ValueError):
        raise NotWalkable from None
    return found, end
