"""The floor pages: scan to receive, produce, pack, ship; the ledger's refusals shown at the scan."""

from __future__ import annotations

import html
import io
import json
import re
from urllib.parse import urlencode

import httpx
import zxingcpp
from PIL import Image

from lotledger.domain.model import Item, LotKey, gs1_check_digit
from lotledger.domain.records import EventFilter
from tests.factories import ATTRIBUTION, PALLET, hold, line, pack, produce, receive, record, ship
from tests.web.conftest import Browser, Pages, csrf_of

_HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
GS = "\x1d"
FORM = "application/x-www-form-urlencoded"


def gtin(body: str) -> str:
    return body + str(gs1_check_digit(body))


FLOUR_GTIN = gtin("0950600013437")
SALT_GTIN = gtin("0950600013438")


class Floor:
    """One floor page in a browser: each post sends back the draft the last page carried."""

    def __init__(self, browser: Browser, kind: str, **header: str) -> None:
        self.browser = browser
        self.url = f"/floor/{kind}"
        self.header = header
        self.html = browser.get(self.url).text

    def send(self, action: str = "add", **fields: str) -> httpx.Response:
        draft = [(name, html.unescape(value)) for name, value in _HIDDEN.findall(self.html) if name != "csrf"]
        form = [("csrf", csrf_of(self.html)), *draft, *self.header.items(), *fields.items(), ("action", action)]
        body = urlencode(form)  # a list of pairs: a name may repeat, as in a browser's form
        answer = self.browser.client.post(self.url, content=body, headers={"Content-Type": FORM})
        self.html = answer.text
        return answer

    def scan(self, text: str, **fields: str) -> httpx.Response:
        return self.send(scan=text, **fields)

    def lines(self, part: str = "lines") -> list[str]:
        return [html.unescape(value) for name, value in _HIDDEN.findall(self.html) if name == part]


def alert(answer: httpx.Response) -> str:
    found = re.search(r'<p class="alert" role="alert">(.*?)</p>', answer.text, re.S)
    assert found, answer.text
    return html.unescape(found.group(1))


def success(answer: httpx.Response) -> str:
    found = re.search(r'<div class="ok" role="status">(.*?)</div>', answer.text, re.S)
    assert found, answer.text
    return " ".join(html.unescape(found.group(1)).split())


def events(pages: Pages, kind: str | None = None) -> int:
    return len(pages.app.queries.events(EventFilter(type=kind), limit=1000).events)


def on_hand(pages: Pages, sku: str, lot: str) -> list[tuple[str, str, str]]:
    stock = pages.app.queries.balances(sku=sku, lot=lot)
    return [(s.location, s.container, format(s.qty.normalize(), "f")) for s in stock]


def _gtins(pages: Pages) -> None:
    pages.app.master_data.save(Item("FLOUR", "Flour", "kg", gtin=FLOUR_GTIN), ATTRIBUTION)
    pages.app.master_data.save(Item("SALT", "Salt", "kg", gtin=SALT_GTIN), ATTRIBUTION)


def test_receive_two_lots_by_scanning_supplier_labels(pages: Pages) -> None:
    _gtins(pages)
    page = Floor(pages.login("operator"), "receive", partner="MILL", location="RAW", reference="PO-7")
    # a GS1-128 with the symbology identifier, its net weight (3103: kg, three decimals) and a GS after the lot
    first = page.scan(f"]C101{FLOUR_GTIN}17270131" + f"10F-77{GS}3103025500")
    assert first.status_code == 200, alert(first)
    assert "Scanned: FLOUR · Flour" in first.text
    assert '<span class="badge new">new</span>' in first.text
    # the human-readable form, with the quantity typed next to the scan field
    second = page.scan(f"(01){SALT_GTIN}(10)S-9", qty="12.5")
    assert second.status_code == 200, alert(second)
    assert len(page.lines()) == 2
    done = page.send("record")
    assert "Receipt recorded" in success(done)
    assert 'href="/lots/FLOUR/F-77"' in done.text
    assert 'href="/lots/SALT/S-9"' in done.text
    assert page.lines() == []  # an empty form for the next receipt
    flour = pages.app.queries.lot(LotKey("FLOUR", "F-77"))
    assert (flour.supplier, flour.supplier_lot, str(flour.expiry)) == ("MILL", "F-77", "2027-01-31")
    assert on_hand(pages, "FLOUR", "F-77") == [("RAW", "", "25.5")]
    assert on_hand(pages, "SALT", "S-9") == [("RAW", "", "12.5")]


