"""Lists as files from the API: `?format=csv` or `?format=xlsx` beside the JSON default, as named downloads."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import Response, StreamingResponse

from lotledger.interchange.tables import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, Table, csv_chunks, write_xlsx

ListFormat = Literal["json", "csv", "xlsx"]
FormatQuery = Annotated[
    ListFormat,
    Query(description="json (the default), or the list as a file: csv (UTF-8, one header row) or xlsx; times in UTC"),
]
_CHUNK = 64 * 1024
_SPOOL = 16 * 1024 * 1024  # a workbook larger than this waits on disk, not in memory


def with_files(documented: dict[int | str, dict[str, Any]], what: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` whose 200 also documents the CSV and XLSX files of `?format=`."""
    answer = documented[200]
    files = {media: {"schema": {"type": "string", "format": "binary"}} for media in (CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE)}
    description = f"{answer['description']}; with format=csv or xlsx, {what} as a file"
    return {**documented, 200: {**answer, "description": description, "content": {**answer["content"], **files}}}


def spooled(write: Callable[[IO[bytes]], None]) -> Iterator[bytes]:
    """What `write` writes (a workbook, saved whole), read back in chunks for a streamed answer."""
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115  # closed by _read
    try:
        write(spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return _read(spool)


def _read(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(_CHUNK):
            yield chunk


def list_file(table: Table, format: Literal["csv", "xlsx"]) -> Response:
    """`table` as a download named after it: CSV streamed as its rows come, XLSX once saved."""
    headers = {"Content-Disposition": f'attachment; filename="{table.name}.{format}"'}
    if format == "csv":
        return StreamingResponse(csv_chunks(table), media_type=CSV_MEDIA_TYPE, headers=headers)
    return StreamingResponse(spooled(lambda out: write_xlsx(table, out)), media_type=XLSX_MEDIA_TYPE, headers=headers)
