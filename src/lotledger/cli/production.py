"""Recipes and work orders from the command line: `lotledger recipe add|show|list` and
`lotledger wo create|list|show|produce|cancel|close`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from lotledger.cli.common import DbOption, Format, FormatOption, _app, _local_admin, _print_json, _show, app, console

recipes = typer.Typer(help="Recipes (bills of materials), one version per change.", no_args_is_help=True)
work_orders = typer.Typer(help="Work orders: FEFO lots to take, production by lot, yield and variance.",
                          no_args_is_help=True)  # fmt: skip
app.add_typer(recipes, name="recipe")
app.add_typer(work_orders, name="wo")
EXTRA = {"allow_extra_args": True, "ignore_unknown_options": True}  # --input takes several values, repeated
Number = Annotated[str, typer.Argument(help="The work order's number, e.g. WO-00042.")]
CLIENT = "cli:wo"


def _groups(args: list[str], option: str, names: tuple[str, ...]) -> list[dict[str, str]]:
    """`--input A B C --input D E F` as [{names: A B C}, ...]; anything else is refused, naming it."""
    found, rest = [], list(args)
    while rest:
        if rest[0] != option:
            raise typer.BadParameter(f"unexpected {rest[0]!r}; give {option} {' '.join(n.upper() for n in names)}")
        values = rest[1 : 1 + len(names)]
        if len(values) < len(names) or any(v.startswith("--") for v in values):
            raise typer.BadParameter(f"{option} takes {len(names)} values: {' '.join(n.upper() for n in names)}")
        found.append(dict(zip(names, values, strict=True)))
        rest = rest[1 + len(names) :]
    return found


# --- recipes -------------------------------------------------------------------------------


@recipes.command("add", context_settings=EXTRA)
def recipe_add(
    ctx: typer.Context,
    output: Annotated[str, typer.Argument(help="The output item's sku.")],
    yield_pct: Annotated[str, typer.Option("--yield", help="Expected yield, percent.")] = "100",
    batch: Annotated[str, typer.Option(help="How much output the inputs are for (in its unit).")] = "1",
    inactive: Annotated[bool, typer.Option("--inactive", help="New work orders may not use this version.")] = False,
    note: Annotated[str | None, typer.Option(help="What changed.")] = None,
    db: DbOption = None,
) -> None:
    """Save the next version of OUTPUT's recipe: --input ITEM QTY UOM for each input (repeat it)."""
    inputs = _groups(ctx.args, "--input", ("item", "qty", "uom"))
    raw: dict[str, Any] = {"item": output, "inputs": inputs, "yield": yield_pct, "batch": batch}
    raw |= {"active": not inactive, **({"note": note} if note else {})}
    with _app(db) as ledger_app:
        recipe = ledger_app.production.add_recipe(raw, _local_admin("cli:recipe"))
    console.print(f"recipe {recipe.label} saved")


