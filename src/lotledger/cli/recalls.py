"""Recalls and mock recall drills from the command line: `lotledger recall SKU LOT ...` opens one; `recall list`,
`show`, `notices`, `hold`, `notify`, `ack`, `dispose` and `close` work on it."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from lotledger.cli.common import (
    DbOption,
    Format,
    FormatOption,
    _app,
    _json_chunks,
    _local_admin,
    _print_json,
    _show,
    _write_file,
    app,
    console,
    errors,
)

if TYPE_CHECKING:
    from lotledger.bootstrap import App
    from lotledger.domain.recall import RecallReport


class _OpenByDefault(TyperGroup):
    """`lotledger recall FLOUR F-1 --reason ...` means `lotledger recall open FLOUR F-1 --reason ...`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # a click Context (typer vendors click)
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["open", *args]
        return super().parse_args(ctx, args)


recalls = typer.Typer(
    cls=_OpenByDefault,
    help="Recalls and mock recall drills: `lotledger recall SKU LOT --reason ...` opens one.",
    no_args_is_help=True,
)
app.add_typer(recalls, name="recall")


class RecallFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    pdf = "pdf"


Output = Annotated[
    RecallFormat,
    typer.Option(
        "--format",
        help="table (people), json or csv (programs; to stdout, or --out), pdf (the customer notices; needs --out).",
    ),
]
OutOption = Annotated[Path | None, typer.Option("--out", help="Write to this file instead of the terminal.")]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")]
WHEN = ["%Y-%m-%d", "%Y-%m-%dT%H:%M"]
RecallId = Annotated[int, typer.Argument(min=1, max=2**31 - 1, help="The recall's number (lotledger recall list).")]
Customer = Annotated[str, typer.Argument(help="The customer's partner code.")]


@recalls.command("open")
def recall_open(
    sku: Annotated[str | None, typer.Argument(help="The recalled lot's item.")] = None,
    lot: Annotated[str | None, typer.Argument(help="The recalled lot's code.")] = None,
    supplier_lot: Annotated[
        str | None, typer.Option(help="Recall every lot received with this supplier lot code.")
    ] = None,
    supplier: Annotated[
        str | None, typer.Option(help="Recall everything received from this supplier (with --since, --until).")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="From this day (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM), plant time.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="To this day, included (YYYY-MM-DD), or this time, plant time.")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Why: the supplier's notice, the complaint, the finding.")] = None,
    title: Annotated[str | None, typer.Option(help="A short name (default: what is recalled).")] = None,
    mock: Annotated[bool, typer.Option("--mock", help="A drill: marked as one, timed, kept for audits.")] = False,
    hold: Annotated[bool, typer.Option("--hold", help="Also hold every affected lot (on hand or shipped).")] = False,
    db: DbOption = None,
    format: Output = RecallFormat.table,
    out: OutOption = None,
    force: ForceOption = False,
) -> None:
    """Open a recall (or a drill) and show everything it affects: lots, stock, customers, exposure."""
    scope: dict[str, Any] = {}
    if sku is not None or lot is not None:
        if sku is None or lot is None:
            raise typer.BadParameter("give both SKU and LOT")
        scope["lots"] = [{"item": sku, "lot": lot}]
    if supplier_lot is not None:
        scope["supplier_lot"] = supplier_lot
    if supplier is not None:
        scope["supplier"] = supplier
    with _app(db) as ledger_app:
        zone = ledger_app.settings.zone
        for name, value in (("since", since), ("until", until)):
            if value is not None:
                scope[name] = _when(value, zone, name)
        if reason is None and not mock:
            errors.print("[red]error:[/red] --reason is required: say why the lots are recalled")
            raise typer.Exit(1)
        document = {
            **scope,
            "kind": "mock" if mock else "recall",
            "reason": reason or "Mock recall drill",
            "hold": hold,
        }
        if title:
            document["title"] = title
        report = ledger_app.recalls.open(document, _local_admin("cli:recall"))
        _present(ledger_app, report, format, out, force)