def test_produce_from_scanned_inputs(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 100)
    receive(pages.app, "SALT", "S-1", 10)
    page = Floor(pages.login("operator"), "produce", location="RAW", reference="WO-1")
    assert "Scan the inputs first" in alert(page.send(m_item="BREAD", m_lot="B-1", m_qty="40"))
    assert page.scan("LOT:FLOUR:F-1", qty="20").status_code == 200
    assert page.scan("LOT:SALT:S-1", qty="0.5").status_code == 200
    made = page.send(m_item="BREAD", m_lot="B-1", m_qty="40", m_expiry="2026-12-31")
    assert made.status_code == 200, alert(made)
    assert "Production recorded" in success(page.send("record"))
    assert on_hand(pages, "FLOUR", "F-1") == [("RAW", "", "80")]
    assert on_hand(pages, "BREAD", "B-1") == [("RAW", "", "40")]
    parents = pages.app.queries.backward(LotKey("BREAD", "B-1")).lots
    assert {str(node.lot) for node in parents} >= {"FLOUR/F-1", "SALT/S-1"}


def test_pack_onto_a_new_sscc_and_print_its_label(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 100)
    produce(pages.app, [line("FLOUR", "F-1", 10)], [line("BREAD", "B-1", 40, "ea", expiry="2026-12-31")])
    pages.app.barcodes.company_prefix = "0614141"
    page = Floor(pages.login("operator"), "pack", location="RAW")
    assert "Scan or allocate the pallet SSCC first." in alert(page.scan("(01)09506000134352(10)B-1", qty="30"))
    page.send("new-sscc")
    sscc = re.search(r'name="container" value="(\d{18})"', page.html)
    assert sscc, page.html
    page.header["container"] = sscc.group(1)
    added = page.scan("(01)09506000134352(10)B-1", qty="30")
    assert added.status_code == 200, alert(added)
    done = page.send("record")
    assert "Pallet recorded" in success(done)
    pdf = page.browser.get(f"/floor/labels/pallet/{sscc.group(1)}.pdf")
    assert (pdf.status_code, pdf.headers["content-type"], pdf.content[:5]) == (200, "application/pdf", b"%PDF-")
    png = page.browser.get(f"/floor/labels/pallet/{sscc.group(1)}.png")
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert f"(00){sscc.group(1)}" in [code.text for code in codes]
    assert on_hand(pages, "BREAD", "B-1") == [("RAW", "", "10"), ("RAW", sscc.group(1), "30")]


def test_new_sscc_without_a_company_prefix_says_so(pages: Pages) -> None:
    page = Floor(pages.login("operator"), "pack", location="RAW")
    refused = page.send("new-sscc")
    assert refused.status_code == 422
    assert "no GS1 company prefix is configured" in alert(refused)


def test_ship_a_pallet_by_scanning_its_sscc(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 100)
    pack(pages.app, "FLOUR", "F-1", 60)
    page = Floor(pages.login("operator"), "ship", partner="SHOP", location="RAW", reference="SO-9")
    scanned = page.scan(PALLET)
    assert scanned.status_code == 200, alert(scanned)
    assert page.lines("containers") == [PALLET]
    assert "Already" not in scanned.text
    assert f"Pallet {PALLET} is already on this shipment." in alert(page.scan(f"(00){PALLET}"))
    assert "Shipment recorded" in success(page.send("record"))
    assert on_hand(pages, "FLOUR", "F-1") == [("RAW", "", "40")]
    assert pages.app.queries.mass_balance(LotKey("FLOUR", "F-1")).shipped == 60


