"""Settings: where the database is, the plant's time zone and clock margin, GS1 numbering, lot codes."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lotledger.domain.errors import ValidationError
from lotledger.domain.lot_codes import DEFAULT_PATTERN, check_pattern

DEFAULT_DB = "sqlite:///lotledger.db"
# ".invalid" is reserved (RFC 2606): an export made before the plant sets its domain says so plainly.
DEFAULT_ID_DOMAIN = "https://lotledger.invalid"


@dataclass(frozen=True, slots=True)
class Settings:
    db_url: str = DEFAULT_DB
    gs1_company_prefix: str | None = None  # for SSCCs; LOTLEDGER_GS1_PREFIX
    sscc_extension: str = "0"  # LOTLEDGER_SSCC_EXTENSION
    timezone: str = "UTC"  # LOTLEDGER_TIMEZONE: an IANA name; how times are shown
    future_margin: timedelta = timedelta(hours=1)  # LOTLEDGER_FUTURE_MARGIN_MINUTES
    session_idle: timedelta = timedelta(hours=1)  # LOTLEDGER_SESSION_IDLE_MINUTES: a login's token ends unused
    lot_pattern: str = DEFAULT_PATTERN  # LOTLEDGER_LOT_PATTERN: a work order's output lot codes
    id_domain: str = DEFAULT_ID_DOMAIN  # LOTLEDGER_ID_DOMAIN: EPCIS names of things without a GS1 key

    @property
    def zone(self) -> ZoneInfo:
        return plant_zone(self.timezone)

    @classmethod
    def from_env(cls, db_url: str | None = None) -> Settings:
        """`db_url` if given, else LOTLEDGER_DB, else sqlite:///lotledger.db; the rest from the environment."""
        timezone = os.environ.get("LOTLEDGER_TIMEZONE") or "UTC"
        plant_zone(timezone)
        return cls(
            db_url=db_url or os.environ.get("LOTLEDGER_DB") or DEFAULT_DB,
            gs1_company_prefix=os.environ.get("LOTLEDGER_GS1_PREFIX") or None,
            sscc_extension=os.environ.get("LOTLEDGER_SSCC_EXTENSION") or "0",
            timezone=timezone,
            future_margin=_minutes("LOTLEDGER_FUTURE_MARGIN_MINUTES", 60, least=0),
            session_idle=_minutes("LOTLEDGER_SESSION_IDLE_MINUTES", 60, least=1),
            lot_pattern=check_pattern(os.environ.get("LOTLEDGER_LOT_PATTERN") or DEFAULT_PATTERN),
            id_domain=check_domain(os.environ.get("LOTLEDGER_ID_DOMAIN") or DEFAULT_ID_DOMAIN),
        )


def _minutes(name: str, default: int, least: int) -> timedelta:
    value = os.environ.get(name) or str(default)
    if not value.isascii() or not value.isdigit() or not least <= int(value) <= 10**9:
        raise ValidationError(f"expected whole minutes ({least} to 1000000000), got {value!r}", name)
    return timedelta(minutes=int(value))


def check_domain(value: str) -> str:
    """The plant's web domain as EPCIS identifiers start with it: https://host[/path], no trailing slash."""
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+)*", value):
        raise ValidationError(
            f"expected a web address such as https://id.example.com, got {value[:80]!r}", "LOTLEDGER_ID_DOMAIN"
        )
    return value


def plant_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"unknown time zone {name!r}; use an IANA name such as Europe/Berlin", "LOTLEDGER_TIMEZONE"
        ) from None
