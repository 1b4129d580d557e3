"""What the API answers, for its OpenAPI document (see `schemas`): documentation only.

Also the small bodies the account, scanning and SSCC routes read.

The shapes are those `interchange.jsonout.jsonable` gives the reader's records:
quantities are exact decimals as text in the unit beside them, times ISO 8601
in UTC, a lot is `{"item", "lot"}`. Every field is always present (null when
unset) unless it has a default here.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from lotledger.api.schemas import Code, Event, Item, Location, LotCode, LotRef, Partner, Sscc, Uom, no_extra
from lotledger.domain.accounts import AUDIT_KINDS, ROLES
from lotledger.domain.events import EVENT_TYPES

Qty = Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$", description="An exact decimal as text")]
EventType = Annotated[str, Field(json_schema_extra={"enum": list(EVENT_TYPES)})]
Origin = Literal["received", "produced"]
Container = Annotated[str, Field(description='The SSCC of the container it is in; "" for loose stock')]
# jsonout writes an empty mapping keyed by lots as {} rather than []: this describes what it does.
EmptyObject = Annotated[dict[str, Any], Field(max_length=0, description="Nothing: written as {}, not []")]


# --- the bodies of the account, scanning and SSCC routes ----------------------------


class Login(BaseModel):
    model_config = no_extra({"username": "demo", "password": "demo-plant"})
    username: str
    password: str


class NewToken(BaseModel):
    model_config = no_extra({"name": "scanner-3"})
    name: str = Field(min_length=1, max_length=64, pattern=r"\S")


class NewUser(BaseModel):
    model_config = no_extra({"username": "ada", "password": "correct horse battery", "role": "operator"})
    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")
    password: str = Field(min_length=8, max_length=256)
    role: str = Field("viewer", json_schema_extra={"enum": list(ROLES)})


class UserChange(BaseModel):
    model_config = no_extra({"role": "quality"})
    role: str | None = Field(None, json_schema_extra={"enum": [*ROLES, None]})
    active: bool | None = Field(None, description="false deactivates the user and their tokens")


class ScanRequest(BaseModel):
    model_config = no_extra({"data": "]C1010950600013435210W-0040"})
    data: str = Field(
        description="The scanned text: GS1 element string, Digital Link URI, GTIN, SSCC or LOT:<sku>:<lot>"
    )


class SsccRequest(BaseModel):
    model_config = no_extra({"count": 1})
    count: int = Field(1, ge=1, le=10_000)


REQUESTS: tuple[type[BaseModel], ...] = (Login, NewToken, NewUser, UserChange, ScanRequest, SsccRequest)

# --- answers ------------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]
    schema_: str = Field(alias="schema", description="The database's schema revision")


class Recorded(BaseModel):
    """An event as the ledger took it: `duplicate` when the same id and body were recorded before."""

    id: UUID
    type: EventType
    duplicate: bool


class RecordedBatch(BaseModel):
    events: list[Recorded]


class Problem(BaseModel):
    """RFC 9457 problem details: every error the API answers."""

    type: str = Field(
        description="https://lotledger.dev/problems/<kind>", examples=["https://lotledger.dev/problems/notfound"]
    )
    title: str
    status: int
    detail: str = Field(description="What is wrong, for a person")
    field: str | None = Field(None, description="The input that is wrong, as a path such as lines[0].qty")


class RecordedEvent(BaseModel):
    seq: int = Field(description="Recording order")
    id: UUID
    type: EventType
    time: AwareDatetime
    location: Code
    reference: str | None
    recorded_at: AwareDatetime
    recorded_by: str = Field(description="user:<username>, or who imported it")
    client: str = Field(description="token:<name>, or the importing command")
    voided_by: UUID | None = Field(description="The id of the void event, if voided")
    document: Event = Field(description="The event as recorded")


class EventsPage(BaseModel):
    events: list[RecordedEvent]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last page")


class ItemList(BaseModel):
    items: list[Item]


class LocationList(BaseModel):
    locations: list[Location]


class PartnerList(BaseModel):
    partners: list[Partner]


class LotList(BaseModel):
    lots: list[LotRef]


class LotDetail(BaseModel):
    lot: LotRef
    item_name: str
    uom: Uom = Field(description="The item's base unit")
    expiry: date | None
    origin: Origin
    supplier: Code | None
    supplier_lot: str | None
    holds: list[str] = Field(description="Holds in force, as 'hold <event id>: <reason>'")


class LotHistory(BaseModel):
    lot: LotRef
    history: list[RecordedEvent] = Field(description="Every event naming the lot, in time order, voided ones too")


class TraceLot(BaseModel):
    lot: LotRef
    depth: int = Field(description="Production steps from the traced lot")
    origin: Origin
    expiry: date | None
    held: bool


class TraceEdge(BaseModel):
    """What one produce event consumed of the parent and made of the child."""

    parent: LotRef
    child: LotRef
    event_id: UUID
    time: AwareDatetime
    parent_qty: Qty
    parent_uom: Uom
    child_qty: Qty
    child_uom: Uom


class Receipt(BaseModel):
    lot: LotRef
    event_id: UUID
    time: AwareDatetime
    supplier: Code | None
    supplier_lot: str | None
    reference: str | None
    location: Code
    qty: Qty
    uom: Uom


class StockLine(BaseModel):
    lot: LotRef
    location: Code
    container: Container
    qty: Qty
    uom: Uom


class Shipment(BaseModel):
    lot: LotRef
    event_id: UUID
    time: AwareDatetime
    customer: Code
    reference: str | None
    location: Code
    container: Container
    qty: Qty
    uom: Uom


class CustomerTotal(BaseModel):
    customer: Code
    shipments: int
    lots: int
    qty: dict[str, Qty] = Field(description="Per unit: {uom: quantity}")
    first: AwareDatetime
    last: AwareDatetime


class BackwardTrace(BaseModel):
    root: LotRef
    lots: list[TraceLot] = Field(description="Every ancestor lot")
    edges: list[TraceEdge]
    receipts: list[Receipt]


class ForwardTrace(BaseModel):
    root: LotRef
    lots: list[TraceLot] = Field(description="Every descendant lot")
    on_hand: list[StockLine] = Field(description="Stock of the lot and its descendants, the lot included")
    shipments: list[Shipment]
    customers: list[CustomerTotal] = Field(description="Most shipments first")


class Trace(BaseModel):
    lot: LotRef
    backward: BackwardTrace | None = Field(description="null unless direction is up or both")
    forward: ForwardTrace | None = Field(description="null unless direction is down or both")


class CustomerReach(BaseModel):
    customer: Code
    item: Code
    qty: Qty
    uom: Uom
    lines: int = Field(description="Net shipment lines: a voided shipment takes its line back")


class StockTotal(BaseModel):
    location: Code
    item: Code
    qty: Qty
    uom: Uom
    lots: int


class ForwardSummary(BaseModel):
    root: LotRef
    lots: int = Field(description="Descendant lots, every depth")
    lots_by_item: dict[str, int] = Field(description="{sku: count}")
    held: int = Field(description="Lots on hold among the lot and its descendants")
    customers: list[CustomerReach]
    on_hand: list[StockTotal]


class MassBalance(BaseModel):
    """One lot's books in its item's base unit: difference is 0 when they add up."""

    lot: LotRef
    uom: Uom
    received: Qty
    produced: Qty
    returned: Qty
    consumed: Qty
    shipped: Qty
    adjusted: Qty
    on_hand: Qty
    inflow: Qty = Field(description="received + produced + returned")
    outflow: Qty = Field(description="consumed + shipped")
    difference: Qty = Field(description="inflow + adjusted - outflow - on_hand")


class LotQty(BaseModel):
    item: Code
    lot: LotCode
    qty: Qty


class Exposure(BaseModel):
    """How much of the root lot (in its unit) each downstream lot embodies, reached each customer, sits in stock."""

    root: LotRef
    uom: Uom
    lots: list[LotQty] | EmptyObject
    customers: dict[str, Qty] = Field(description="{customer: quantity}")
    on_hand: list[LotQty] | EmptyObject


class Balances(BaseModel):
    balances: list[StockLine]


class ContainerContents(BaseModel):
    sscc: str = Field(description="As asked")
    contents: list[StockLine] = Field(description="What it holds now")
    lots: list[LotRef] = Field(description="Every lot it ever held")


class Hold(BaseModel):
    lot: LotRef
    event_id: UUID = Field(description="The hold event")
    reason: str
    time: AwareDatetime


class Holds(BaseModel):
    holds: list[Hold] = Field(description="In force, oldest first")


class Scan(BaseModel):
    raw: str = Field(description="As scanned")
    form: Literal["gs1", "digital-link", "gtin", "sscc", "internal"]
    gtin: str | None
    sku: Code | None = Field(description="Only from lotledger's own LOT:<sku>:<lot>")
    lot: str | None
    sscc: str | None
    expiry: date | None
    production_date: date | None
    serial: str | None
    count: int | None
    net_weight_kg: Qty | None


class ScanResolution(BaseModel):
    scan: Scan
    item: Item | None
    lot: LotDetail | None
    status: Literal["released", "held"] | None = Field(description="For a lot")
    stock: list[StockLine] = Field(description="The lot's stock, or the container's contents")
    container_lots: list[LotRef]


class SsccList(BaseModel):
    ssccs: list[Sscc]


class User(BaseModel):
    id: int
    username: str
    role: str = Field(json_schema_extra={"enum": list(ROLES)})
    active: bool


class UserList(BaseModel):
    users: list[User]


class Token(BaseModel):
    id: int
    name: str
    user: str = Field(description="The username")
    created_at: AwareDatetime
    revoked_at: AwareDatetime | None
    expires_at: AwareDatetime | None = Field(None, description="When a login's session token stops working")
    last_used_at: AwareDatetime | None = Field(None, description="When the token was last used, to the minute")
    token: str | None = Field(None, description="The secret, only when the token is created: keep it")


class TokenList(BaseModel):
    tokens: list[Token]


class AuditEntry(BaseModel):
    id: int
    at: AwareDatetime
    kind: str = Field(json_schema_extra={"enum": list(AUDIT_KINDS)})
    username: str | None = Field(description="Who acted, or whom a failed login named")
    address: str | None = Field(description="The client's address")
    detail: str


class AuditList(BaseModel):
    entries: list[AuditEntry]


class ImportRefusal(BaseModel):
    """A bad row (a spreadsheet's row number and column header; a JSON Lines file's line and field path)."""

    row: int
    column: str | None
    reason: str


class ImportCreated(BaseModel):
    kind: Literal["item", "location", "partner"]
    code: str = Field(description="The item's sku, the location's or partner's code")


class ImportAnswer(BaseModel):
    """What an import stored, or with `dry_run` would store; every refused row with its reason."""

    format: Literal["jsonl", "epcis", "csv", "xlsx"]
    dry_run: bool
    stored: int = Field(description="Events stored (would be, in a dry run)")
    already_recorded: int = Field(description="Events recorded before with the same id and body")
    master_saved: int = Field(description="Items, locations and partners created or changed")
    master_unchanged: int
    created: list[ImportCreated] = Field(description="The items, locations and partners the import made")
    refused: int = Field(description="Rows (lines) refused; the first 1,000 are listed in errors")
    errors: list[ImportRefusal]


RESPONSES: tuple[type[BaseModel], ...] = (
    ImportAnswer,
    Health,
    Recorded,
    RecordedBatch,
    Problem,
    EventsPage,
    ItemList,
    LocationList,
    PartnerList,
    LotList,
    LotDetail,
    LotHistory,
    Trace,
    ForwardSummary,
    MassBalance,
    Exposure,
    Balances,
    ContainerContents,
    Holds,
    ScanResolution,
    SsccList,
    User,
    UserList,
    Token,
    TokenList,
    AuditEntry,
    AuditList,
)