def test_a_held_lot_is_refused_at_the_scan_with_the_holds_words(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 100)
    held = hold(pages.app, "FLOUR", "F-1", reason="metal detector alarm")
    page = Floor(pages.login("operator"), "ship", partner="SHOP", location="RAW")
    refused = page.scan("LOT:FLOUR:F-1", qty="5")
    assert refused.status_code == 409
    assert alert(refused) == (
        f"Line 1: lot FLOUR/F-1 is on hold (hold {held.id}: metal detector alarm); it cannot be consumed or shipped"
    )
    assert '<span class="badge held">held</span>' in refused.text
    assert page.lines() == []


def test_an_expired_lot_is_refused_at_the_scan(pages: Pages) -> None:
    # received before its expiry, whatever the factories' clock has reached in this run
    received = {"type": "receive", "time": "2026-03-01T06:00:00+00:00", "location": "RAW", "partner": "MILL"}
    record(pages.app, {**received, "lines": [line("FLOUR", "F-1", 100, expiry="2026-03-02")]})
    page = Floor(pages.login("operator"), "produce", location="RAW")
    refused = page.scan("LOT:FLOUR:F-1", qty="5")
    assert refused.status_code == 409
    assert "Input 1: lot FLOUR/F-1 expired on 2026-03-02; it cannot be consumed" in alert(refused)
    assert '<span class="badge expired">expired</span>' in refused.text
    assert page.lines("inputs") == []


def test_more_than_on_hand_is_refused_at_the_scan(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 100)
    page = Floor(pages.login("operator"), "move", location="RAW", to_location="FG")
    assert page.scan("LOT:FLOUR:F-1", qty="60").status_code == 200
    refused = page.scan("LOT:FLOUR:F-1", qty="50")  # 60 + 50 of the 100 at RAW
    assert refused.status_code == 409
    assert alert(refused) == "Line 1: lot FLOUR/F-1 at RAW has 100 kg, the event takes 110 kg"
    assert "On hand at RAW</dt>" in refused.text
    assert len(page.lines()) == 1


def test_a_scan_that_is_not_gs1_is_refused_in_words(pages: Pages) -> None:
    page = Floor(pages.login("operator"), "move", location="RAW", to_location="FG")
    refused = page.scan("hello world")
    assert refused.status_code == 422
    assert alert(refused).startswith("Scan: 'hello world' is not a GS1 barcode lotledger can read")


def test_a_double_submit_is_stored_once(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 100)
    page = Floor(pages.login("operator"), "adjust", location="RAW", reason="stock count")
    assert page.scan("LOT:FLOUR:F-1", qty="-3").status_code == 200
    form = page.html
    assert "Adjustment recorded" in success(page.send("record"))
    page.html = form  # the same form sent again: a double tap, or a reload
    again = page.send("record")
    assert again.status_code == 200
    assert "was already recorded" in success(again)
    assert events(pages, "adjust") == 1
    assert on_hand(pages, "FLOUR", "F-1") == [("RAW", "", "97")]


def test_a_viewer_gets_403_and_no_floor_link(pages: Pages) -> None:
    viewer = pages.login("viewer")
    for url in ("/floor", "/floor/receive", "/floor/labels/pallet/106141412345678908.pdf"):
        assert viewer.get(url).status_code == 403, url
    answer = viewer.client.post("/floor/receive", data={"action": "record"})
    assert answer.status_code == 403
    assert 'href="/floor"' not in viewer.get("/recalls").text
    operator = pages.login("operator")
    assert 'href="/floor"' in operator.get("/floor/ship").text


