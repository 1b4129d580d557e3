"""Settings: where the database is. SQLite next to you by default, PostgreSQL by URL."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DB = "sqlite:///lotledger.db"


@dataclass(frozen=True, slots=True)
class Settings:
    db_url: str = DEFAULT_DB
    gs1_company_prefix: str | None = None  # for SSCCs; LOTLEDGER_GS1_PREFIX
    sscc_extension: str = "0"  # LOTLEDGER_SSCC_EXTENSION

    @classmethod
    def from_env(cls, db_url: str | None = None) -> Settings:
        """`db_url` if given, else LOTLEDGER_DB, else sqlite:///lotledger.db; GS1 numbering from the environment."""
        return cls(
            db_url=db_url or os.environ.get("LOTLEDGER_DB") or DEFAULT_DB,
            gs1_company_prefix=os.environ.get("LOTLEDGER_GS1_PREFIX") or None,
            sscc_extension=os.environ.get("LOTLEDGER_SSCC_EXTENSION") or "0",
        )
