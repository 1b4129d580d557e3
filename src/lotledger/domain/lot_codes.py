"""Output lot codes from a pattern such as ``{sku}-{yymmdd}-{seq}``: the code a work order's new lot gets.

Fields: ``{sku}``, ``{yyyy}``, ``{yy}``, ``{mm}``, ``{dd}``, ``{yymmdd}``, ``{yyyymmdd}``, ``{ddd}`` (day of the
year, 001-366), and ``{seq}`` (1, 2, 3 ...), or ``{seq:3}`` for a sequence padded to 3 digits. The sequence counts
that item's lots made that day: the first code of the pattern that is not a lot yet. A pattern must have a
``{seq}``, or the second lot of a day would add to the first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from lotledger.domain import fields as f
from lotledger.domain.errors import ValidationError

DEFAULT_PATTERN = "{sku}-{yymmdd}-{seq}"
MAX_SEQ = 100_000  # lots of one item on one day: far beyond any line's shift
_FIELD = re.compile(r"\{([a-z]+)(?::([1-9]))?\}")
_DAY_FIELDS: dict[str, Callable[[date], str]] = {
    "yyyy": lambda d: f"{d:%Y}",
    "yy": lambda d: f"{d:%y}",
    "mm": lambda d: f"{d:%m}",
    "dd": lambda d: f"{d:%d}",
    "yymmdd": lambda d: f"{d:%y%m%d}",
    "yyyymmdd": lambda d: f"{d:%Y%m%d}",
    "ddd": lambda d: f"{d:%j}",
}


def check_pattern(pattern: str, field: str = "LOTLEDGER_LOT_PATTERN") -> str:
    """`pattern` if every field in it is known, it has one {seq}, and its braces are all fields."""
    names = [m.group(1) for m in _FIELD.finditer(pattern)]
    unknown = [n for n in names if n != "sku" and n != "seq" and n not in _DAY_FIELDS]
    if unknown:
        known = ", ".join(["sku", *_DAY_FIELDS, "seq"])
        raise ValidationError(f"unknown field {{{unknown[0]}}} in the lot code pattern; known: {known}", field)
    if names.count("seq") != 1:
        raise ValidationError("a lot code pattern needs one {seq}: each lot of a day gets its own code", field)
    if "{" in _FIELD.sub("", pattern) or "}" in _FIELD.sub("", pattern):
        raise ValidationError(f"a brace in {pattern!r} is not a field such as {{sku}}", field)
    return pattern


def lot_code(pattern: str, sku: str, day: date, seq: int) -> str:
    """The pattern filled in for `sku`'s `seq`-th lot made on `day` (unchecked: see next_lot_code)."""

    def fill(match: re.Match[str]) -> str:
        name, width = match.group(1), match.group(2)
        if name == "sku":
            return sku
        if name == "seq":
            return str(seq).zfill(int(width or 1))
        return _DAY_FIELDS[name](day)

    return _FIELD.sub(fill, pattern)


def next_lot_code(pattern: str, sku: str, day: date, taken: Callable[[str], bool], field: str = "lot") -> str:
    """The first code of the pattern for `sku` on `day` that `taken` says is not a lot yet.

    It must be a lot code GS1 can carry (20 characters of the AI 82 set): a long sku needs a shorter pattern
    or a code given by hand, and the error says so."""
    check_pattern(pattern)
    for seq in range(1, MAX_SEQ + 1):
        code = lot_code(pattern, sku, day, seq)
        try:
            f.lot_code(code, field)
        except ValidationError:
            raise ValidationError(
                f"the lot code pattern {pattern!r} makes {code!r}, not a lot code (1-20 characters of the "
                "GS1 AI 82 set); give the output's lot code",
                field,
            ) from None
        if not taken(code):
            return code
    raise ValidationError(f"{MAX_SEQ} lots of {sku} on {day} already: give the output's lot code", field)
