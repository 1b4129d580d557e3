"""The lot page (status, stock, timeline, mass balance, customers, genealogy), hold/release, and the event page."""

from __future__ import annotations

import re
from html import unescape

import pytest

from lotledger.bootstrap import App
from lotledger.domain import genealogy as gen
from lotledger.domain.model import LotKey
from lotledger.storage import genealogy as storage_genealogy
from lotledger.web.links import lot_url
from tests.factories import PALLET, adjust, hold, line, pack, produce, receive, ship
from tests.web.conftest import Pages

FLOUR, DOUGH, BREAD = LotKey("FLOUR", "F1"), LotKey("DOUGH", "D1"), LotKey("BREAD", "B1")


def bakery(app: App) -> str:
    """Flour and salt into dough, dough into bread, some bread on a pallet, some shipped: the shipment's id."""
    receive(app, "FLOUR", "F1", 100)
    receive(app, "SALT", "S1", 10)
    produce(app, [line("FLOUR", "F1", 50), line("SALT", "S1", 2)], [line("DOUGH", "D1", 52)])
    produce(app, [line("DOUGH", "D1", 52)], [line("BREAD", "B1", 100, "ea")])
    pack(app, "BREAD", "B1", 40, "ea")
    return ship(app, "BREAD", "B1", 30, "ea", customer="SHOP").id


def svg_of(html: str) -> str:
    found = re.search(r"<svg.*?</svg>", html, re.S)
    assert found, "the page has no genealogy picture"
    return found.group(0)


def test_the_lot_page_shows_status_stock_timeline_mass_balance_and_customers(pages: Pages) -> None:
    shipment = bakery(pages.app)
    answer = pages.login("viewer").get("/lots/BREAD/B1")
    assert answer.status_code == 200
    text = answer.text
    assert '<span class="badge released">released</span>' in text
    assert f'<a href="/pallets/{PALLET}">{PALLET}</a>' in text  # 40 ea on the pallet, linked to its page
    assert re.search(r"<td>RAW</td>\s*<td>loose</td>\s*<td class=\"num\">30 ea</td>", text)
    assert f'<a href="/events/{shipment}">ship</a>' in text  # the timeline, each row linked to its event
    assert re.search(r"Produced</th><td class=\"num\">100</td>", text)
    assert re.search(r"Shipped</th><td class=\"num\">30</td>", text)
    assert re.search(r"<td>SHOP</td><td>BREAD</td><td class=\"num\">30 ea</td>", text)
    assert "user:tester" in text
    assert "token:test-suite" in text


