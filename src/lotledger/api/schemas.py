"""What the API's bodies look like, for its OpenAPI document: a description, not a validator.

Routes keep reading raw JSON and handing it to the domain (`parse_event`,
`Item.parse`, ...), which stays the one place that validates. These pydantic
models only give the document its fields, so clients can be generated and the
docs page shows them. This module has events and master data; `schemas_out`
has the answers (and the small bodies of the account and scanning routes).
A route takes `openapi_extra=request_body(...)` and `responses=responses(...)`;
the app calls `install_openapi` once.
"""

from __future__ import annotations

import copy
import http
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from typing import Annotated, Any, Literal, get_args
from uuid import UUID

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

from lotledger.api.examples import EVENT_EXAMPLES
from lotledger.domain.model import LOCATION_KINDS, PARTNER_ROLES
from lotledger.domain.quantities import UNITS

REF = "#/components/schemas/{model}"
PROBLEM_MEDIA_TYPE = "application/problem+json"
_NUMBER = r"[0-9]{1,12}(\.[0-9]+)?"  # the plain part of what parse_decimal takes (no exponent)

# --- the values fields hold --------------------------------------------------------

Code = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/:\-]{0,63}$", description="A code: letters, digits, . _ / : - (64 at most)"
    ),
]
LotCode = Annotated[
    str,
    Field(
        pattern=r"""^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$""",
        description="A lot code: 1-20 characters of the GS1 AI 82 set, as GS1 (10) carries it",
    ),
]
Sscc = Annotated[str, Field(pattern=r"^[0-9]{18}$", description="An SSCC: 18 digits, the last a GS1 check digit")]
Gln = Annotated[str, Field(pattern=r"^[0-9]{13}$", description="A GLN: 13 digits, the last a GS1 check digit")]
Uom = Annotated[
    str,
    Field(description="A unit; it must convert to the item's unit", json_schema_extra={"enum": list(UNITS)}),
]
Quantity = Annotated[
    Annotated[str, Field(pattern=rf"^\+?{_NUMBER}$")] | Annotated[float, Field(gt=0, lt=1e12)],
    Field(description="Greater than zero, below 10^12: a decimal as text (exact) or a JSON number"),
]
SignedQuantity = Annotated[
    Annotated[str, Field(pattern=rf"^[+-]?{_NUMBER}$")] | Annotated[float, Field(gt=-1e12, lt=1e12)],
    Field(description="Not zero: positive adds stock, negative takes it away; text (exact) or a JSON number"),
]


def _text(limit: int) -> Any:
    """Text that is not blank, `limit` characters at most (the domain's limits)."""
    return Field(min_length=1, max_length=limit, pattern=r"\S")


Text = Annotated[str, _text(200)]
Reason = Annotated[str, _text(500)]


def no_extra(example: dict[str, Any] | None = None) -> ConfigDict:
    """No fields beyond those described (the domain refuses unknown ones), and an example if given."""
    if example is None:
        return ConfigDict(extra="forbid")
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


# --- lot lines, by the event field they sit in ----------------------------------------


class _Line(BaseModel):
    model_config = no_extra()
    item: Code = Field(description="The item's sku")
    lot: LotCode
    qty: Quantity
    uom: Uom


class ReceiveLine(_Line):
    expiry: date | None = Field(None, description="Best before; by default the receipt day plus the shelf life")
    supplier_lot: Annotated[str, _text(64)] | None = Field(None, description="The supplier's own lot code")


class ProduceInput(_Line):
    location: Code | None = Field(None, description="Where it is consumed from; by default the event's location")
    container: Sscc | None = Field(None, description="The container it is consumed from")


class ProduceOutput(_Line):
    expiry: date | None = Field(None, description="Best before; by default the production day plus the shelf life")


class TransferLine(_Line):
    container: Sscc | None = Field(None, description="Take it from this container rather than loose stock")


class PackLine(_Line):
    """A line of pack, unpack and return: item, lot, qty, uom and nothing else."""


class AdjustLine(_Line):
    qty: SignedQuantity
    container: Sscc | None = Field(None, description="Adjust what is in this container rather than loose stock")


class LotRef(BaseModel):
    """A lot: its item's sku and its code."""

    model_config = no_extra()
    item: Code
    lot: LotCode


