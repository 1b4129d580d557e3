"""Listing orders of one kind newest first, by status and partner: what purchase and sales orders share.

An order's status is read from the ledger, not stored; storage can narrow by the decisions people record
(cancelled, closed, neither), and the rest is filtered here page by page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from lotledger.domain import fields as f
from lotledger.domain.errors import ValidationError

MAX_LIST = 500
_PAGE = 200
_SCANNED = 10  # pages a status filter reads at most before it answers what it found


class Listed(Protocol):
    """What a store of one order kind answers a list with."""

    def orders(self, partner: str | None, decided: str | None, limit: int, before: str | None = None) -> list[Any]: ...

    def moved(self, orders: Sequence[Any]) -> dict[str, dict[str, Decimal]]: ...


class Summarized(Protocol):
    @property
    def status(self) -> str: ...


Summary = TypeVar("Summary", bound=Summarized)


def decided(status: str | None, open_statuses: Sequence[str]) -> str | None:
    """What storage can narrow a status to: the decision people recorded (None: every order may have it)."""
    if status == "cancelled":
        return "cancelled"
    if status == "done":
        return "closed"
    return "undecided" if status in open_statuses else None


def list_orders(
    store: Listed,
    summarize: Callable[[Any, dict[str, Decimal]], Summary],
    statuses: Sequence[str],
    *,
    status: str | None,
    partner: tuple[str, str | None],
    limit: int,
    before: str | None,
) -> list[Summary]:
    """Newest first, at most `limit` (of `status`, of the partner named `partner[1]`), below the order numbered
    `before`; the first two `statuses` are the open ones (open, partly received or shipped)."""
    if status is not None and status not in statuses:
        raise ValidationError(f"{status!r} is not one of {', '.join(statuses)}", "status")
    field, code = partner
    if code is not None:
        code = f.code(code, field)
    if not 1 <= limit <= MAX_LIST:
        raise ValidationError(f"expected 1 to {MAX_LIST}, got {limit}", "limit")
    found: list[Summary] = []
    cursor = before
    for _ in range(_SCANNED):
        page = store.orders(code, decided(status, statuses[:2]), _PAGE, cursor)
        moved = store.moved(page)
        for order in page:
            summary = summarize(order, moved[order.number])
            if status is None or summary.status == status:
                found.append(summary)
                if len(found) == limit:
                    return found
        if len(page) < _PAGE:
            break
        cursor = page[-1].number
    return found
