"""The `lotledger` command: Typer commands that call services and render with Rich.

Start-up is kept light (`lotledger --help` in about 0.15 s): the database
layer, the services, the tables, progress bars, label rendering and the server
are imported inside the commands that use them, never at module level.
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from rich.console import Console

if TYPE_CHECKING:
    from rich.console import RenderableType

    from lotledger.bootstrap import App
    from lotledger.domain.accounts import Caller
    from lotledger.domain.recording import Attribution
    from lotledger.interchange.jsonl import Line
    from lotledger.services.importing import ImportReport
    from lotledger.services.verification import Verdict

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


@contextmanager
def _app(db: str | None) -> Iterator[App]:
    """Open the ledger; turn any lotledger error into one red line and exit code 1."""
    from sqlalchemy.exc import ArgumentError, DBAPIError

    from lotledger.bootstrap import bootstrap
    from lotledger.config import Settings
    from lotledger.domain.errors import LotledgerError

    ledger_app = None
    try:
        ledger_app = bootstrap(Settings.from_env(db))
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
    """The text of `json.dumps(jsonable(value))` in pieces: dicts and dataclasses member by member,
    lists item by item (each item encoded whole), so a trace of 200,000 lots is never one string."""
    from lotledger.interchange.jsonout import jsonable

    separators = (",", ": ") if indent else (", ", ": ")  # json.dumps's own: one line, or indented

    def chunks(value: Any, level: int, whole: bool) -> Iterator[str]:
        members = None if whole else _members(value)
        if members is None and (whole or not isinstance(value, list)):
            text = json.dumps(jsonable(value), indent=indent, separators=separators)
            yield text.replace("\n", "\n" + " " * (indent * level)) if indent and level else text
            return
        inner = "\n" + " " * (indent * (level + 1)) if indent else ""
        parts: Iterator[tuple[str, Any]]
        if members is not None:
            parts = ((json.dumps(key) + separators[1], member) for key, member in members)
            opening, closing = "{", "}"
        else:
            parts = (("", item) for item in value)
            opening, closing = "[", "]"
        yield opening
        empty = True
        for prefix, member in parts:
            yield ("" if empty else separators[0]) + inner + prefix
            yield from chunks(member, level + 1, members is None)
            empty = False
        if indent and not empty:
            yield "\n" + " " * (indent * level)
        yield closing

    return chunks(value, 0, False)


def _members(value: Any) -> list[tuple[str, Any]] | None:
    """The members `jsonable` would write for `value`, if they can be written one by one; else None."""
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return list(value.items())
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and not _has_properties(type(value)):
        return [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)]
    return None  # lot-keyed dicts become lists and some dataclasses add properties: jsonable writes those


def _has_properties(cls: type) -> bool:
    return any(isinstance(attr, property) for klass in cls.__mro__ for attr in vars(klass).values())


@app.command()
def init(db: DbOption = None) -> None:
    """Create the database (or bring its schema up to date)."""
    with _app(db) as ledger_app:
        console.print(f"Database ready: {ledger_app.settings.db_url}")


def _run_import(ledger_app: App, lines: Iterator[Line], total: int, client: str) -> ImportReport:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from lotledger.services.importing import import_lines

    columns = (TextColumn("[bold]importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(
        *columns, console=errors, transient=False, disable=not errors.is_terminal and "CI" in os.environ
    ) as bar:
        task = bar.add_task("import", total=total)
        advance: Callable[[int], None] = lambda n: bar.advance(task, n)  # noqa: E731
        return import_lines(
            ledger_app.recording,
            ledger_app.master_data,
            lines,
            _attribution(client),
            advance,
            ledger_app.refresh_statistics,
        )


def _report(report: ImportReport) -> None:
    console.print(
        f"{report.events} events stored, {report.duplicates} already recorded, "
        f"{report.master} master-data records saved, {len(report.errors)} lines refused"
    )
    for error in report.errors[:50]:
        errors.print(f"[red]{error}[/red]")
    if len(report.errors) > 50:
        errors.print(f"... and {len(report.errors) - 50} more")


@app.command()
def demo(
    db: DbOption = None,
    scale: Annotated[int | None, typer.Option(help="Generate about this many events (for benchmarks).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the generated plant.")] = 7,
) -> None:
    """Load a demo bakery: suppliers, raw lots, dough, bread, pallets, customers."""
    from lotledger import demo as demo_plant
    from lotledger.interchange.jsonl import Line, parse_record

    cycles = demo_plant.cycles_for(scale) if scale else 40
    records = list(demo_plant.plant(cycles, seed))
    with _app(db) as ledger_app:
        lines = (Line(n, parse_record(raw)) for n, raw in enumerate(records, start=1))
        report = _run_import(ledger_app, lines, len(records), "cli:demo")
        _report(report)
        if DEMO_USER not in {u.username for u in ledger_app.accounts.users()}:
            ledger_app.accounts.add_user(DEMO_USER, DEMO_PASSWORD, "admin")
            console.print(f"Demo account: user [bold]{DEMO_USER}[/bold], password [bold]{DEMO_PASSWORD}[/bold] (admin)")
        console.print("Try: [bold]lotledger trace BREAD-W W-0001 --both[/bold]  or  lotledger trace SALT S-HUB --down")


@app.command(name="import")
def import_file(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A JSON Lines file of events and master data.")
    ],
    db: DbOption = None,
) -> None:
    """Import a JSON Lines file: bad lines are reported by number, good ones stored, re-runs add nothing."""
    from lotledger.interchange.jsonl import read_lines

    with file.open("rb") as counted:
        total = sum(1 for _ in counted)
    with _app(db) as ledger_app, file.open("rb") as handle:
        report = _run_import(ledger_app, read_lines(handle), total, f"cli:import:{file.name}")
    _report(report)
    if report.errors:
        raise typer.Exit(1)


@app.command()
def trace(
    item: Annotated[str, typer.Argument(help="The item's sku.")],
    lot: Annotated[str, typer.Argument(help="The lot code.")],
    up: Annotated[bool, typer.Option("--up", help="Backward: where it came from.")] = False,
    down: Annotated[bool, typer.Option("--down", help="Forward: where it went.")] = False,
    both: Annotated[bool, typer.Option("--both", help="Both directions.")] = False,
    depth: Annotated[int, typer.Option(help="Stop this many production steps away.")] = 256,
    summary: Annotated[
        bool, typer.Option("--summary", help="Forward in totals: lots per item, customers, stock (fast for any lot).")
    ] = False,
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Trace a lot backward (--up), forward (--down) or both (--both)."""
    from lotledger.domain.model import LotKey

    key = LotKey(item, lot)
    up, down = up or both or not (up or down or summary), down or both
    with _app(db) as ledger_app:
        backward = ledger_app.queries.backward(key, depth) if up else None
        forward = ledger_app.queries.forward(key, depth) if down and not summary else None
        totals = ledger_app.queries.forward_summary(key) if summary else None
    if format is Format.json:
        _print_json({"lot": key, "backward": backward, "forward": forward, "forward_summary": totals})
        return
    from lotledger.render import backward_table, forward_tables, summary_table

    zone = ledger_app.settings.zone
    if totals is not None:
        _show(summary_table(totals))
    if backward is not None:
        _show(backward_table(backward, zone))
    if forward is not None:
        _show(*forward_tables(forward, zone))


