"""The OpenAPI description of sales order bodies: an order, a shipment against it, and what the ledger says of it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from lotledger.api.schemas import Code, LotCode, Quantity, Reason, Sscc, Text, TransferLine, Uom, no_extra
from lotledger.api.schemas_out import Qty, Recorded
from lotledger.api.schemas_production import LotSuggestion
from lotledger.domain.selling import MAX_SHELF_DAYS, STATUSES

Status = Annotated[str, Field(json_schema_extra={"enum": list(STATUSES)})]

# --- requests ------------------------------------------------------------------------------


class NewSalesLine(BaseModel):
    model_config = no_extra()
    item: Code = Field(description="The item's sku (one line per item)")
    qty: Quantity
    uom: Uom | None = Field(None, description="Any unit that converts to the item's unit (default: the item's)")
    requested: date | None = Field(None, description="When the customer wants it")


class NewSalesOrder(BaseModel):
    """A planner's order for a customer (admin role). Without `number` the next SO-nnnnn is allocated."""

    model_config = no_extra(
        {"customer": "SHOP", "min_shelf_days": 5, "lines": [{"item": "BREAD", "qty": "40", "requested": "2026-12-01"}]}
    )
    number: Code | None = Field(None, description="The order's number, if it has one already (from the ERP)")
    customer: Code = Field(description="A partner with the customer role")
    lines: list[NewSalesLine] = Field(min_length=1, max_length=200)
    min_shelf_days: int = Field(0, ge=0, le=MAX_SHELF_DAYS, description="Days a lot must have left at delivery")
    note: Text | None = None


class SalesShipment(BaseModel):
    """A ship event against the order (operator role): the reference and customer are the order's. Each lot is
    checked: on the order, not held or expired, lasting the minimum shelf life, not more than still open."""

    model_config = no_extra({"location": "FG", "lines": [{"item": "BREAD", "lot": "B-1", "qty": "20", "uom": "ea"}]})
    location: Code
    lines: list[TransferLine] = Field([], max_length=1000)
    containers: list[Sscc] = Field([], max_length=200, description="Whole pallets, by SSCC")
    id: str | None = Field(None, description="The event's UUID: send it and `time` to retry safely")
    time: AwareDatetime | None = Field(None, description="When it left (default: now)")
    actor: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    note: Annotated[str, Field(min_length=1, max_length=2000)] | None = None


class CancelSalesOrder(BaseModel):
    model_config = no_extra({"reason": "Ordered twice"})
    reason: Reason


class CloseSalesOrder(BaseModel):
    model_config = no_extra({})


REQUESTS: tuple[type[BaseModel], ...] = (NewSalesOrder, SalesShipment, CancelSalesOrder, CloseSalesOrder)

# --- answers ---------------------------------------------------------------------------------


class SalesLine(BaseModel):
    line: int
    item: Code
    qty: Qty = Field(description="As ordered, in `uom`")
    uom: Uom
    ordered: Qty = Field(description="The same in the item's unit (`base_uom`)")
    base_uom: Uom
    requested: date | None


class SalesOrder(BaseModel):
    number: str
    customer: Code
    lines: list[SalesLine]
    min_shelf_days: int
    created_at: AwareDatetime
    created_by: str
    note: str | None
    cancelled_at: AwareDatetime | None
    cancelled_by: str | None
    cancel_reason: str | None
    closed_at: AwareDatetime | None = Field(description="When it was closed short (done with what went out)")
    closed_by: str | None


class SalesLineProgress(BaseModel):
    line: SalesLine
    shipped: Qty = Field(description="In the item's unit, from the ledger, voided shipments left out")
    open: Qty = Field(description="ordered - shipped, never below 0")


class ShippedLot(BaseModel):
    item: Code
    lot: LotCode
    qty: Qty
    uom: Uom
    expiry: date | None = Field(description="Best before")
    sscc: str = Field(description="The pallet it went on, empty when loose")


class LinePick(BaseModel):
    line: SalesLine
    good_until: date = Field(description="A lot must not expire before this day (requested date + min shelf life)")
    suggestion: LotSuggestion


class SalesOrderReport(BaseModel):
    """An order as the ledger stands: status and lines from the ship events that carry its number; the pick list
    (first expired first out) for what is still open."""

    order: SalesOrder
    status: Status
    lines: list[SalesLineProgress]
    lots: list[ShippedLot]
    pick_list: list[LinePick]


class SalesOrderSummary(BaseModel):
    order: SalesOrder
    status: Status
    lines: list[SalesLineProgress]


class SalesOrderList(BaseModel):
    orders: list[SalesOrderSummary]
    next_before: str | None = Field(description="Pass as `before` for the next page; null on the last page")


class SalesShipmentRecorded(BaseModel):
    event: Recorded
    order: SalesOrderReport


RESPONSES: tuple[type[BaseModel], ...] = (SalesOrderReport, SalesOrderList, SalesShipmentRecorded)
