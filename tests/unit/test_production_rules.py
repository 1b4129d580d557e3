"""The rules of recipes and work orders, without a database: FEFO, lot code patterns, status, yield and variance."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from lotledger.domain.errors import ValidationError
from lotledger.domain.fefo import StockLot, suggest
from lotledger.domain.lot_codes import check_pattern, lot_code, next_lot_code
from lotledger.domain.production import Consumed, Made, Recipe, RecipeInput, status, variance
from tests.factories import exactly

TODAY = date(2026, 3, 10)
AT = datetime(2026, 3, 10, 8, tzinfo=UTC)


def stock(lot: str, qty: int, expiry: date | None, location: str = "RAW", held: bool = False) -> StockLot:
    return StockLot(lot, location, "", Decimal(qty), expiry, held)


def test_fefo_skips_held_and_expired_lots_between_and_takes_the_next_to_expire() -> None:
    lines = [
        stock("LATE", 100, date(2026, 6, 1)),
        stock("HELD", 100, date(2026, 3, 12), held=True),
        stock("NEXT", 40, date(2026, 3, 15)),
        stock("GONE", 100, date(2026, 3, 9)),  # its last good day was yesterday
        stock("TODAY", 5, TODAY),  # still good today
        stock("NONE", 1000, None),
    ]
    found = suggest(lines, Decimal(60), "LINE", TODAY)
    assert [(p.stock.lot, p.take) for p in found.picks] == [("TODAY", 5), ("NEXT", 40), ("LATE", 15)]
    assert [(s.stock.lot, s.why) for s in found.skipped] == [("GONE", "expired"), ("HELD", "held")]
    assert found.short == 0


def test_fefo_prefers_the_line_then_expiry_and_lots_without_expiry_last_and_says_what_is_short() -> None:
    lines = [stock("EARLY", 10, date(2026, 4, 1)), stock("ATLINE", 10, date(2026, 9, 1), "LINE"),
             stock("NONE", 10, None)]  # fmt: skip
    found = suggest(lines, Decimal(35), "LINE", TODAY)
    assert [(p.stock.lot, p.take) for p in found.picks] == [("ATLINE", 10), ("EARLY", 10), ("NONE", 10)]
    assert found.short == 5


def test_a_lot_code_pattern_fills_its_fields_and_counts_the_days_lots() -> None:
    assert lot_code("{sku}-{yymmdd}-{seq}", "DOUGH", TODAY, 3) == "DOUGH-260310-3"
    assert lot_code("{yyyy}{ddd}{seq:3}", "X", TODAY, 7) == "2026069007"
    taken = {"DOUGH-260310-1", "DOUGH-260310-2", "DOUGH-260310-4"}
    assert next_lot_code("{sku}-{yymmdd}-{seq}", "DOUGH", TODAY, taken.__contains__) == "DOUGH-260310-3"
    assert next_lot_code("{sku}-{yymmdd}-{seq}", "DOUGH", date(2026, 3, 11), taken.__contains__) == "DOUGH-260311-1"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{sku}-{yymmdd}", "a lot code pattern needs one {seq}: each lot of a day gets its own code"),
        ("{sku}-{wk}-{seq}", "unknown field {wk} in the lot code pattern; known: sku, yyyy, yy, mm, dd, yymmdd, "
         "yyyymmdd, ddd, seq"),
        ("{sku-{seq}", "a brace in '{sku-{seq}' is not a field such as {sku}"),
    ],
)  # fmt: skip
def test_a_pattern_that_cannot_make_distinct_codes_is_refused(pattern: str, message: str) -> None:
    with pytest.raises(ValidationError, match=exactly(f"LOTLEDGER_LOT_PATTERN: {message}")):
        check_pattern(pattern)


def test_a_code_too_long_for_gs1_asks_for_the_code() -> None:
    with pytest.raises(ValidationError, match="makes 'VERY-LONG-ITEM-CODE-260310-1', not a lot code"):
        next_lot_code("{sku}-{yymmdd}-{seq}", "VERY-LONG-ITEM-CODE", TODAY, lambda _: False)


def test_status_follows_what_was_produced_and_how_the_order_ended() -> None:
    assert status(Decimal(10), Decimal(0), None) == "open"
    assert status(Decimal(10), Decimal(4), None) == "in progress"
    assert status(Decimal(10), Decimal(10), None) == "done"
    assert status(Decimal(10), Decimal(12), None) == "done"
    assert status(Decimal(10), Decimal(4), "closed") == "done"
    assert status(Decimal(10), Decimal(0), "cancelled") == "cancelled"


def test_yield_and_variance_against_plan() -> None:
    flour, salt = RecipeInput("FLOUR", Decimal(98), "kg", "kg"), RecipeInput("SALT", Decimal(2000), "g", "kg")
    recipe = Recipe("DOUGH", 1, "kg", Decimal(100), Decimal(95), (flour, salt))
    consumed = [
        Consumed("FLOUR", "F-1", "LINE", "", Decimal(60), "kg", "e1", AT),
        Consumed("FLOUR", "F-2", "RAW", "", Decimal(40), "kg", "e1", AT),
        Consumed("SALT", "S-1", "RAW", "", Decimal(2), "kg", "e1", AT),
        Consumed("MILK", "M-1", "RAW", "", Decimal(1), "L", "e1", AT),  # not in the recipe
    ]
    v = variance(recipe, Decimal(95), consumed, [Made("D-1", Decimal(90), "kg", "e1", AT)])
    assert (v.produced, v.output_variance, v.from_inputs, v.yield_pct, v.yield_variance) == (90, -5, 100, 90, -5)
    assert [(u.item, u.planned, u.expected, u.consumed, u.variance, u.in_recipe) for u in v.inputs] == [
        ("FLOUR", 98, Decimal("92.842105"), 100, Decimal("7.157895"), True),
        ("SALT", 2, Decimal("1.894737"), 2, Decimal("0.105263"), True),
        ("MILK", 0, 0, 1, 1, False),
    ]
    nothing = variance(recipe, Decimal(95), [], [])
    assert (nothing.from_inputs, nothing.yield_pct, nothing.yield_variance) == (None, None, None)


def test_huge_and_tiny_figures_round_without_error() -> None:
    line = RecipeInput("FLOUR", Decimal("999999999999"), "kg", "kg")
    recipe = Recipe("DOUGH", 1, "kg", Decimal("1E-12"), Decimal("0.001"), (line,))
    made = [Made("D-1", Decimal("999999999999"), "kg", "e1", AT)]
    v = variance(
        recipe, Decimal("999999999999"), [Consumed("FLOUR", "F-1", "RAW", "", Decimal(1), "kg", "e1", AT)], made
    )
    assert v.inputs[0].planned > 10**40
    assert (v.from_inputs, v.yield_pct) == (0, None)  # below a millionth: nothing to divide by
