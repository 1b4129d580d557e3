"""lotledger: lot (batch) traceability for manufacturers.

The public API of the package is small on purpose: wire it with `bootstrap`,
then use the ledger (record events), the reader (traces) and the catalog.
"""

from lotledger.bootstrap import App, bootstrap
from lotledger.config import Settings
from lotledger.domain.errors import (
    Conflict,
    IdempotencyConflict,
    InsufficientStock,
    LotledgerError,
    LotOnHold,
    NotFound,
    ValidationError,
)
from lotledger.domain.events import parse_event
from lotledger.domain.model import LotKey

__version__ = "0.1.0"
__all__ = [
    "App",
    "Conflict",
    "IdempotencyConflict",
    "InsufficientStock",
    "LotKey",
    "LotOnHold",
    "LotledgerError",
    "NotFound",
    "Settings",
    "ValidationError",
    "bootstrap",
    "parse_event",
]
