"""Every parser, fed anything: it gives its value or a LotledgerError naming what is wrong, never
another exception (which an interface would turn into a 500 or a traceback).

The inputs that broke lotledger once are fixed examples: an overflowing quantity, years 1 and 9999,
a lone surrogate, a NUL, 10,000-level nesting, invalid UTF-8."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from lotledger.barcodes.gs1 import Scan, parse_scan
from lotledger.domain.errors import LotledgerError
from lotledger.domain.events import EVENT_TYPES, Event, parse_event
from lotledger.interchange.jsonl import read_lines

NASTY = [
    "1e999999",
    "-1e999999",
    "NaN",
    "Infinity",
    "0.0000001",
    "123456789012345678901234567890",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59Z",
    "2026-11-25T10:00:00",
    "\ud800",
    "a\x00b",
    "",
    " ",
    "kg",
    "t",
    "lb",
    "ea",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(NASTY),
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
FIELDS = [
    "id",
    "time",
    "location",
    "to_location",
    "partner",
    "reference",
    "reason",
    "lines",
    "inputs",
    "outputs",
    "lots",
    "results",
    "target",
    "scope",
    "sscc",
    "expiry_override",
    "item",
    "lot",
    "qty",
    "uom",
    "expiry",
]
LINE = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(("item", "lot", "qty", "uom", "expiry", "supplier_lot", "sscc"), SCALARS),
)
EVENT_LIKE = st.builds(
    lambda kind, fields: {"type": kind, **fields},
    st.sampled_from([*EVENT_TYPES, "teleport"]),
    st.dictionaries(st.sampled_from(FIELDS), SCALARS | st.lists(LINE, max_size=3) | JSON, max_size=8),
)
RECEIPT = {
    "type": "receive",
    "time": "2026-11-02T08:00:00Z",
    "location": "RAW",
    "partner": "MILL",
    "lines": [{"item": "FLOUR", "lot": "F-1", "qty": "1", "uom": "kg"}],
}


def _nested(levels: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(levels):
        value = [value]
    return value


DEEP = {"type": "receive", "reference": _nested(5_000)}  # deeper than json.loads could read


def _outcome(parser: Callable[[Any], Any], raw: Any) -> Any:
    """What `parser` made of `raw`, or the message of the LotledgerError it refused it with (never empty);
    any other exception fails the test."""
    try:
        return parser(raw)
    except LotledgerError as error:
        message: str = error.message
    assert message.strip()
    return message


def _with(path: str, value: Any) -> dict[str, Any]:
    changed = json.loads(json.dumps(RECEIPT))
    if path.startswith("lines."):
        changed["lines"][0][path.removeprefix("lines.")] = value
    else:
        changed[path] = value
    return changed


@settings(max_examples=400, deadline=None)
@given(EVENT_LIKE | JSON)
@example(_with("lines.qty", "1e999999"))
@example(_with("lines.qty", 1e308))
@example(_with("lines.qty", float("nan")))
@example(_with("time", "0001-01-01T00:00:00+01:00"))
@example(_with("time", "9999-12-31T23:59:59-01:00"))
@example(_with("reference", "\ud800"))
@example(_with("reference", "a\x00b"))
@example(_with("lines.uom", "furlong"))
@example(_with("unknown_field", 1))
@example(_with("lines.expiry", "0001-01-01"))
@example(DEEP)
@example(RECEIPT)
def test_an_event_parses_or_is_refused_naming_why(raw: Any) -> None:
    assert isinstance(_outcome(parse_event, raw), Event | str)


@settings(max_examples=400, deadline=None)
@given(
    st.text(max_size=60)
    | st.builds(
        lambda prefix, body: prefix + body,
        st.sampled_from(["", "]C1", "]d2", "]Q3", "https://id.gs1.org/01/", "(01)", "01", "00"]),
        st.text(alphabet="0123456789()\x1dABCxyz-/ ", max_size=60),
    )
)
@example("]C1010950600013435210W-0001")
@example("]")  # biip indexed past its end
@example("30")  # a count with no digits
@example("\ud800")
@example("\x00")
@example("]C1" + "\x1d" * 50)
@example("(17)999999(10)A")
@example("https://id.gs1.org/01/09506000134352/10/%ZZ")
def test_a_scan_resolves_or_is_refused_naming_why(text: str) -> None:
    assert isinstance(_outcome(parse_scan, text), Scan | str)


LINES = st.lists(
    st.binary(max_size=40)
    | st.builds(lambda value: json.dumps(value).encode(), EVENT_LIKE)
    | st.builds(lambda value: json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"), EVENT_LIKE),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(LINES)
@example([b"\xff\xfe not utf-8", json.dumps(RECEIPT).encode()])
@example([("[" * 10_000 + "]" * 10_000).encode(), json.dumps(RECEIPT).encode()])
@example([json.dumps(_with("time", "9999-12-31T23:59:59Z")).encode(), json.dumps(RECEIPT).encode()])
@example([b'{"type": "receive", "reference": "\\ud800"}', b"", b"   "])
def test_an_import_file_reports_every_bad_line_by_number_and_keeps_every_good_one(lines: list[bytes]) -> None:
    read = list(read_lines(lines))
    numbers = [line.number for line in read]
    assert numbers == sorted(set(numbers))
    assert all(1 <= n <= len(lines) for n in numbers)
    for line in read:
        assert (line.record is None) != (line.error is None)
        if line.error is not None:
            assert line.error.message
    good = json.dumps(RECEIPT).encode()
    if good in lines:  # a good line is kept whatever surrounds it
        assert read[[line.number for line in read].index(lines.index(good) + 1)].record is not None