class ObservationResult(BaseModel):
    model_config = no_extra()
    name: Text
    value: Text | float = Field(description="The reading; stored as text")
    unit: Text | None = None
    passed: bool | None = Field(None, alias="pass", description="Whether the reading is within limits")


# --- events --------------------------------------------------------------------------


_NEEDS_LINES_OR_CONTAINERS = {
    "anyOf": [
        {"required": ["lines"], "properties": {"lines": {"minItems": 1}}},
        {"required": ["containers"], "properties": {"containers": {"minItems": 1}}},
    ]
}
_EXPIRY_OVERRIDE = "Why an expired lot may pass here: a quality user's override of the expiry rule"


class _Event(BaseModel):
    model_config = no_extra()
    id: UUID | None = Field(None, description="Your id for it: sending the same event again records it once")
    time: AwareDatetime = Field(description="When it happened, with a UTC offset, in the years 1900-2199")
    location: Code = Field(description="Where it happened")
    reference: Annotated[str, _text(128)] | None = Field(None, description="The paper behind it: order, delivery note")
    actor: Annotated[str, _text(64)] | None = Field(None, description="Who did it on the floor")
    note: Annotated[str, _text(2000)] | None = None


def _example(kind: str, **schema: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [EVENT_EXAMPLES[kind]], **schema})


class ReceiveEvent(_Event):
    """Goods from a supplier: each line is a new lot."""

    model_config = _example("receive")
    type: Literal["receive"]
    partner: Code = Field(description="The supplier")
    lines: list[ReceiveLine] = Field(min_length=1)
    expiry_override: Text | None = Field(None, description=_EXPIRY_OVERRIDE)


class ProduceEvent(_Event):
    """Inputs consumed, outputs made; no output may also be an input."""

    model_config = _example("produce")
    type: Literal["produce"]
    inputs: list[ProduceInput] = Field(min_length=1)
    outputs: list[ProduceOutput] = Field(min_length=1)
    expiry_override: Text | None = Field(None, description=_EXPIRY_OVERRIDE)


class MoveEvent(_Event):
    """Stock and whole containers from `location` to `to_location`: lines, containers or both."""

    model_config = _example("move", **_NEEDS_LINES_OR_CONTAINERS)
    type: Literal["move"]
    to_location: Code = Field(description="Where it goes; not the event's location")
    lines: list[TransferLine] = []
    containers: list[Sscc] = []


class PackEvent(_Event):
    """Loose stock into a container at the event's location."""

    model_config = _example("pack")
    type: Literal["pack"]
    container: Sscc
    lines: list[PackLine] = Field(min_length=1)


class UnpackEvent(_Event):
    """Stock out of a container, loose at the event's location."""

    model_config = _example("unpack")
    type: Literal["unpack"]
    container: Sscc
    lines: list[PackLine] = Field(min_length=1)


class ShipEvent(_Event):
    """Stock and whole containers to a customer: lines, containers or both."""

    model_config = _example("ship", **_NEEDS_LINES_OR_CONTAINERS)
    type: Literal["ship"]
    partner: Code = Field(description="The customer")
    lines: list[TransferLine] = []
    containers: list[Sscc] = []
    expiry_override: Text | None = Field(None, description=_EXPIRY_OVERRIDE)


class ReturnEvent(_Event):
    """Lots a customer sends back."""

    model_config = _example("return")
    type: Literal["return"]
    partner: Code = Field(description="The customer")
    lines: list[PackLine] = Field(min_length=1)


class AdjustEvent(_Event):
    """A stock correction (count, sample, damage), up or down."""

    model_config = _example("adjust")
    type: Literal["adjust"]
    reason: Reason
    lines: list[AdjustLine] = Field(min_length=1)


class _StatusEvent(_Event):
    reason: Reason
    scope: Literal["lot", "downstream"] = "lot"
    lots: list[LotRef] = Field(min_length=1)


class HoldEvent(_StatusEvent):
    """Stop lots from being consumed or shipped (scope downstream: everything made from them too)."""

    model_config = _example("hold")
    type: Literal["hold"]


class ReleaseEvent(_StatusEvent):
    """Lift a hold (it must be in force on every named lot)."""

    model_config = _example("release")
    type: Literal["release"]


