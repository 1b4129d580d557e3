"""One sales order in a real browser, on each backend: the planner takes it on the list page, the floor picks
it by scan (a held lot refused, a good one into the draft), ships the draft, and the delivery note is there.
Every page visited is screenshotted and checked by axe-core."""

from __future__ import annotations

from typing import Any

from lotledger.bootstrap import bootstrap
from lotledger.config import Settings
from tests.factories import hold, receive
from tests.pages.test_day_in_the_plant import Visit, plant  # noqa: F401 (the served plant fixture)
from tests.served import Served


def test_a_sales_order_from_pick_list_to_delivery_note(browser: Any, plant: Served, db_url: str) -> None:  # noqa: F811
    backend = db_url.split(":")[0].split("+")[0]
    app = bootstrap(Settings(db_url))
    try:
        receive(app, "BREAD", "B-1", 30, "ea", location="FG", expiry="2099-01-01")
        receive(app, "BREAD", "B-2", 30, "ea", location="FG", expiry="2099-02-01")
        hold(app, "BREAD", "B-1")
    finally:
        app.close()

    boss = Visit(browser, plant, "boss", backend)
    boss.log_in()
    boss.page.click("nav >> text=Sales orders")
    boss.check("sales-orders")
    boss.page.select_option("#customer", "SHOP")
    boss.page.select_option("#item_0", "BREAD")
    boss.page.fill("#qty_0", "20")
    boss.page.click("button:has-text('Create the order')")
    assert "The sales order is created." in boss.text("[role=status]")
    assert "held" in boss.text("main")  # the pick list passes B-1 over
    boss.check("sales-order")
    boss.close()

    floor = Visit(browser, plant, "floor", backend, width=360)
    floor.log_in()
    floor.page.goto(f"{plant.origin}/orders/sales/SO-00001")
    floor.scan("LOT:BREAD:B-1")
    assert floor.text("[role=alert]") == "Scan: BREAD lot B-1 (20 ea) cannot go on SO-00001: held"
    floor.check("scan-refused")
    floor.scan("LOT:BREAD:B-2")
    assert "Added to the shipment." in floor.text("[role=status]")
    floor.check("scan-drafted")
    floor.page.click("button:has-text('Ship the draft')")
    assert "The shipment is recorded." in floor.text("[role=status]")
    assert "shipped" in floor.text("h1")
    floor.check("shipped")
    note = floor.page.get_attribute("a:has-text('Delivery note')", "href")
    pdf = floor.page.request.get(f"{plant.origin}{note}")
    assert (pdf.status, pdf.body()[:5]) == (200, b"%PDF-")
    floor.close()
