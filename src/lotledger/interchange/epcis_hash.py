"""The EPCIS canonical event hash (CBV 2.0 section 8.9), by GS1's reference implementation.

`epcis-event-hash-generator` expands each event as JSON-LD (PyLD) before hashing. On import it sets PyLD's
document loader to one that fetches any context it does not ship from the internet: lotledger replaces it,
on every call, with a loader that serves the EPCIS 2.0 context from the file the package ships and refuses
every other URL. Its JSON reader keeps module-global namespace state, so calls are serialised with a lock.
"""

from __future__ import annotations

import importlib
import json
import threading
from decimal import Decimal
from importlib import resources
from typing import Any

from lotledger.domain.errors import ValidationError

# The contexts lotledger knows, by URL: the file of the package that holds each (never fetched).
LOCAL_CONTEXTS = {
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld": (
        "e532647e8eb371379b8b0e8602d8981c8566bc60f7351f22c76a5bc865962008.jsonld"
    ),
    "https://gs1.github.io/EPCIS/epcis-context.jsonld": (
        "14b10c9d3e92d35f577bfc610fe5ec15aa2941124987919389d7cd9998516861.jsonld"
    ),
}
_PACKAGE = "epcis_event_hash_generator"
_lock = threading.Lock()
_contexts: dict[str, Any] = {}


class RemoteContextRefused(ValidationError):
    """A JSON-LD context that is not one of LOCAL_CONTEXTS: lotledger never fetches one."""


def unknown_context(url: str) -> str:
    """Why a context URL is refused (the same words for the reader and the loader)."""
    return f"JSON-LD context {url!r} is not the EPCIS 2.0 context; lotledger reads contexts from local files only"


def local_loader(url: str, options: Any = None) -> dict[str, Any]:
    """PyLD's document loader: the EPCIS context from the package's file, any other URL refused."""
    name = LOCAL_CONTEXTS.get(url)
    if name is None:
        raise RemoteContextRefused(unknown_context(url), "@context")
    if url not in _contexts:
        _contexts[url] = json.loads(resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8"))
    # "tag": PyLD keeps a context resolved under its URL across calls only when the loader tags it; without
    # one it resolved the 30 KB EPCIS context again for every event (keyed by its canonical JSON: half
    # the time of a hash). These files never change, so they are static.
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": _contexts[url],
        "tag": "static",
    }


def _plain(value: Any) -> Any:
    """JSON as the standard library reads it (the reader keeps numbers as Decimal)."""
    if isinstance(value, Decimal):
        small = value.is_finite() and value.adjusted() < 18
        return int(value) if small and value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_plain(child) for child in value]
    return value


def _prefixes(context: Any) -> Any:
    """The context with only its namespace prefixes: the package's reader fails on a term defined by an
    object (`{"@id": ..., "@type": ...}`); such a term's value is hashed as written all the same."""
    if isinstance(context, dict):
        return {key: value for key, value in context.items() if isinstance(value, str)}
    if isinstance(context, list):
        return [_prefixes(entry) for entry in context]
    return context


def event_hash(event: dict[str, Any], context: Any) -> str:
    """The canonical hash (`ni:///sha-256;...?ver=CBV2.0`) of one event, read with the document's @context."""
    jsonld = importlib.import_module("pyld.jsonld")
    json_to_py = importlib.import_module(f"{_PACKAGE}.json_to_py")
    generator = importlib.import_module(f"{_PACKAGE}.hash_generator")
    document = {"@context": _prefixes(context), "type": "EPCISDocument", "epcisBody": {"eventList": [_plain(event)]}}
    with _lock:
        jsonld.set_document_loader(local_loader)  # the package's import set one that falls back to the internet
        setattr(json_to_py, "_namespaces", {})  # noqa: B010 (module-global state of the package's JSON reader)
        try:
            events = json_to_py.event_list_from_epcis_document_json(document)
        except RemoteContextRefused:
            raise
        except jsonld.JsonLdError as error:
            if isinstance(error.__cause__, RemoteContextRefused):
                raise error.__cause__ from None
            raise ValidationError(f"not valid JSON-LD: {error.args[0]}", "@context") from None
        except Exception as error:  # the reference implementation is not hardened against every input
            raise ValidationError(f"the EPCIS event hash could not be computed: {error}", "eventID") from None
        hashes = generator.epcis_hashes_from_events(events)
    if len(hashes) != 1:  # the package logs and skips an event it cannot read
        raise ValidationError("the EPCIS event hash could not be computed for this event", "eventID")
    return str(hashes[0])
