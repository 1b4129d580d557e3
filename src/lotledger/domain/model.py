"""The plant's nouns: items, locations, partners, lot keys, containers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from lotledger.domain import fields as f
from lotledger.domain.errors import ValidationError
from lotledger.domain.quantities import UNITS

LOCATION_KINDS = ("site", "warehouse", "zone", "bin", "line", "dock")
PARTNER_ROLES = ("supplier", "customer", "carrier")
MAX_SHELF_LIFE_DAYS = 36_500  # a hundred years: beyond it an expiry date would leave the calendar


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


def _fda_registration(raw: dict[str, Any]) -> str | None:
    number = f.text(raw, "fda_registration", required=False)
    if number is not None and not (number.isascii() and number.isdigit() and len(number) == 11):
        wanted = f"an FDA food facility registration number is 11 digits, got {number!r}"
        raise ValidationError(wanted, "fda_registration")
    return number


def _gln(raw: dict[str, Any]) -> str | None:
    gln = f.text(raw, "gln", required=False)
    return None if gln is None else validate_gs1_key(gln, (13,), "GLN", "gln")


# FSMA 204's product description, beside the item's name: what an inspector's spreadsheet lists.
DESCRIPTION_FIELDS = ("brand", "commodity", "variety", "pack_size", "pack_style")
# A place as a letter, a recall notice or FSMA 204's "location description" needs it.
ADDRESS_FIELDS = ("address", "city", "region", "postal_code", "country")
CONTACT_FIELDS = ("contact", "phone", "email", *ADDRESS_FIELDS)


@dataclass(frozen=True, slots=True)
class Item:
    sku: str
    name: str
    uom: str
    gtin: str | None = None
    shelf_life_days: int | None = None
    active: bool = True
    brand: str | None = None
    commodity: str | None = None  # e.g. "cucumbers", "soft cheese": the food as FDA's list names it
    variety: str | None = None
    pack_size: str | None = None  # "12 x 500 g"
    pack_style: str | None = None  # "clamshell", "bag"
    ftl: bool = False  # on FDA's Food Traceability List: FSMA 204 records are kept for it

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Item:
        known = {"type", "sku", "name", "uom", "gtin", "shelf_life_days", "active", "ftl", *DESCRIPTION_FIELDS}
        f.check_keys(raw, known, "an item")
        uom = f.required_text(raw, "uom")
        if uom not in UNITS:
            raise ValidationError(f"unknown unit {uom!r}; expected one of {', '.join(UNITS)}", "uom")
        gtin = f.text(raw, "gtin", required=False)
        if gtin is not None:
            gtin = validate_gs1_key(gtin.zfill(14), (14,), "GTIN", "gtin")
        shelf = raw.get("shelf_life_days")
        if shelf is not None and (
            isinstance(shelf, bool) or not isinstance(shelf, int) or not 0 <= shelf <= MAX_SHELF_LIFE_DAYS
        ):
            raise ValidationError(
                f"expected a whole number of days from 0 to {MAX_SHELF_LIFE_DAYS}, got {shelf!r}", "shelf_life_days"
            )
        return cls(
            sku=f.code(raw.get("sku"), "sku"),
            name=f.required_text(raw, "name"),
            uom=uom,
            gtin=gtin,
            shelf_life_days=shelf,
            active=f.flag(raw, "active", True),
            **{key: f.text(raw, key, required=False) for key in DESCRIPTION_FIELDS},
            ftl=f.flag(raw, "ftl", False),
        )


@dataclass(frozen=True, slots=True)
class Location:
    code: str
    name: str
    kind: str
    parent: str | None = None
    gln: str | None = None
    active: bool = True
    address: str | None = None  # street and number: where it is, as an inspector would need it
    city: str | None = None
    region: str | None = None  # state, province
    postal_code: str | None = None
    country: str | None = None
    phone: str | None = None
    fda_registration: str | None = None  # FDA food facility registration number: a TLC source reference

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Location:
        known = {"type", "code", "name", "kind", "parent", "gln", "active", "phone", "fda_registration"}
        f.check_keys(raw, known | set(ADDRESS_FIELDS), "a location")
        parent = raw.get("parent")
        return cls(
            code=f.code(raw.get("code"), "code"),
            name=f.required_text(raw, "name"),
            kind=f.choice(raw, "kind", LOCATION_KINDS),
            parent=None if parent is None else f.code(parent, "parent"),
            gln=_gln(raw),
            active=f.flag(raw, "active", True),
            **{key: f.text(raw, key, required=False) for key in (*ADDRESS_FIELDS, "phone")},
            fda_registration=_fda_registration(raw),
        )


@dataclass(frozen=True, slots=True)
class Partner:
    code: str
    name: str
    role: str
    gln: str | None = None
    active: bool = True
    contact: str | None = None  # the person a recall notice is addressed to
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Partner:
        f.check_keys(raw, {"type", "code", "name", "role", "gln", "active", *CONTACT_FIELDS}, "a partner")
        return cls(
            code=f.code(raw.get("code"), "code"),
            name=f.required_text(raw, "name"),
            role=f.choice(raw, "role", PARTNER_ROLES),
            gln=_gln(raw),
            active=f.flag(raw, "active", True),
            email=f.email(raw),
            **{key: f.text(raw, key, required=False) for key in CONTACT_FIELDS if key != "email"},
        )


class LotKey(NamedTuple):
    """A lot's identity: the item's sku and the lot code (a tuple: hashed in C, on every hot path)."""

    sku: str
    code: str

    def __str__(self) -> str:
        return f"{self.sku}/{self.code}"


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


MasterRecord = Item | Location | Partner


def record_code(record: MasterRecord) -> str:
    """The key a master record is known by: an item's sku, a location's or partner's code."""
    return record.sku if isinstance(record, Item) else record.code
