"""A mapping file: how a legacy register's columns are named, what type its rows are, how it writes dates.

TOML (read with the standard library), for example::

    type = "receive"              # every row is a receipt (else a `type` column or the sheet's name says)
    date_format = "%d/%m/%Y"      # text dates and times as the register writes them (strptime)
    decimal_comma = true          # 12,5 means 12.5

    [columns]                     # the file's header -> lotledger's column, or "ignore"
    "Date recu" = "time"
    "Lot No" = "lot"
    "Comments" = "ignore"

    [defaults]                    # a value for every row that leaves the column out or empty
    location = "RAW"
    uom = "kg"

The API takes the same mapping as JSON in the `X-Import-Mapping` header.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from typing import Any

from lotledger.domain.errors import ValidationError
from lotledger.interchange.sheet_columns import ALL_COLUMNS, COLUMNS, IGNORE

_KEYS = ("type", "date_format", "decimal_comma", "columns", "defaults")
_NOT_DEFAULTED = ("type", "event", "id")  # a default there would make every row one record


@dataclass(frozen=True, slots=True)
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)  # header as in the file -> lotledger column or IGNORE
    type: str | None = None
    date_format: str | None = None
    decimal_comma: bool = False
    defaults: dict[str, Any] = field(default_factory=dict)

    def target(self, header: str) -> str | None:
        """lotledger's column for a header of the file (IGNORE for one to skip), None if unknown."""
        if header in self.columns:
            return self.columns[header]
        plain = header.strip().lower()
        return plain if plain in ALL_COLUMNS else None


NO_MAPPING = Mapping()


def _named(key: str) -> str:
    """A key as an error can name it: a lone surrogate (JSON's "\\ud800") written as its escape."""
    return key.encode("utf-8", "backslashreplace").decode("utf-8")[:200]


def _table(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ValidationError(f"expected a table of names, got {value!r}", key)
    return value


def parse_mapping(raw: Any) -> Mapping:
    """A mapping from its parsed TOML or JSON object; errors name the key."""
    if not isinstance(raw, dict):
        raise ValidationError(f"expected a table (TOML) or object (JSON), got {type(raw).__name__}", "mapping")
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise ValidationError(f"unknown key in the mapping; allowed: {', '.join(_KEYS)}", _named(str(unknown[0])))
    columns: dict[str, str] = {}
    for header, target in _table(raw, "columns").items():
        if target != IGNORE and target not in ALL_COLUMNS:
            raise ValidationError(
                f"{target!r} is not a lotledger column; expected one of {', '.join(ALL_COLUMNS)} or {IGNORE!r}",
                f"columns.{_named(header)}",
            )
        columns[header.strip()] = target
    defaults = _table(raw, "defaults")
    for column, value in defaults.items():
        if column not in ALL_COLUMNS or column in _NOT_DEFAULTED:
            allowed = ", ".join(c for c in ALL_COLUMNS if c not in _NOT_DEFAULTED)
            raise ValidationError(
                f"{column!r} cannot have a default; expected one of {allowed}", f"defaults.{_named(column)}"
            )
        if isinstance(value, (dict, list)):
            raise ValidationError(f"expected one value, got {value!r}", f"defaults.{_named(column)}")
    kind = raw.get("type")
    if kind is not None and kind not in COLUMNS:
        raise ValidationError(f"{kind!r} is not a record type; expected one of {', '.join(COLUMNS)}", "type")
    date_format = raw.get("date_format")
    if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
        raise ValidationError(f"expected a strptime format such as '%d/%m/%Y', got {date_format!r}", "date_format")
    decimal_comma = raw.get("decimal_comma", False)
    if not isinstance(decimal_comma, bool):
        raise ValidationError(f"expected true or false, got {decimal_comma!r}", "decimal_comma")
    return Mapping(columns, kind, date_format, decimal_comma, dict(defaults))


def load_mapping(data: bytes) -> Mapping:
    """A mapping file (TOML, UTF-8)."""
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ValidationError(f"not valid UTF-8: byte {data[error.start]:#04x}", "mapping") from None
    except tomllib.TOMLDecodeError as error:
        raise ValidationError(f"not valid TOML: {error}", "mapping") from None
    except RecursionError:
        raise ValidationError("not valid TOML: nested too deeply", "mapping") from None
    return parse_mapping(raw)


def mapping_from_json(text: str) -> Mapping:
    """The same mapping as a JSON object (the API's X-Import-Mapping header)."""
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ValidationError(f"not valid JSON: {error}", "X-Import-Mapping") from None
    return parse_mapping(raw)
