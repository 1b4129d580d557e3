"""The OpenAPI description of recipe and work order bodies: what saves a recipe version, opens a work order and
records its production, and the work order's report (status, lots to take, consumption, output, variance)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field

from lotledger.api.schemas import Code, LotCode, Quantity, Reason, Sscc, Uom, no_extra
from lotledger.api.schemas_out import Qty
from lotledger.domain.production import STATUSES

Number = Annotated[
    str,
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$", description="A work order number such as WO-00042"),
]
Percent = Annotated[Qty, Field(description="Percent, e.g. 95")]
Note = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]

# --- requests ------------------------------------------------------------------------------


class RecipeInputLine(BaseModel):
    model_config = no_extra()
    item: Code
    qty: Quantity = Field(description="For the recipe's batch of output, nothing lost")
    uom: Uom


class NewRecipe(BaseModel):
    """The next version of the output item's recipe (the first if it has none)."""

    model_config = no_extra(
        {
            "item": "DOUGH",
            "batch": "206",
            "yield": "100",
            "inputs": [
                {"item": "FLOUR", "qty": "200", "uom": "kg"},
                {"item": "YEAST", "qty": "2", "uom": "kg"},
                {"item": "SALT", "qty": "4", "uom": "kg"},
            ],
        }
    )
    item: Code = Field(description="The output item")
    inputs: list[RecipeInputLine] = Field(min_length=1, max_length=50)
    batch: Quantity = Field("1", description="How much output (in the item's unit) the inputs are for")
    yield_: Quantity = Field("100", alias="yield", description="Expected yield, percent of the output at 100 %")
    active: bool = Field(True, description="false: the version may not be used by new work orders")
    note: Note | None = None


class NewWorkOrder(BaseModel):
    model_config = no_extra({"recipe": "DOUGH", "planned": "412", "location": "MIX"})
    recipe: Code = Field(description="The recipe's output item")
    version: int | None = Field(None, ge=1, description="The recipe version (default: the latest)")
    planned: Quantity = Field(description="Planned output")
    uom: Uom | None = Field(None, description="The unit of planned (default: the output item's)")
    location: Code = Field(description="The line it runs on")
    number: Number | None = Field(None, description="Default: the next free WO-nnnnn")
    note: Note | None = None


class ProductionInput(BaseModel):
    model_config = no_extra()
    item: Code
    lot: LotCode
    qty: Quantity
    uom: Uom | None = Field(None, description="Default: the item's unit")
    location: Code | None = Field(None, description="Default: the line, or the one place that holds enough")
    container: Sscc | None = None


class ProductionOutput(BaseModel):
    model_config = no_extra()
    qty: Quantity
    lot: LotCode | None = Field(None, description="Default: the next code of LOTLEDGER_LOT_PATTERN")
    uom: Uom | None = None
    expiry: date | None = Field(None, description="Default: the day made plus the item's shelf life")


class Production(BaseModel):
    """What was consumed, by lot (two lots of one input are two lines), and what was made."""

    model_config = no_extra(
        {
            "inputs": [
                {"item": "FLOUR", "lot": "F-00041", "qty": "150", "uom": "kg"},
                {"item": "FLOUR", "lot": "F-00045", "qty": "50", "uom": "kg"},
            ],
            "outputs": [{"qty": "206"}],
        }
    )
    inputs: list[ProductionInput] = Field(min_length=1, max_length=100)
    outputs: list[ProductionOutput] | None = Field(
        None, max_length=100, description="Default: one new lot of what the inputs make at the expected yield"
    )
    time: AwareDatetime | None = Field(None, description="Default: now")
    note: Note | None = None
    actor: Annotated[str, Field(min_length=1, max_length=64, pattern=r"\S")] | None = None


class WorkOrderCancel(BaseModel):
    model_config = no_extra({"reason": "Order withdrawn"})
    reason: Reason


class WorkOrderClose(BaseModel):
    model_config = no_extra({"note": "Flour ran out: closed short"})
    note: Note | None = None


