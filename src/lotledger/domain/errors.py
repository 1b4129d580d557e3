"""One exception tree for lotledger. Interfaces turn these into their own shape.

    LotledgerError
    ├── ValidationError          bad input: names the field and the reason
    ├── NotFound                 an unknown item, lot, location, partner, event, user
    ├── Forbidden                the caller's role is too low for what it asked
    ├── Throttled                too many failed attempts: try again after `retry_after` seconds
    ├── Conflict                 valid input the ledger's state refuses
    │   ├── InsufficientStock    a balance would go below zero
    │   ├── LotOnHold            a held lot would be consumed or shipped
    │   ├── LotExpired           an expired lot would be received, consumed or shipped
    │   ├── ReturnExceedsShipped a customer would return more than it received
    │   ├── AlreadyExists        a create names a record that exists
    │   └── IdempotencyConflict  the same event id (or request key) with a different body
    └── BatchRejected            an all-or-nothing batch refused: wraps events[i]'s error

No HTTP codes here: each interface maps classes to its own answers in one place.
"""

from __future__ import annotations


class LotledgerError(Exception):
    """Base of every error lotledger raises on purpose."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ValidationError(LotledgerError):
    """The input is malformed: a missing field, a wrong unit, a bad date."""


class NotFound(LotledgerError):
    """The input names something the ledger does not know."""


class Forbidden(LotledgerError):
    """The caller is known, but its role does not allow the request."""


class Throttled(LotledgerError):
    """Too many failed logins for a user or from an address; the answer says when to try again."""

    def __init__(self, message: str, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field)
        self.retry_after = retry_after


class Conflict(LotledgerError):
    """The input is well formed but the ledger's current state refuses it."""


class InsufficientStock(Conflict):
    """An event would drive a lot's balance at a location below zero."""


class LotOnHold(Conflict):
    """An event would consume or ship a lot under a quality hold."""


class LotExpired(Conflict):
    """An event would receive, consume or ship a lot past its expiry date."""


class ReturnExceedsShipped(Conflict):
    """A customer would return more of a lot than it received of it."""


class AlreadyExists(Conflict):
    """A create names an item, location, partner or user that already exists."""


class IdempotencyConflict(Conflict):
    """An event id (or Idempotency-Key) already used with a different body."""


class BatchRejected(LotledgerError):
    """An all-or-nothing batch refused because of one event; nothing was recorded."""

    def __init__(self, index: int, error: LotledgerError) -> None:
        field = f"events[{index}].{error.field}" if error.field else f"events[{index}]"
        super().__init__(error.message, field)
        self.index = index
        self.error = error
