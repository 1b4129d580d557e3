"""The event vocabulary (docs/concepts.md): past-tense facts, validated on creation.

`parse_event` turns a JSON object into one of the dataclasses below or raises
ValidationError naming the field (with its path, e.g. ``inputs[1].qty``).
`to_document` turns an event back into its canonical JSON object.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from lotledger.domain import fields as f
from lotledger.domain.errors import ValidationError
from lotledger.domain.model import LotKey, validate_sscc
from lotledger.domain.quantities import parse_decimal

SCOPES = ("lot", "downstream")


@dataclass(frozen=True, slots=True)
class LotLine:
    """A quantity of one lot, as written on the event (not yet in base units)."""

    item: str
    lot: str
    qty: Decimal
    uom: str
    expiry: date | None = None
    supplier_lot: str | None = None
    location: str | None = None
    container: str | None = None

    @property
    def key(self) -> LotKey:
        return LotKey(self.item, self.lot)


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    value: str
    unit: str | None = None
    passed: bool | None = None


@dataclass(frozen=True, slots=True)
class Event:
    type: ClassVar[str] = ""
    id: str | None
    time: datetime
    location: str
    reference: str | None = None
    actor: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Receive(Event):
    type: ClassVar[str] = "receive"
    partner: str = ""
    lines: tuple[LotLine, ...] = ()
    expiry_override: str | None = None  # a quality user's reason to accept an expired lot


@dataclass(frozen=True, slots=True)
class Produce(Event):
    type: ClassVar[str] = "produce"
    inputs: tuple[LotLine, ...] = ()
    outputs: tuple[LotLine, ...] = ()
    expiry_override: str | None = None


@dataclass(frozen=True, slots=True)
class Move(Event):
    type: ClassVar[str] = "move"
    to_location: str = ""
    lines: tuple[LotLine, ...] = ()
    containers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pack(Event):
    type: ClassVar[str] = "pack"
    container: str = ""
    lines: tuple[LotLine, ...] = ()


@dataclass(frozen=True, slots=True)
class Unpack(Event):
    type: ClassVar[str] = "unpack"
    container: str = ""
    lines: tuple[LotLine, ...] = ()


@dataclass(frozen=True, slots=True)
class Ship(Event):
    type: ClassVar[str] = "ship"
    partner: str = ""
    lines: tuple[LotLine, ...] = ()
    containers: tuple[str, ...] = ()
    expiry_override: str | None = None


@dataclass(frozen=True, slots=True)
class Return(Event):
    type: ClassVar[str] = "return"
    partner: str = ""
    lines: tuple[LotLine, ...] = ()


@dataclass(frozen=True, slots=True)
class Adjust(Event):
    type: ClassVar[str] = "adjust"
    reason: str = ""
    lines: tuple[LotLine, ...] = ()


@dataclass(frozen=True, slots=True)
class Hold(Event):
    type: ClassVar[str] = "hold"
    reason: str = ""
    scope: str = "lot"
    lots: tuple[LotKey, ...] = ()


@dataclass(frozen=True, slots=True)
class Release(Event):
    type: ClassVar[str] = "release"
    reason: str = ""
    scope: str = "lot"
    lots: tuple[LotKey, ...] = ()


@dataclass(frozen=True, slots=True)
class Void(Event):
    type: ClassVar[str] = "void"
    target: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Observe(Event):
    type: ClassVar[str] = "observe"
    lots: tuple[LotKey, ...] = ()
    results: tuple[Result, ...] = ()


_COMMON_FIELDS = ("id", "type", "time", "location", "reference", "actor", "note")
EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls for cls in (Receive, Produce, Move, Pack, Unpack, Ship, Return, Adjust, Hold, Release, Void, Observe)
}
_FIELD_NAMES = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in EVENT_TYPES.values()}
_SPECIFIC = {cls: tuple(name for name in names if name not in _COMMON_FIELDS) for cls, names in _FIELD_NAMES.items()}
_ALLOWED = {cls: frozenset(_COMMON_FIELDS) | frozenset(names) for cls, names in _SPECIFIC.items()}

# What each lot line may carry beyond item/lot/qty/uom, by the field it sits in.
_LINE_EXTRAS: dict[str, frozenset[str]] = {
    "receive.lines": frozenset({"expiry", "supplier_lot"}),
    "produce.inputs": frozenset({"location", "container"}),
    "produce.outputs": frozenset({"expiry"}),
    "move.lines": frozenset({"container"}),
    "pack.lines": frozenset(),
    "unpack.lines": frozenset(),
    "ship.lines": frozenset({"container"}),
    "return.lines": frozenset(),
    "adjust.lines": frozenset({"container"}),
}


def _list(raw: dict[str, Any], key: str, required: bool) -> list[Any]:
    value = raw.get(key)
    if value is None:
        if required:
            raise ValidationError("is required", key)
        return []
    if not isinstance(value, list):
        raise ValidationError(f"expected a list, got {type(value).__name__}", key)
    if required and not value:
        raise ValidationError("must not be empty", key)
    return value


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(f"expected an object, got {value!r}", path)
    return value


def _lot_line(value: Any, path: str, extras: frozenset[str], signed: bool) -> LotLine:
    raw = _object(value, path)
    f.check_keys(raw, {"item", "lot", "qty", "uom"} | extras, "a line here", f"{path}.")
    qty = parse_decimal(raw.get("qty"), f"{path}.qty")
    if qty == 0 or (qty < 0 and not signed):
        wanted = "a non-zero" if signed else "a positive"
        raise ValidationError(f"expected {wanted} quantity, got {raw.get('qty')!r}", f"{path}.qty")
    location = raw.get("location")
    container = raw.get("container")
    return LotLine(
        item=f.code(raw.get("item"), f"{path}.item"),
        lot=f.lot_code(raw.get("lot"), f"{path}.lot"),
        qty=qty,
        uom=f.required_text(raw, "uom", f"{path}."),
        expiry=f.calendar_date(raw.get("expiry"), f"{path}.expiry"),
        supplier_lot=f.text(raw, "supplier_lot", f"{path}.", required=False),
        location=None if location is None else f.code(location, f"{path}.location"),
        container=None if container is None else validate_sscc(container, f"{path}.container"),
    )


def _lot_keys(raw: dict[str, Any]) -> tuple[LotKey, ...]:
    keys = []
    for i, value in enumerate(_list(raw, "lots", True)):
        line = _object(value, f"lots[{i}]")
        f.check_keys(line, {"item", "lot"}, "a lot here", f"lots[{i}].")
        keys.append(LotKey(f.code(line.get("item"), f"lots[{i}].item"), f.lot_code(line.get("lot"), f"lots[{i}].lot")))
    return tuple(keys)


def _results(raw: dict[str, Any]) -> tuple[Result, ...]:
    results = []
    for i, value in enumerate(_list(raw, "results", True)):
        path = f"results[{i}]."
        line = _object(value, path[:-1])
        f.check_keys(line, {"name", "value", "unit", "pass"}, "a result", path)
        passed = line.get("pass")
        if passed is not None and not isinstance(passed, bool):
            raise ValidationError(f"expected true or false, got {passed!r}", f"{path}pass")
        value = line.get("value")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValidationError(f"expected a number or text, got {value!r}", f"{path}value")
        reading = f.required_text({"value": str(value)}, "value", path)
        results.append(
            Result(f.required_text(line, "name", path), reading, f.text(line, "unit", path, required=False), passed)
        )
    return tuple(results)


def parse_event(raw: Any) -> Event:
    """Validate a JSON object as an event of the vocabulary (docs/concepts.md)."""
    raw = _object(raw, "event")
    kind = raw.get("type")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValidationError(f"unknown event type {kind!r}; expected one of {', '.join(EVENT_TYPES)}", "type")
    f.check_keys(raw, _ALLOWED[cls], f"a {kind} event")
    event_id = raw.get("id")
    if event_id is not None:
        try:
            event_id = str(uuid.UUID(str(event_id)))
        except ValueError:
            raise ValidationError(f"expected a UUID, got {event_id!r}", "id") from None
    fields: dict[str, Any] = {
        "id": event_id,
        "time": f.moment(raw.get("time")),
        "location": f.code(raw.get("location"), "location"),
        "reference": f.text(raw, "reference", required=False),
        "actor": f.text(raw, "actor", required=False),
        "note": f.text(raw, "note", required=False),
    }
    for name in _SPECIFIC[cls]:
        fields[name] = _specific_field(kind, name, raw)
    _check_shape(cls, fields)
    return cls(**fields)


def _specific_field(kind: str, name: str, raw: dict[str, Any]) -> Any:
    extras = _LINE_EXTRAS.get(f"{kind}.{name}")
    if extras is not None:
        required = name in ("inputs", "outputs") or kind not in ("move", "ship")
        return tuple(
            _lot_line(v, f"{name}[{i}]", extras, signed=kind == "adjust")
            for i, v in enumerate(_list(raw, name, required))
        )
    if name == "containers":
        return tuple(validate_sscc(v, f"containers[{i}]") for i, v in enumerate(_list(raw, name, False)))
    if name == "container":
        return validate_sscc(raw.get("container"), "container")
    if name == "lots":
        return _lot_keys(raw)
    if name == "results":
        return _results(raw)
    if name == "scope":
        return f.choice(raw, "scope", SCOPES, default="lot")
    if name == "target":
        try:
            return str(uuid.UUID(str(raw.get("target"))))
        except ValueError:
            raise ValidationError(
                f"expected the UUID of the event to void, got {raw.get('target')!r}", "target"
            ) from None
    if name in ("partner", "to_location"):
        return f.code(raw.get(name), name)
    if name == "expiry_override":
        return f.text(raw, name, required=False)
    return f.required_text(raw, name)  # reason


def _check_shape(cls: type[Event], fields: dict[str, Any]) -> None:
    if cls in (Move, Ship) and not fields["lines"] and not fields["containers"]:
        raise ValidationError("needs lines or containers", "lines")
    if cls is Move and fields["to_location"] == fields["location"]:
        raise ValidationError("must differ from location", "to_location")
    if cls is Produce:
        inputs = {line.key for line in fields["inputs"]}
        for i, line in enumerate(fields["outputs"]):
            if line.key in inputs:
                raise ValidationError(f"lot {line.key} is both an input and an output", f"outputs[{i}].lot")


def to_document(event: Event) -> dict[str, Any]:
    """The canonical JSON object of an event: what is stored and hashed."""
    document: dict[str, Any] = {"type": event.type}
    for name in _FIELD_NAMES[type(event)]:
        value = _plain(getattr(event, name))
        if value is not None and value != [] and value != "":
            document[name] = value
    return document


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, LotKey):
        return {"item": value.sku, "lot": value.code}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, LotLine):
        line = {"item": value.item, "lot": value.lot, "qty": format(value.qty.normalize(), "f"), "uom": value.uom}
        for name in ("expiry", "supplier_lot", "location", "container"):
            extra = getattr(value, name)
            if extra is not None:
                line[name] = _plain(extra)
        return line
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Result):
        out = {"name": value.name, "value": value.value, "unit": value.unit, "pass": value.passed}
        return {k: v for k, v in out.items() if v is not None}
    return value
