"""`json_walk.load` gives what `json.loads` gives, with the big arrays decoded one item at a time; an EPCIS
document is read in memory close to its own size, not five times it."""

from __future__ import annotations

import json
import tracemalloc
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lotledger.interchange import json_walk
from lotledger.interchange.epcis_in import read_document
from tests.epcis_documents import IDS, Known, document, encode

LISTS = {("body", "events"), ("body", "deeper", "events")}
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.text(),
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4), max_leaves=12
)
spacing = st.sampled_from(["", " ", "\n", "\t ", "\r\n  "])


def _plain(value: Any) -> Any:
    """Lazy arrays read out, for comparing with what json.loads builds."""
    if isinstance(value, json_walk.Lazy):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(child) for key, child in value.items()}
    return value


def _text(value: Any, space: str) -> str:
    """JSON with `space` around every separator (what a pretty printer or a hand-edited file has)."""
    indented = json.dumps(value, default=str, separators=(f"{space},{space}", f"{space}:{space}"))
    return f"{space}{indented}{space}"


@settings(max_examples=300, deadline=None)
@given(
    events=st.lists(values, max_size=5),
    other=st.dictionaries(st.text(), values, max_size=3),
    deeper=st.lists(values, max_size=3),
    space=spacing,
)
def test_a_walked_document_is_what_json_loads_gives(
    events: list[Any], other: dict[str, Any], deeper: list[Any], space: str
) -> None:
    source = {**other, "body": {"events": events, "deeper": {"events": deeper}, "x": other}}
    text = _text(source, space)
    walked = json_walk.load(text, LISTS)
    assert _plain(walked) == json.loads(text, parse_float=Decimal)
    assert isinstance(walked["body"]["events"], json_walk.Lazy)
    assert len(walked["body"]["events"]) == len(events)
    assert list(walked["body"]["events"]) == list(walked["body"]["events"])  # read again: the same


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{not json",
        '{"body": {"events": [1, 2,]}}',  # a trailing comma
        '{"body": {"events": [1 2]}}',
        '{"body": {"events": [1, 2]}} extra',
        '{"body": {"events": [1, 2]}',
        '{"body" {"events": []}}',
        '{"body": {"events": [' + "[" * 100_000 + "]" * 100_000 + "]}}",  # deeper than the decoder recurses
        '{"body": {"events": [' + "1" * 5000 + "]}}",  # an integer of more than 4300 digits
    ],
)
def test_what_is_not_json_is_not_walked(text: str) -> None:
    with pytest.raises(json_walk.NotWalkable):
        json_walk.load(text, LISTS)


def test_a_path_that_holds_no_array_is_decoded_as_it_is() -> None:
    assert json_walk.load('{"body": {"events": {"a": 1}}}', LISTS) == {"body": {"events": {"a": 1}}}
    assert json_walk.load('{"body": 7}', LISTS) == {"body": 7}
    assert json_walk.load("[1, 2]", LISTS) == [1, 2]


def test_a_duplicate_key_keeps_the_last_value_as_json_loads_does() -> None:
    text = '{"body": {"events": [1]}, "body": {"events": [2, 3]}}'
    assert _plain(json_walk.load(text, LISTS)) == json.loads(text) == {"body": {"events": [2, 3]}}


def _receipt(number: int) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventTime": "2026-11-03T08:00:00+01:00",
        "eventTimeZoneOffset": "+01:00",
        "action": "ADD",
        "bizStep": "receiving",
        "bizLocation": {"id": "urn:epc:id:sgln:0614141.00001.0"},
        "quantityList": [{"epcClass": f"urn:epc:class:lgtin:0614141.012345.L-{number}", "quantity": 5, "uom": "KGM"}],
    }


def test_an_epcis_document_is_read_in_about_its_own_size_of_memory() -> None:
    """8,000 events: the bytes and their text are held (twice the size), the events one at a time; built
    whole with json.loads, they took about five times the document's size."""
    data = encode(document([_receipt(n) for n in range(8_000)]))
    tracemalloc.start()
    try:
        lines = 0
        for _ in read_document(data, IDS, Known([])):
            lines += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert lines >= 8_000
    assert peak < 2.5 * len(data), f"{peak / len(data):.1f} times the document's {len(data):,} bytes"


def test_a_document_with_its_events_before_its_context_and_header_reads_the_same() -> None:
    ordered = document([_receipt(n) for n in range(3)])
    reordered = {"epcisBody": ordered["epcisBody"], **{k: v for k, v in ordered.items() if k != "epcisBody"}}
    assert encode(reordered).startswith(b'{"epcisBody": {"eventList": [')  # the events come first in the text
    first = [(line.number, line.record, str(line.error)) for line in read_document(encode(ordered), IDS, Known([]))]
    second = [(line.number, line.record, str(line.error)) for line in read_document(encode(reordered), IDS, Known([]))]
    assert first == second
    assert len(first) >= 3


def test_a_bare_event_keeps_its_own_lists_as_lists() -> None:
    """Only an EPCIS document's event list is read lazily: a bare event that happens to hold an
    `epcisBody.eventList` of its own is checked as a whole (here: a lone surrogate, refused by path)."""
    from tests.epcis_documents import CONTEXT, partner_receipt

    event = {**partner_receipt(), "@context": CONTEXT, "epcisBody": {"eventList": [{"x": "\ud800"}]}}
    lines = list(read_document(json.dumps(event).encode(), IDS, Known([])))
    assert [(line.number, str(line.error)) for line in lines if line.error] == [
        (1, "epcisBody.eventList[0].x: holds a lone surrogate (\\ud800), which is not text")
    ]


def _deeper(levels: int, then: Any) -> Any:
    return then() if levels == 0 else _deeper(levels - 1, then)


def test_an_item_read_deeper_in_the_stack_than_it_was_checked_is_refused_not_raised() -> None:
    """The decoder's recursion limit counts the caller's frames: an event checked at one depth may not decode
    at another. It comes as TOO_DEEP, and the reader refuses that event alone."""
    import sys

    nested = "[" * 700 + "]" * 700
    text = '{"epcisBody": {"eventList": [1, ' + nested + ", 2]}}"
    lazy = json_walk.load(text, {("epcisBody", "eventList")})["epcisBody"]["eventList"]
    depth = sys.getrecursionlimit() - 400  # leaves too little room for 700 levels, enough for the loop itself
    items = _deeper(depth - len(__import__("inspect").stack()), lambda: list(lazy))
    assert (items[0], items[2]) == (1, 2)
    assert items[1] is json_walk.TOO_DEEP
    doc = json.loads(encode(document([_receipt(1)])))
    events = '[{"type": "ObjectEvent"}, ' + nested + "]"
    data = json.dumps({**doc, "epcisBody": {"eventList": []}}).replace('"eventList": []', f'"eventList": {events}')
    checked = read_document(data.encode(), IDS, Known([]))  # checked whole here, near the top of the stack
    lines = _deeper(depth - len(__import__("inspect").stack()), lambda: list(checked))
    assert (2, "nested too deeply (more than 32 levels)") in [(line.number, str(line.error)) for line in lines]
