"""The canonical EPCIS event hash: GS1's reference implementation, never a network fetch, stable over
encodings of the same event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lotledger.domain.errors import ValidationError
from lotledger.interchange import epcis_hash
from lotledger.interchange.epcis_hash import RemoteContextRefused, event_hash, local_loader

CONFORMANCE = Path(__file__).parents[2].parent / "shared" / "conformance" / "epcis"
EXAMPLE_7 = CONFORMANCE / "examples-xml" / "WithEventHashID_event_with_identical_hash_id_7.json"
# Two examples the reference implementation cannot read, with the refusal each gets; lotledger refuses their
# events before hashing anyway (TransactionEvents; sensor data).
HASH_FAILS = {
    "Example-TransactionEvents-2020_07_03y.jsonld": "eventID: the EPCIS event hash could not be computed",
    "WithFullCombinationOfFields_transformation_event_all_possible_fields.jsonld": (
        "@context: not valid JSON-LD: Invalid JSON-LD syntax; tried to redefine a protected term."
    ),
}
CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
EVENT = {
    "type": "ObjectEvent",
    "eventTime": "2026-11-20T08:00:00.000+01:00",
    "eventTimeZoneOffset": "+01:00",
    "action": "ADD",
    "bizStep": "receiving",
    "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.F-77", "quantity": 50, "uom": "KGM"}],
    "bizLocation": {"id": "urn:epc:id:sgln:4012345.00002.0"},
}


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""
    import socket

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_the_epcis_context_is_served_from_the_package_file() -> None:
    document = local_loader(CONTEXT)["document"]
    assert document["@context"]["epcis"] == "https://ref.gs1.org/epcis/"


def test_any_other_context_url_is_refused_not_fetched() -> None:
    with pytest.raises(RemoteContextRefused, match=r"'http://evil\.example/c\.jsonld' is not the EPCIS 2\.0 context"):
        local_loader("http://evil.example/c.jsonld")
    with pytest.raises(RemoteContextRefused, match="lotledger reads contexts from local files only"):
        event_hash(EVENT, [CONTEXT, "http://evil.example/c.jsonld"])


def test_the_example_with_a_known_hash_gives_a_stable_hash() -> None:
    document = json.loads(EXAMPLE_7.read_text())
    found = [event_hash(e, document["@context"]) for e in document["epcisBody"]["eventList"]]
    assert found[0] == "ni:///sha-256;4dd875a9ae6a52d3e5326733b4c002b1b5e35e671becd2109abf8a38692af76d?ver=CBV2.0"
    assert found == [event_hash(e, document["@context"]) for e in document["epcisBody"]["eventList"]]


def test_the_same_event_in_another_json_encoding_has_the_same_hash() -> None:
    reordered = dict(reversed(list(EVENT.items())))
    utc = {**EVENT, "eventTime": "2026-11-20T07:00:00Z"}  # the same instant
    web_vocabulary = {**EVENT, "bizStep": "https://ref.gs1.org/cbv/BizStep-receiving"}
    hashes = {event_hash(e, [CONTEXT]) for e in (EVENT, reordered, utc, web_vocabulary)}
    assert len(hashes) == 1
    assert event_hash({**EVENT, "action": "OBSERVE"}, [CONTEXT]) not in hashes


@pytest.mark.parametrize("path", sorted((CONFORMANCE / "examples-json").glob("*.jsonld")), ids=lambda p: p.name)
def test_every_json_example_hashes_the_same_twice_without_the_network(path: Path) -> None:
    document = json.loads(path.read_text())
    body = document["epcisBody"]
    events = body.get("eventList") or body.get("queryResults", {}).get("resultsBody", {}).get("eventList", [])
    if path.name in HASH_FAILS:  # the reference implementation fails on it: a clear refusal, not a crash
        with pytest.raises(ValidationError) as refused:
            event_hash(events[0], document["@context"])
        assert str(refused.value).startswith(HASH_FAILS[path.name])
        return
    first = [event_hash(e, document["@context"]) for e in events]
    assert all(h.startswith("ni:///sha-256;") for h in first)
    assert first == [event_hash(e, document["@context"]) for e in events]


def test_the_packages_own_loader_is_replaced_on_every_call() -> None:
    from pyld import jsonld

    jsonld.set_document_loader(lambda url, options=None: (_ for _ in ()).throw(AssertionError("fetched " + url)))
    assert event_hash(EVENT, [CONTEXT]).startswith("ni:///sha-256;")
    assert jsonld.get_document_loader() is epcis_hash.local_loader
