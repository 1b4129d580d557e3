"""Read a GS1 EPCIS 2.0 JSON-LD document as lotledger records (docs/epcis.md, "Importing").

`read_document` yields the header's master records first, then the records of each event, numbered by the
event's position in the event list (1-based), each after the master records created from the bare identifiers
it is the first to name (each once); an event lotledger cannot record is one Line with the reason, naming the
path inside the event. A document that is not UTF-8, not JSON, nested too deeply, not EPCIS or EPCIS 1.x is
one Line numbered 0 with the reason. The document is checked whole first; then its events are decoded one at
a time as the lines are asked for (`json_walk`): a million-event document is never built whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from lotledger.domain.errors import LotledgerError, ValidationError
from lotledger.interchange import epcis_hash, json_walk
from lotledger.interchange.epcis_events_in import EventReader, cells_of
from lotledger.interchange.epcis_ids import Identifiers
from lotledger.interchange.epcis_names import KnownMaster, Names, dig
from lotledger.interchange.jsonl import Line

MAX_DEPTH = 32  # the deepest EPCIS structure (sensor reports inside an event) is under 10 levels
EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransformationEvent", "AssociationEvent", "TransactionEvent")
DEFAULT_CONTEXT = next(iter(epcis_hash.LOCAL_CONTEXTS))
# Where the events are: left in the text and decoded one at a time (json_walk), whatever the document's size.
EVENT_LISTS = {("epcisBody", "eventList"), ("epcisBody", "queryResults", "resultsBody", "eventList")}
_XML = re.compile(r"\s*<")


class DocumentRefused(ValidationError):
    """The whole document cannot be read: not UTF-8, not JSON, not EPCIS 2.0."""


class DocumentLines(Iterator[Line]):
    """The lines of a document, made one at a time as they are asked for, and how many to expect (one per
    event and header record, known once the document is checked whole: a progress bar's total; master
    records created from bare identifiers and voids declared on events come on top)."""

    def __init__(self, lines: Iterator[Line], expected: int) -> None:
        self._lines = lines
        self.expected = expected

    def __next__(self) -> Line:
        return next(self._lines)


def read_document(data: bytes, ids: Identifiers, known: KnownMaster) -> DocumentLines:
    """The records of an EPCIS 2.0 document (an EPCISDocument, an EPCISQueryDocument or one bare event).
    The document is read and checked whole here; its events are decoded as the lines are asked for."""
    try:
        context, events, header = _body(_parse(data))
        del data  # the text is all that is read from now on
        known.load()  # names resolve against the ledger as it is before any line is stored (as a dry run sees it)
        names = Names(ids, known)
        names.read_header(header)
    except DocumentRefused as error:
        return DocumentLines(iter([Line(0, None, error)]), 0)
    return DocumentLines(_lines(context, events, names, ids.domain), len(events) + len(names.header))


def _lines(context: Any, events: Iterable[Any], names: Names, domain: str) -> Iterator[Line]:
    for _, header_record in names.header:
        if isinstance(header_record, LotledgerError):
            yield Line(0, None, header_record)
        else:
            yield Line(0, header_record)
    reader = EventReader(names, domain, lambda event: epcis_hash.event_hash(event, context))
    for number, event in enumerate(events, start=1):
        mark = names.mark()
        try:
            if event is json_walk.TOO_DEEP:
                raise ValidationError(f"nested too deeply (more than {MAX_DEPTH} levels)", None)
            _check_tree(event, "")
            if not isinstance(event, dict):
                raise ValidationError(f"expected an event object, got {type(event).__name__}", None)
            records = reader.read(event, number)
            cells = cells_of(records[0], number, reader.paths)  # the event's own (a void after it: its line)
        except LotledgerError as error:
            names.forget_since(mark)
            yield Line(number, None, error)
            continue
        # what the event names that the ledger lacks is created just before it (an event refused creates nothing)
        yield from (Line(created.number, created.record) for created in names.created_since(mark))
        yield Line(number, records[0], cells=cells)
        yield from (Line(number, record) for record in records[1:])


def _parse(data: bytes) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DocumentRefused(f"not valid UTF-8: byte {data[error.start]:#04x} at offset {error.start}") from None
    start = 1 if text.startswith("\ufeff") else 0
    if _XML.match(text, start):
        raise DocumentRefused("an XML document; lotledger reads EPCIS 2.0 JSON-LD")
    try:
        return json_walk.load(text, EVENT_LISTS, start)  # events decoded one at a time when read
    except json_walk.NotWalkable:
        pass  # not JSON, or not as expected: read whole, and the decoder says what is wrong
    try:
        document = json.loads(text[start:], parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise DocumentRefused(f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    except RecursionError:
        raise DocumentRefused(f"not valid JSON: nested too deeply (more than {MAX_DEPTH} levels)") from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise DocumentRefused(f"not valid JSON: {error}") from None
    return document


def _body(document: Any) -> tuple[Any, list[Any] | json_walk.Lazy, Any]:
    """(the @context, the events, the header) of a document, or why it is no EPCIS 2.0 document."""
    if not isinstance(document, dict):
        raise DocumentRefused(f"not an EPCIS document: expected a JSON object, got {type(document).__name__}")
    kind = document.get("type")
    version = document.get("schemaVersion")
    if isinstance(version, (str, int, Decimal)) and str(version).startswith("1"):
        raise DocumentRefused(f"EPCIS {version} (schemaVersion); lotledger reads EPCIS 2.0 JSON-LD", "schemaVersion")
    context = document.get("@context", DEFAULT_CONTEXT if kind not in ("EPCISDocument", "EPCISQueryDocument") else None)
    contexts = context if isinstance(context, list) else [context]
    for entry in contexts:
        if isinstance(entry, str) and entry not in epcis_hash.LOCAL_CONTEXTS:
            raise DocumentRefused(epcis_hash.unknown_context(entry), "@context")
        if not isinstance(entry, (str, dict)):
            raise DocumentRefused(f"expected a context URL or object, got {entry!r}", "@context")
    if not any(isinstance(entry, str) for entry in contexts):
        raise DocumentRefused("no EPCIS 2.0 @context: this is not an EPCIS 2.0 JSON-LD document", "@context")
    body = document.get("epcisBody")
    if kind == "EPCISDocument":
        events = dig(body, "eventList")
        if events is None and isinstance(dig(body, "event"), dict):
            events = [dig(body, "event")]
        where = "epcisBody.eventList"
    elif kind == "EPCISQueryDocument":
        events = dig(body, "queryResults", "resultsBody", "eventList")
        where = "epcisBody.queryResults.resultsBody.eventList"
    elif "eventTime" in document or kind in EVENT_TYPES:
        return context, [json_walk.built(document)], None  # one bare event: no list of its own is left lazy
    else:
        wanted = "expected an EPCISDocument, an EPCISQueryDocument or an EPCIS event"
        raise DocumentRefused(f"not an EPCIS 2.0 document: type {kind!r}; {wanted}", "type")
    if not isinstance(events, (list, json_walk.Lazy)):
        raise DocumentRefused("expected a list of events", where)
    header = document.get("epcisHeader")
    try:
        _check_tree(header, "epcisHeader")
    except ValidationError as error:
        raise DocumentRefused(error.message, error.field) from None
    return context, events, header


def _check_tree(value: Any, path: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH and text that is not Unicode (a lone surrogate), naming where."""
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        node, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValidationError(f"nested too deeply (more than {MAX_DEPTH} levels)", where or None)
        if isinstance(node, str):
            _unicode(node, where)
        elif isinstance(node, dict):
            for key, child in node.items():
                _unicode(key, where)
                stack.append((child, f"{where}.{key}" if where else key, depth + 1))
        elif isinstance(node, list):
            stack.extend((child, f"{where}[{i}]", depth + 1) for i, child in enumerate(node))


def _unicode(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        reason = f"holds a lone surrogate (\\u{ord(text[error.start]):04x}), which is not text"
        raise ValidationError(reason, where or None) from None
