"""What every `lotledger` command shares: the Typer app, consoles, options, opening the ledger, output.

Start-up is kept light (`lotledger --help` in about 0.15 s): the database
layer, the services, the tables, progress bars, label rendering and the server
are imported inside the commands that use them, never at module level.
"""

from __future__ import annotations

import dataclasses
import getpass
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import IO, TYPE_CHECKING, Annotated, Any, TextIO

import typer
from rich.console import Console

if TYPE_CHECKING:
    from rich.console import RenderableType

    from lotledger.bootstrap import App
    from lotledger.domain.accounts import Caller
    from lotledger.domain.recording import Attribution
    from lotledger.interchange.tables import Table

app = typer.Typer(help="Lot traceability for manufacturers: record, import and trace batches.", no_args_is_help=True)
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: $LOTLEDGER_DB or sqlite:///lotledger.db).")
]


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        help="table for people (times in $LOTLEDGER_TIMEZONE), json for programs "
        "(times in UTC; indented on a terminal, one line in a pipe).",
    ),
]


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


ListFormatOption = Annotated[
    ListFormat,
    typer.Option(
        "--format",
        help="table for people (times in $LOTLEDGER_TIMEZONE), json for programs (times in UTC), "
        "csv (to stdout or --out) and xlsx (to --out) for spreadsheets (times in UTC).",
    ),
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out", dir_okay=False, help="With csv or xlsx: the file to write (- for stdout).", show_default=False
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace the --out file if it exists.")]
FromDayOption = Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD, in the plant's zone.")]
ToDayOption = Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD, included.")]
LotPairOption = Annotated[
    tuple[str, str] | None, typer.Option("--lot", metavar="SKU LOT", help="Only this lot's events.")
]


@contextmanager
def _app(db: str | None, migrate: bool = True) -> Iterator[App]:
    """Open the ledger (bringing its schema up to date unless `migrate` is false); turn any lotledger
    error into one red line and exit code 1."""
    from sqlalchemy.exc import ArgumentError, DBAPIError

    from lotledger.bootstrap import bootstrap
    from lotledger.config import Settings
    from lotledger.domain.errors import LotledgerError

    ledger_app = None
    try:
        ledger_app = bootstrap(Settings.from_env(db), migrate=migrate)
        yield ledger_app
    except LotledgerError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from None
    except (ArgumentError, DBAPIError) as error:  # a URL that does not parse, a server that does not answer
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        errors.print(f"[red]error:[/red] cannot use the database {db or '(default)'}: {reason}")
        raise typer.Exit(1) from None
    finally:
        if ledger_app is not None:
            ledger_app.close()


def _attribution(client: str) -> Attribution:
    from lotledger.domain.recording import Attribution

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Attribution(recorded_by=f"os:{user}", client=client)


def _local_admin(client: str) -> Caller:
    """Whoever runs the command line on the database's machine administers it."""
    from lotledger.domain.accounts import Caller, User

    attribution = _attribution(client)
    return Caller(User(0, attribution.recorded_by, "admin"), attribution)


def _show(*renderables: RenderableType) -> None:
    """Tables on stdout, never cut (see `render.show`)."""
    from lotledger.render import show

    show(console, *renderables)


def _answer(value: Any, format: Format | ListFormat, table: Callable[[ModuleType], RenderableType]) -> None:
    """A query's answer: plain JSON for programs, or the table `table` makes with `lotledger.render`
    (imported only then: JSON output never loads Rich's tables)."""
    if format.value == "json":
        _print_json(value)
        return
    from lotledger import render

    _show(table(render))


def _print_json(value: Any, out: TextIO | None = None) -> None:
    """Plain JSON, written straight to stdout (never through Rich's highlighter), piece by piece:
    indented on a terminal, one line in a pipe. Times are ISO 8601 as stored (UTC)."""
    out = out or sys.stdout
    indent = 2 if out.isatty() else None
    for chunk in _json_chunks(value, indent):
        out.write(chunk)
    out.write("\n")
    out.flush()


def _json_chunks(value: Any, indent: int | None) -> Iterator[str]:
    """The text of `json.dumps(jsonable(value))` in pieces (see `jsonout.json_chunks`)."""
    from lotledger.interchange.jsonout import json_chunks

    return json_chunks(value, indent)


DEMO_USER, DEMO_PASSWORD = "demo", "demo-plant"
# The demo's accounts, one per kind of work: the admin, an operator on the floor, a quality manager.
DEMO_USERS = ((DEMO_USER, "admin"), ("floor", "operator"), ("qa", "quality"))
ItemArgument = Annotated[str, typer.Argument(help="The item's sku.")]
LotArgument = Annotated[str, typer.Argument(help="The lot code.")]


def _progress(rows: Iterable[Any], total: int | None, label: str = "exporting") -> Iterator[Any]:
    """`rows`, advancing a progress bar on stderr when it is a terminal (never in a pipe)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=errors, transient=True, disable=not errors.is_terminal) as bar:
        task = bar.add_task(label, total=total)
        for row in rows:
            yield row
            bar.advance(task)


def _refuse(message: str) -> typer.Exit:
    """One red line; raise what this returns to end with exit code 1."""
    errors.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)


def _writable(out: Path, force: bool) -> Path:
    """Refuse what must not be written: a symbolic link, an existing file without --force."""
    if out.is_symlink():
        raise _refuse(f"{out} is a symbolic link; write to the file itself")
    if out.exists() and not force:
        raise _refuse(f"{out} exists; pass --force to replace it")
    return out


@contextmanager
def _replacing(out: Path, force: bool) -> Iterator[IO[bytes]]:
    """Write beside `out` and put it in place at the end: a failed write leaves no half file."""
    handle = tempfile.NamedTemporaryFile(dir=out.parent, prefix=f".{out.name}.", delete=False)  # noqa: SIM115
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(handle.name, 0o666 & ~umask)  # as any file the user writes, not the temporary file's 0600
    try:
        with handle:
            yield handle
        if force:
            os.replace(handle.name, out)
        else:
            os.link(handle.name, out)  # fails if the file appeared meanwhile
    except FileExistsError:
        raise _refuse(f"{out} exists; pass --force to replace it") from None
    finally:
        Path(handle.name).unlink(missing_ok=True)


def _closed_pipe() -> typer.Exit:
    """The reader of stdout stopped early (`| head`): end quietly, as Unix tools do (status 141: SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # nothing left to flush into the closed pipe at exit
    return typer.Exit(141)


def _write_file(out: Path, content: bytes | Iterable[bytes], force: bool) -> None:
    """Write a file (a label, a notice, a CSV as it is made): never through a symbolic link, never over a
    file unless --force, never half; one red line on failure."""
    _writable(out, force)
    size = 0
    try:
        with _replacing(out, force) as handle:
            for chunk in [content] if isinstance(content, bytes) else content:
                size += handle.write(chunk)
    except OSError as error:  # a missing folder, a full disk
        raise _refuse(f"cannot write {out}: {error.strerror or error}") from None
    console.print(f"wrote {out} ({size} bytes)")


FILE_FORMATS = (ListFormat.csv, ListFormat.xlsx)


def _as_file(format: ListFormat, out: Path | None) -> bool:
    """Whether the list is wanted as a file (csv, xlsx); --out with a table or JSON is refused, not ignored."""
    if out is not None and format not in FILE_FORMATS:
        raise _refuse(f"--out writes a file: add --format csv or --format xlsx (not {format.value})")
    return format in FILE_FORMATS


def _write_list(table: Table, format: ListFormat, out: Path | None, force: bool) -> None:
    """Write `table` as CSV or XLSX: to --out (whole or not at all, with a progress bar on a terminal)
    or down stdout (CSV, or XLSX into a pipe)."""
    from lotledger.interchange.tables import csv_chunks, write_xlsx

    to_stdout = out is None or str(out) == "-"
    if format is ListFormat.xlsx and out is None:
        raise _refuse("--format xlsx writes a file: give --out FILE (or --out - into a pipe)")
    if format is ListFormat.xlsx and to_stdout and sys.stdout.isatty():
        raise _refuse("an XLSX file is not for a terminal; give --out FILE or redirect stdout")
    target = None if to_stdout or out is None else _writable(out, force)

    def write(handle: IO[bytes], shown: Table) -> None:
        if format is ListFormat.xlsx:
            write_xlsx(shown, handle)
            return
        for chunk in csv_chunks(shown):
            handle.write(chunk)
            handle.flush()

    try:
        if target is None:
            write(sys.stdout.buffer, table)
            sys.stdout.buffer.flush()
            return
        with _replacing(target, force) as handle:
            write(handle, dataclasses.replace(table, rows=_progress(table.rows, table.count)))
    except BrokenPipeError:
        raise _closed_pipe() from None
    except OSError as error:  # a full disk: one line, and no half file left
        raise _refuse(f"cannot write {out}: {error.strerror or error}") from None
    console.print(f"wrote {target}")
