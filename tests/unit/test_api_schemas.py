"""The OpenAPI schemas describe what the domain accepts: their examples pass the domain's parsers,
name only what the demo plant has, and the document they build has no dangling reference."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from lotledger import demo
from lotledger.api import schemas, schemas_out
from lotledger.api.examples import EVENT_EXAMPLES
from lotledger.api.schemas import EVENT_MODELS, install_openapi, request_body, responses
from lotledger.domain.events import EVENT_TYPES, SCOPES, parse_event
from lotledger.domain.model import Item, Location, Partner

# The domain's master-data class (and its parser) beside the schema describing it.
MASTER: list[tuple[Any, type[BaseModel]]] = [
    (Item, schemas.Item),
    (Location, schemas.Location),
    (Partner, schemas.Partner),
]


def _type_of(model: type[BaseModel]) -> str:
    (kind,) = get_args(model.model_fields["type"].annotation)
    return str(kind)


def _example(model: type[BaseModel]) -> dict[str, Any]:
    extra: Any = model.model_config.get("json_schema_extra")
    (example,) = extra["examples"]
    return dict(example)


class DemoPlant:
    """The codes, lots and event ids of `lotledger demo`'s plant."""

    def __init__(self) -> None:
        records = list(demo.plant(40, 7))
        self.items = {r["sku"] for r in records if r.get("type") == "item"}
        self.locations = {r["code"] for r in records if r.get("type") == "location"}
        self.roles = {r["code"]: r["role"] for r in records if r.get("type") == "partner"}
        events = [r for r in records if r.get("type") in EVENT_TYPES]
        self.event_ids = {e["id"] for e in events}
        self.containers = {e["container"] for e in events if "container" in e}
        self.lots = {(line["item"], line["lot"]) for e in events for line in _lot_lines(e)}


