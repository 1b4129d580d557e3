"""Recipes and work orders in the ledger's database: recipe versions, work orders, and how an order ended.

What a work order produced is not here: the ledger's events carry its number (storage/reader, catalog)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from lotledger.domain.errors import AlreadyExists, Conflict, NotFound
from lotledger.domain.production import Recipe, RecipeInput, WorkOrder, allocated_number, serial_of
from lotledger.storage import schema as t
from lotledger.storage.engine import reading

ALLOCATION_TRIES = 1000  # numbers a reference already uses are skipped: the demo's events carry WO-00001 ...


class SqlProduction:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.clock = clock

    # --- recipes -------------------------------------------------------------------------

    def add_recipe(self, recipe: Recipe, by: str) -> Recipe:
        """Store `recipe` as its item's next version (two at once: one is refused, never both numbered alike)."""
        try:
            with self.engine.begin() as conn:
                item_id = self._item_id(conn, recipe.item, "item")
                last = conn.execute(
                    select(func.max(t.recipes.c.version)).where(t.recipes.c.item_id == item_id)
                ).scalar()
                version = int(last or 0) + 1
                recipe_id: int = conn.execute(
                    insert(t.recipes).values(
                        item_id=item_id,
                        version=version,
                        batch=str(recipe.batch),
                        yield_pct=str(recipe.yield_pct),
                        active=recipe.active,
                        note=recipe.note,
                        created_at=self.clock(),
                        created_by=by,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
                conn.execute(
                    insert(t.recipe_inputs),
                    [
                        {
                            "recipe_id": recipe_id,
                            "position": i,
                            "item_id": self._item_id(conn, line.item, f"inputs[{i}].item"),
                            "qty": str(line.qty),
                            "uom": line.uom,
                        }
                        for i, line in enumerate(recipe.inputs)
                    ],
                )
        except IntegrityError:
            saved = f"another version of {recipe.item} was saved at the same moment; try again"
            raise Conflict(saved, "item") from None
        return self.recipe(recipe.item, version)

    def recipe(self, sku: str, version: int | None = None) -> Recipe:
        """A recipe's `version`, or its latest."""
        query = self._recipe_query().where(t.items.c.sku == sku).order_by(t.recipes.c.version.desc()).limit(1)
        if version is not None:
            query = query.where(t.recipes.c.version == version)
        with reading(self.engine) as conn:
            found = self._recipes(conn, list(conn.execute(query)))
        if not found:
            which = f"version {version} of " if version is not None else ""
            raise NotFound(f"no {which}recipe for {sku}", "version" if version is not None else "recipe")
        return found[0]

    def versions(self, sku: str) -> list[Recipe]:
        """Every version of `sku`'s recipe, newest first."""
        query = self._recipe_query().where(t.items.c.sku == sku).order_by(t.recipes.c.version.desc())
        with reading(self.engine) as conn:
            found = self._recipes(conn, list(conn.execute(query)))
        if not found:
            raise NotFound(f"no recipe for {sku}", "recipe")
        return found

    def recipes(self, limit: int) -> list[Recipe]:
        """The latest version of each recipe, by output sku."""
        r = t.recipes.c
        latest = select(r.item_id, func.max(r.version).label("version")).group_by(r.item_id).subquery()
        query = (
            self._recipe_query()
            .join(latest, (latest.c.item_id == r.item_id) & (latest.c.version == r.version))
            .order_by(t.items.c.sku)
            .limit(limit)
        )
        with reading(self.engine) as conn:
            return self._recipes(conn, list(conn.execute(query)))

    def _recipe_query(self) -> Any:
        r = t.recipes.c
        return select(r.id, t.items.c.sku, t.items.c.uom, r.version, r.batch, r.yield_pct, r.active, r.note,
                      r.created_at, r.created_by).select_from(t.recipes.join(t.items))  # fmt: skip

    def _recipes(self, conn: Connection, rows: Sequence[Row[Any]]) -> list[Recipe]:
        ids = [row.id for row in rows]
        inputs: dict[int, list[RecipeInput]] = {i: [] for i in ids}
        if ids:
            i = t.recipe_inputs.c
            for line in conn.execute(
                select(i.recipe_id, t.items.c.sku, i.qty, i.uom, t.items.c.uom.label("item_uom"))
                .select_from(t.recipe_inputs.join(t.items))
                .where(i.recipe_id.in_(ids))
                .order_by(i.recipe_id, i.position)
            ):
                inputs[line.recipe_id].append(RecipeInput(line.sku, Decimal(line.qty), line.uom, line.item_uom))
        return [
            Recipe(
                row.sku,
                row.version,
                row.uom,
                Decimal(row.batch),
                Decimal(row.yield_pct),
                tuple(inputs[row.id]),
                row.active,
                row.note,
                row.created_at,
                row.created_by,
            )
            for row in rows
        ]

    # --- work orders ---------------------------------------------------------------------

    def add_work_order(
        self,
        number: str | None,
        recipe: Recipe,
        planned: Decimal,
        location: str,
        note: str | None,
        by: str,
        in_use: Callable[[str], bool],
    ) -> WorkOrder:
        """A new work order: `number`, or the next WO-nnnnn no order has and no event's reference names."""
        try:
            with self.engine.begin() as conn:
                recipe_id: int = conn.execute(
                    select(t.recipes.c.id)
                    .select_from(t.recipes.join(t.items))
                    .where(t.items.c.sku == recipe.item, t.recipes.c.version == recipe.version)
                ).scalar_one()
                where: int = conn.execute(select(t.locations.c.id).where(t.locations.c.code == location)).scalar_one()
                number = number or self._free_number(conn, in_use)
                conn.execute(
                    insert(t.work_orders).values(
                        number=number,
                        serial=serial_of(number),
                        recipe_id=recipe_id,
                        planned=str(planned),
                        location_id=where,
                        note=note,
                        created_at=self.clock(),
                        created_by=by,
                    )
                )
        except IntegrityError:  # the unique number: given twice, or allocated by two at once
            raise AlreadyExists(f"work order {number} exists already", "number") from None
        return self.work_order(number)

    def _free_number(self, conn: Connection, in_use: Callable[[str], bool]) -> str:
        serial = int(conn.execute(select(func.max(t.work_orders.c.serial))).scalar() or 0)
        for _ in range(ALLOCATION_TRIES):
            serial += 1
            number = allocated_number(serial)
            if not in_use(number):
                return number
        raise Conflict(f"the next {ALLOCATION_TRIES} work order numbers are all references already; give one", "number")

    def work_order(self, number: str) -> WorkOrder:
        with reading(self.engine) as conn:
            found = self._orders(conn, self._order_query().where(t.work_orders.c.number == number))
        if not found:
            raise NotFound(f"no work order {number}", "number")
        return found[0]

    def work_orders(self, limit: int, before: str | None = None) -> list[WorkOrder]:
        """The newest `limit` work orders (made before work order `before`: the next page)."""
        w = t.work_orders.c
        query = self._order_query().order_by(w.id.desc()).limit(limit)
        with reading(self.engine) as conn:
            if before is not None:
                query = query.where(w.id < select(w.id).where(w.number == before).scalar_subquery())
            return self._orders(conn, query)

    def end(self, number: str, end: str, reason: str | None, by: str, check: Callable[[WorkOrder], None]) -> WorkOrder:
        """Cancel or close, if `check` passes on the order as it stands (two ends at once: one wins)."""
        w = t.work_orders.c
        with self.engine.begin() as conn:
            lock = select(w.id).where(w.number == number)
            if conn.dialect.name == "postgresql":
                lock = lock.with_for_update()
            if conn.execute(lock).first() is None:
                raise NotFound(f"no work order {number}", "number")
            check(self._orders(conn, self._order_query().where(w.number == number))[0])
            conn.execute(
                update(t.work_orders)
                .where(w.number == number, w.ended.is_(None))
                .values(ended=end, ended_at=self.clock(), ended_by=by, end_reason=reason)
            )
        return self.work_order(number)

    def _order_query(self) -> Any:
        w = t.work_orders.c
        return select(w.number, w.recipe_id, w.planned, t.locations.c.code.label("location"), w.note, w.created_at,
                      w.created_by, w.ended, w.ended_at, w.ended_by, w.end_reason).select_from(
            t.work_orders.join(t.locations))  # fmt: skip

    def _orders(self, conn: Connection, query: Any) -> list[WorkOrder]:
        rows = list(conn.execute(query))
        wanted = sorted({row.recipe_id for row in rows})
        recipes = {}
        if wanted:
            found = list(conn.execute(self._recipe_query().where(t.recipes.c.id.in_(wanted))))
            recipes = {row.id: recipe for row, recipe in zip(found, self._recipes(conn, found), strict=True)}
        return [
            WorkOrder(
                row.number,
                recipes[row.recipe_id],
                Decimal(row.planned),
                row.location,
                row.note,
                row.created_at,
                row.created_by,
                row.ended,
                row.ended_at,
                row.ended_by,
                row.end_reason,
            )
            for row in rows
        ]

    def _item_id(self, conn: Connection, sku: str, field: str) -> int:
        found = conn.execute(select(t.items.c.id).where(t.items.c.sku == sku)).scalar()
        if found is None:
            raise NotFound(f"unknown item {sku}", field)
        return int(found)
