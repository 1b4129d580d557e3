"""FSMA 204's electronic sortable spreadsheet as files: an XLSX workbook with a sheet per CTE, or one CSV table.

The sheets follow FDA's template as `shared/conformance/fsma204/README.md` reconstructs it
(not yet checked against FDA's own workbook): columns A onwards as FDA lays them out, composite
KDEs split into their parts, then lotledger's own columns (event id, lot code, what is missing).
Rows are written as they come: the workbook in openpyxl's write-only mode, the CSV line by line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

from lotledger.domain.fsma204 import (
    CTES,
    NOWHERE,
    PLACE_PARTS,
    PLACE_ROLES,
    PRODUCT_PARTS,
    RECORDED_CTES,
    Row,
    share,
)
from lotledger.interchange.tables import CSV_MEDIA_TYPE as CSV_MEDIA_TYPE  # the routes' and tests' name
from lotledger.interchange.tables import XLSX_MEDIA_TYPE as XLSX_MEDIA_TYPE
from lotledger.interchange.tables import csv_text, header_cells, text_cells

if TYPE_CHECKING:
    from lotledger.services.fsma204 import Export

Getter = Callable[[Row], Any]
Column = tuple[str, Getter]


def _product(part: int, kind: str | None = None) -> Getter:
    return lambda row: row.product.parts[part] if kind in (None, row.kind) else None


def _place(role: str, part: int) -> Getter:
    return lambda row: row.places.get(role, NOWHERE).parts[part]


def _of(kind: str | None, getter: Getter) -> Getter:
    """`getter` on rows of `kind` (a transformation's input or output), blank on the others."""
    return getter if kind is None else lambda row: getter(row) if row.kind == kind else None


def _places(title: str, role: str | None = None, kind: str | None = None) -> list[Column]:
    """A location description's seven columns; blank when `role` is None (a tab lotledger has no events for)."""
    return [(f"{title}: {part}", _of(kind, _place(role, i)) if role else _blank) for i, part in enumerate(PLACE_PARTS)]


def _products(prefix: str = "", kind: str | None = None, filled: bool = True) -> list[Column]:
    return [(f"{prefix}{part}", _product(i, kind) if filled else _blank) for i, part in enumerate(PRODUCT_PARTS)]


def _blank(_: Row) -> None:
    return None


def _tlc(row: Row) -> str | None:
    return row.tlc


def _qty(row: Row) -> Any:
    return row.qty


def _uom(row: Row) -> str:
    return row.uom


def _day(row: Row) -> date:
    return row.day


_DOCUMENTS: list[Column] = [
    ("Reference Document Type", lambda row: row.document_type),
    ("Reference Document Number", lambda row: row.document_number),
    ("Reference Document Type (2)", _blank),
    ("Reference Document Number (2)", _blank),
]
# lotledger's own columns after FDA's: what joins a transformation's rows, finds the lot, says what is missing.
_OURS: list[Column] = [
    ("lotledger: Event ID", lambda row: row.event_id),
    ("lotledger: Event Type", lambda row: row.kind),
    ("lotledger: Time (plant time zone)", lambda row: row.time.replace(tzinfo=None)),
    ("lotledger: Item", lambda row: row.lot.sku),
    ("lotledger: Lot Code", lambda row: row.lot.code),
    ("lotledger: Containers (SSCC)", lambda row: " ".join(row.containers) or None),
    ("lotledger: Missing KDEs", lambda row: "; ".join(row.missing) or None),
]


def _moved(source: str, source_role: str, here: str, here_role: str, dated: str) -> list[Column]:
    """Receiving and Shipping: the same layout, A-AJ, with their own two places and date."""
    return [
        ("Traceability Lot Code (TLC)", _tlc),
        ("Quantity", _qty),
        ("Unit of Measure", _uom),
        *_products(),
        *_places(source, source_role),
        *_places(here, here_role),
        (dated, _day),
        *_places("TLC Source", "tlc_source"),
        ("TLC Source Reference", lambda row: row.tlc_source_reference),
        *_DOCUMENTS,
        *_OURS,
    ]


LAYOUTS: dict[str, list[Column]] = {
    "Harvesting": [
        ("Commodity", _blank),
        ("Variety", _blank),
        ("Quantity", _blank),
        ("Unit of Measure", _blank),
        *_places("Farm Location"),
        ("Field or Growing Area Name / Container Name", _blank),
        ("Date of Harvesting", _blank),
        *_places("Immediate Subsequent Recipient"),
        *_DOCUMENTS[:2],
    ],
    "Cooling": [
        ("Commodity", _blank),
        ("Variety", _blank),
        ("Quantity", _blank),
        ("Unit of Measure", _blank),
        *_places("Cooling Location"),
        ("Date of Cooling", _blank),
        *_places("Farm Location"),
        *_places("Immediate Subsequent Recipient"),
        *_DOCUMENTS[:2],
    ],
    "Initial Packing": [
        ("Traceability Lot Code (TLC)", _blank),
        ("Commodity Received", _blank),
        ("Variety Received", _blank),
        ("Date Received", _blank),
        ("Quantity Received", _blank),
        ("Unit of Measure Received", _blank),
        *_places("Farm Location"),
        ("Field or Container Name", _blank),
        ("Harvester Business Name", _blank),
        ("Harvester Phone Number", _blank),
        ("Date of Harvesting", _blank),
        *_places("Cooling Location"),
        ("Date of Cooling", _blank),
        *_products("Packed ", filled=False),
        ("Quantity Packed", _blank),
        ("Unit of Measure Packed", _blank),
        *_places("Packing Location (TLC Source)"),
        ("TLC Source Reference", _blank),
        ("Date of Initial Packing", _blank),
        *_DOCUMENTS[:2],
    ],
    "First Land-Based Receiving": [
        ("Traceability Lot Code (TLC)", _blank),
        ("Species or Acceptable Market Name", _blank),
        *_products(filled=False),
        ("Quantity", _blank),
        ("Unit of Measure", _blank),
        ("Harvest Date Range: Start", _blank),
        ("Harvest Date Range: End", _blank),
        ("Catch Area(s)", _blank),
        *_places("Receiving Location (TLC Source)"),
        ("TLC Source Reference", _blank),
        ("Date of Landing", _blank),
        *_DOCUMENTS[:2],
    ],
    "Shipping": _moved(
        "Immediate Subsequent Recipient", "recipient", "Ship-From Location", "ship_from", "Date Shipped"
    ),
    "Receiving": _moved(
        "Immediate Previous Source", "previous_source", "Receiving Location", "receiving", "Date Received"
    ),
    "Transformation": [
        ("Input Traceability Lot Code (TLC)", _of("input", _tlc)),
        *_products("Input ", "input"),
        ("Input Quantity Used", _of("input", _qty)),
        ("Input Unit of Measure", _of("input", _uom)),
        ("New Traceability Lot Code (TLC)", _of("output", _tlc)),
        *_places("Transformation Location (TLC Source)", "tlc_source", "output"),
        ("TLC Source Reference", _of("output", lambda row: row.tlc_source_reference)),
        ("Date Transformation Completed", _day),  # on input rows too: sorting by date keeps an event together
        *_products("New ", "output"),
        ("New Quantity", _of("output", _qty)),
        ("New Unit of Measure", _of("output", _uom)),
        *_DOCUMENTS,
        *_OURS,
    ],
}
# One table of every row: the CTE, FDA's KDEs by meaning (each place once), lotledger's columns.
CSV_COLUMNS: list[Column] = [
    ("CTE", lambda row: row.cte),
    ("Date", _day),
    ("Traceability Lot Code (TLC)", _tlc),
    ("Quantity", _qty),
    ("Unit of Measure", _uom),
    *_products(),
    *(column for role, title in PLACE_ROLES.items() for column in _places(title, role)),
    ("TLC Source Reference", lambda row: row.tlc_source_reference),
    *_DOCUMENTS[:2],
    *_OURS,
]
MISSING_COLUMNS = (
    "CTE",
    "Sheet Row",
    "lotledger: Event ID",
    "Date",
    "Traceability Lot Code (TLC)",
    "lotledger: Item",
    "lotledger: Lot Code",
    "Missing KDEs",
    "Count Missing",
)
COMPLETENESS_COLUMNS = (
    "CTE",
    "Rows",
    "Complete Rows",
    "Rows Complete",
    "KDE Cells Required",
    "KDE Cells Filled",
    "KDE Cells Filled (share)",
)


def headers(sheet: str) -> list[str]:
    return [header for header, _ in LAYOUTS[sheet]]


# --- CSV --------------------------------------------------------------------------------


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return value


def csv_lines(rows: Iterable[Row], batch: int = 500) -> Iterator[str]:
    """The CSV text, a few hundred rows at a time: the header, then a line per row."""
    values = ([_csv_value(get(row)) for _, get in CSV_COLUMNS] for row in rows)
    return csv_text([header for header, _ in CSV_COLUMNS], values, batch)


# --- XLSX -------------------------------------------------------------------------------


def write_xlsx(export: Export, rows: Iterable[Row], target: IO[bytes]) -> None:
    """The workbook of `rows` (the export's, perhaps watched by a progress bar): About, a sheet per
    CTE in FDA's order, Missing KDEs, Completeness."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    about = book.create_sheet("About")
    about.column_dimensions["A"].width = 120
    sheets = {cte: book.create_sheet(cte) for cte in CTES}
    missing = book.create_sheet("Missing KDEs")
    completeness = book.create_sheet("Completeness")
    counts = dict.fromkeys(CTES, 1)  # the header is row 1
    header, plain = header_cells, text_cells

    for cte, sheet in sheets.items():
        empty = None if cte in RECORDED_CTES else f"lotledger records no {cte.lower()} events: this tab stays empty."
        header(sheet, headers(cte), empty)
    header(missing, MISSING_COLUMNS)
    header(completeness, COMPLETENESS_COLUMNS)
    for row in rows:
        sheet, layout = sheets[row.cte], LAYOUTS[row.cte]
        sheet.append(plain(sheet, (get(row) for _, get in layout)))
        counts[row.cte] += 1
        if row.missing:
            missing.append(
                plain(
                    missing,
                    [
                        row.cte,
                        counts[row.cte],
                        row.event_id,
                        row.day,
                        row.tlc,
                        row.lot.sku,
                        row.lot.code,
                        "; ".join(row.missing),
                        len(row.missing),
                    ],
                )
            )
    for cte, sheet in sheets.items():
        width = get_column_letter(len(LAYOUTS[cte]))
        sheet.auto_filter.ref = f"A1:{width}{counts[cte]}"
    for cte, count, complete, required, filled in export.completeness.figures():
        completeness.append([cte, count, complete, share(complete, count), required, filled, share(filled, required)])
    for line in about_lines(export):
        about.append(plain(about, [line]))
    book.save(target)


def about_lines(export: Export) -> list[str]:
    """What the workbook holds and how to read it: its first sheet, for the inspector and for us."""
    chosen = export.selection
    if chosen.lot is not None:
        scope = f"lot {chosen.lot} (every receipt, shipment and transformation it took part in)"
    elif chosen.item is not None:
        scope = f"item {chosen.item}"
    elif chosen.ftl_only:
        listed = ", ".join(export.ftl_items) or "none: no item is flagged ftl, so there are no rows"
        scope = f"the items on FDA's Food Traceability List (flagged ftl in lotledger): {listed}"
    else:
        scope = "every item, on the Food Traceability List or not"
    first = chosen.since.astimezone(export.zone).date().isoformat() if chosen.since else "the first event"
    last = (chosen.until.astimezone(export.zone) - timedelta(days=1)).date().isoformat() if chosen.until else "today"
    total = export.completeness.figures()[-1]
    return [
        "FSMA 204 electronic sortable spreadsheet (21 CFR 1.1455(c)(3)(ii)), exported by lotledger",
        f"Generated: {export.generated_at.isoformat()} ({export.zone.key})",
        f"Food: {scope}",
        f"Days: {first} to {last}, both included, in the plant's time zone ({export.zone.key})",
        f"Rows: {total[1]}; complete: {total[2]} ({share(total[2], total[1])}); "
        f"KDE cells filled: {total[4]} of {total[3]} ({share(total[4], total[3])})",
        "Traceability lot code (TLC): for food received, the code its supplier assigned (the supplier's lot code), "
        "with the supplier as TLC source; for food made here, our lot code, with our plant as TLC source. "
        "A receipt without the supplier's lot code has no TLC: the row says so under Missing KDEs.",
        "Harvesting, Cooling, Initial Packing and First Land-Based Receiving: this business records no such "
        "events in lotledger, so those tabs have their headers and no rows.",
        "Receiving also lists customer returns (event type 'returned'): food received back from another firm. "
        "Moves, packing, adjustments and quality holds are not critical tracking events and are not listed; "
        "voided events are left out.",
        "Transformation: each input lot and each new lot is its own row; rows of one event share its event id. "
        "Inputs are never multiplied by outputs.",
        "Reference document types: Purchase order (receipts), Return authorization (returns), "
        "Sales order (shipments), Work order (transformations); the number is the event's reference.",
        "Layout: FDA's template as reconstructed from the rule's KDE lists and public mappings; "
        "not yet checked cell by cell against FDA's own workbook. Columns named 'lotledger: ...' are our own.",
        "Missing KDEs lists each row with a required element missing; Completeness gives the share per CTE.",
    ]
