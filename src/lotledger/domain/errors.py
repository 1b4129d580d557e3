"""One exception tree for lotledger. Interfaces turn these into their own shape.

    LotledgerError
    ├── ValidationError        bad input: names the field and the reason
    ├── NotFound               an unknown item, lot, location, partner, event
    └── Conflict               valid input the ledger's state refuses
        ├── InsufficientStock  a balance would go below zero
        ├── LotOnHold          a held lot would be consumed or shipped
        └── IdempotencyConflict  the same event id with a different body

No HTTP codes here: the API maps classes to statuses in one place.
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


class Conflict(LotledgerError):
    """The input is well formed but the ledger's current state refuses it."""


class InsufficientStock(Conflict):
    """An event would drive a lot's balance at a location below zero."""


class LotOnHold(Conflict):
    """An event would consume or ship a lot under a quality hold."""


class IdempotencyConflict(Conflict):
    """An event id already recorded with a different body."""