class VoidEvent(_Event):
    """Cancel a recorded event: its effects are reversed, the record stays."""

    model_config = _example("void")
    type: Literal["void"]
    target: UUID = Field(description="The id of the event to void")
    reason: Reason


class ObserveEvent(_Event):
    """Test results about lots; moves no stock."""

    model_config = _example("observe")
    type: Literal["observe"]
    lots: list[LotRef] = Field(min_length=1)
    results: list[ObservationResult] = Field(min_length=1)


Event = Annotated[
    ReceiveEvent
    | ProduceEvent
    | MoveEvent
    | PackEvent
    | UnpackEvent
    | ShipEvent
    | ReturnEvent
    | AdjustEvent
    | HoldEvent
    | ReleaseEvent
    | VoidEvent
    | ObserveEvent,
    Field(discriminator="type"),
]
EVENT_MODELS: tuple[type[BaseModel], ...] = get_args(get_args(Event)[0])


class EventBatch(BaseModel):
    """Events recorded all or nothing."""

    model_config = no_extra({"events": [EVENT_EXAMPLES["receive"], EVENT_EXAMPLES["produce"]]})
    events: list[Event] = Field(min_length=1)


# --- master data (also what the API answers for one: every field, null when unset) ---


class Item(BaseModel):
    model_config = no_extra({"sku": "RYE", "name": "Rye flour T130", "uom": "kg", "shelf_life_days": 180})
    sku: Code
    name: Text
    uom: Uom = Field(description="The item's base unit: quantities are kept in it")
    gtin: str | None = Field(None, pattern=r"^[0-9]{8,14}$", description="GTIN-8, -12, -13 or -14 (kept as 14)")
    shelf_life_days: int | None = Field(None, ge=0, le=36500, description="Sets a new lot's default expiry")
    active: bool = True
    brand: Annotated[str, _text(128)] | None = None
    commodity: Annotated[str, _text(128)] | None = Field(None, description="The food, as FDA's list names it")
    variety: Annotated[str, _text(128)] | None = None
    pack_size: Annotated[str, _text(64)] | None = Field(None, examples=["12 x 500 g"])
    pack_style: Annotated[str, _text(128)] | None = Field(None, examples=["bag"])
    ftl: bool = Field(False, description="On FDA's Food Traceability List: FSMA 204 records are kept for it")


class Location(BaseModel):
    model_config = no_extra({"code": "RAW-A2", "name": "Raw bin A2", "kind": "bin", "parent": "RAW"})
    code: Code
    name: Text
    kind: str = Field(json_schema_extra={"enum": list(LOCATION_KINDS)})
    parent: Code | None = Field(None, description="The location this one is part of")
    gln: Gln | None = None
    active: bool = True
    address: Annotated[str, _text(500)] | None = Field(None, description="Street and number")
    city: Annotated[str, _text(128)] | None = None
    region: Annotated[str, _text(128)] | None = Field(None, description="State or province")
    postal_code: Annotated[str, _text(32)] | None = None
    country: Annotated[str, _text(64)] | None = None
    phone: Annotated[str, _text(64)] | None = None
    fda_registration: str | None = Field(
        None, pattern=r"^[0-9]{11}$", description="FDA food facility registration number (a TLC source reference)"
    )


class Partner(BaseModel):
    model_config = no_extra({"code": "OATMILL", "name": "Oat Mill Ltd", "role": "supplier"})
    code: Code
    name: Text
    role: str = Field(json_schema_extra={"enum": list(PARTNER_ROLES)})
    gln: Gln | None = None
    active: bool = True
    contact: Annotated[str, _text(128)] | None = Field(None, description="Who recall notices go to")
    phone: Annotated[str, _text(64)] | None = None
    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    address: Annotated[str, _text(500)] | None = Field(None, description="Street and number")
    city: Annotated[str, _text(128)] | None = None
    region: Annotated[str, _text(128)] | None = Field(None, description="State or province")
    postal_code: Annotated[str, _text(32)] | None = None
    country: Annotated[str, _text(64)] | None = None


REQUESTS: tuple[type[BaseModel], ...] = (EventBatch, Item, Location, Partner)

# --- what routes and the app call -------------------------------------------------------


