"""Import templates: lotledger's column names for a record type, with example rows that import as they are.

`all` is every type: an XLSX sheet per type (master data first), or one CSV
table with a `type` column and every type's columns.
"""

from __future__ import annotations

import csv
import io
from typing import Literal

from lotledger.domain.errors import ValidationError
from lotledger.interchange.sheet_columns import ALL_COLUMNS, COLUMNS, EXAMPLES

TEMPLATE_TYPES = (*COLUMNS, "all")
TemplateFormat = Literal["csv", "xlsx"]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _table(kind: str) -> list[list[str]]:
    """The header and example rows of one type's sheet (the `type` column left to the sheet's name)."""
    header = [c for c in COLUMNS[kind] if c != "type"]
    return [header, *([row.get(c, "") for c in header] for row in EXAMPLES[kind])]


def _one_table() -> list[list[str]]:
    rows = [list(ALL_COLUMNS)]
    for kind, examples in EXAMPLES.items():
        rows += [[kind if c == "type" else row.get(c, "") for c in ALL_COLUMNS] for row in examples]
    return rows


def template(kind: str, format: TemplateFormat) -> bytes:
    """The template of `kind` (a record type or "all") as a CSV (UTF-8) or XLSX file."""
    if kind not in TEMPLATE_TYPES:
        raise ValidationError(f"{kind!r} is not a record type; expected one of {', '.join(TEMPLATE_TYPES)}", "type")
    if format == "csv":
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\r\n").writerows(_one_table() if kind == "all" else _table(kind))
        return out.getvalue().encode()
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name in COLUMNS if kind == "all" else (kind,):
        sheet = book.create_sheet(name)
        for row in _table(name):
            sheet.append(row)  # text cells: a lot code 0012 or a time keeps what it says
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def file_name(kind: str, format: TemplateFormat) -> str:
    return f"lotledger-{kind}.{format}"
