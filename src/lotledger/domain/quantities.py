"""Decimal quantities with units, converted to an item's base unit.

Pint knows the units and their factors; we ask it once per unit pair and
keep the exact Decimal factor, because conversion sits on the import hot path.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache

import pint

from lotledger.domain.errors import ValidationError

# The units a plant writes on a label, mapped to pint's names.
UNITS: dict[str, str] = {
    "kg": "kilogram",
    "g": "gram",
    "t": "metric_ton",
    "lb": "pound",
    "L": "liter",
    "l": "liter",
    "mL": "milliliter",
    "ml": "milliliter",
    "ea": "count",
}


@cache
def _registry() -> pint.UnitRegistry:  # type: ignore[type-arg]
    return pint.UnitRegistry(non_int_type=Decimal)


@cache
def conversion_factor(from_uom: str, to_uom: str) -> Decimal:
    """How many `to_uom` make one `from_uom`; ValidationError if they do not convert."""
    for uom in (from_uom, to_uom):
        if uom not in UNITS:
            known = ", ".join(sorted(UNITS))
            raise ValidationError(f"unknown unit {uom!r}; expected one of {known}", "uom")
    if from_uom == to_uom:
        return Decimal(1)
    registry = _registry()
    try:
        factor = registry.Quantity(Decimal(1), UNITS[from_uom]).to(UNITS[to_uom]).magnitude
    except pint.DimensionalityError:
        raise ValidationError(f"unit {from_uom!r} does not convert to the item's base unit {to_uom!r}", "uom") from None
    return Decimal(factor).normalize()


MAX_DIGITS = 12  # whole digits of a quantity as written
MAX_SIGNIFICANT = 24


def parse_decimal(value: object, field: str) -> Decimal:
    """A finite Decimal from a JSON number or string; floats go through str to stay exact."""
    if value is None:
        raise ValidationError("is required", field)
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise ValidationError(f"expected a number, got {value!r}", field)
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValidationError(f"expected a number, got {value!r}", field) from None
    if not number.is_finite():
        raise ValidationError(f"expected a finite number, got {value!r}", field)
    # Bound the number before any arithmetic: 1e999999 kg in t would overflow Decimal itself.
    if number and number.adjusted() >= MAX_DIGITS:
        raise ValidationError(f"{value!r} is too large (less than 10^{MAX_DIGITS} in any unit)", field)
    # And the other end: 1e-999999 would be written out in full (a megabyte) by the "below a millionth"
    # error. Under 10^-13 is below half a millionth of the base unit in any unit (the largest factor, t to g, is 10^6).
    if number and number.adjusted() < -MAX_DIGITS - 1:
        raise ValidationError(f"{value!r} is too small (below a millionth in any unit)", field)
    if len(number.as_tuple().digits) > MAX_SIGNIFICANT:
        raise ValidationError(f"{value!r} has more than {MAX_SIGNIFICANT} significant digits", field)
    return number


# Storage keeps quantities as whole micro-units of the base unit: exact sums and
# a CHECK (qty >= 0) that floating point cannot fool, on SQLite and PostgreSQL.
SCALE = 1_000_000
QUANTUM = Decimal(1) / SCALE


def to_base(qty: Decimal, uom: str, base_uom: str) -> Decimal:
    """`qty` in `uom` expressed in `base_uom`, rounded to the micro-unit storage keeps."""
    if not isinstance(uom, str):  # a list or object from JSON: no unit (and no key for the factors' cache)
        raise ValidationError(f"expected a unit such as {base_uom}, got {uom!r}"[:200], "uom")
    base = qty if uom == base_uom else qty * conversion_factor(uom, base_uom)
    if abs(base) >= 10**12:
        raise ValidationError(f"{format_qty(qty)} {uom} is too large (10^12 {base_uom} at most)", "qty")
    rounded = base.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
    if rounded == 0:
        raise ValidationError(f"{format_qty(qty)} {uom} is below a millionth of {base_uom}", "qty")
    return from_micro(int(rounded * SCALE))


def to_micro(qty: Decimal) -> int:
    """A base-unit quantity as the whole micro-units storage keeps."""
    return int(qty * SCALE)


def from_micro(units: int) -> Decimal:
    """Stored micro-units back to a base-unit Decimal, without exponent notation."""
    value = Decimal(units) / SCALE
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def micro_text(units: int) -> str:
    """`format_qty(from_micro(units))` without the Decimals: the text of a stored quantity, for
    output written straight from rows (a hub's trace writes hundreds of thousands)."""
    whole, fraction = divmod(abs(units), SCALE)
    text = f"{whole}.{fraction:06d}".rstrip("0") if fraction else str(whole)
    return "-" + text if units < 0 else text


def format_qty(qty: Decimal) -> str:
    """A quantity as plain text without exponent or trailing zeros: 1E+3 -> '1000'."""
    text = format(qty.normalize(), "f")
    return "0" if text in ("-0", "") else text
