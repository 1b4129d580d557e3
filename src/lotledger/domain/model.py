"""The plant's nouns: items, lots, locations, partners, containers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from lotledger.domain.errors import ValidationError
from lotledger.domain.quantities import UNITS

LOCATION_KINDS = ("site", "warehouse", "zone", "bin", "line", "dock")
PARTNER_ROLES = ("supplier", "customer", "carrier")
# GS1 AI 82 character set, which GS1 allows in a lot code (AI 10), at most 20 long.
_LOT_CODE = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:\-]{0,63}")


def gs1_check_digit(digits: str) -> int:
    """The GS1 mod-10 check digit for the digits before it."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def validate_gs1_key(value: str, lengths: tuple[int, ...], name: str, field: str) -> str:
    """A GTIN or SSCC: only digits, a valid length and a correct check digit."""
    if not value.isdigit() or len(value) not in lengths:
        wanted = " or ".join(str(n) for n in lengths)
        raise ValidationError(f"{name} {value!r} must be {wanted} digits", field)
    expected = gs1_check_digit(value[:-1])
    if int(value[-1]) != expected:
        raise ValidationError(f"{name} {value} has check digit {value[-1]}, expected {expected}", field)
    return value


def validate_code(value: object, field: str) -> str:
    """A master-data code (sku, location, partner): short, no spaces."""
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise ValidationError(
            f"expected a code of letters, digits and . _ / : - (at most 64), got {value!r}",
            field,
        )
    return value


def validate_lot_code(value: object, field: str = "lot") -> str:
    """A lot code GS1 can carry in AI (10): at most 20 characters of the AI 82 set."""
    if not isinstance(value, str) or not _LOT_CODE.fullmatch(value):
        raise ValidationError(
            f"lot code {value!r} must be 1-20 characters of the GS1 AI 82 set "
            "(letters, digits and !\"%&'()*+,-./:;<=>?_)",
            field,
        )
    return value


def _text(raw: dict[str, Any], key: str, required: bool = True) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise ValidationError("is required", key)
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"expected non-empty text, got {value!r}", key)
    if "\x00" in value:
        raise ValidationError("contains a NUL character", key)
    return value


def _choice(raw: dict[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = _text(raw, key)
    if value not in choices:
        raise ValidationError(f"{value!r} is not one of {', '.join(choices)}", key)
    return value


def _check_keys(raw: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ValidationError(f"unknown field; allowed: {', '.join(sorted(allowed))}", unknown[0])


@dataclass(frozen=True, slots=True)
class Item:
    sku: str
    name: str
    uom: str
    gtin: str | None = None
    shelf_life_days: int | None = None
    active: bool = True

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Item:
        _check_keys(raw, {"type", "sku", "name", "uom", "gtin", "shelf_life_days", "active"})
        uom = _text(raw, "uom")
        if uom not in UNITS:
            raise ValidationError(f"unknown unit {uom!r}; expected one of {', '.join(UNITS)}", "uom")
        gtin = _text(raw, "gtin", required=False)
        if gtin is not None:
            gtin = validate_gs1_key(gtin.zfill(14), (14,), "GTIN", "gtin")
        shelf = raw.get("shelf_life_days")
        if shelf is not None and (isinstance(shelf, bool) or not isinstance(shelf, int) or shelf < 0):
            raise ValidationError(f"expected a whole number of days >= 0, got {shelf!r}", "shelf_life_days")
        return cls(
            sku=validate_code(raw.get("sku"), "sku"),
            name=str(_text(raw, "name")),
            uom=uom,
            gtin=gtin,
            shelf_life_days=shelf,
            active=bool(raw.get("active", True)),
        )


@dataclass(frozen=True, slots=True)
class Location:
    code: str
    name: str
    kind: str
    parent: str | None = None
    gln: str | None = None
    active: bool = True

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Location:
        _check_keys(raw, {"type", "code", "name", "kind", "parent", "gln", "active"})
        parent = raw.get("parent")
        gln = _text(raw, "gln", required=False)
        return cls(
            code=validate_code(raw.get("code"), "code"),
            name=str(_text(raw, "name")),
            kind=_choice(raw, "kind", LOCATION_KINDS),
            parent=None if parent is None else validate_code(parent, "parent"),
            gln=None if gln is None else validate_gs1_key(gln, (13,), "GLN", "gln"),
            active=bool(raw.get("active", True)),
        )


@dataclass(frozen=True, slots=True)
class Partner:
    code: str
    name: str
    role: str
    gln: str | None = None
    active: bool = True

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Partner:
        _check_keys(raw, {"type", "code", "name", "role", "gln", "active"})
        gln = _text(raw, "gln", required=False)
        return cls(
            code=validate_code(raw.get("code"), "code"),
            name=str(_text(raw, "name")),
            role=_choice(raw, "role", PARTNER_ROLES),
            gln=None if gln is None else validate_gs1_key(gln, (13,), "GLN", "gln"),
            active=bool(raw.get("active", True)),
        )


class LotKey(NamedTuple):
    """A lot's identity: the item's sku and the lot code (a tuple: hashed in C, on every hot path)."""

    sku: str
    code: str

    def __str__(self) -> str:
        return f"{self.sku}/{self.code}"


@dataclass(frozen=True, slots=True)
class Lot:
    key: LotKey
    expiry: date | None
    origin: str  # "received" or "produced"
    held: bool
    supplier: str | None = None
    supplier_lot: str | None = None


def validate_sscc(value: object, field: str = "container") -> str:
    """An SSCC: 18 digits with a correct check digit."""
    if not isinstance(value, str):
        raise ValidationError(f"expected an 18-digit SSCC, got {value!r}", field)
    return validate_gs1_key(value, (18,), "SSCC", field)


def make_sscc(extension: str, company_prefix: str, serial: int) -> str:
    """extension digit + GS1 company prefix + serial reference + check digit: 18 digits."""
    if not (len(extension) == 1 and extension.isdigit()):
        raise ValidationError(f"the SSCC extension digit must be one digit, got {extension!r}", "extension")
    if not (company_prefix.isdigit() and 6 <= len(company_prefix) <= 12):
        raise ValidationError(f"a GS1 company prefix is 6-12 digits, got {company_prefix!r}", "company_prefix")
    width = 16 - len(company_prefix)
    if not 0 <= serial < 10**width:
        raise ValidationError(
            f"serial {serial} does not fit the {width} digits prefix {company_prefix} leaves", "serial"
        )
    body = f"{extension}{company_prefix}{serial:0{width}d}"
    return body + str(gs1_check_digit(body))
