"""Sales order pages: a planner takes an order, the floor picks it by scan (a wrong lot refused in words), the
order page shows the pick list and what went out, and links the delivery note."""

from __future__ import annotations

import re

from tests.factories import hold, receive
from tests.web.conftest import Pages
from tests.web.test_floor import alert


def test_an_order_from_the_list_page_to_the_delivery_note(pages: Pages) -> None:
    app = pages.app
    receive(app, "BREAD", "B-1", 30, "ea", location="FG", expiry="2099-01-01")
    receive(app, "BREAD", "B-2", 30, "ea", location="FG", expiry="2099-02-01")
    hold(app, "BREAD", "B-1")
    admin = pages.login("admin")
    listing = admin.get("/orders/sales")
    assert 'href="/orders/sales" aria-current="page">Sales orders' in listing.text
    form = {"customer": "SHOP", "rows": "5", "item_0": "BREAD", "qty_0": "", "min_shelf_days": "2"}
    refused = admin.post("/orders/sales", form)
    assert refused.status_code == 422
    assert alert(refused) == "Line 1, quantity: is required"
    made = admin.post("/orders/sales", {**form, "qty_0": "20"})
    assert made.headers["location"] == "/orders/sales/SO-00001?done=created"
    shown = admin.get("/orders/sales/SO-00001")
    assert "Pick list" in shown.text
    assert "<td>held</td>" in shown.text

    floor = pages.login("operator")
    wrong = floor.post("/orders/sales/SO-00001/scan", {"scan": "LOT:BREAD:B-1"}, page="/orders/sales/SO-00001")
    assert wrong.status_code == 409
    assert alert(wrong) == "Scan: BREAD lot B-1 (20 ea) cannot go on SO-00001: held"
    good = floor.post("/orders/sales/SO-00001/scan", {"scan": "LOT:BREAD:B-2", "qty": "15"},
                      page="/orders/sales/SO-00001")  # fmt: skip
    assert "Added to the shipment." in good.text
    draft = re.findall(r'name="draft" value="([^"]*)"', good.text)
    assert draft == ["lot|BREAD|B-2|15|ea|FG|"]
    more = floor.post("/orders/sales/SO-00001/scan", [("draft", draft[0]), ("scan", "LOT:BREAD:B-2"), ("qty", "6")],
                      page="/orders/sales/SO-00001")  # fmt: skip
    assert alert(more) == "Scan: BREAD lot B-2 (6 ea) cannot go on SO-00001: more than still open"
    assert re.findall(r'name="draft" value="([^"]*)"', more.text) == draft  # the draft is kept
    sent = floor.post("/orders/sales/SO-00001/scan", [("draft", draft[0]), ("action", "ship")],
                      page="/orders/sales/SO-00001")  # fmt: skip
    assert sent.headers["location"] == "/orders/sales/SO-00001?done=shipped"
    rest = floor.post("/orders/sales/SO-00001/scan", {"scan": "LOT:BREAD:B-2"}, page="/orders/sales/SO-00001")
    assert re.findall(r'name="draft" value="([^"]*)"', rest.text) == ["lot|BREAD|B-2|5|ea|FG|"]  # what is open
    floor.post("/orders/sales/SO-00001/scan", [("draft", "lot|BREAD|B-2|5|ea|FG|"), ("action", "ship")],
               page="/orders/sales/SO-00001")  # fmt: skip
    after = floor.get("/orders/sales/SO-00001?done=shipped")
    assert '<span class="badge released">shipped</span>' in after.text
    assert 'href="/orders/sales/SO-00001/delivery-note.pdf"' in after.text
    pdf = pages.login("viewer").get("/orders/sales/SO-00001/delivery-note.pdf")
    assert (pdf.status_code, pdf.content[:5]) == (200, b"%PDF-")
    assert pages.login("viewer").post("/orders/sales", {**form, "qty_0": "20"}).status_code == 403


def test_the_sales_list_filters_by_status_and_the_form_grows_lines(pages: Pages) -> None:
    receive(pages.app, "BREAD", "B-1", 30, "ea", location="FG", expiry="2099-01-01")
    admin = pages.login("admin")
    form = {"customer": "SHOP", "rows": "5", "item_0": "BREAD", "qty_0": "5"}
    admin.post("/orders/sales", form)
    admin.post("/orders/sales", form)
    admin.post("/orders/sales/SO-00002/cancel", {"reason": "customer changed its mind"}, page="/orders/sales/SO-00002")
    cancelled = admin.get("/orders/sales?status=cancelled")
    assert re.findall(r'href="/orders/sales/(SO-\d+)"', cancelled.text) == ["SO-00002"]
    opened = admin.get("/orders/sales?status=open")
    assert re.findall(r'href="/orders/sales/(SO-\d+)"', opened.text) == ["SO-00001"]
    odd = admin.get("/orders/sales?status=lost")
    assert alert(odd).startswith("There is no status 'lost'")
    more = admin.post("/orders/sales", {**form, "action": "more"})
    assert 'name="item_9"' in more.text
    assert 'name="requested_9"' in more.text
