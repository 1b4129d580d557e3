"""One EPCIS 2.0 event as lotledger events (docs/epcis.md, "Importing"): the event itself, and a void after it
when it carries an errorDeclaration.

With the `lotledger:details` extension of lotledger's own export, the exact event is restored (its type,
units as written, expiries, supplier lots, note...); without it, the standard fields alone are mapped by
business step, action and disposition. What lotledger cannot record is refused with the reason.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from lotledger.domain import fields as f
from lotledger.domain.errors import ValidationError
from lotledger.domain.events import Event, parse_event, to_document
from lotledger.interchange.epcis_ids import is_sscc
from lotledger.interchange.epcis_names import Names

# Ids of voids declared without lotledger's extension: derived from the voided event's id.
VOID_NAMESPACE = uuid.UUID("0d8f7f55-3a7e-4f0e-9d64-2b1c5e6a9f31")
UNITS = {"KGM": "kg", "GRM": "g", "TNE": "t", "LBR": "lb", "LTR": "L", "MLT": "mL"}
_TERM = re.compile(r"^(?:urn:epcglobal:cbv:[a-z]+:|https?://ref\.gs1\.org/cbv/[A-Za-z]+-)")
_REFERENCE_TYPES = ("po", "prodorder", "rma")
# lotledger's field names -> where the same thing sits in an EPCIS event, to name it in errors.
_PATHS = {"time": "eventTime", "id": "eventID", "reference": "bizTransactionList", "containers": "epcList"}
_LINE_PATHS = {"item": "epcClass", "lot": "epcClass", "qty": "quantity"}
_EXTENSION = ("note", "actor", "reason", "scope", "expiry_override", "results")


def term(value: Any) -> str | None:
    """A CBV value in any of its spellings (bare, URN, Web URI) as its bare word."""
    return _TERM.sub("", value) if isinstance(value, str) else None


def _object(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(f"expected an object, got {type(value).__name__}", where)
    return value


def _identifier(container: dict[str, Any], key: str, where: str) -> str:
    value = container.get(key)
    if not isinstance(value, str):
        raise ValidationError(
            f"expected an identifier (an EPC URN or a GS1 Digital Link URI), got {value!r}",
            f"{where}.{key}" if where else key,
        )
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(f"expected a list, got {type(value).__name__}", where)
    return value


class EventReader:
    """Maps the events of one document; `hash_id` gives the id of an event without a urn:uuid eventID."""

    def __init__(self, names: Names, domain: str, hash_id: Callable[[dict[str, Any]], str]) -> None:
        self.paths: dict[str, str] = {}
        self.names = names
        self.references = domain.rstrip("/") + "/references/"
        self.hash_id = hash_id

    def read(self, event: dict[str, Any], number: int) -> list[Event]:
        """The lotledger events of one EPCIS event; `self.paths` then says where each field came from."""
        details = _object(event.get("lotledger:details"), "lotledger:details")
        kind = self._kind(event, details)
        raw, paths = self._fields(event, details, kind, number)
        self.paths = paths
        given = event.get("eventID")
        if isinstance(given, str) and given.lower().startswith("urn:uuid:"):
            raw["id"] = given[len("urn:uuid:") :]
        try:
            recorded = parse_event(raw)
        except ValidationError as error:
            raise ValidationError(error.message, _epcis_path(error.field, paths)) from None
        if recorded.id is None:  # hashed only once the event is known to be good
            recorded = dataclasses.replace(recorded, id=str(uuid.uuid5(VOID_NAMESPACE, self.hash_id(event))))
        declaration = event.get("errorDeclaration")
        if declaration is None:
            return [recorded]
        return [recorded, self._void(_object(declaration, "errorDeclaration"), recorded)]

    # -- which lotledger event ------------------------------------------------------------------

    def _kind(self, event: dict[str, Any], details: dict[str, Any]) -> str:
        shape = event.get("type")
        if shape == "AssociationEvent":
            raise ValidationError("an AssociationEvent joins physical objects; lotledger records no such link", "type")
        if shape == "TransactionEvent":
            wanted = "a TransactionEvent links goods to a business transaction without moving them; not recorded"
            raise ValidationError(wanted, "type")
        if shape not in ("ObjectEvent", "AggregationEvent", "TransformationEvent"):
            raise ValidationError(
                f"unknown event type {shape!r}; lotledger reads Object, Aggregation and Transformation events", "type"
            )
        if event.get("sensorElementList"):
            raise ValidationError("sensor data is not something lotledger records", "sensorElementList")
        if "type" in details:
            kind = details["type"]
            if not isinstance(kind, str):
                raise ValidationError(f"expected a lotledger event type, got {kind!r}", "lotledger:details.type")
            return kind
        action, step, disposition = event.get("action"), term(event.get("bizStep")), term(event.get("disposition"))
        if shape == "TransformationEvent":
            return "produce"
        if shape == "AggregationEvent":
            if action not in ("ADD", "DELETE"):
                raise ValidationError(
                    f"an AggregationEvent with action {action!r} changes no pallet (ADD packs, DELETE unpacks)",
                    "action",
                )
            return "pack" if action == "ADD" else "unpack"
        persistent = _object(event.get("persistentDisposition"), "persistentDisposition")
        if step == "receiving":
            return "return" if disposition == "returned" else "receive"
        if step == "shipping":
            return "ship"
        if step == "holding":
            if disposition == "non_sellable_other" or "non_sellable_other" in map(
                term, _list(persistent.get("set"), "")
            ):
                return "hold"
            if disposition == "sellable_accessible" or "non_sellable_other" in map(
                term, _list(persistent.get("unset"), "")
            ):
                return "release"
            raise ValidationError(
                f"a holding event with disposition {disposition!r} neither holds nor releases", "disposition"
            )
        if step == "inspecting":
            return "observe"
        if action == "OBSERVE" and any(term(d.get("type")) == "location" for d in self._parties(event, "destination")):
            return "move"
        if action in ("ADD", "DELETE"):
            return "adjust"
        said = f"bizStep {step!r}" if step else "no bizStep"
        acted = f"action {action!r}" if action else "no action"
        raise ValidationError(
            f"{said} with {acted} is no change lotledger records (it reads "
            "receiving, shipping, holding, inspecting, an OBSERVE to a location destination, "
            "and ADD or DELETE as a stock adjustment)",
            "bizStep",
        )

    # -- the fields -----------------------------------------------------------------------------

    def _fields(
        self, event: dict[str, Any], details: dict[str, Any], kind: str, number: int
    ) -> tuple[dict[str, Any], dict[str, str]]:
        raw: dict[str, Any] = {"type": kind, "time": self._time(event)}
        raw.update({key: details[key] for key in _EXTENSION if key in details})
        paths = dict(_PATHS)
        reference = self._reference(event)
        if reference is not None:
            raw["reference"] = reference
        raw["location"] = self._where(event, number, "bizLocation", "readPoint")
        paths["location"] = "bizLocation" if "bizLocation" in event else "readPoint"
        if kind in ("receive", "return", "ship"):
            side = "destination" if kind == "ship" else "source"
            raw["partner"] = self._party(event, side, number, "customer" if kind != "receive" else "supplier")
            paths["partner"] = f"{side}List"
        if kind == "move":
            raw["location"] = self._location_party(event, "source", number) or self._where(event, number, "readPoint")
            raw["to_location"] = self._location_party(event, "destination", number)
            paths.update(location="sourceList", to_location="destinationList")
        if kind in ("hold", "release", "observe"):
            raw["lots"] = [{"item": sku, "lot": lot} for sku, lot in self._classes(event, "quantityList", number)]
            paths["lots"] = "quantityList"
            if kind != "observe":
                raw.setdefault("reason", f"EPCIS {term(event.get('bizStep'))}: {term(event.get('disposition'))}")
            else:
                raw.setdefault(
                    "results", [{"name": "EPCIS inspecting", "value": term(event.get("disposition")) or "observed"}]
                )
        elif kind == "produce":
            raw["inputs"] = self._lines(event, details, "inputQuantityList", "inputs", number)
            source = self._location_party(event, "source", number)  # where the inputs are taken from
            if source is not None and source != raw["location"]:
                for line in raw["inputs"]:
                    line.setdefault("location", source)
            raw["outputs"] = self._lines(event, details, "outputQuantityList", "outputs", number)
            paths.update(inputs="inputQuantityList", outputs="outputQuantityList")
        elif kind in ("pack", "unpack"):
            raw["container"] = self.names.ids.read_sscc(_identifier(event, "parentID", ""), "parentID")
            raw["lines"] = self._lines(event, details, "childQuantityList", "lines", number)
            self._no_instances(event, "childEPCs")
            paths["lines"] = "childQuantityList"
        elif kind != "void":
            raw["lines"] = self._lines(event, details, "quantityList", "lines", number)
            paths["lines"] = "quantityList"
            containers = self._containers(event, allowed=kind in ("ship", "move"))
            if containers:
                raw["containers"] = containers
            if kind == "adjust":
                raw.setdefault("reason", f"EPCIS {term(event.get('bizStep')) or 'ObjectEvent'} {event.get('action')}")
        if kind == "produce":
            self._no_instances(event, "inputEPCList")
            self._no_instances(event, "outputEPCList")
        return raw, paths

    def _time(self, event: dict[str, Any]) -> str:
        moment = f.moment(event.get("eventTime"), "eventTime")
        offset = event.get("eventTimeZoneOffset")
        if isinstance(offset, str) and re.fullmatch(r"[+-](0\d|1[0-4]):[0-5]\d", offset):
            zone = f.moment(f"2000-01-01T00:00:00{offset}", "eventTimeZoneOffset").tzinfo
            moment = moment.astimezone(zone)  # the same instant, written as the event's own clock showed it
        return moment.isoformat()

    def _reference(self, event: dict[str, Any]) -> str | None:
        entries = [
            _object(e, f"bizTransactionList[{i}]")
            for i, e in enumerate(_list(event.get("bizTransactionList"), "bizTransactionList"))
        ]
        values: list[str] = [e["bizTransaction"] for e in entries if isinstance(e.get("bizTransaction"), str)]
        for value in values:
            if value.startswith(self.references):
                return unquote(value[len(self.references) :])
        typed = [e.get("bizTransaction") for e in entries if term(e.get("type")) in _REFERENCE_TYPES]
        chosen = [v for v in typed if isinstance(v, str)] or values
        return chosen[0] if chosen else None

    def _where(self, event: dict[str, Any], number: int, *keys: str) -> str | None:
        for key in keys:
            place = _object(event.get(key), key).get("id")
            if isinstance(place, str):
                return self.names.place(place, f"{key}.id", number, "locations")
        return None

    def _parties(self, event: dict[str, Any], side: str) -> list[dict[str, Any]]:
        return [_object(p, f"{side}List[{i}]") for i, p in enumerate(_list(event.get(f"{side}List"), f"{side}List"))]

    def _party(self, event: dict[str, Any], side: str, number: int, role: str) -> str | None:
        for wanted in ("owning_party", "possessing_party"):
            for i, entry in enumerate(self._parties(event, side)):
                if term(entry.get("type")) == wanted and isinstance(entry.get(side), str):
                    return self.names.place(entry[side], f"{side}List[{i}].{side}", number, "partners", role)
        return None

    def _location_party(self, event: dict[str, Any], side: str, number: int) -> str | None:
        for i, entry in enumerate(self._parties(event, side)):
            if term(entry.get("type")) == "location" and isinstance(entry.get(side), str):
                return self.names.place(entry[side], f"{side}List[{i}].{side}", number, "locations")
        return None

    def _classes(self, event: dict[str, Any], key: str, number: int) -> list[tuple[str, str]]:
        self._no_instances(event, "epcList")
        out = []
        for i, element in enumerate(_list(event.get(key), key)):
            element = _object(element, f"{key}[{i}]")
            out.append(
                self.names.lot(_identifier(element, "epcClass", f"{key}[{i}]"), f"{key}[{i}].epcClass", number, None)
            )
        return out

    def _lines(
        self, event: dict[str, Any], details: dict[str, Any], key: str, name: str, number: int
    ) -> list[dict[str, Any]]:
        written = _list(details.get(name), f"lotledger:details.{name}")
        expiry = _object(event.get("ilmd"), "ilmd").get("cbvmda:itemExpirationDate") if name != "inputs" else None
        lines = []
        for i, element in enumerate(_list(event.get(key), key)):
            element = _object(element, f"{key}[{i}]")
            uom = element.get("uom")
            if uom is not None and uom not in UNITS:
                wanted = ", ".join(UNITS)
                raise ValidationError(
                    f"unit {uom!r} is not one lotledger converts ({wanted}, or none for a count)", f"{key}[{i}].uom"
                )
            unit = UNITS.get(uom, "ea") if uom is not None else "ea"
            if "quantity" not in element:
                raise ValidationError("lotledger needs how much of the lot", f"{key}[{i}].quantity")
            quantity = element["quantity"]
            sku, lot = self.names.lot(
                _identifier(element, "epcClass", f"{key}[{i}]"), f"{key}[{i}].epcClass", number, unit
            )
            line: dict[str, Any] = {
                "item": sku,
                "lot": lot,
                "qty": quantity if isinstance(quantity, (bool, dict, list)) else str(quantity),
                "uom": unit,
            }
            if event.get("action") == "DELETE" and name == "lines" and event.get("type") == "ObjectEvent":
                line["qty"] = f"-{line['qty']}"
            if expiry is not None and not written:
                line["expiry"] = expiry
            if i < len(written):
                line.update(_object(written[i], f"lotledger:details.{name}[{i}]"))
            lines.append(line)
        return lines

    def _containers(self, event: dict[str, Any], allowed: bool) -> list[str]:
        containers = []
        for i, epc in enumerate(_list(event.get("epcList"), "epcList")):
            where = f"epcList[{i}]"
            if not (isinstance(epc, str) and is_sscc(epc)):
                self.names.ids.read_product(str(epc), where)  # refuses a serialised unit, naming it
                raise ValidationError(f"{epc!r} is no pallet (SSCC) lotledger can record here", where)
            if not allowed:
                raise ValidationError(
                    "a pallet (SSCC) alone does not say which lots it holds; lotledger needs the lots (quantityList)",
                    where,
                )
            containers.append(self.names.ids.read_sscc(epc, where))
        return containers

    def _no_instances(self, event: dict[str, Any], key: str) -> None:
        for i, epc in enumerate(_list(event.get(key), key)):
            self.names.ids.read_product(str(epc), f"{key}[{i}]")  # a serialised unit is refused, naming it
            raise ValidationError(f"{epc!r} is an instance-level identifier; lotledger records lots", f"{key}[{i}]")

    def _void(self, declaration: dict[str, Any], target: Event) -> Event:
        own = _object(declaration.get("lotledger:void"), "errorDeclaration.lotledger:void")
        reason = term(declaration.get("reason"))
        raw: dict[str, Any] = {
            "type": "void",
            "id": own.get("id", str(uuid.uuid5(VOID_NAMESPACE, f"void:{target.id}"))),
            "time": f.moment(declaration.get("declarationTime"), "errorDeclaration.declarationTime").isoformat(),
            "location": target.location,
            "target": target.id,
            "reason": f"EPCIS error declaration: {reason}" if reason else "EPCIS error declaration",
        }
        raw.update({key: own[key] for key in ("location", "reference", "reason", "actor", "note") if key in own})
        try:
            return parse_event(raw)
        except ValidationError as error:
            raise ValidationError(error.message, f"errorDeclaration.lotledger:void.{error.field}") from None


def cells_of(event: Event, number: int, paths: dict[str, str]) -> dict[str, tuple[int, str | None]]:
    """Where each field of `event` sits in the EPCIS event numbered `number`: a refusal by the ledger's rules
    (`lines[0].lot`: unknown lot) then names the document's path (`quantityList[0].epcClass`)."""
    cells: dict[str, tuple[int, str | None]] = {}
    for name, value in to_document(event).items():
        cells[name] = (number, _epcis_path(name, paths))
        for i, entry in enumerate(value if isinstance(value, list) else []):
            base = f"{name}[{i}]"
            cells[base] = (number, _epcis_path(base, paths))
            for sub in entry if isinstance(entry, dict) else ():
                cells[f"{base}.{sub}"] = (number, _epcis_path(f"{base}.{sub}", paths))
    return cells


def _epcis_path(field: str | None, paths: dict[str, str]) -> str | None:
    """A lotledger field path (`inputs[1].qty`) as the EPCIS event names it (`inputQuantityList[1].quantity`)."""
    if field is None:
        return None
    match = re.fullmatch(r"([a-z_]+)(\[\d+\])?(?:\.([a-z_]+))?", field)
    if match is None:
        return field
    head, index, sub = match.groups()
    if head in _EXTENSION or (head in ("lines", "inputs", "outputs") and sub not in (None, *_LINE_PATHS, "uom")):
        return f"lotledger:details.{field}"
    out = paths.get(head, head) + (index or "")
    return f"{out}.{_LINE_PATHS.get(sub, sub)}" if sub else out
