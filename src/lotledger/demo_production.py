"""The demo bakery's recipes and work orders, made through the services after `lotledger demo` imports the plant.

The plant's `produce` events carry references WO-00001 ... (one per cycle: dough at MIX, bread at OVEN, wrapped
bread at WRAP). The recipes match the demo's quantities; the last three cycles' numbers become finished work
orders (dough, bread, wrapped bread: a work order counts the events that make its recipe's item), and one more
dough work order is open, its lots suggested first expired first out."""

from __future__ import annotations

from typing import Any

from lotledger.bootstrap import App
from lotledger.domain.accounts import Caller

RECIPES: list[dict[str, Any]] = [
    {"item": "DOUGH", "batch": "206", "yield": "100", "note": "One mixer batch",
     "inputs": [{"item": "FLOUR", "qty": "200", "uom": "kg"}, {"item": "YEAST", "qty": "2", "uom": "kg"},
                {"item": "SALT", "qty": "4", "uom": "kg"}]},
    {"item": "BREAD", "batch": "400", "yield": "100", "note": "One oven load",
     "inputs": [{"item": "DOUGH", "qty": "206", "uom": "kg"}]},
    {"item": "BREAD-W", "yield": "100", "inputs": [{"item": "BREAD", "qty": "1", "uom": "ea"},
                                                   {"item": "BAG", "qty": "1", "uom": "ea"}]},
]  # fmt: skip
LINES = {"DOUGH": ("MIX", "206"), "BREAD": ("OVEN", "400"), "BREAD-W": ("WRAP", "400")}


def work_orders(cycles: int) -> list[dict[str, Any]]:
    """The finished work orders (the plant's last cycles' numbers) and one open dough work order."""
    made = [
        {"recipe": sku, "number": f"WO-{cycle:05d}", "location": LINES[sku][0], "planned": LINES[sku][1]}
        for sku, cycle in zip(LINES, range(cycles - 2, cycles + 1), strict=True)
        if cycle >= 1
    ]
    return [*made, {"recipe": "DOUGH", "location": "MIX", "planned": "412", "note": "Tomorrow's first two batches"}]


def load(app: App, cycles: int, who: Caller) -> bool:
    """Save the recipes and work orders, once: False if the demo's recipes are there already."""
    if any(recipe.item == "DOUGH" for recipe in app.production.recipes()):
        return False
    for recipe in RECIPES:
        app.production.add_recipe(recipe, who)
    for order in work_orders(cycles):
        app.production.create(order, who)
    return True