ItemArgument = Annotated[str, typer.Argument(help="The item's sku.")]
LotArgument = Annotated[str, typer.Argument(help="The lot code.")]


@app.command()
def history(item: ItemArgument, lot: LotArgument, db: DbOption = None, format: FormatOption = Format.table) -> None:
    """Every event that touched a lot, in time order; voided ones marked."""
    from lotledger.domain.model import LotKey

    with _app(db) as ledger_app:
        entries = ledger_app.queries.history(LotKey(item, lot))
    if format is Format.json:
        _print_json(entries)
        return
    from lotledger.render import history_table

    _show(history_table(LotKey(item, lot), entries, ledger_app.settings.zone))


@app.command()
def balance(
    location: Annotated[str | None, typer.Option(help="A location code (includes everything under it).")] = None,
    item: Annotated[str | None, typer.Option(help="An item's sku.")] = None,
    lot: Annotated[str | None, typer.Option(help="A lot code.")] = None,
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Stock on hand now, by lot, location and container."""
    with _app(db) as ledger_app:
        lines = ledger_app.queries.balances(location=location, sku=item, lot=lot)
    if format is Format.json:
        _print_json(lines)
        return
    from lotledger.render import balance_table

    _show(balance_table(lines))


@app.command()
def massbalance(item: ItemArgument, lot: LotArgument, db: DbOption = None, format: FormatOption = Format.table) -> None:
    """In, out, adjustments and on hand of a lot, and whether they add up."""
    from lotledger.domain.model import LotKey

    with _app(db) as ledger_app:
        result = ledger_app.queries.mass_balance(LotKey(item, lot))
    if format is Format.json:
        _print_json(result)
        return
    from lotledger.render import mass_balance_table

    _show(mass_balance_table(result))


@app.command()
def exposure(item: ItemArgument, lot: LotArgument, db: DbOption = None, format: FormatOption = Format.table) -> None:
    """How much of a lot reached each downstream lot and each customer (proportional attribution)."""
    from lotledger.domain.model import LotKey

    with _app(db) as ledger_app:
        result = ledger_app.queries.exposure(LotKey(item, lot))
    if format is Format.json:
        _print_json(result)
        return
    from lotledger.render import exposure_table

    _show(exposure_table(result))


@app.command()
def verify(
    head: Annotated[
        str | None,
        typer.Option(help="A head printed by an earlier verify (POSITION:HASH): the chain must still pass it."),
    ] = None,
    replay: Annotated[
        bool, typer.Option(help="Also replay every event and compare the stock, holds, voids, genealogy.")
    ] = True,
    db: DbOption = None,
) -> None:
    """Check the record is intact: the hash chain over every event, and every projection against a replay.

    Exit code 0 when intact, 3 when something was changed behind the ledger's back (the first break is named)."""
    from lotledger.domain.chain import Head

    try:
        expected = Head.parse(head) if head else None
    except ValueError as error:
        errors.print(f"[red]error:[/red] --head: {error}")
        raise typer.Exit(2) from None
    with _app(db) as ledger_app:
        verdict = ledger_app.verification.verify(expected, replay=replay)
    _verdict(verdict, replay)


def _verdict(verdict: Verdict, replay: bool = True) -> None:
    """Print what verification found; exit 3 unless the record is intact."""
    console.print(f"{verdict.events} events in the chain; head {verdict.head}", highlight=False)
    if verdict.chain_break is not None:
        errors.print(f"[red]chain broken at {verdict.chain_break}[/red]", highlight=False)
    if verdict.head_mismatch is not None:
        errors.print(f"[red]head on record not reached: {verdict.head_mismatch}[/red]", highlight=False)
    for difference in verdict.differences:
        errors.print(f"[red]{difference}[/red]", highlight=False)
    if not verdict.intact:
        raise typer.Exit(3)
    if replay:
        console.print(f"intact: {verdict.replayed} events replayed; stock, holds, voids and genealogy agree")
    else:
        console.print("intact: every link holds (projections not replayed)")


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="A new file for the backup (never overwritten).", dir_okay=False)],
    db: DbOption = None,
) -> None:
    """Back the database up while it is in use (SQLite online backup, pg_dump), then verify the copy.

    Never copy lotledger.db by hand while the server runs: events still in its write-ahead log would be missing."""
    with _app(db) as ledger_app:
        verdict = ledger_app.backups.backup(file)
    console.print(f"backup written to {file}", highlight=False)
    _verdict(verdict)


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A file written by lotledger backup.", exists=True, dir_okay=False)],
    yes: Annotated[bool, typer.Option("--yes", help="Replace the database's contents without asking.")] = False,
    db: DbOption = None,
) -> None:
    """Replace the database with a backup (stop the server first), then verify what is now there."""
    if not yes and not typer.confirm(f"Replace everything in the database with {file}?"):
        raise typer.Exit(1)
    with _app(db) as ledger_app:
        verdict = ledger_app.backups.restore(file)
    console.print(f"restored from {file}", highlight=False)
    _verdict(verdict)


