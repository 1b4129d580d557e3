"""A lot's lists as files from its page: its history, its trace and its stock, as CSV or XLSX.

The same files as the API's `?format=csv|xlsx` on /lots/history, /lots/trace and /balances."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lotledger.api.deps import app_of
from lotledger.api.downloads import list_file
from lotledger.bootstrap import App
from lotledger.domain.errors import NotFound
from lotledger.domain.model import LotKey
from lotledger.interchange import lists
from lotledger.interchange.tables import Table
from lotledger.web.links import lot_key
from lotledger.web.session import PageRefused, Viewer

router = APIRouter()


def _history(app: App, key: LotKey) -> Table:
    return lists.history_table(key, app.queries.history(key))


def _trace(app: App, key: LotKey) -> Table:
    return lists.trace_table(key, app.queries.backward(key), app.queries.forward(key))


def _stock(app: App, key: LotKey) -> Table:
    app.queries.lot(key)  # an unknown lot is a 404, not an empty file
    return lists.balances_table(app.queries.balances(sku=key.sku, lot=key.code), key.sku, key.code)


LISTS: dict[str, Callable[[App, LotKey], Table]] = {"history": _history, "trace": _trace, "stock": _stock}


@router.get("/lots/{sku}/{code}/{listing}.{format}")
def lot_list_file(request: Request, who: Viewer, sku: str, code: str, listing: str, format: str) -> Response:
    """/lots/SKU/LOT/history.csv, trace.xlsx, stock.csv ..."""
    if listing not in LISTS or format not in ("csv", "xlsx"):
        raise PageRefused(
            404, f"no list {listing[:20]}.{format[:8]}: a lot has history, trace and stock, as csv or xlsx"
        )
    key = lot_key(sku, code)
    try:
        table = LISTS[listing](app_of(request), key)
    except NotFound as error:
        raise PageRefused(404, f"{error.message}: no lot {key.code} of item {key.sku} is in the ledger") from None
    return list_file(table, "csv" if format == "csv" else "xlsx")
