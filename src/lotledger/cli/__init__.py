"""The `lotledger` command: Typer commands that call services and render with Rich.

Each module registers its commands on the one app (`common.app`); `--help` stays
light because every heavy import happens inside a command.
"""

from __future__ import annotations

import sys

# Each module registers its commands, in the order `--help` lists them.
from lotledger.cli import ledger  # noqa: F401

# isort: split
from lotledger.cli import copying  # noqa: F401

# isort: split
from lotledger.cli import accounts, barcodes, exports, lists, production, purchasing, recalls, selling  # noqa: F401
from lotledger.cli.common import app, errors

__all__ = ["app", "main"]


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        errors.print("interrupted")
        sys.exit(130)
