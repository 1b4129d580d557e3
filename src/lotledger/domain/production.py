"""Recipes (bills of materials) with versions, work orders, and what the ledger says a work order did.

A recipe says what `batch` of its output item (1 unless given) takes: each input's quantity, in any unit that
converts to the input item's unit, with nothing lost. Its expected yield is the share of that the plant gets
(95: 5 % is lost), so a work order for P issues P x per-unit x 100 / yield of each input. Any change is a new
version; old versions stay, and a work order keeps the version it was made with.

A work order's progress is never stored: it is read from the `produce` events that carry its number as their
`reference` and make the recipe's output item (a voided event counts for nothing). Only its end, cancelled or
closed, is kept on the order. Yield and variance (docs: README, "Work orders"):

- planned use of an input for the output made = produced x per-unit x 100 / expected yield;
  its variance = consumed - planned use;
- the output the consumed inputs make at 100 % = the least, over the recipe's inputs, of consumed / per-unit
  (the input that runs out first limits it); actual yield = produced / that x 100; yield variance = actual
  yield - expected yield, in percentage points; output variance = produced - planned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Context, Decimal

from lotledger.domain import fields as f
from lotledger.domain.errors import Conflict, ValidationError
from lotledger.domain.fefo import Suggestion
from lotledger.domain.model import Item
from lotledger.domain.quantities import QUANTUM, parse_decimal, to_base
from lotledger.domain.records import EventRecord

OPEN, IN_PROGRESS, DONE, CANCELLED = "open", "in progress", "done", "cancelled"
STATUSES = (OPEN, IN_PROGRESS, DONE, CANCELLED)
ENDS = ("cancelled", "closed")
MAX_INPUTS = 50
MAX_YIELD = Decimal(1000)  # dough gains water: more than 100 % is possible, ten times is a typing error
PERCENT = Decimal("0.01")
NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")  # no / or : : it sits in paths such as /WO-1:close
_SERIAL = re.compile(r"WO-([0-9]{1,12})")
_ROOM = Context(prec=80)


@dataclass(frozen=True, slots=True)
class RecipeInput:
    item: str
    qty: Decimal  # as written, for the recipe's batch
    uom: str  # as written
    item_uom: str  # the input item's base unit

    @property
    def base_qty(self) -> Decimal:
        return to_base(self.qty, self.uom, self.item_uom)


@dataclass(frozen=True, slots=True)
class Recipe:
    item: str  # the output's sku
    version: int
    uom: str  # the output item's unit
    batch: Decimal  # how much output the inputs are for
    yield_pct: Decimal  # expected
    inputs: tuple[RecipeInput, ...]
    active: bool = True
    note: str | None = None
    created_at: datetime | None = None
    created_by: str | None = None

    def input(self, sku: str) -> RecipeInput | None:
        return next((i for i in self.inputs if i.item == sku), None)

    def issue(self, output: Decimal, line: RecipeInput) -> Decimal:
        """How much of the input `output` of the recipe's item takes at the expected yield (base unit)."""
        return _qty(output * line.base_qty * 100 / (self.batch * self.yield_pct))

    @property
    def label(self) -> str:
        return f"{self.item} v{self.version}"


def parse_recipe(raw: Mapping[str, object], item_of: Callable[[str, str], Item]) -> Recipe:
    """A new recipe version (numbered 0 until stored) from its JSON object; `item_of(sku, field)` finds the
    items it names (and raises NotFound naming the field)."""
    document = dict(raw)
    f.check_keys(document, {"item", "inputs", "yield", "batch", "active", "note"}, "a recipe")
    output = item_of(f.code(document.get("item"), "item"), "item")
    if not output.active:
        raise ValidationError(f"item {output.sku} is deactivated", "item")
    batch = _positive(document.get("batch", 1), "batch")
    yield_pct = _positive(document.get("yield", 100), "yield")
    if yield_pct > MAX_YIELD:
        raise ValidationError(f"a yield of {yield_pct} % is more than {MAX_YIELD} %", "yield")
    lines = document.get("inputs")
    if not isinstance(lines, list) or not lines:
        raise ValidationError("is required: at least one input (item, qty, uom)", "inputs")
    if len(lines) > MAX_INPUTS:
        raise ValidationError(f"{len(lines)} inputs: at most {MAX_INPUTS}", "inputs")
    inputs: list[RecipeInput] = []
    for i, line in enumerate(lines):
        path = f"inputs[{i}]."
        if not isinstance(line, dict):
            raise ValidationError("expected an object with item, qty and uom", path.rstrip("."))
        f.check_keys(line, {"item", "qty", "uom"}, "a recipe input", path)
        sku = f.code(line.get("item"), path + "item")
        item = item_of(sku, path + "item")
        if sku == output.sku:
            raise ValidationError(f"{sku} is the recipe's output; an input must be another item", path + "item")
        if any(known.item == sku for known in inputs):
            raise ValidationError(f"{sku} is listed twice; list each input once", path + "item")
        if not item.active:
            raise ValidationError(f"item {sku} is deactivated", path + "item")
        qty = _positive(line.get("qty"), path + "qty")
        uom = f.required_text(line, "uom", path)
        made = RecipeInput(sku, qty, uom, item.uom)
        try:
            made.base_qty  # noqa: B018 (converts, or refuses the unit or a quantity below a millionth)
        except ValidationError as error:
            raise ValidationError(error.message, path + (error.field or "qty")) from None
        inputs.append(made)
    active = f.flag(document, "active", True)
    note = f.text(document, "note", required=False)
    return Recipe(output.sku, 0, output.uom, batch, yield_pct, tuple(inputs), active, note)


