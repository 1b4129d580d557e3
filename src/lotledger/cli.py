"""The `lotledger` command: Typer commands that call services and render with Rich."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.exc import ArgumentError, DBAPIError

from lotledger import demo as demo_plant
from lotledger.bootstrap import App, bootstrap
from lotledger.config import Settings
from lotledger.domain.accounts import Caller, User
from lotledger.domain.errors import LotledgerError
from lotledger.domain.model import LotKey
from lotledger.domain.recording import Attribution
from lotledger.interchange.jsonl import Line, parse_record, read_lines
from lotledger.interchange.jsonout import jsonable
from lotledger.render import (
    backward_table,
    balance_table,
    exposure_table,
    forward_tables,
    history_table,
    mass_balance_table,
    render_rows,
    summary_table,
)
from lotledger.services.importing import ImportReport, import_lines

app = typer.Typer(help="Lot traceability for manufacturers: record, import and trace batches.", no_args_is_help=True)
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: $LOTLEDGER_DB or sqlite:///lotledger.db).")
]


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", help="table for people, json for programs.")]


@contextmanager
def _app(db: str | None) -> Iterator[App]:
    """Open the ledger; turn any lotledger error into one red line and exit code 1."""
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
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Attribution(recorded_by=f"os:{user}", client=client)


def _local_admin(client: str) -> Caller:
    """Whoever runs the command line on the database's machine administers it."""
    attribution = _attribution(client)
    return Caller(User(0, attribution.recorded_by, "admin"), attribution)


def _print_json(value: Any) -> None:
    console.print_json(json.dumps(jsonable(value)))


@app.command()
def init(db: DbOption = None) -> None:
    """Create the database (or bring its schema up to date)."""
    with _app(db) as ledger_app:
        console.print(f"Database ready: {ledger_app.settings.db_url}")


def _run_import(ledger_app: App, lines: Iterator[Line], total: int, client: str) -> ImportReport:
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
    with file.open("rb") as counted:
        total = sum(1 for _ in counted)
    with _app(db) as ledger_app, file.open(encoding="utf-8", errors="replace") as handle:
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
    key = LotKey(item, lot)
    up, down = up or both or not (up or down or summary), down or both
    with _app(db) as ledger_app:
        backward = ledger_app.queries.backward(key, depth) if up else None
        forward = ledger_app.queries.forward(key, depth) if down and not summary else None
        totals = ledger_app.queries.forward_summary(key) if summary else None
    if format is Format.json:
        _print_json({"lot": key, "backward": backward, "forward": forward, "forward_summary": totals})
        return
    if totals is not None:
        console.print(summary_table(totals))
    if backward is not None:
        console.print(backward_table(backward))
    if forward is not None:
        for table in forward_tables(forward):
            console.print(table)


@app.command()
def history(item: str, lot: str, db: DbOption = None, format: FormatOption = Format.table) -> None:
    """Every event that touched a lot, in time order; voided ones marked."""
    with _app(db) as ledger_app:
        entries = ledger_app.queries.history(LotKey(item, lot))
    _print_json(entries) if format is Format.json else console.print(history_table(LotKey(item, lot), entries))


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
    _print_json(lines) if format is Format.json else console.print(balance_table(lines))


@app.command()
def massbalance(item: str, lot: str, db: DbOption = None, format: FormatOption = Format.table) -> None:
    """In, out, adjustments and on hand of a lot, and whether they add up."""
    with _app(db) as ledger_app:
        result = ledger_app.queries.mass_balance(LotKey(item, lot))
    _print_json(result) if format is Format.json else console.print(mass_balance_table(result))


@app.command()
def exposure(item: str, lot: str, db: DbOption = None, format: FormatOption = Format.table) -> None:
    """How much of a lot reached each downstream lot and each customer (proportional attribution)."""
    with _app(db) as ledger_app:
        result = ledger_app.queries.exposure(LotKey(item, lot))
    _print_json(result) if format is Format.json else console.print(exposure_table(result))


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
    with _app(db) as ledger_app:
        console.print(
            render_rows(
                "Users",
                ("user", "role", "active"),
                [(u.username, u.role, u.active) for u in ledger_app.accounts.users()],
            )
        )


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
    with _app(db) as ledger_app:
        rows = [
            (t.id, t.name, t.username, _when(t.created_at), _when(t.revoked_at)) for t in ledger_app.accounts.tokens()
        ]
    console.print(render_rows("Tokens", ("id", "name", "user", "created", "revoked"), rows))


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
    facts = {k: v for k, v in jsonable(found.scan).items() if v is not None and k != "raw"}
    console.print(render_rows("Scan", ("field", "value"), list(facts.items())))
    if found.item:
        console.print(f"item {found.item.sku}: {found.item.name}")
    if found.lot:
        console.print(f"lot {found.lot.lot}: [bold]{found.status}[/bold], expiry {found.lot.expiry or '-'}")
    if found.stock:
        console.print(balance_table(found.stock, "Stock now"))


def _write_label(out: Path, content: bytes) -> None:
    out.write_bytes(content)
    console.print(f"wrote {out} ({len(content)} bytes)")


@labels.command("lot")
def label_lot(
    item: str,
    lot: str,
    out: OutFile,
    symbol: Annotated[str, typer.Option(help="gs1-128, datamatrix or qr (GS1 Digital Link).")] = "gs1-128",
    format: LabelFormat = "svg",
    db: DbOption = None,
) -> None:
    """A lot label: (01) GTIN, (10) lot, (17) expiry; items without a GTIN get their internal identity."""
    from lotledger.barcodes.render import render

    with _app(db) as ledger_app:
        _write_label(out, render([ledger_app.barcodes.lot_label(item, lot, symbol)], format))


@labels.command("pallet")
def label_pallet(sscc: str, out: OutFile, format: LabelFormat = "pdf", db: DbOption = None) -> None:
    """A pallet label: the SSCC in GS1-128 and the contents (item, lot, quantity, best before)."""
    from lotledger.barcodes.render import render

    with _app(db) as ledger_app:
        _write_label(out, render([ledger_app.barcodes.pallet_label(sscc)], format))


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


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        errors.print("interrupted")
        sys.exit(130)