def test_bad_form_input_is_refused_in_words_and_records_nothing(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 100)
    before = events(pages)
    page = Floor(pages.login("operator"), "receive", partner="MILL")
    assert alert(page.scan("LOT:FLOUR:F-2", qty="5")) == "Choose the location first."
    page.header["location"] = "RAW"
    huge = page.scan("LOT:FLOUR:F-2", qty="1e999999")
    assert huge.status_code == 422
    assert alert(huge) == "Line 1, quantity: '1e999999' is too large (less than 10^12 in any unit)"
    unknown = page.send(m_item="NOPE", m_lot="X-1", m_qty="5")
    assert unknown.status_code == 404
    assert alert(unknown) == "Unknown item 'NOPE': choose one from the list."
    assert 'value="X-1"' in unknown.text  # what was typed is kept
    assert alert(page.send("record")) == "Nothing to record yet: scan a label first."
    assert events(pages) == before


def test_a_draft_line_can_be_removed(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 100)
    receive(pages.app, "SALT", "S-1", 10)
    page = Floor(pages.login("operator"), "move", location="RAW", to_location="FG")
    page.scan("LOT:FLOUR:F-1", qty="5")
    page.scan("LOT:SALT:S-1", qty="2")
    assert page.send("remove:lines:0").status_code == 200
    assert [line["lot"] for line in map(json.loads, page.lines())] == ["S-1"]
    page.send("record")
    assert on_hand(pages, "SALT", "S-1") == [("FG", "", "2"), ("RAW", "", "8")]
    assert on_hand(pages, "FLOUR", "F-1") == [("RAW", "", "100")]


def test_enter_in_the_scan_field_adds_the_scan(pages: Pages) -> None:
    """A browser's Enter presses a form's first submit button: on every floor page it adds, never removes."""
    operator = pages.login("operator")
    for kind in ("receive", "produce", "move", "pack", "ship", "adjust", "return"):
        form = operator.get(f"/floor/{kind}").text.split(f'action="/floor/{kind}"')[1]
        first = re.search(r'<button type="submit"[^>]*>', form)
        assert first, kind
        assert 'value="add"' in first.group(0), kind
        assert re.search(r'<input id="scan" name="scan" data-scan autofocus', form), kind


def test_a_return_takes_back_no_more_than_the_customer_received(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 100)
    ship(pages.app, "FLOUR", "F-1", 10, customer="SHOP")
    page = Floor(pages.login("operator"), "return", partner="SHOP", location="RAW", reference="RMA-3")
    refused = page.scan("LOT:FLOUR:F-1", qty="12")
    assert refused.status_code == 409
    assert alert(refused) == (
        "Line 1, quantity: customer SHOP received 10 kg of lot FLOUR/F-1 (net of earlier returns); the return is 12 kg"
    )
    assert page.lines() == []
    assert page.scan("LOT:FLOUR:F-1", qty="4").status_code == 200
    assert "Return recorded" in success(page.send("record"))
    assert pages.app.queries.mass_balance(LotKey("FLOUR", "F-1")).returned == 4


def test_pack_onto_a_pallet_by_scanning_its_label_first(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 100)
    page = Floor(pages.login("operator"), "pack", location="RAW")
    assert alert(page.scan("LOT:FLOUR:F-1", qty="5")) == "Scan or allocate the pallet SSCC first."
    chosen = page.scan(f"]C100{PALLET}")  # a pre-printed pallet label: the pallet this pack fills
    assert chosen.status_code == 200, alert(chosen)
    assert f'name="container" value="{PALLET}"' in chosen.text
    page.header["container"] = PALLET
    assert page.scan("LOT:FLOUR:F-1", qty="40").status_code == 200
    assert "Pallet recorded" in success(page.send("record"))
    assert on_hand(pages, "FLOUR", "F-1") == [("RAW", "", "60"), ("RAW", PALLET, "40")]