def _positive(value: object, field: str) -> Decimal:
    if value is None or value == "":
        raise ValidationError("is required", field)
    number = parse_decimal(value, field)
    if number <= 0:
        raise ValidationError(f"must be greater than zero, got {value!r}", field)
    return number


def _qty(value: Decimal) -> Decimal:
    """Rounded to the millionth the ledger keeps, written plainly (200, not 2E+2); the context's 28 digits
    would not hold a millionth of 10^24 (10^12 made at 10^12 a unit), so rounding gets room of its own."""
    rounded = value.quantize(QUANTUM, context=_ROOM)
    if rounded == rounded.to_integral_value():
        return rounded.quantize(Decimal(1), context=_ROOM)
    return rounded.normalize(_ROOM)


# --- work orders -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkOrder:
    number: str
    recipe: Recipe  # the version it was made with
    planned: Decimal  # in the output item's unit
    location: str  # the line it runs on
    note: str | None
    created_at: datetime
    created_by: str
    ended: str | None = None  # cancelled or closed: the only status kept on the order
    ended_at: datetime | None = None
    ended_by: str | None = None
    end_reason: str | None = None


def number_of(value: object, field: str = "number") -> str:
    if not isinstance(value, str) or not NUMBER.fullmatch(value):
        raise ValidationError(
            f"expected a work order number of letters, digits and . _ - (at most 32), got {value!r}", field
        )
    return value


def serial_of(number: str) -> int | None:
    """42 for WO-00042: what the next allocated number counts on from."""
    found = _SERIAL.fullmatch(number)
    return int(found.group(1)) if found else None


def allocated_number(serial: int) -> str:
    return f"WO-{serial:05d}"


def planned_output(raw: Mapping[str, object], recipe: Recipe) -> Decimal:
    """The planned quantity in the output item's unit (given in any unit that converts to it)."""
    planned = _positive(raw.get("planned"), "planned")
    uom = raw.get("uom") or recipe.uom
    if not isinstance(uom, str):
        raise ValidationError(f"expected a unit, got {uom!r}", "uom")
    try:
        return to_base(planned, uom, recipe.uom)
    except ValidationError as error:
        raise ValidationError(error.message, "planned" if error.field == "qty" else error.field) from None


def status(planned: Decimal, produced: Decimal, ended: str | None) -> str:
    """open (nothing made), in progress, done (the plan reached, or closed short), cancelled."""
    if ended == "cancelled":
        return CANCELLED
    if ended == "closed" or produced >= planned:
        return DONE
    return IN_PROGRESS if produced > 0 else OPEN


def check_can_produce(order: WorkOrder) -> None:
    if order.ended is not None:
        raise Conflict(f"work order {order.number} is {order.ended}: nothing more is produced on it", "number")


def check_can_end(order: WorkOrder, end: str, produced: Decimal) -> None:
    """A work order ends once; one with production is closed, not cancelled (void the production first)."""
    if order.ended is not None:
        raise Conflict(f"work order {order.number} is {order.ended} already", "number")
    if end == "cancelled" and produced > 0:
        raise Conflict(
            f"work order {order.number} has produced {produced} {order.recipe.uom}: close it, or void its "
            "production first",
            "number",
        )
    if end == "closed" and produced <= 0:
        raise Conflict(f"work order {order.number} has produced nothing: cancel it instead", "number")


# --- what the ledger says it did ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Consumed:
    item: str
    lot: str
    location: str
    container: str
    qty: Decimal  # in the item's base unit
    uom: str
    event_id: str
    time: datetime


@dataclass(frozen=True, slots=True)
class Made:
    lot: str
    qty: Decimal
    uom: str
    event_id: str
    time: datetime
    expiry: date | None = None  # the lot's, as the ledger set it (the item's shelf life from the day made)


