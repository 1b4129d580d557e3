"""Purchase orders: a planner (admin) orders, the floor (operator) receives against the order, everyone reads
what came and what is open; the order's status is derived from the ledger's receive events."""

from __future__ import annotations

from lotledger.api.orders import OrderRoutes, order_router

router = order_router(
    OrderRoutes(
        prefix="/purchase-orders",
        one="purchase order",
        schema="Purchase",
        service=lambda app: app.purchasing,
        partner="supplier",
        statuses="open, partly received, received, done or cancelled",
        moves=("receipts", "PurchaseReceipt", "receive"),
        words={
            "create": "Create a purchase order (admin: the planner); answers the order",
            "show": "An order: each line's received and open quantity, its lots and receipts",
            "record": "Receive against the order (operator): a receive event; refused beyond a line's tolerance",
            "cancel": "Cancel an order nothing was received on (admin)",
            "close": "Close an order short: done with what came, no more receipts (admin)",
        },
    )
)
