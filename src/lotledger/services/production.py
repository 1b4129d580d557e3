"""Recipes and work orders: versions of a bill of materials, orders that run one on a line, the lots to take
first expired first out, production recorded as `produce` events with the order's number as reference, and
yield and variance against plan, all read back from the ledger."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any, Protocol

from lotledger.domain import fefo
from lotledger.domain import fields as f
from lotledger.domain import production as p
from lotledger.domain.accounts import Caller
from lotledger.domain.errors import NotFound, ValidationError
from lotledger.domain.events import parse_event
from lotledger.domain.lot_codes import next_lot_code
from lotledger.domain.model import Item, Location, LotKey
from lotledger.domain.quantities import parse_decimal, to_base
from lotledger.domain.records import EventFilter, EventRecord
from lotledger.ports import ProductionStore
from lotledger.services.master_data import MasterData
from lotledger.services.queries import Queries
from lotledger.services.recording import Recording

PAGE = 1000
LIST_LIMIT = 200  # work orders a list answers at most; `before` pages on
RECIPES_LIMIT = 1000


class _Clock(Protocol):
    def __call__(self) -> datetime: ...


class Production:
    def __init__(
        self,
        store: ProductionStore,
        queries: Queries,
        master_data: MasterData,
        recording: Recording,
        zone: tzinfo,
        lot_pattern: str,
        clock: _Clock = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.queries = queries
        self.master_data = master_data
        self.recording = recording
        self.zone = zone
        self.lot_pattern = lot_pattern
        self.clock = clock
        self._coding = threading.Lock()  # two productions here never pick the same new lot code

    # --- recipes ---------------------------------------------------------------------------

    def add_recipe(self, raw: Mapping[str, Any], who: Caller) -> p.Recipe:
        """A recipe's next version (quality: a recipe is a specification)."""
        who.user.require("quality", "saving a recipe")
        return self.store.add_recipe(p.parse_recipe(raw, self._item), who.attribution.recorded_by)

    def recipes(self) -> list[p.Recipe]:
        """The latest version of every recipe."""
        return self.store.recipes(RECIPES_LIMIT)

    def versions(self, sku: str) -> list[p.Recipe]:
        return self.store.versions(f.code(sku, "recipe"))

    # --- work orders -----------------------------------------------------------------------

    def create(self, raw: Mapping[str, Any], who: Caller) -> p.WorkOrderReport:
        """A work order on the recipe's latest version (or `version`), for `planned` of its output at `location`."""
        who.user.require("operator", "creating a work order")
        document = dict(raw)
        f.check_keys(document, {"recipe", "version", "planned", "uom", "location", "number", "note"}, "a work order")
        sku = f.code(document.get("recipe"), "recipe")
        version = document.get("version")
        if version is not None and (
            isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 1_000_000
        ):
            raise ValidationError(f"expected a version number (1, 2 ...), got {version!r}", "version")
        recipe = self.store.recipe(sku, version)
        if not recipe.active:
            raise ValidationError(f"recipe {recipe.label} is not active; use an active version", "version")
        planned = p.planned_output(document, recipe)
        location = self.master_data.one(Location, f.code(document.get("location"), "location"))
        if not isinstance(location, Location) or not location.active:
            raise ValidationError(f"location {document.get('location')} is deactivated", "location")
        number = document.get("number")
        given = None if number in (None, "") else p.number_of(number)
        note = f.text(document, "note", required=False)
        order = self.store.add_work_order(
            given, recipe, planned, location.code, note, who.attribution.recorded_by, self._reference_in_use
        )
        return self.report(order.number)

    def work_orders(self, limit: int = 50, before: str | None = None) -> list[tuple[p.WorkOrder, str, Decimal]]:
        """The newest work orders (before `before`: the next page), each with its status and output so far."""
        if not 1 <= limit <= LIST_LIMIT:
            raise ValidationError(f"expected a limit from 1 to {LIST_LIMIT}, got {limit}", "limit")
        listed = []
        for order in self.store.work_orders(limit, None if before is None else p.number_of(before, "before")):
            _, made = self._production(order)
            produced = sum((m.qty for m in made), Decimal(0))
            listed.append((order, p.status(order.planned, produced, order.ended), produced))
        return listed

    def report(self, number: str) -> p.WorkOrderReport:
        """The work order as the ledger stands now, with the lots to take next."""
        order = self.store.work_order(p.number_of(number))
        consumed, made = self._production(order)
        made = [replace(m, expiry=self.queries.lot(LotKey(order.recipe.item, m.lot)).expiry) for m in made]
        produced = sum((m.qty for m in made), Decimal(0))
        state = p.status(order.planned, produced, order.ended)
        suggestions = []
        if state in (p.OPEN, p.IN_PROGRESS):
            today = self.clock().astimezone(self.zone).date()
            for item, needed in p.still_to_issue(order.recipe, order.planned, consumed).items():
                if needed > 0:
                    line = order.recipe.input(item)
                    assert line is not None
                    picked = fefo.suggest(self._stock(item), needed, order.location, today)
                    suggestions.append(p.InputSuggestion(item, line.item_uom, picked))
        return p.WorkOrderReport(
            order, state, produced, consumed, made, p.variance(order.recipe, order.planned, consumed, made), suggestions
        )

    def produce(self, number: str, raw: Mapping[str, Any], who: Caller) -> tuple[str, p.WorkOrderReport]:
        """Record a `produce` event for the work order: the lots consumed, and its output (by default one new
        lot, coded by the lot pattern, of what these inputs make at the expected yield). Answers the event id
        and the report."""
        document = dict(raw)
        f.check_keys(document, {"inputs", "outputs", "time", "note", "actor"}, "a production")
        order = self.store.work_order(p.number_of(number))
        p.check_can_produce(order)
        when = f.moment(document["time"]) if document.get("time") else self.clock().astimezone(self.zone)
        inputs = [self._input(order, line, i) for i, line in enumerate(_lines(document, "inputs", required=True))]
        with self._coding:
            outputs = self._outputs(order, document, when.date(), inputs)
            event = {
                "id": str(uuid.uuid4()),
                "type": "produce",
                "time": when.isoformat(),
                "location": order.location,
                "reference": order.number,
                "inputs": inputs,
                "outputs": outputs,
            }
            for name in ("note", "actor"):
                if document.get(name) is not None:
                    event[name] = document[name]
            recorded = self.recording.record(parse_event(event), who)
        return recorded.id, self.report(order.number)

    def cancel(self, number: str, raw: Mapping[str, Any], who: Caller) -> p.WorkOrderReport:
        """Cancel a work order that produced nothing, saying why."""
        return self._end(number, "cancelled", raw, who, required=True)

    def close(self, number: str, raw: Mapping[str, Any], who: Caller) -> p.WorkOrderReport:
        """Close a work order short: done with what it made."""
        return self._end(number, "closed", raw, who, required=False)

    def _end(self, number: str, end: str, raw: Mapping[str, Any], who: Caller, *, required: bool) -> p.WorkOrderReport:
        verb = "cancelling" if end == "cancelled" else "closing"
        who.user.require("operator", f"{verb} a work order")
        document = dict(raw)
        key = "reason" if required else "note"
        f.check_keys(document, {key}, f"{verb} a work order")
        reason = f.text(document, key, required=required)

        def check(order: p.WorkOrder) -> None:
            _, made = self._production(order)
            p.check_can_end(order, end, sum((m.qty for m in made), Decimal(0)))

        self.store.end(p.number_of(number), end, reason, who.attribution.recorded_by, check)
        return self.report(number)

    # --- reads -----------------------------------------------------------------------------

    def _production(self, order: p.WorkOrder) -> tuple[list[p.Consumed], list[p.Made]]:
        return p.production(self._events(order.number), order.recipe, self._uom)

    def _events(self, reference: str) -> Iterator[EventRecord]:
        cursor = None
        while True:
            page = self.queries.events(EventFilter(type="produce", reference=reference), cursor, PAGE)
            yield from page.events
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def _reference_in_use(self, number: str) -> bool:
        return bool(self.queries.events(EventFilter(reference=number), None, 1).events)

    def _stock(self, sku: str) -> list[fefo.StockLot]:
        return fefo_stock(self.queries, sku)

    def _item(self, sku: str, field: str) -> Item:
        try:
            item = self.master_data.one(Item, sku)
        except NotFound:
            raise NotFound(f"unknown item {sku}", field) from None
        assert isinstance(item, Item)
        return item

    def _uom(self, sku: str) -> str:
        return self._item(sku, "item").uom

    def _lot_exists(self, sku: str, code: str) -> bool:
        try:
            self.queries.lot(LotKey(sku, code))
        except NotFound:
            return False
        return True

    # --- what a production records ------------------------------------------------------------

    def _input(self, order: p.WorkOrder, line: dict[str, Any], i: int) -> dict[str, Any]:
        """An input line of the event: a recipe input's lot, from where it is (the line, or the one place
        that holds enough of it) unless the line says where."""
        path = f"inputs[{i}]."
        f.check_keys(line, {"item", "lot", "qty", "uom", "location", "container"}, "a production input", path)
        sku = f.code(line.get("item"), path + "item")
        known = order.recipe.input(sku)
        if known is None:
            names = ", ".join(i.item for i in order.recipe.inputs)
            raise ValidationError(f"{sku} is not an input of recipe {order.recipe.label} ({names})", path + "item")
        lot = f.lot_code(line.get("lot"), path + "lot")
        uom = line.get("uom") or known.item_uom
        if not isinstance(uom, str):
            raise ValidationError(f"expected a unit such as {known.item_uom}, got {uom!r}", path + "uom")
        result = {"item": sku, "lot": lot, "qty": line.get("qty"), "uom": uom}
        if line.get("container"):
            result["container"] = line["container"]
        where = line.get("location") or self._where(order, sku, lot, line, path)
        if where != order.location:
            result["location"] = where
        return result

    def _where(self, order: p.WorkOrder, sku: str, lot: str, line: dict[str, Any], path: str) -> str:
        qty = parse_decimal(line.get("qty"), path + "qty")
        try:
            needed = to_base(qty, line.get("uom") or self._uom(sku), self._uom(sku))
        except ValidationError as error:
            raise ValidationError(error.message, path + (error.field or "qty")) from None
        container = line.get("container") or ""
        places = [s for s in self.queries.balances(sku=sku, lot=lot) if s.container == container and s.qty > 0]
        if not places:
            return order.location  # the ledger refuses it, naming the lot or the quantity
        if any(s.location == order.location and s.qty >= needed for s in places):
            return order.location
        enough = [s.location for s in places if s.qty >= needed]
        if len(enough) == 1 or len(places) == 1:
            return enough[0] if enough else places[0].location
        where = ", ".join(sorted({s.location for s in places}))
        raise ValidationError(f"lot {sku}/{lot} is at {where}: say which location it is taken from", path + "location")

    def _outputs(
        self, order: p.WorkOrder, document: dict[str, Any], day: date, inputs: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        recipe = order.recipe
        lines = _lines(document, "outputs", required=False)
        if not lines:  # what these inputs make: never more than was consumed for (a phantom lot otherwise)
            used: dict[str, Decimal] = {}
            for i, line in enumerate(inputs):
                qty = parse_decimal(line["qty"], f"inputs[{i}].qty")
                base = to_base(qty, line["uom"], self._uom(line["item"]))
                used[line["item"]] = used.get(line["item"], Decimal(0)) + base
            made = p.output_from(recipe, used)
            if made <= 0:
                names = ", ".join(i.item for i in recipe.inputs)
                raise ValidationError(
                    f"these inputs make no {recipe.item} by recipe {recipe.label} ({names}): "
                    "say how much was made (outputs[0].qty)",
                    "outputs",
                )
            lines = [{"qty": str(made)}]
        chosen: list[str] = []
        outputs = []
        for i, line in enumerate(lines):
            path = f"outputs[{i}]."
            f.check_keys(line, {"item", "lot", "qty", "uom", "expiry"}, "a production output", path)
            if line.get("item", recipe.item) != recipe.item:
                raise ValidationError(f"work order {order.number} makes {recipe.item}", path + "item")
            code = line.get("lot") or next_lot_code(
                self.lot_pattern,
                recipe.item,
                day,
                lambda c: c in chosen or self._lot_exists(recipe.item, c),
                path + "lot",
            )
            chosen.append(code)
            output = {"item": recipe.item, "lot": code, "qty": line.get("qty"), "uom": line.get("uom") or recipe.uom}
            if line.get("expiry"):
                output["expiry"] = line["expiry"]
            outputs.append(output)
        return outputs


def fefo_stock(queries: Queries, sku: str, lot: str | None = None) -> list[fefo.StockLot]:
    """The item's stock (of one lot) by lot and place, with each lot's expiry and whether it is held."""
    infos: dict[str, tuple[date | None, bool]] = {}
    stock = []
    for line in queries.balances(sku=sku, lot=lot):
        if line.lot.code not in infos:
            info = queries.lot(line.lot)
            infos[line.lot.code] = (info.expiry, bool(info.holds))
        expiry, held = infos[line.lot.code]
        stock.append(fefo.StockLot(line.lot.code, line.location, line.container, line.qty, expiry, held))
    return stock


def _lines(document: dict[str, Any], key: str, *, required: bool) -> list[dict[str, Any]]:
    lines = document.get(key)
    if lines is None and not required:
        return []
    if not isinstance(lines, list) or (required and not lines):
        raise ValidationError("is required: a list of lot lines", key)
    for i, line in enumerate(lines):
        if not isinstance(line, dict):
            raise ValidationError("expected an object", f"{key}[{i}]")
    return lines
