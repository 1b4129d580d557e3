"""Rich tables of recipes and work orders: a recipe's versions, the list of work orders, and one work order with
the lots to take, what it consumed and made, and its yield and variance."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, tzinfo
from decimal import Decimal

from rich.table import Table

from lotledger.domain.production import Recipe, WorkOrder, WorkOrderReport
from lotledger.domain.quantities import format_qty
from lotledger.render import _when, render_rows


def _q(value: Decimal | None, unit: str = "") -> str:
    return "" if value is None else f"{format_qty(value)} {unit}".strip()


def _inputs(recipe: Recipe) -> str:
    return ", ".join(f"{i.item} {format_qty(i.qty)} {i.uom}" for i in recipe.inputs)


def recipe_table(title: str, recipes: Sequence[Recipe], zone: tzinfo = UTC) -> Table:
    return render_rows(
        title,
        ("recipe", "version", "active", "for", "inputs", "yield %", "saved"),
        [
            (
                r.item,
                r.version,
                "yes" if r.active else "no",
                _q(r.batch, r.uom),
                _inputs(r),
                format_qty(r.yield_pct),
                f"{_when(r.created_at, zone)} by {r.created_by}",
            )
            for r in recipes
        ],
    )


def work_order_list(listed: Sequence[tuple[WorkOrder, str, Decimal]], zone: tzinfo = UTC) -> Table:
    return render_rows(
        f"Work orders: {len(listed)}",
        ("number", "recipe", "line", "planned", "produced", "status", "created"),
        [
            (
                o.number,
                o.recipe.label,
                o.location,
                _q(o.planned, o.recipe.uom),
                _q(made, o.recipe.uom),
                status,
                _when(o.created_at, zone),
            )
            for o, status, made in listed
        ],
    )


def work_order_tables(report: WorkOrderReport, zone: tzinfo = UTC) -> list[Table]:
    order, v = report.order, report.variance
    uom = order.recipe.uom
    ended = [(order.ended or "", f"{_when(order.ended_at, zone)} by {order.ended_by}: {order.end_reason or ''}")]
    summary = render_rows(
        f"Work order {order.number}: {order.recipe.label}",
        ("what", "value"),
        [
            ("status", report.status),
            ("line", order.location),
            ("planned", _q(order.planned, uom)),
            ("produced", _q(report.produced, uom)),
            ("recipe", f"{_inputs(order.recipe)} for {_q(order.recipe.batch, uom)}"),
            ("expected yield", f"{format_qty(v.expected_yield)} %"),
            ("yield", "" if v.yield_pct is None else f"{format_qty(v.yield_pct)} %"),
            ("created", f"{_when(order.created_at, zone)} by {order.created_by}"),
            *(ended if order.ended else []),
        ],
    )
    variance = render_rows(
        "Yield and variance",
        ("input", "planned", "for output made", "consumed", "variance", "variance %"),
        [
            (
                u.item if u.in_recipe else f"{u.item} (not in recipe)",
                _q(u.planned, u.uom),
                _q(u.expected, u.uom),
                _q(u.consumed, u.uom),
                _q(u.variance, u.uom),
                _q(u.variance_pct, "%"),
            )
            for u in v.inputs
        ]
        + [
            ("output " + order.recipe.item, _q(v.planned, uom), "", _q(v.produced, uom), _q(v.output_variance, uom), "")
        ],
    )
    tables = [summary, variance]
    if report.suggestions:
        rows: list[tuple[object, ...]] = []
        for s in report.suggestions:
            found = s.suggestion
            rows += [(s.item, p.stock.lot, p.stock.location, _q(p.take, s.uom), p.stock.expiry, "take")
                     for p in found.picks]  # fmt: skip
            rows += [(s.item, k.stock.lot, k.stock.location, _q(k.stock.qty, s.uom), k.stock.expiry, f"skip: {k.why}")
                     for k in found.skipped]  # fmt: skip
            if found.short:
                rows.append((s.item, "", "", _q(found.short, s.uom), "", "short: no usable stock"))
        columns = ("input", "lot", "at", "qty", "expiry", "why")
        tables.append(render_rows("Lots to take (first expired, first out)", columns, rows))
    tables.append(
        render_rows(
            "Consumed",
            ("input", "lot", "from", "qty", "time"),
            [(c.item, c.lot, c.location, _q(c.qty, c.uom), _when(c.time, zone)) for c in report.consumed],
        )
    )
    tables.append(
        render_rows(
            "Made",
            ("lot", "qty", "expiry", "time"),
            [(m.lot, _q(m.qty, m.uom), m.expiry, _when(m.time, zone)) for m in report.made],
        )
    )
    return tables