@recalls.command("list")
def recall_list(
    mock: Annotated[bool, typer.Option("--mock", help="Only drills.")] = False,
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Every recall and drill, newest first: status, how long each drill's report took, the share traced."""
    from lotledger.render_recalls import cases_table

    with _app(db) as ledger_app:
        cases = ledger_app.recalls.cases("mock" if mock else None)
        zone = ledger_app.settings.zone
    if format is Format.json:
        _print_json([{"case": case, "traced": traced} for case, traced in cases])
    else:
        _show(cases_table(cases, zone))


@recalls.command("show")
def recall_show(
    recall_id: RecallId, db: DbOption = None, format: Output = RecallFormat.table, out: OutOption = None,
    force: ForceOption = False,
) -> None:  # fmt: skip
    """A recall's report as the ledger stands now (returns recorded since count)."""
    with _app(db) as ledger_app:
        _present(ledger_app, ledger_app.recalls.report(recall_id), format, out, force)


@recalls.command("notices")
def recall_notices(
    recall_id: RecallId,
    customer: Annotated[str | None, typer.Option(help="Only this customer's notice.")] = None,
    db: DbOption = None,
    format: Annotated[str, typer.Option("--format", help="pdf (one page a customer) or csv.")] = "pdf",
    out: OutOption = None,
    force: ForceOption = False,
) -> None:
    """The customer notices: what each customer received, with whom to contact."""
    from lotledger.interchange.recall_notices import notices_csv, notices_pdf

    if format not in ("pdf", "csv"):
        raise typer.BadParameter("pdf or csv", param_hint="--format")
    with _app(db) as ledger_app:
        made = ledger_app.recalls.notices(recall_id, customer)
        zone, sender = ledger_app.settings.zone, ledger_app.recalls.sender()
    if format == "csv":
        _text(notices_csv(made, zone), out, force)
    else:
        _file(notices_pdf(made, zone, sender), out, force)


@recalls.command("hold")
def recall_hold(
    recall_id: RecallId,
    location: Annotated[str | None, typer.Option(help="Where the hold is decided (default: the stock's site).")] = None,
    db: DbOption = None,
) -> None:
    """Hold every lot the recall affects that is not held yet (on hand or shipped), the recall as the reason."""
    with _app(db) as ledger_app:
        report = ledger_app.recalls.hold(recall_id, _local_admin("cli:recall"), location)
    console.print(f"recall {recall_id}: {len(report.held)} lots held")


@recalls.command("notify")
def recall_notify(
    recall_id: RecallId,
    customer: Customer,
    via: Annotated[str, typer.Option(help="email, phone, letter, fax, in person or portal.")] = "email",
    note: Annotated[str | None, typer.Option(help="Who was reached, what was said.")] = None,
    db: DbOption = None,
) -> None:
    """Record that a customer was told."""
    _act(db, lambda a, who: a.recalls.notified(recall_id, customer, {"via": via, "note": note}, who), "notified")


@recalls.command("ack")
def recall_ack(
    recall_id: RecallId, customer: Customer, note: Annotated[str | None, typer.Option()] = None, db: DbOption = None
) -> None:
    """Record that a customer confirmed the notice."""
    _act(db, lambda a, who: a.recalls.acknowledged(recall_id, customer, {"note": note}, who), "acknowledged")


@recalls.command("dispose")
def recall_dispose(
    recall_id: RecallId,
    customer: Customer,
    sku: str,
    lot: str,
    qty: str,
    uom: str,
    note: Annotated[str | None, typer.Option(help="The evidence: a destruction certificate, a photo.")] = None,
    db: DbOption = None,
) -> None:
    """Record what a customer destroyed of a lot it received (returns are `return` events)."""
    raw = {"lines": [{"item": sku, "lot": lot, "qty": qty, "uom": uom}], "note": note}
    _act(db, lambda a, who: a.recalls.disposed(recall_id, customer, raw, who), "disposal recorded")


@recalls.command("close")
def recall_close(
    recall_id: RecallId, note: Annotated[str | None, typer.Option(help="How it ended.")] = None, db: DbOption = None
) -> None:
    """Close a recall: kept as it is, nothing more is recorded on it."""
    _act(db, lambda a, who: a.recalls.close(recall_id, {"note": note}, who), "closed")


# --- output ---------------------------------------------------------------------------------


def _when(value: str, zone: tzinfo, name: str) -> datetime:
    """A day or a time in the plant's zone; a day given as `until` means the end of that day."""
    try:
        if "T" in value:
            return datetime.strptime(value, "%Y-%m-%dT%H:%M").replace(tzinfo=zone)
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=zone)
    except ValueError:
        raise typer.BadParameter(
            f"expected YYYY-MM-DD or YYYY-MM-DDTHH:MM, got {value!r}", param_hint=f"--{name}"
        ) from None
    return day + timedelta(days=1) if name == "until" else day


def _act(db: str | None, action: Any, done: str) -> None:
    with _app(db) as ledger_app:
        report = action(ledger_app, _local_admin("cli:recall"))
    console.print(f"recall {report.case.id}: {done}; status {report.case.status}")
    silent = [c.partner.code for c in report.customers if c.notified_at is None]
    if report.case.status == "closed" and (silent or (report.share_accounted or 1) < 1):
        share = "" if report.share_accounted is None else f"{report.share_accounted:.0%}"
        never = f"never notified: {', '.join(silent)}; " if silent else ""
        errors.print(f"[yellow]note:[/yellow] closed with {never}accounted for {share} of what was shipped")


def _present(ledger_app: App, report: RecallReport, format: RecallFormat, out: Path | None, force: bool) -> None:
    zone = ledger_app.settings.zone
    if format is RecallFormat.json:
        if out is not None:  # written piece by piece, as to stdout: a hub lot's report is never one string
            _write_file(out, (chunk.encode() for chunk in chain(_json_chunks(report, None), ["\n"])), force)
        else:
            _print_json(report)
    elif format is RecallFormat.csv:
        from lotledger.interchange.recall_notices import report_csv

        _text(report_csv(report, zone), out, force)
    elif format is RecallFormat.pdf:
        from lotledger.interchange.recall_notices import notices_pdf

        made = ledger_app.recalls.notices(report.case.id)
        _file(notices_pdf(made, zone, ledger_app.recalls.sender()), out, force)
    else:
        from lotledger.render_recalls import recall_tables

        _show(*recall_tables(report, zone))
        if report.case.kind == "mock" and report.case.report_seconds is not None:
            console.print(f"drill: the complete report took {report.case.report_seconds:.2f} s")


def _text(lines: Any, out: Path | None, force: bool) -> None:
    if out is None:
        for line in lines:
            sys.stdout.write(line)
        sys.stdout.flush()
    else:
        _write_file(out, (line.encode() for line in lines), force)  # written as it is made


def _file(content: bytes, out: Path | None, force: bool) -> None:
    if out is None:
        errors.print("[red]error:[/red] --out FILE is needed for a PDF")
        raise typer.Exit(1)
    _write_file(out, content, force)