def production(
    events: Iterable[EventRecord], recipe: Recipe, uom_of: Callable[[str], str]
) -> tuple[list[Consumed], list[Made]]:
    """The inputs consumed and the output made by the work order's events: `produce` events with its
    reference that make the recipe's item and are not voided. `uom_of(sku)` is an item's base unit."""
    consumed, made = [], []
    for event in events:
        outputs = event.document.get("outputs", [])
        if event.type != "produce" or event.voided_by or not any(o["item"] == recipe.item for o in outputs):
            continue
        for line in event.document.get("inputs", []):
            uom = uom_of(line["item"])
            qty = to_base(Decimal(line["qty"]), line["uom"], uom)
            where = line.get("location") or event.location
            consumed.append(
                Consumed(line["item"], line["lot"], where, line.get("container") or "", qty, uom, event.id, event.time)
            )
        for line in outputs:
            if line["item"] == recipe.item:
                qty = to_base(Decimal(line["qty"]), line["uom"], recipe.uom)
                made.append(Made(line["lot"], qty, recipe.uom, event.id, event.time))
    return consumed, made


@dataclass(frozen=True, slots=True)
class InputUse:
    item: str
    uom: str
    per_unit: Decimal  # for one unit of output, nothing lost
    planned: Decimal  # for the work order's planned output, at the expected yield
    expected: Decimal  # for the output made, at the expected yield
    consumed: Decimal
    variance: Decimal  # consumed - expected: more used than planned is positive
    variance_pct: Decimal | None  # of expected
    in_recipe: bool = True


@dataclass(frozen=True, slots=True)
class Variance:
    uom: str
    planned: Decimal
    produced: Decimal
    output_variance: Decimal  # produced - planned
    from_inputs: Decimal | None  # the output the consumed inputs make at 100 % (None: nothing consumed)
    yield_pct: Decimal | None  # produced / from_inputs
    expected_yield: Decimal
    yield_variance: Decimal | None  # percentage points
    inputs: tuple[InputUse, ...]


def variance(recipe: Recipe, planned: Decimal, consumed: list[Consumed], made: list[Made]) -> Variance:
    """Planned against actual, per input and for the output; inputs not in the recipe are listed too."""
    produced = sum((m.qty for m in made), Decimal(0))
    used: dict[str, Decimal] = {}
    uoms: dict[str, str] = {}
    for c in consumed:
        used[c.item] = used.get(c.item, Decimal(0)) + c.qty
        uoms[c.item] = c.uom
    lines = []
    for line in recipe.inputs:
        expected = recipe.issue(produced, line)
        actual = used.pop(line.item, Decimal(0))
        lines.append(
            InputUse(
                line.item,
                line.item_uom,
                _qty(line.base_qty / recipe.batch),
                recipe.issue(planned, line),
                expected,
                actual,
                actual - expected,
                _percent((actual - expected) * 100 / expected) if expected else None,
            )
        )
    for sku, actual in sorted(used.items()):  # not in the recipe: all of it is variance
        zero = Decimal(0)
        lines.append(InputUse(sku, uoms[sku], zero, zero, zero, actual, actual, None, in_recipe=False))
    supports = [used_of(lines, i.item) * recipe.batch / i.base_qty for i in recipe.inputs]
    from_inputs = _qty(min(supports)) if supports and min(supports) > 0 else None
    actual_yield = _percent(produced * 100 / from_inputs) if from_inputs else None
    return Variance(
        recipe.uom,
        planned,
        produced,
        produced - planned,
        from_inputs,
        actual_yield,
        recipe.yield_pct,
        None if actual_yield is None else actual_yield - recipe.yield_pct,
        tuple(lines),
    )


def output_from(recipe: Recipe, used: Mapping[str, Decimal]) -> Decimal:
    """What `used` (each input's quantity in its item's unit) makes at the recipe's expected yield: the input
    in shortest supply decides, and a recipe input not used at all makes nothing."""
    supports = [used.get(i.item, Decimal(0)) * recipe.batch / i.base_qty for i in recipe.inputs]
    return _qty(min(supports) * recipe.yield_pct / 100) if supports else Decimal(0)


def used_of(lines: list[InputUse], sku: str) -> Decimal:
    return next((u.consumed for u in lines if u.item == sku), Decimal(0))


def _percent(value: Decimal) -> Decimal:
    return _qty(value.quantize(PERCENT, context=_ROOM))


def still_to_issue(recipe: Recipe, planned: Decimal, consumed: list[Consumed]) -> dict[str, Decimal]:
    """Per input, what the planned output still takes beyond what was consumed (never below zero)."""
    left = {}
    for line in recipe.inputs:
        used = sum((c.qty for c in consumed if c.item == line.item), Decimal(0))
        left[line.item] = max(recipe.issue(planned, line) - used, Decimal(0))
    return left


@dataclass(frozen=True, slots=True)
class InputSuggestion:
    """The lots to take what an input still needs from, first expired first out."""

    item: str
    uom: str
    suggestion: Suggestion


@dataclass(frozen=True, slots=True)
class WorkOrderReport:
    """A work order as the ledger stands now: its status, what it consumed and made, and against plan."""

    order: WorkOrder
    status: str
    produced: Decimal
    consumed: list[Consumed]
    made: list[Made]
    variance: Variance
    suggestions: list[InputSuggestion]  # none once it is done or ended
