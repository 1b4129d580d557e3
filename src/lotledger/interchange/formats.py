"""Which kind of file an import was given, told by its content (never its name), and the reader for each.

jsonl   lotledger's JSON Lines: a JSON object on the first line
epcis   a GS1 EPCIS 2.0 JSON-LD document (EPCISDocument, EPCISQueryDocument, or an EPCIS @context)
csv     text whose first line has commas or semicolons between its column names
xlsx    a ZIP archive with [Content_Types].xml or xl/workbook.xml
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Literal

from lotledger.domain.errors import ValidationError
from lotledger.interchange.epcis_in import read_document
from lotledger.interchange.jsonl import Line, read_lines
from lotledger.interchange.sheets import ReadOptions, read_csv, read_xlsx

Format = Literal["jsonl", "epcis", "csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("jsonl", "epcis", "csv", "xlsx")
UNITS: dict[Format, str] = {"jsonl": "line", "epcis": "event", "csv": "row", "xlsx": "row"}  # what a report counts
HEAD = 64 * 1024  # enough of a file to tell its kind
_EPCIS_TYPE = re.compile(rb'"type"\s*:\s*"EPCIS(Query)?Document"')
_EPCIS_CONTEXT = re.compile(rb'"@context"[^}]{0,2000}?epcis', re.IGNORECASE | re.DOTALL)
_SIGNATURES = {  # what a wrong file often is, to say so
    b"\xd0\xcf\x11\xe0": "an Excel 97-2003 workbook (.xls): save it as .xlsx or CSV",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive: unpack it first",
    b"PK\x03\x04": "a ZIP archive that is not an XLSX workbook",
}


def _is_epcis(value: object) -> bool:
    if not isinstance(value, dict):
        return False
    context = json.dumps(value.get("@context", ""))
    return value.get("type") in ("EPCISDocument", "EPCISQueryDocument") or "epcis" in context.lower()


def detect(head: bytes) -> Format:
    """The kind of file that starts with `head` (its first HEAD bytes), or a ValidationError naming what
    was seen instead."""
    if head.startswith(b"PK\x03\x04") and (b"[Content_Types].xml" in head or b"xl/workbook.xml" in head):
        return "xlsx"
    for signature, what in _SIGNATURES.items():
        if head.startswith(signature):
            raise ValidationError(f"{what}; expected JSON Lines, EPCIS JSON-LD, CSV or XLSX", "file")
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not text:
        raise ValidationError("the file is empty", "file")
    if text.startswith(b"{"):
        first = text.split(b"\n", 1)[0]
        try:
            return "epcis" if _is_epcis(json.loads(first)) else "jsonl"
        except (ValueError, RecursionError):  # a document over many lines, or not JSON at all
            pass
        if _EPCIS_TYPE.search(text) or _EPCIS_CONTEXT.search(text):
            return "epcis"
        return "jsonl"  # its reader says which line is not JSON
    line = text.split(b"\n", 1)[0]
    try:
        header = line.decode("utf-8")
    except UnicodeDecodeError:
        header = ""
    if header.rstrip("\r").isprintable() and ("," in header or ";" in header):
        return "csv"
    raise ValidationError(
        f"not a file lotledger imports (JSON Lines, EPCIS JSON-LD, CSV or XLSX); it starts with {head[:24]!r}",
        "file",
    )


Reader = Callable[[IO[bytes], ReadOptions], Iterator[Line]]


def _jsonl(source: IO[bytes], options: ReadOptions) -> Iterator[Line]:
    if options.type is not None or options.mapping.columns or options.mapping.type:
        raise ValidationError("a type or a column mapping applies to CSV and XLSX only, not JSON Lines", "mapping")
    return read_lines(source)


def _epcis(source: IO[bytes], options: ReadOptions) -> Iterator[Line]:
    if options.type is not None or options.mapping.columns or options.mapping.type:
        raise ValidationError("a type or a column mapping applies to CSV and XLSX only, not EPCIS", "mapping")
    if options.ids is None or options.known is None:
        raise TypeError("reading EPCIS needs the plant's identifiers and its master data (ReadOptions.ids, known)")
    return read_document(source.read(), options.ids, options.known)


READERS: dict[Format, Reader] = {"jsonl": _jsonl, "epcis": _epcis, "csv": read_csv, "xlsx": read_xlsx}


def read_file(source: IO[bytes], options: ReadOptions) -> tuple[Format, Iterator[Line]]:
    """The file's kind and its lines (`source` must be seekable: its head is read first to tell the kind)."""
    head = source.read(HEAD)
    while head and not head.strip() and (more := source.read(HEAD)):  # blank so far: what follows tells
        head = more
    kind = "xlsx" if _is_workbook(source, head) else detect(head)
    source.seek(0)
    return kind, READERS[kind](source, options)


def _is_workbook(source: IO[bytes], head: bytes) -> bool:
    """A ZIP whose central directory (at its end: writers put [Content_Types].xml anywhere) names a workbook."""
    if not head.startswith(b"PK\x03\x04"):
        return False
    source.seek(0)
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names
