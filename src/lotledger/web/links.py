"""Addresses of lots, pallets and events: one way to write each, for pages and templates alike.

A SKU or lot code may hold "/" or "%". A path segment is decoded once before
routing, so "/" would split it: each segment is quoted twice, and `segment()`
undoes the second quoting in the route.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from lotledger.domain.model import LotKey


def _twice(text: str) -> str:
    return quote(quote(text, safe=""), safe="")


def segment(routed: str) -> str:
    """A SKU, lot code or id as written, from its path segment as the router decoded it once."""
    return unquote(routed)


def lot_key(sku: str, code: str) -> LotKey:
    """The lot named by a route's {sku} and {code}."""
    return LotKey(segment(sku), segment(code))


def lot_url(lot: LotKey) -> str:
    return f"/lots/{_twice(lot.sku)}/{_twice(lot.code)}"


def pallet_url(sscc: str) -> str:
    return f"/pallets/{_twice(sscc)}"


def order_url(number: str) -> str:
    """A purchase order's page (a number may hold "/")."""
    return f"/orders/purchase/{_twice(number)}"


def event_url(event_id: str) -> str:
    return f"/events/{_twice(event_id)}"


def output_label_url(number: str, lot: str) -> str:
    """The GS1-128 label (PDF) of a lot a work order made."""
    return f"/orders/work/{_twice(number)}/labels/{_twice(lot)}.pdf"


def sales_order_url(number: str) -> str:
    """A sales order's page (a number may hold "/")."""
    return f"/orders/sales/{_twice(number)}"
