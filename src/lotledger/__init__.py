"""lotledger: lot (batch) traceability for manufacturers.

The public API of the package is small on purpose: wire it with `bootstrap`,
then use the ledger (record events), the reader (traces) and the catalog.

Names are imported on first use (PEP 562), so `import lotledger.cli` (and
`lotledger --help`) does not load the database layer.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {
    "App": "lotledger.bootstrap",
    "bootstrap": "lotledger.bootstrap",
    "Settings": "lotledger.config",
    "Conflict": "lotledger.domain.errors",
    "IdempotencyConflict": "lotledger.domain.errors",
    "InsufficientStock": "lotledger.domain.errors",
    "LotledgerError": "lotledger.domain.errors",
    "LotOnHold": "lotledger.domain.errors",
    "NotFound": "lotledger.domain.errors",
    "ValidationError": "lotledger.domain.errors",
    "parse_event": "lotledger.domain.events",
    "LotKey": "lotledger.domain.model",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'lotledger' has no attribute {name!r}")
    value = getattr(import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


class _Package(ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        # Importing the submodule lotledger.bootstrap sets this attribute to the module;
        # `lotledger.bootstrap` stays the function, as it was when it was imported eagerly.
        if name == "bootstrap" and isinstance(value, ModuleType):
            value = value.bootstrap
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
