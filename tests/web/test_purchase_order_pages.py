"""Purchase order pages: a planner orders, the floor receives against the order (tolerance checked at the scan
and at Record), the order page shows what came; refusals in words."""

from __future__ import annotations

from tests.factories import ADMIN, line, record
from tests.web.conftest import Pages, said
from tests.web.test_floor import Floor, alert, success


def _order(pages: Pages, tolerance: str = "0") -> str:
    body = {
        "supplier": "MILL",
        "tolerance": tolerance,
        "lines": [{"item": "FLOUR", "qty": "100"}, {"item": "SALT", "qty": "10"}],
    }
    return pages.app.purchasing.create(body, ADMIN).order.number


def test_a_planner_creates_an_order_on_the_list_page(pages: Pages) -> None:
    admin = pages.login("admin")
    listing = admin.get("/orders/purchase")
    assert "New purchase order" in listing.text
    form = {"supplier": "MILL", "tolerance": "2", "rows": "5", "item_0": "FLOUR", "qty_0": "1", "uom_0": "t",
            "expected_0": "2026-12-01", "item_1": "SALT", "qty_1": "", "action": "create"}  # fmt: skip
    refused = admin.post("/orders/purchase", form)
    assert refused.status_code == 422
    assert alert(refused) == "Line 2, quantity: is required"
    assert 'value="2026-12-01"' in refused.text  # what was typed is kept
    made = admin.post("/orders/purchase", {**form, "item_1": ""})
    assert made.status_code == 303
    assert made.headers["location"] == "/orders/purchase/PO-00001?done=created"
    shown = admin.get("/orders/purchase/PO-00001?done=created")
    assert "The purchase order is created." in shown.text
    assert '<span class="badge soon">open</span>' in shown.text
    assert "1,000 kg" in shown.text  # at most: 1 t within 2%... shown per line in the item's unit
    listed = admin.get("/orders/purchase?status=open")
    assert 'href="/orders/purchase/PO-00001"' in listed.text
    viewer = pages.login("viewer").get("/orders/purchase")
    assert viewer.status_code == 200
    assert "New purchase order" not in viewer.text


def test_receiving_against_an_order_on_the_floor(pages: Pages) -> None:
    number = _order(pages, "5")
    browser = pages.login("operator")
    started = browser.get(f"/floor/receive?po={number}")
    assert f'Purchase order <a href="/orders/purchase/{number}">{number}</a> from MILL: open' in started.text
    assert '<option value="MILL" selected>' in started.text  # the supplier is filled in
    page = Floor(browser, "receive", location="RAW", reference=number)
    over = page.send(m_item="FLOUR", m_lot="F-1", m_qty="106", m_supplier_lot="M-77")
    assert over.status_code == 409
    assert alert(over) == (
        f"Line 1, quantity: line 1 (FLOUR) of {number}: ordered 100 kg, received 0 kg; 106 kg more would make "
        "106 kg, beyond the 5% tolerance (105 kg at most)"
    )
    not_ordered = page.send(m_item="MILK", m_lot="M-1", m_qty="5")
    assert alert(not_ordered) == f"Line 1, item: MILK is not on purchase order {number}"
    assert page.send(m_item="FLOUR", m_lot="F-1", m_qty="60", m_supplier_lot="M-77").status_code == 200
    done = page.send("record")
    assert "Receipt recorded" in success(done)
    assert "partly received" in done.text  # the same order stays on the form for the rest
    report = pages.app.purchasing.show(number)
    assert (report.status, report.lines[0].open) == ("partly received", 40)
    assert report.lots[0].supplier_lot == "M-77"

    # another receipt of the last 45 kg came in through the API meanwhile: Record refuses the draft
    assert page.send(m_item="FLOUR", m_lot="F-2", m_qty="45").status_code == 200
    record(pages.app, {"type": "receive", "location": "RAW", "partner": "MILL", "reference": number,
                       "lines": [line("FLOUR", "F-3", 45)]})  # fmt: skip
    late = page.send("record")
    assert late.status_code == 409
    assert "beyond the 5% tolerance" in alert(late)

    shown = browser.get(f"/orders/purchase/{number}")
    assert '<a href="/lots/FLOUR/F-1">F-1</a>' in shown.text
    assert "/events/" in shown.text
    assert "M-77" in shown.text


def test_closing_and_cancelling_on_the_order_page(pages: Pages) -> None:
    number = _order(pages)
    admin = pages.login("admin")
    refused = admin.post(f"/orders/purchase/{number}/cancel", {"reason": " "}, page=f"/orders/purchase/{number}")
    assert refused.status_code == 422
    assert alert(refused) == "Reason: is required"
    operator = pages.login("operator")
    forbidden = operator.post(f"/orders/purchase/{number}/cancel", {"reason": "x"}, page=f"/orders/purchase/{number}")
    assert forbidden.status_code == 403
    done = admin.post(
        f"/orders/purchase/{number}/cancel", {"reason": "Ordered twice"}, page=f"/orders/purchase/{number}"
    )
    assert done.status_code == 303
    shown = said(admin.get(f"/orders/purchase/{number}?done=cancelled"))
    assert "The order is cancelled." in shown
    assert "Ordered twice" in shown
    assert "Receive against this order" not in shown
