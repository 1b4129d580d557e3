"""The EPCIS writer without a database: the header goes out before the first event is read, quantities are
JSON numbers, and a void needs the event it voids."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from lotledger.domain.events import parse_event
from lotledger.domain.exchange import LedgerEntry
from lotledger.interchange.epcis_ids import Identifiers
from lotledger.interchange.epcis_out import Directory, EpcisWriter, MasterData, number

WRITER = EpcisWriter(Identifiers("https://id.example.com"), Directory.of([], [], []), ZoneInfo("Europe/Berlin"))
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
VOID = parse_event(
    {
        "type": "void",
        "id": "7d7e3f7c-2b1f-4c56-9d43-5d7a51a0c001",
        "time": "2026-03-02T10:00:00Z",
        "location": "RAW",
        "target": "7d7e3f7c-2b1f-4c56-9d43-5d7a51a0c002",
        "reason": "wrong",
    }
)


def test_the_header_is_written_before_the_first_event_is_read() -> None:
    def never() -> Iterator[LedgerEntry]:
        raise AssertionError("the events were read before the header went out")
        yield  # pragma: no cover

    chunks = WRITER.chunks(NOW, MasterData([], [], []), never())
    head = next(chunks)
    assert head.endswith('"epcisBody":{"eventList":[')
    assert json.loads(head.rsplit(",", 1)[0] + "}")["creationDate"] == "2026-03-02T13:00:00+01:00"


def test_an_empty_stream_is_a_whole_document() -> None:
    document = json.loads("".join(WRITER.chunks(NOW, MasterData([], [], []), [])))
    assert document["epcisBody"] == {"eventList": []}


@pytest.mark.parametrize(
    ("qty", "written"),
    [("100", "100"), ("12.5", "12.5"), ("0.907185", "0.907185"), ("123456789012", "123456789012"), ("1E+3", "1000")],
)
def test_quantities_are_json_numbers(qty: str, written: str) -> None:
    assert json.dumps(number(Decimal(qty))) == written


def test_a_void_without_the_event_it_voids_is_refused() -> None:
    with pytest.raises(ValueError, match="void 7d7e3f7c-2b1f-4c56-9d43-5d7a51a0c001 came without the event it voids"):
        WRITER.event(LedgerEntry(VOID, NOW))