def _lot_lines(event: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for field in ("lines", "inputs", "outputs", "lots"):
        yield from event.get(field, [])


@pytest.fixture(scope="module")
def plant() -> DemoPlant:
    return DemoPlant()


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    app = FastAPI(title="test", version="1")

    @app.post("/events", openapi_extra=request_body("Event", examples=EVENT_EXAMPLES))
    async def record(request: Request) -> None:
        await request.body()

    @app.post(
        "/events:batch",
        responses=responses({201: schemas_out.RecordedBatch}, problems=(401, 422)),
        openapi_extra=request_body("EventBatch", EVENT_EXAMPLES["receive"]),
    )
    async def record_batch(request: Request) -> None:
        await request.body()

    install_openapi(app)
    served: dict[str, Any] = TestClient(app).get("/openapi.json").json()
    assert app.openapi() is app.openapi_schema  # built once, kept on the app
    return served


def test_one_model_per_event_type_with_its_example() -> None:
    assert [_type_of(model) for model in EVENT_MODELS] == list(EVENT_TYPES)
    assert list(EVENT_EXAMPLES) == list(EVENT_TYPES)
    for model in EVENT_MODELS:
        assert _example(model) == EVENT_EXAMPLES[_type_of(model)]
    assert get_args(schemas.HoldEvent.model_fields["scope"].annotation) == SCOPES


def test_every_event_example_passes_the_domain_parser() -> None:
    for kind, example in EVENT_EXAMPLES.items():
        event = parse_event(example)
        assert event.type == kind
        assert "expiry_override" not in example  # the domain learns it separately
    for event in _example(schemas.EventBatch)["events"]:
        parse_event(event)


def test_every_event_model_describes_exactly_the_fields_the_domain_takes() -> None:
    for model in EVENT_MODELS:
        kind = _type_of(model)
        domain_fields = set(EVENT_TYPES[kind].__dataclass_fields__) | {"type"}
        described = {field.alias or name for name, field in model.model_fields.items()}
        assert described - {"expiry_override"} == domain_fields - {"expiry_override"}, kind
        assert model.model_config["extra"] == "forbid"


def test_master_data_examples_pass_the_domain_parsers(plant: DemoPlant) -> None:
    for domain, model in MASTER:
        example = _example(model)
        domain.parse(example)
        assert set(model.model_fields) == set(domain.__dataclass_fields__)
    assert _example(schemas.Location)["parent"] in plant.locations
    assert _example(schemas.Item)["sku"] not in plant.items  # a create: a new one


def test_event_examples_name_only_what_the_demo_plant_has(plant: DemoPlant) -> None:
    wanted_role = {"receive": "supplier", "ship": "customer", "return": "customer"}
    for kind, example in EVENT_EXAMPLES.items():
        for place in (example["location"], example.get("to_location"), *(x.get("location") for x in _inputs(example))):
            assert place is None or place in plant.locations, (kind, place)
        if "partner" in example:
            assert plant.roles.get(example["partner"]) == wanted_role[kind], (kind, example["partner"])
        if kind == "void":
            assert example["target"] in plant.event_ids
        for line in _lot_lines(example):
            assert line["item"] in plant.items, (kind, line)
            created = kind == "receive" or line in example.get("outputs", [])
            exists = (line["item"], line["lot"]) in plant.lots
            assert exists != created, f"{kind}: {line['item']}/{line['lot']} should {'not ' * created}be a demo lot"
    pallet = EVENT_EXAMPLES["pack"]["container"]
    assert pallet not in plant.containers  # a new pallet, the one unpack takes from
    assert EVENT_EXAMPLES["unpack"]["container"] == pallet


def _inputs(example: dict[str, Any]) -> list[dict[str, Any]]:
    return list(example.get("inputs", []))


def test_the_event_schema_is_a_discriminated_union_of_twelve(document: dict[str, Any]) -> None:
    event = document["components"]["schemas"]["Event"]
    assert len(event["oneOf"]) == len(EVENT_TYPES) == 12
    assert event["discriminator"]["propertyName"] == "type"
    assert set(event["discriminator"]["mapping"]) == set(EVENT_TYPES)
    receive = document["components"]["schemas"]["ReceiveEvent"]
    assert receive["additionalProperties"] is False
    assert "expiry_override" in receive["properties"]
    assert "expiry_override" not in receive["required"]


def test_routes_refer_to_the_schemas(document: dict[str, Any]) -> None:
    body = document["paths"]["/events"]["post"]["requestBody"]
    media = body["content"]["application/json"]
    assert body["required"] is True
    assert media["schema"] == {"$ref": "#/components/schemas/Event"}
    assert set(media["examples"]) == set(EVENT_TYPES)
    batch = document["paths"]["/events:batch"]["post"]
    assert batch["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/RecordedBatch")
    problem = batch["responses"]["422"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}


def test_every_reference_in_the_document_resolves(document: dict[str, Any]) -> None:
    refs = list(_refs(document))
    assert len(refs) > 50
    for ref in refs:
        assert ref.startswith("#/"), ref
        node: Any = document
        for part in ref[2:].split("/"):
            assert part in node, f"{ref} does not resolve"
            node = node[part]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
        yield from _refs(node.get("discriminator", {}).get("mapping", {}).values())
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)
    elif isinstance(node, str) and node.startswith("#/"):
        yield node


def test_unknown_schema_names_fail_when_the_route_is_declared() -> None:
    with pytest.raises(KeyError, match="Evnt"):
        request_body("Evnt")
    with pytest.raises(KeyError, match="Nope"):
        responses({200: "Nope"})


def test_the_examples_are_valid_against_the_generated_schema(document: dict[str, Any]) -> None:
    jsonschema_rs = pytest.importorskip("jsonschema_rs")  # comes with schemathesis, a dev dependency

    def validator(name: str) -> Any:
        root = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
        return jsonschema_rs.validator_for(root)

    event = validator("Event")
    for kind, example in EVENT_EXAMPLES.items():
        assert event.is_valid(example), (kind, list(event.iter_errors(example)))
        assert not event.is_valid({**example, "colour": "blue"}), kind
    assert not event.is_valid({**EVENT_EXAMPLES["move"], "lines": []})  # needs lines or containers
    assert event.is_valid({**EVENT_EXAMPLES["ship"], "expiry_override": "Customer takes it for animal feed"})
    bodies: list[type[BaseModel]] = [schemas.EventBatch, *(model for _, model in MASTER), *schemas_out.REQUESTS]
    for model in bodies:
        assert validator(model.__name__).is_valid(_example(model)), model.__name__