def test_the_timeline_shows_the_newest_50_events_and_links_to_older_ones(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F1", 100)
    for _ in range(54):
        adjust(pages.app, "FLOUR", "F1", -1)
    browser = pages.login("viewer")
    first = browser.get("/lots/FLOUR/F1").text
    assert first.count('<a href="/events/') == 50
    assert "receive</a>" not in first
    older = re.search(r'<a class="button" href="([^"]+)">Older events</a>', first)
    assert older, "no link to the older events"
    rest = browser.get(unescape(older.group(1))).text
    assert rest.count('<a href="/events/') == 5
    assert "receive</a>" in rest
    assert "Older events" not in rest


def test_the_genealogy_links_ancestors_and_descendants_with_quantities_on_the_edges(pages: Pages) -> None:
    bakery(pages.app)
    picture = svg_of(pages.login("viewer").get("/lots/DOUGH/D1").text)
    for lot in ("/lots/FLOUR/F1", "/lots/SALT/S1", "/lots/BREAD/B1"):
        assert f'href="{lot}"' in picture
    assert ">50 kg</text>" in picture
    assert ">2 kg</text>" in picture
    assert ">52 kg</text>" in picture
    assert "<title" in picture
    assert 'aria-label="FLOUR F1' in picture
    # ancestors to the left of the lot, descendants to its right
    x = {m.group(2): int(m.group(1)) for m in re.finditer(r'<rect x="(\d+)".*?>([A-Z]+ [A-Z0-9]+)</text>', picture)}
    assert x["FLOUR F1"] < x["DOUGH D1"] < x["BREAD B1"]


def test_a_big_fan_out_is_one_group_with_a_count_that_opens_on_its_link(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F1", 100)
    outputs = [line("DOUGH", f"X{n:02d}", 1) for n in range(1, 41)]
    produce(pages.app, [line("FLOUR", "F1", 40)], outputs)
    browser = pages.login("viewer")
    closed = svg_of(browser.get("/lots/FLOUR/F1").text)
    assert ">40 lots</text>" in closed
    assert "/lots/DOUGH/X01" not in closed
    opening = re.search(r'href="([^"]*expand=down%3A1%3ADOUGH[^"]*)"', closed)
    assert opening, "the group has no link that opens it"
    opened = svg_of(browser.get(unescape(opening.group(1))).text)
    assert all(f'href="/lots/DOUGH/X{n:02d}"' in opened for n in range(1, 41))
    assert opened.count(">40 kg</text>") == 40  # each opened lot's edge: the flour its production event took


def test_an_opened_group_behind_a_closed_one_has_every_lot_joined_to_it(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F1", 100)
    produce(pages.app, [line("FLOUR", "F1", 40)], [line("DOUGH", f"X{n:02d}", 1) for n in range(1, 41)])
    for n in range(1, 41):
        produce(pages.app, [line("DOUGH", f"X{n:02d}", 1)], [line("BREAD", f"Y{n:02d}", 2, "ea")])
    picture = pages.app.genealogy.picture(LotKey("FLOUR", "F1"), expand=gen.Expand("down", 2, "BREAD"))
    (dough,) = picture.groups[1]
    breads = [relative.lot for relative in picture.lots[2]]
    assert len(breads) == 40
    joined = {joint.child for joint in picture.joints if joint.parent == dough}
    assert joined >= set(breads)  # not only the few dough lots read to place the group


def test_holding_downstream_from_the_page_holds_every_descendant(pages: Pages) -> None:
    bakery(pages.app)
    form = {"reason": "supplier recall", "scope": "downstream"}
    answer = pages.login("quality").post("/lots/FLOUR/F1/hold", form, page="/lots/FLOUR/F1")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/lots/FLOUR/F1?done=hold"
    for lot in (FLOUR, DOUGH, BREAD):
        assert [h.split(": ", 1)[1] for h in pages.app.queries.lot(lot).holds] == ["supplier recall"]
    assert pages.app.queries.lot(LotKey("SALT", "S1")).holds == []
    shown = pages.login("viewer").get("/lots/BREAD/B1?done=hold").text
    assert '<span class="badge held">held</span>' in shown
    assert "supplier recall" in shown


def test_releasing_from_the_page_ends_the_hold(pages: Pages) -> None:
    bakery(pages.app)
    hold(pages.app, "BREAD", "B1")
    form = {"reason": "retested OK", "scope": "lot"}
    answer = pages.login("quality").post("/lots/BREAD/B1/release", form, page="/lots/BREAD/B1")
    assert answer.status_code == 303
    assert pages.app.queries.lot(BREAD).holds == []


def test_a_hold_without_a_reason_is_refused_and_nothing_is_recorded(pages: Pages) -> None:
    bakery(pages.app)
    form = {"reason": " ", "scope": "downstream"}
    answer = pages.login("quality").post("/lots/BREAD/B1/hold", form, page="/lots/BREAD/B1")
    assert answer.status_code == 422
    assert '<p class="alert" role="alert">Give the reason for the hold: nothing was recorded.</p>' in answer.text
    assert 'value="downstream" checked' in answer.text  # the user's choice is kept
    assert pages.app.queries.lot(BREAD).holds == []


def test_voiding_from_the_event_page_takes_the_event_back(pages: Pages) -> None:
    received = receive(pages.app, "MILK", "M1", 20, "L").id
    browser = pages.login("quality")
    page = browser.get(f"/events/{received}").text
    assert 'data-confirm="Void this receive event?"' in page
    assert 'href="/lots/MILK/M1"' in page
    refused = browser.post(f"/events/{received}/void", {"reason": ""}, page=f"/events/{received}")
    assert refused.status_code == 422
    assert "Give the reason for the void: nothing was recorded." in refused.text
    answer = browser.post(f"/events/{received}/void", {"reason": "keyed in twice"}, page=f"/events/{received}")
    assert answer.status_code == 303
    assert pages.app.queries.balances(sku="MILK", lot="M1") == []
    voided = browser.get(f"/events/{received}").text
    assert '<span class="badge expired">voided</span>' in voided
    assert "Void this event" not in voided


def test_an_operator_sees_no_hold_release_or_void_and_the_server_refuses_them(pages: Pages) -> None:
    shipment = bakery(pages.app)
    operator = pages.login("operator")
    lot_page, event_page = operator.get("/lots/BREAD/B1").text, operator.get(f"/events/{shipment}").text
    assert "/lots/BREAD/B1/hold" not in lot_page
    assert ">Release</button>" not in lot_page
    assert "/void" not in event_page
    assert ">Void</button>" not in event_page
    for url, form in (
        ("/lots/BREAD/B1/hold", {"reason": "looks wrong", "scope": "lot"}),
        (f"/events/{shipment}/void", {"reason": "looks wrong"}),
    ):
        answer = operator.post(url, form, page="/lots/BREAD/B1")
        assert answer.status_code == 403
        assert "needs the quality role" in answer.text
    assert pages.app.queries.lot(BREAD).holds == []
    assert "voided" not in operator.get(f"/events/{shipment}").text


def test_an_unknown_lot_or_event_is_a_404_page_naming_it(pages: Pages) -> None:
    browser = pages.login("viewer")
    answer = browser.get("/lots/FLOUR/NOPE")
    assert answer.status_code == 404
    assert "no lot NOPE of item FLOUR is in the ledger" in answer.text
    missing = browser.get("/events/no-such-event")
    assert missing.status_code == 404
    assert "no event has the id &#39;no-such-event&#39;" in missing.text


def test_an_item_with_too_many_descendants_to_count_per_level_is_one_group_counted_at_every_level(
    pages: Pages, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage_genealogy, "EXACT_UP_TO", 5)  # a hub's 68,000 dough lots, in small
    receive(pages.app, "FLOUR", "F1", 100)
    produce(pages.app, [line("FLOUR", "F1", 40)], [line("DOUGH", f"X{n:02d}", 1) for n in range(1, 41)])
    produce(pages.app, [line("DOUGH", "X01", 1)], [line("DOUGH", "R1", 1)])  # rework: dough two levels down
    picture = svg_of(pages.login("viewer").get("/lots/FLOUR/F1").text)
    assert ">41 lots</text>" in picture
    assert "41 DOUGH lots among the descendants at every level" in picture
    x = {m.group(2): int(m.group(1)) for m in re.finditer(r'<rect x="(\d+)".*?>([A-Z]+(?: F1)?)</text>', picture)}
    assert x["FLOUR F1"] < x["DOUGH"]  # one box, one level down
    assert len(re.findall(r'<path d="M \d+ \d+ C', picture)) == 1  # joined to the flour


XSS = '"><svg onload=alert(1)><script>alert(2)</script>'


def test_user_text_on_the_lot_page_is_escaped_everywhere(pages: Pages) -> None:
    """A hold reason, a supplier lot and a lot code with markup are shown as text, never as markup."""
    receive(pages.app, "FLOUR", "<b>L1<b>", 10, supplier_lot="<i>S</i>")
    hold(pages.app, "FLOUR", "<b>L1<b>", reason=XSS)
    answer = pages.login("viewer").get(lot_url(LotKey("FLOUR", "<b>L1<b>")))
    assert answer.status_code == 200
    text = answer.text
    for markup in ("<svg onload", "<script>alert", "<b>L1<b>", "<i>S</i>"):
        assert markup not in text
    assert "&lt;svg onload=alert(1)&gt;" in text or "&#34;&gt;&lt;svg onload" in text
