"""The work order pages: a recipe saved by quality, a work order opened by an operator, its production recorded
from the suggested lots, the variance and the output's label; a refusal re-renders the form and records nothing."""

from __future__ import annotations

import re

from lotledger.domain.model import LotKey
from tests.factories import TESTER, hold, receive
from tests.web.conftest import Pages, said

RECIPE = [("item", "DOUGH"), ("batch", "100"), ("yield", "95"), ("input_item", "FLOUR"), ("input_qty", "98"),
          ("input_uom", "kg"), ("input_item", "SALT"), ("input_qty", "2"), ("input_uom", "kg")]  # fmt: skip


def test_a_work_order_from_the_pages(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 60, expiry="2099-01-01", location="LINE")
    receive(pages.app, "FLOUR", "F-2", 100, expiry="2099-06-01")
    receive(pages.app, "FLOUR", "F-HELD", 100, expiry="2098-01-01")
    hold(pages.app, "FLOUR", "F-HELD")
    receive(pages.app, "SALT", "S-1", 10)
    quality, operator = pages.login("quality"), pages.login("operator")
    saved = quality.post("/orders/recipes", RECIPE)
    assert saved.status_code == 303, saved.text
    assert "DOUGH" in said(quality.get("/orders/recipes?item=DOUGH"))
    opened = operator.post("/orders/work", {"recipe": "DOUGH", "planned": "95", "location": "LINE"})
    assert (opened.status_code, opened.headers["location"]) == (303, "/orders/work/WO-00001?done=created")
    shown = operator.get("/orders/work/WO-00001")
    text = said(shown)
    assert "The work order is open." not in text  # only after the redirect's ?done=
    assert "skipped: held" in text
    assert re.findall(r'name="lot" value="([^"]*)"', shown.text) == ["F-1", "F-2", "S-1", "", "", ""]  # suggested
    assert re.findall(r'name="qty" value="([^"]*)"', shown.text)[:3] == ["60", "38", "2"]
    assert 'name="output_qty" value="95"' in shown.text
    rows = [("F-1", "LINE", "60"), ("F-2", "RAW", "38")]
    fields = [pair for lot, where, qty in rows for pair in (("item", "FLOUR"), ("lot", lot), ("location", where),
              ("container", ""), ("qty", qty), ("uom", "kg"))]  # fmt: skip
    fields += [("item", "SALT"), ("lot", "S-1"), ("location", "RAW"), ("container", ""), ("qty", "2"), ("uom", "kg")]
    fields += [("item", ""), ("lot", ""), ("location", ""), ("container", ""), ("qty", ""), ("uom", ""),
               ("output_qty", "90"), ("output_lot", "")]  # fmt: skip
    recorded = operator.post("/orders/work/WO-00001/production", fields, page="/orders/work/WO-00001")
    assert recorded.status_code == 303, said(recorded)
    text = said(operator.get("/orders/work/WO-00001?done=produced"))
    assert "The production is recorded." in text
    assert "in progress" in text
    (lot,) = re.findall(r"/orders/work/WO-00001/labels/([^\"]+)\.pdf", text)
    label = operator.get(f"/orders/work/WO-00001/labels/{lot}.pdf")
    assert (label.status_code, label.headers["content-type"], label.content[:5]) == (200, "application/pdf", b"%PDF-")
    assert "Yield: 90 % of the 100 kg the consumed inputs make (expected 95 %, -5 points)" in text
    assert "WO-00001" in said(pages.login("viewer").get("/orders/work"))


def test_a_refused_production_shows_why_and_records_nothing(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 60, location="LINE")
    recipe = {"item": "DOUGH", "inputs": [{"item": "FLOUR", "qty": "1", "uom": "kg"}]}
    pages.app.production.add_recipe(recipe, TESTER)
    operator = pages.login("operator")
    operator.post("/orders/work", {"recipe": "DOUGH", "planned": "10", "location": "LINE"})
    form = [("item", "FLOUR"), ("lot", "F-1"), ("location", "LINE"), ("container", ""), ("qty", "600"),
            ("uom", "kg"), ("output_qty", "10")]  # fmt: skip
    refused = operator.post("/orders/work/WO-00001/production", form, page="/orders/work/WO-00001")
    assert refused.status_code == 409
    assert re.search(r'<p class="alert" role="alert">inputs\[0\]\.qty: [^<]*F-1', refused.text)
    assert 'value="600"' in refused.text  # what the operator typed is kept
    assert pages.app.queries.mass_balance(LotKey("FLOUR", "F-1")).on_hand == 60
    viewer = pages.login("viewer")
    assert viewer.post("/orders/work/WO-00001/cancel", {"reason": "x"}, page="/orders/work/WO-00001").status_code == 403


def test_a_refused_recipe_and_work_order_keep_what_was_typed(pages: Pages) -> None:
    quality = pages.login("quality")
    typed = [pair if pair[0] != "yield" else ("yield", "lots") for pair in RECIPE]
    refused = quality.post("/orders/recipes", typed)
    assert refused.status_code == 422
    assert "yield: expected a number, got 'lots'" in said(refused)
    assert 'value="lots"' in refused.text
    opened = quality.post("/orders/work", {"recipe": "DOUGH", "planned": "plenty", "location": "LINE"})
    assert opened.status_code == 404  # no recipe yet
    assert "recipe: no recipe for DOUGH" in said(opened)