REQUESTS: tuple[type[BaseModel], ...] = (NewRecipe, NewWorkOrder, Production, WorkOrderCancel, WorkOrderClose)

# --- answers ---------------------------------------------------------------------------------


class RecipeInputShown(BaseModel):
    item: Code
    qty: Qty
    uom: str
    item_uom: str


class Recipe(BaseModel):
    item: Code
    version: int
    uom: str
    batch: Qty
    yield_pct: Percent
    inputs: list[RecipeInputShown]
    active: bool
    note: str | None
    created_at: AwareDatetime | None
    created_by: str | None


class RecipeList(BaseModel):
    recipes: list[Recipe] = Field(description="The latest version of each recipe")


class RecipeVersions(BaseModel):
    item: Code
    versions: list[Recipe] = Field(description="Newest first")


class WorkOrder(BaseModel):
    number: Number
    recipe: Recipe
    planned: Qty
    location: Code
    note: str | None
    created_at: AwareDatetime
    created_by: str
    ended: Literal["cancelled", "closed"] | None
    ended_at: AwareDatetime | None
    ended_by: str | None
    end_reason: str | None


class StockLot(BaseModel):
    lot: LotCode
    location: Code
    container: str
    qty: Qty
    expiry: date | None
    held: bool


class LotPick(BaseModel):
    stock: StockLot
    take: Qty


class LotSkipped(BaseModel):
    stock: StockLot
    why: Literal["held", "expired", "too short a shelf life"]


class LotSuggestion(BaseModel):
    needed: Qty
    picks: list[LotPick]
    skipped: list[LotSkipped]
    short: Qty = Field(description="What usable stock does not cover")


class InputSuggestion(BaseModel):
    item: Code
    uom: str
    suggestion: LotSuggestion


class Consumption(BaseModel):
    item: Code
    lot: LotCode
    location: Code
    container: str
    qty: Qty
    uom: str
    event_id: str
    time: AwareDatetime


class OutputLot(BaseModel):
    lot: LotCode
    qty: Qty
    uom: str
    event_id: str
    time: AwareDatetime
    expiry: date | None
    label: str = Field(description="The lot's GS1-128 label (PDF)")


class InputUse(BaseModel):
    item: Code
    uom: str
    per_unit: Qty
    planned: Qty = Field(description="For the planned output, at the expected yield")
    expected: Qty = Field(description="For the output made, at the expected yield")
    consumed: Qty
    variance: Qty = Field(description="consumed - expected")
    variance_pct: Qty | None
    in_recipe: bool


class YieldVariance(BaseModel):
    uom: str
    planned: Qty
    produced: Qty
    output_variance: Qty = Field(description="produced - planned")
    from_inputs: Qty | None = Field(description="The output the consumed inputs make at 100 %")
    yield_pct: Percent | None = Field(description="produced / from_inputs")
    expected_yield: Percent
    yield_variance: Qty | None = Field(description="Percentage points")
    inputs: list[InputUse]


class WorkOrderReport(BaseModel):
    """A work order as the ledger stands now."""

    order: WorkOrder
    status: str = Field(json_schema_extra={"enum": list(STATUSES)})
    produced: Qty
    consumed: list[Consumption]
    made: list[OutputLot]
    variance: YieldVariance
    suggestions: list[InputSuggestion] = Field(description="Lots to take, first expired first out")


class WorkOrderListed(BaseModel):
    order: WorkOrder
    status: str = Field(json_schema_extra={"enum": list(STATUSES)})
    produced: Qty


class WorkOrderList(BaseModel):
    work_orders: list[WorkOrderListed]
    next_before: Number | None = Field(description="Pass as `before` for the next page")


class ProductionRecorded(BaseModel):
    event_id: str
    work_order: WorkOrderReport


RESPONSES: tuple[type[BaseModel], ...] = (RecipeList, RecipeVersions, Recipe, WorkOrderReport, WorkOrderList,
                                          ProductionRecorded)  # fmt: skip
