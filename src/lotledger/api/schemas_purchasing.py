"""The OpenAPI description of purchase order bodies: an order, a receipt against it, and what the ledger says of it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from lotledger.api.schemas import Code, Quantity, Reason, ReceiveLine, Text, Uom, no_extra
from lotledger.api.schemas_out import Qty, Recorded, RecordedEvent
from lotledger.domain.purchasing import STATUSES

Tolerance = Annotated[
    str | float,
    Field(description="Over- and under-delivery tolerance in percent, 0 to 100 (default 0)", examples=["5"]),
]
Status = Annotated[str, Field(json_schema_extra={"enum": list(STATUSES)})]

# --- requests ------------------------------------------------------------------------------


class NewOrderLine(BaseModel):
    model_config = no_extra()
    item: Code = Field(description="The item's sku (one line per item)")
    qty: Quantity
    uom: Uom | None = Field(None, description="Any unit that converts to the item's unit (default: the item's)")
    expected: date | None = Field(None, description="When the supplier should deliver")


class NewPurchaseOrder(BaseModel):
    """A planner's order (admin role). Without `number` the next PO-nnnnn is allocated."""

    model_config = no_extra(
        {
            "supplier": "MILLCO",
            "tolerance": "5",
            "lines": [{"item": "FLOUR", "qty": "10", "uom": "t", "expected": "2026-12-01"}],
        }
    )
    number: Code | None = Field(None, description="The order's number, if it has one already (from the ERP)")
    supplier: Code = Field(description="A partner with the supplier role")
    lines: list[NewOrderLine] = Field(min_length=1, max_length=200)
    tolerance: Tolerance = "0"
    note: Text | None = None


class PurchaseReceipt(BaseModel):
    """A receive event against the order (operator role): the reference and supplier are the order's."""

    model_config = no_extra(
        {
            "location": "RAW",
            "lines": [
                {
                    "item": "FLOUR",
                    "lot": "F-20001",
                    "qty": "5000",
                    "uom": "kg",
                    "supplier_lot": "MIL123456",
                    "expiry": "2027-06-30",
                }
            ],
        }
    )
    location: Code
    lines: list[ReceiveLine] = Field(min_length=1, max_length=1000)
    id: str | None = Field(None, description="The event's UUID: send it and `time` to retry safely")
    time: AwareDatetime | None = Field(None, description="When it arrived (default: now)")
    actor: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    note: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    expiry_override: Reason | None = Field(None, description="Quality role: receive an expired lot anyway, and why")


class CancelPurchaseOrder(BaseModel):
    model_config = no_extra({"reason": "Ordered twice"})
    reason: Reason


class ClosePurchaseOrder(BaseModel):
    model_config = no_extra({})


REQUESTS: tuple[type[BaseModel], ...] = (NewPurchaseOrder, PurchaseReceipt, CancelPurchaseOrder, ClosePurchaseOrder)

# --- answers ---------------------------------------------------------------------------------


class OrderLine(BaseModel):
    line: int
    item: Code
    qty: Qty = Field(description="As ordered, in `uom`")
    uom: Uom
    ordered: Qty = Field(description="The same in the item's unit (`base_uom`)")
    base_uom: Uom
    expected: date | None


class PurchaseOrder(BaseModel):
    number: str
    supplier: Code
    lines: list[OrderLine]
    tolerance: Qty = Field(description="Percent")
    created_at: AwareDatetime
    created_by: str
    note: str | None
    cancelled_at: AwareDatetime | None
    cancelled_by: str | None
    cancel_reason: str | None
    closed_at: AwareDatetime | None = Field(description="When it was closed short (done with what came)")
    closed_by: str | None


class LineProgress(BaseModel):
    line: OrderLine
    received: Qty = Field(description="In the item's unit, from the ledger, voided receipts left out")
    open: Qty = Field(description="ordered - received, never below 0")
    limit: Qty = Field(description="The most the line may receive: ordered x (1 + tolerance)")
    complete: bool = Field(description="Received within the tolerance of the ordered quantity")


class ReceivedLot(BaseModel):
    item: Code
    lot: str
    qty: Qty
    uom: Uom
    supplier_lot: str | None
    expiry: date | None


class PurchaseOrderReport(BaseModel):
    """An order as the ledger stands: its status and lines derived from the receive events that carry its number."""

    order: PurchaseOrder
    status: Status
    lines: list[LineProgress]
    lots: list[ReceivedLot]
    receipts: list[RecordedEvent] = Field(description="Its receive events, voided ones too (see voided_by)")


class PurchaseOrderSummary(BaseModel):
    order: PurchaseOrder
    status: Status
    lines: list[LineProgress]


class PurchaseOrderList(BaseModel):
    orders: list[PurchaseOrderSummary]
    next_before: str | None = Field(description="Pass as `before` for the next page; null on the last page")


class PurchaseReceiptRecorded(BaseModel):
    event: Recorded
    order: PurchaseOrderReport


RESPONSES: tuple[type[BaseModel], ...] = (PurchaseOrderReport, PurchaseOrderList, PurchaseReceiptRecorded)