@recipes.command("show")
def recipe_show(
    sku: Annotated[str, typer.Argument(help="The output item's sku.")],
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Every version of a recipe, newest first."""
    from lotledger.render_production import recipe_table

    with _app(db) as ledger_app:
        versions = ledger_app.production.versions(sku)
        zone = ledger_app.settings.zone
    if format is Format.json:
        _print_json({"item": sku, "versions": versions})
    else:
        _show(recipe_table(f"Recipe {sku}: {len(versions)} versions", versions, zone))


@recipes.command("list")
def recipe_list(db: DbOption = None, format: FormatOption = Format.table) -> None:
    """The latest version of every recipe."""
    from lotledger.render_production import recipe_table

    with _app(db) as ledger_app:
        found = ledger_app.production.recipes()
        zone = ledger_app.settings.zone
    if format is Format.json:
        _print_json({"recipes": found})
    else:
        _show(recipe_table(f"Recipes: {len(found)}", found, zone))


# --- work orders ---------------------------------------------------------------------------


@work_orders.command("create")
def wo_create(
    recipe: Annotated[str, typer.Argument(help="The recipe's output item.")],
    planned: Annotated[str, typer.Argument(help="Planned output, in the item's unit (or --uom).")],
    location: Annotated[str | None, typer.Option(help="The line (default: the plant's one line).")] = None,
    version: Annotated[int | None, typer.Option(min=1, help="The recipe version (default: the latest).")] = None,
    number: Annotated[str | None, typer.Option(help="The number (default: the next WO-nnnnn).")] = None,
    uom: Annotated[str | None, typer.Option(help="The unit of PLANNED.")] = None,
    note: Annotated[str | None, typer.Option()] = None,
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Open a work order: the recipe's lots to take are suggested first expired, first out."""
    from lotledger.domain.model import Location

    raw = {"recipe": recipe, "planned": planned, "version": version, "number": number, "uom": uom, "note": note}
    with _app(db) as ledger_app:
        if location is None:
            lines = [loc.code for loc in ledger_app.master_data.all(Location)
                     if isinstance(loc, Location) and loc.kind == "line" and loc.active]  # fmt: skip
            if len(lines) != 1:
                known = ", ".join(lines) or "the plant has none"
                raise typer.BadParameter(f"name the line: {known}", param_hint="--location")
            location = lines[0]
        raw = {k: v for k, v in {**raw, "location": location}.items() if v is not None}
        report = ledger_app.production.create(raw, _local_admin(CLIENT))
        _present(report, format, ledger_app.settings.zone)


@work_orders.command("list")
def wo_list(
    limit: Annotated[int, typer.Option(min=1, max=200, help="This many, newest first.")] = 50,
    before: Annotated[str | None, typer.Option(help="Those made before this work order (the next page).")] = None,
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Work orders, newest first, with their status and output from the ledger."""
    from lotledger.render_production import work_order_list

    with _app(db) as ledger_app:
        listed = ledger_app.production.work_orders(limit, before)
        zone = ledger_app.settings.zone
    if format is Format.json:
        _print_json([{"order": o, "status": s, "produced": p} for o, s, p in listed])
    else:
        _show(work_order_list(listed, zone))


@work_orders.command("show")
def wo_show(number: Number, db: DbOption = None, format: FormatOption = Format.table) -> None:
    """A work order: status, lots to take (FEFO, and why a lot is skipped), consumption, output, variance."""
    with _app(db) as ledger_app:
        _present(ledger_app.production.report(number), format, ledger_app.settings.zone)


@work_orders.command("produce", context_settings=EXTRA)
def wo_produce(
    ctx: typer.Context,
    number: Number,
    output: Annotated[
        str | None, typer.Option(help="Output made (default: what the inputs make at the expected yield).")
    ] = None,
    lot: Annotated[str | None, typer.Option(help="The output's lot code (default: LOTLEDGER_LOT_PATTERN).")] = None,
    note: Annotated[str | None, typer.Option()] = None,
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """Record production: --input ITEM LOT QTY UOM for each lot consumed (repeat it; two lots of one input are
    two --input), and the output made. The event carries the work order's number as its reference."""
    inputs = _groups(ctx.args, "--input", ("item", "lot", "qty", "uom"))
    raw: dict[str, Any] = {"inputs": inputs, **({"note": note} if note else {})}
    if output is not None or lot is not None:
        if output is None:
            raise typer.BadParameter("say how much was made with --lot", param_hint="--output")
        raw["outputs"] = [{"qty": output, **({"lot": lot} if lot else {})}]
    with _app(db) as ledger_app:
        event_id, report = ledger_app.production.produce(number, raw, _local_admin(CLIENT))
        console.print(f"recorded produce event {event_id}: {', '.join(m.lot for m in report.made[-1:])}")
        _present(report, format, ledger_app.settings.zone)


@work_orders.command("cancel")
def wo_cancel(
    number: Number, reason: Annotated[str, typer.Option(help="Why it is not made.")], db: DbOption = None
) -> None:
    """Cancel a work order that produced nothing."""
    with _app(db) as ledger_app:
        report = ledger_app.production.cancel(number, {"reason": reason}, _local_admin(CLIENT))
    console.print(f"work order {number}: {report.status}")


@work_orders.command("close")
def wo_close(number: Number, note: Annotated[str | None, typer.Option()] = None, db: DbOption = None) -> None:
    """Close a work order short: done with what it made."""
    with _app(db) as ledger_app:
        report = ledger_app.production.close(number, {"note": note} if note else {}, _local_admin(CLIENT))
    console.print(f"work order {number}: {report.status}")


def _present(report: Any, format: Format, zone: Any) -> None:
    from lotledger.render_production import work_order_tables

    if format is Format.json:
        _print_json(report)
    else:
        _show(*work_order_tables(report, zone))
