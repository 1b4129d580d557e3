"""How every field of an input is read: one rule per kind of value, for events and master data alike.

Text: absent or "" means not given; only whitespace is refused as blank; NUL
is refused (no database keeps it in text); each field has a maximum length.
Flags are JSON true or false, never the string "false". Times carry a UTC
offset and fall in a window any plant's records can: 1900 to 2199.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from lotledger.domain.errors import ValidationError

TEXT_MAX = 200  # names, reasons, notes have their own limits below
LIMITS = {
    "reference": 128,
    "actor": 64,
    "supplier_lot": 64,
    "note": 2000,
    "reason": 500,
    "expiry_override": 500,
    "name": 200,
    "address": 500,
    "city": 128,
    "region": 128,
    "postal_code": 32,
    "country": 64,
    "contact": 128,
    "phone": 64,
    "email": 254,
    "brand": 128,
    "commodity": 128,
    "variety": 128,
    "pack_size": 64,
    "pack_style": 128,
}
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)

# GS1 AI 82 character set, which GS1 allows in a lot code (AI 10), at most 20 long.
_LOT_CODE = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:\-]{0,63}")


def text(raw: dict[str, Any], key: str, path: str = "", *, required: bool = True) -> str | None:
    """The text at `raw[key]`, named `path + key` in errors."""
    value = raw.get(key)
    field = path + key
    if value is None or value == "":
        if required:
            raise ValidationError("is required", field)
        return None
    if not isinstance(value, str):
        raise ValidationError(f"expected text, got {value!r}", field)
    if not value.strip():
        raise ValidationError("must not be blank", field)
    if "\x00" in value:
        raise ValidationError("contains a NUL character", field)
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("contains a lone surrogate, which is not text in any encoding", field) from None
    limit = LIMITS.get(key, TEXT_MAX)
    if len(value) > limit:
        raise ValidationError(f"is {len(value)} characters long; at most {limit} are kept", field)
    return value


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def email(raw: dict[str, Any], key: str = "email") -> str | None:
    """An e-mail address (text by the text rule, with one @ and a dot in the domain), or None."""
    value = text(raw, key, required=False)
    if value is not None and not _EMAIL.fullmatch(value):
        raise ValidationError(f"{value!r} is not an e-mail address", key)
    return value


def required_text(raw: dict[str, Any], key: str, path: str = "") -> str:
    """Text that must be given."""
    value = text(raw, key, path, required=True)
    assert value is not None
    return value


def flag(raw: dict[str, Any], key: str, default: bool) -> bool:
    """A JSON true or false; anything else (the text "false" included) is refused."""
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ValidationError(f"expected true or false, got {value!r}", key)
    return value


def choice(raw: dict[str, Any], key: str, choices: tuple[str, ...], default: str | None = None) -> str:
    value = raw.get(key, default)
    if value is None:
        raise ValidationError(f"is required: one of {', '.join(choices)}", key)
    if value not in choices:
        raise ValidationError(f"{value!r} is not one of {', '.join(choices)}", key)
    return str(value)


def code(value: object, field: str) -> str:
    """A master-data code (sku, location, partner): short, no spaces."""
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise ValidationError(
            f"expected a code of letters, digits and . _ / : - (at most 64), got {value!r}",
            field,
        )
    return value


def lot_code(value: object, field: str = "lot") -> str:
    """A lot code GS1 can carry in AI (10): at most 20 characters of the AI 82 set."""
    if value is None:
        raise ValidationError("is required", field)
    if not isinstance(value, str) or not _LOT_CODE.fullmatch(value):
        raise ValidationError(
            f"lot code {value!r} must be 1-20 characters of the GS1 AI 82 set "
            "(letters, digits and !\"%&'()*+,-./:;<=>?_)",
            field,
        )
    return value


def check_keys(raw: dict[str, Any], allowed: set[str] | frozenset[str], what: str, path: str = "") -> None:
    """Refuse a field the record does not take, naming it and what is allowed."""
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ValidationError(f"unknown field for {what}; allowed: {', '.join(sorted(allowed))}", path + unknown[0])


def calendar_date(value: Any, field: str) -> date | None:
    """A date like 2026-12-31 (or None), within the window times are."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationError(f"expected a date like 2026-12-31, got {value!r}", field) from None
    if not EARLIEST.year <= day.year < LATEST.year:
        raise ValidationError(f"{value} is outside the years {EARLIEST.year}-{LATEST.year - 1}", field)
    return day


def moment(value: Any, field: str = "time") -> datetime:
    """An ISO 8601 time with its UTC offset, within the window."""
    if value is None:
        raise ValidationError("is required", field)
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationError(
            f"expected ISO 8601 with an offset like 2026-11-25T08:00:00+01:00, got {value!r}", field
        ) from None
    return within_window(parsed, field)


def within_window(value: datetime, field: str) -> datetime:
    """`value` if it has an offset and falls in 1900-2199, else a ValidationError naming the field."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(f"{value.isoformat()} has no UTC offset; add one such as Z or +01:00", field)
    # The year first: converting year 1 or 9999 to UTC can overflow.
    if not EARLIEST.year <= value.year < LATEST.year or not EARLIEST <= value < LATEST:
        raise ValidationError(
            f"{value.isoformat()} is outside the years {EARLIEST.year}-{LATEST.year - 1} lotledger records", field
        )
    return value
