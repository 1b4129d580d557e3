"""The OpenAPI description of recall bodies: what opens a recall, what records on it, and the report."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from lotledger.api.schemas import Code, LotCode, LotRef, Partner, Reason, Text, Uom, no_extra
from lotledger.api.schemas_out import EmptyObject, LotQty, MassBalance, Qty, Shipment, StockLine, TraceLot
from lotledger.domain.recall import ACTIONS, KINDS, NOTICE_CHANNELS, STATUSES

Share = Annotated[Qty | None, Field(description="A share from 0 to 1 (null when there is nothing to share)")]
PerUnit = Annotated[dict[str, Qty], Field(description="{uom: quantity}")]
Note = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]

# --- requests ------------------------------------------------------------------------------


class NewRecall(BaseModel):
    """Exactly one way to choose the lots: `lots`, `supplier_lot`, or `supplier` with `since` and `until`."""

    model_config = no_extra(
        {"supplier_lot": "MIL721149", "reason": "MillCo notice: metal fragments in flour", "kind": "recall"}
    )
    kind: Literal["recall", "mock"] = Field("recall", description="mock: a drill, marked as one, timed, kept")
    title: Text | None = None
    reason: Reason
    lots: list[LotRef] | None = Field(None, min_length=1, max_length=1000)
    supplier_lot: Text | None = Field(None, description="Every lot received with this supplier lot code")
    supplier: Code | None = Field(None, description="Everything received from this supplier in since..until")
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    hold: bool = Field(False, description="Also hold everything affected still on hand")
    location: Code | None = Field(None, description="Where the hold is decided (default: the stock's site)")


class RecallHold(BaseModel):
    model_config = no_extra({})
    location: Code | None = Field(None, description="Where the hold is decided (default: the stock's site)")


class CustomerNotified(BaseModel):
    model_config = no_extra({"via": "email", "note": "Dana Reyes, food safety"})
    via: str = Field(json_schema_extra={"enum": list(NOTICE_CHANNELS)})
    note: Note | None = None


class RecallNote(BaseModel):
    model_config = no_extra({"note": "All product accounted for"})
    note: Note | None = None


class DisposalLine(BaseModel):
    model_config = no_extra()
    item: Code
    lot: LotCode
    qty: Qty
    uom: Uom


class Disposal(BaseModel):
    model_config = no_extra({"lines": [{"item": "BREAD-W", "lot": "W-0026", "qty": "40", "uom": "ea"}]})
    lines: list[DisposalLine] = Field(min_length=1, max_length=100)
    note: Note | None = None


REQUESTS: tuple[type[BaseModel], ...] = (NewRecall, RecallHold, CustomerNotified, RecallNote, Disposal)

# --- answers ---------------------------------------------------------------------------------


class RecallScope(BaseModel):
    lots: list[LotRef]
    supplier_lot: str | None
    supplier: Code | None
    since: AwareDatetime | None
    until: AwareDatetime | None


class RecallAction(BaseModel):
    at: AwareDatetime
    kind: str = Field(json_schema_extra={"enum": list(ACTIONS)})
    by: str
    customer: Code | None
    detail: dict[str, Any]


class RecallCase(BaseModel):
    id: int
    kind: str = Field(json_schema_extra={"enum": list(KINDS)})
    title: str
    reason: str
    scope: RecallScope
    lots: list[LotRef] = Field(description="The recalled lots, resolved when the case was opened")
    opened_at: AwareDatetime
    opened_by: str
    actions: list[RecallAction]
    report_seconds: float | None = Field(description="A drill: seconds from its start to the complete report")
    status: str = Field(json_schema_extra={"enum": list(STATUSES)})
    closed_at: AwareDatetime | None


class CustomerAccount(BaseModel):
    partner: Partner
    shipments: int
    shipped: PerUnit
    returned: PerUnit
    disposed: PerUnit
    exposure: Qty = Field(description="How much of the recalled lots (in their unit) reached this customer")
    notified_at: AwareDatetime | None
    notified_via: str | None
    acknowledged_at: AwareDatetime | None
    accounted: PerUnit = Field(description="returned + disposed")
    share_accounted: Share


class RecallReport(BaseModel):
    """Everything the recall affects, as the ledger stands now."""

    case: RecallCase
    lots: list[TraceLot] = Field(description="The recalled lots (depth 0) and every lot made from them")
    on_hand: list[StockLine]
    shipments: list[Shipment]
    customers: list[CustomerAccount]
    exposure_by_lot: list[LotQty] | EmptyObject
    uom: str = Field(description="The unit of the exposure figures (mixed if the recalled items differ)")
    balances: list[MassBalance]
    traced: Share = Field(description="The share of the recalled lots' quantity the ledger accounts for")
    shipped: PerUnit
    accounted: PerUnit
    share_accounted: Share
    held: list[LotRef]


class RecallListed(BaseModel):
    case: RecallCase
    traced: Share


class RecallList(BaseModel):
    recalls: list[RecallListed]


RESPONSES: tuple[type[BaseModel], ...] = (RecallReport, RecallList)