@cache
def component_schemas() -> dict[str, Any]:
    """`components.schemas` of every model here and in `schemas_out`, each nested model hoisted once."""
    # They describe bodies in terms of this module's models.
    from lotledger.api import schemas_out, schemas_production, schemas_purchasing, schemas_recall, schemas_selling

    named: dict[str, Any] = {"Event": Event}
    models = (
        *REQUESTS,
        *schemas_out.REQUESTS,
        *schemas_out.RESPONSES,
        *schemas_recall.REQUESTS,
        *schemas_recall.RESPONSES,
        *schemas_purchasing.REQUESTS,
        *schemas_purchasing.RESPONSES,
        *schemas_production.REQUESTS,
        *schemas_production.RESPONSES,
        *schemas_selling.REQUESTS,
        *schemas_selling.RESPONSES,
    )
    named.update((model.__name__, model) for model in models)
    found: dict[str, Any] = {}
    for name, model in named.items():
        schema = TypeAdapter(model).json_schema(ref_template=REF)
        for key, value in [*schema.pop("$defs", {}).items(), (name, schema)]:
            if found.setdefault(key, value) != value:
                raise RuntimeError(f"two different schemas are both named {key}")
    return found


def install_openapi(app: FastAPI) -> None:
    """Make `app.openapi` FastAPI's document plus these schemas, built once and kept on the app."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                summary=app.summary,
                description=app.description,
                terms_of_service=app.terms_of_service,
                contact=app.contact,
                license_info=app.license_info,
                routes=app.routes,
                webhooks=app.webhooks.routes,
                tags=app.openapi_tags,
                servers=app.servers,
                separate_input_output_schemas=app.separate_input_output_schemas,
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(copy.deepcopy(component_schemas()))
            _problems_everywhere(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _problems_everywhere(document: dict[str, Any]) -> None:
    """What every operation can answer besides its own list: 401 when it needs a token, and 422 (as a
    problem, never FastAPI's own validation body) when it takes parameters or a body."""
    problem = {"content": {PROBLEM_MEDIA_TYPE: {"schema": _ref("Problem")}}}
    for operation in (op for path in document.get("paths", {}).values() for op in path.values()):
        answers = operation.setdefault("responses", {})
        if operation.get("security"):
            answers.setdefault("401", {"description": "Unauthorized", **problem})
        if operation.get("parameters") or operation.get("requestBody") or "422" in answers:
            answers["422"] = {"description": "Unprocessable Content", **problem}
    document["components"]["schemas"].pop("HTTPValidationError", None)
    document["components"]["schemas"].pop("ValidationError", None)


def _ref(schema: type[BaseModel] | str) -> dict[str, str]:
    name = schema if isinstance(schema, str) else schema.__name__
    if name not in component_schemas():
        raise KeyError(f"no schema named {name!r} in lotledger.api.schemas or schemas_out")
    return {"$ref": REF.format(model=name)}


def request_body(
    schema_name: str,
    example: dict[str, Any] | None = None,
    *,
    examples: Mapping[str, dict[str, Any]] | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """`openapi_extra` for a route that reads its JSON body itself: the body is `schema_name`.

    `examples` (name -> body) become the docs page's example picker; `example` is one body."""
    media: dict[str, Any] = {"schema": _ref(schema_name)}
    picked = dict(examples or {})
    if example is not None:
        picked.setdefault("example", example)
    if picked:
        media["examples"] = {name: {"value": value} for name, value in picked.items()}
    body: dict[str, Any] = {"required": True, "content": {"application/json": media}}
    if description:
        body["description"] = description
    return {"requestBody": body}


Documented = type[BaseModel] | str


def responses(
    answers: Mapping[int, Documented | tuple[Documented, str]], problems: Iterable[int] = ()
) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route decorator: JSON answers by status (a model or schema name, with
    a description if wanted), and the statuses answered with an RFC 9457 problem document.

    Documentation only: FastAPI validates nothing against these (routes return a Response)."""
    documented: dict[int | str, dict[str, Any]] = {}
    for status, answer in answers.items():
        schema, description = answer if isinstance(answer, tuple) else (answer, http.HTTPStatus(status).phrase)
        documented[status] = {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}
    for status in problems:
        documented[status] = {
            "description": http.HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": _ref("Problem")}},
        }
    return documented