# --- the HTTP API and its accounts --------------------------------------------------

DEMO_USER, DEMO_PASSWORD = "demo", "demo-plant"
users = typer.Typer(help="Accounts that may use the HTTP API.", no_args_is_help=True)
tokens = typer.Typer(help="API tokens: shown once, stored hashed, revocable.", no_args_is_help=True)
app.add_typer(users, name="user")
app.add_typer(tokens, name="token")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes (each group-commits its own captures).")] = 1,
    db: DbOption = None,
) -> None:
    """Serve the HTTP API (and its docs at /api/v1/docs)."""
    import uvicorn

    from lotledger.api.app import create_app

    with _app(db) as ledger_app:  # migrates the schema once, before any worker starts
        console.print(f"lotledger API on http://{host}:{port}/api/v1  (docs: http://{host}:{port}/api/v1/docs)")
        if workers == 1:
            uvicorn.run(create_app(ledger_app), host=host, port=port, log_level="warning")
            return
    os.environ["LOTLEDGER_DB"] = ledger_app.settings.db_url
    uvicorn.run(
        "lotledger.api.app:app_from_env", factory=True, host=host, port=port, workers=workers, log_level="warning"
    )


@users.command("add")
def user_add(
    username: str,
    role: Annotated[str, typer.Option(help="viewer, operator, quality or admin.")] = "viewer",
    password: Annotated[
        str | None, typer.Option(envvar="LOTLEDGER_PASSWORD", help="At least 8 characters (asked if not given).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a user with a role; the password is stored as an argon2 hash."""
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _app(db) as ledger_app:
        user = ledger_app.accounts.add_user(username, password, role)
    console.print(f"user {user.username} added as {user.role}")


@users.command("list")
def user_list(db: DbOption = None) -> None:
    """List users and their roles."""
    from lotledger.render import render_rows

    with _app(db) as ledger_app:
        rows = [(u.username, u.role, u.active) for u in ledger_app.accounts.users()]
    _show(render_rows("Users", ("user", "role", "active"), rows))


@tokens.command("create")
def token_create(
    username: str,
    name: Annotated[str, typer.Option(help="What the token is for, e.g. scanner-3 or erp.")] = "cli",
    db: DbOption = None,
) -> None:
    """Create an API token for a user and print it (the only time it is shown)."""
    with _app(db) as ledger_app:
        token, secret = ledger_app.accounts.create_token(username, name)
    console.print(f"token {token.id} ({token.name}) for {token.username}:")
    console.print(secret, highlight=False)


@tokens.command("list")
def token_list(db: DbOption = None) -> None:
    """List tokens (never their secrets)."""
    from lotledger.render import tokens_table

    with _app(db) as ledger_app:
        listed = ledger_app.accounts.tokens()
    _show(tokens_table(listed, ledger_app.settings.zone))


@tokens.command("revoke")
def token_revoke(token_id: int, db: DbOption = None) -> None:
    """Revoke a token: requests with it get 401 from now on."""
    with _app(db) as ledger_app:
        token = ledger_app.accounts.revoke_token(token_id)
    console.print(f"token {token.id} ({token.name}) of {token.username} revoked")


# --- GS1 barcodes -----------------------------------------------------------------

labels = typer.Typer(
    help="Print labels: lots (GS1-128, DataMatrix, Digital Link QR) and pallets (SSCC).", no_args_is_help=True
)
ssccs = typer.Typer(help="Serial Shipping Container Codes from your GS1 company prefix.", no_args_is_help=True)
app.add_typer(labels, name="label")
app.add_typer(ssccs, name="sscc")
LabelFormat = Annotated[str, typer.Option("--format", help="svg, png, pdf or zpl.")]
OutFile = Annotated[Path, typer.Option("--out", help="Where to write the label.", dir_okay=False)]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")]


@app.command()
def scan(
    data: Annotated[str, typer.Argument(help="What the scanner sent (GS as <GS> or \\x1d, or the (01)... form).")],
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Read a barcode: what item, lot or pallet it names, its stock and status."""
    with _app(db) as ledger_app:
        found = ledger_app.barcodes.resolve_scan(data.replace("\\x1d", "\x1d"))
    if format is Format.json:
        _print_json(found)
        return
    from lotledger.interchange.jsonout import jsonable
    from lotledger.render import balance_table, render_rows

    facts = {k: v for k, v in jsonable(found.scan).items() if v is not None and k != "raw"}
    _show(render_rows("Scan", ("field", "value"), list(facts.items())))
    if found.item:
        console.print(f"item {found.item.sku}: {found.item.name}", markup=False, highlight=False)
    if found.lot:
        console.print(f"lot {found.lot.lot}: [bold]{found.status}[/bold], expiry {found.lot.expiry or '-'}")
    if found.stock:
        _show(balance_table(found.stock, "Stock now"))


def _write_label(out: Path, content: bytes, force: bool) -> None:
    """Write a label file: never through a symbolic link, never over a file unless --force; one line on failure."""
    if out.is_symlink():
        errors.print(f"[red]error:[/red] {out} is a symbolic link; write to the file itself")
        raise typer.Exit(1)
    try:
        with out.open("wb" if force else "xb") as handle:
            handle.write(content)
    except FileExistsError:
        errors.print(f"[red]error:[/red] {out} exists; pass --force to replace it")
        raise typer.Exit(1) from None
    except OSError as error:
        errors.print(f"[red]error:[/red] cannot write {out}: {error.strerror or error}")
        raise typer.Exit(1) from None
    console.print(f"wrote {out} ({len(content)} bytes)")


@labels.command("lot")
def label_lot(
    item: str,
    lot: str,
    out: OutFile,
    symbol: Annotated[str, typer.Option(help="gs1-128, datamatrix or qr (GS1 Digital Link).")] = "gs1-128",
    format: LabelFormat = "svg",
    force: ForceOption = False,
    db: DbOption = None,
) -> None:
    """A lot label: (01) GTIN, (10) lot, (17) expiry; items without a GTIN get their internal identity."""
    from lotledger.barcodes.render import render

    with _app(db) as ledger_app:
        content = render([ledger_app.barcodes.lot_label(item, lot, symbol)], format)
    _write_label(out, content, force)


@labels.command("pallet")
def label_pallet(
    sscc: str, out: OutFile, format: LabelFormat = "pdf", force: ForceOption = False, db: DbOption = None
) -> None:
    """A pallet label: the SSCC in GS1-128 and the contents (item, lot, quantity, best before)."""
    from lotledger.barcodes.render import render

    with _app(db) as ledger_app:
        content = render([ledger_app.barcodes.pallet_label(sscc)], format)
    _write_label(out, content, force)


@ssccs.command("allocate")
def sscc_allocate(
    count: Annotated[int, typer.Option(help="How many.")] = 1,
    prefix: Annotated[str | None, typer.Option(help="GS1 company prefix (default $LOTLEDGER_GS1_PREFIX).")] = None,
    extension: Annotated[
        str | None, typer.Option(help="Extension digit (default $LOTLEDGER_SSCC_EXTENSION or 0).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Allocate new SSCCs: never one handed out before, also with many allocating at once."""
    with _app(db) as ledger_app:
        for code in ledger_app.barcodes.allocate_ssccs(_local_admin("cli:sscc"), count, prefix, extension):
            console.print(code, highlight=False)


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        errors.print("interrupted")
        sys.exit(130)
