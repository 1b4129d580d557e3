"""Sales orders: a planner (admin) takes the order, the floor (operator) ships against it, everyone reads the
pick list and what went out; the order's status is derived from the ledger's ship events."""

from __future__ import annotations

from fastapi.responses import Response

from lotledger.api.deps import AppDep, Viewer
from lotledger.api.orders import Number, OrderRoutes, order_router
from lotledger.api.schemas import responses

router = order_router(
    OrderRoutes(
        prefix="/sales-orders",
        one="sales order",
        schema="Sales",
        service=lambda app: app.selling,
        partner="customer",
        statuses="open, partly shipped, shipped, done or cancelled",
        moves=("shipments", "SalesShipment", "ship"),
        words={
            "create": "Create a sales order (admin: the planner); answers the order with its pick list",
            "show": "An order: lines shipped and open, lots shipped, the FEFO pick list",
            "record": "Ship against the order (operator): a ship event; a lot the order cannot take is refused"
            " with why",
            "cancel": "Cancel an order nothing was shipped on (admin)",
            "close": "Close an order short: done with what went out, nothing more ships (admin)",
        },
    )
)
PDF = {"type": "string", "format": "binary"}


@router.get(
    "/{number}/delivery-note.pdf",
    response_class=Response,
    summary="The delivery note: the order, the customer's address, lots, best-before dates, SSCCs shipped so far",
    responses={
        **responses({}, (401, 404, 422)),
        200: {"description": "The PDF", "content": {"application/pdf": {"schema": PDF}}},
    },
)
def delivery_note(app: AppDep, _: Viewer, number: Number) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="delivery-note-{number.replace("/", "_")}.pdf"'}
    return Response(app.selling.delivery_note(number), media_type="application/pdf", headers=headers)
