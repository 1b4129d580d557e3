"""A day in the plant in a real browser (Debian's chromium), on each backend.

The operator receives two lots by scanning their labels (a keyboard-wedge
scanner types the text, Ctrl+] for GS1's separator, Enter at the end),
produces bread from them, packs a pallet and prints its label, and ships it.
The quality manager searches the bread, sees its genealogy and its customer,
and holds the flour and everything made from it; the ship page then refuses
the held bread at the scan. Every page visited is screenshotted and checked
by axe-core: no serious or critical accessibility finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from lotledger.bootstrap import bootstrap
from lotledger.config import Settings
from lotledger.domain.model import Item, gs1_check_digit
from tests.factories import ATTRIBUTION, setup_plant
from tests.pages.conftest import accessibility_findings, screenshot
from tests.served import Served

PASSWORD = "a long day at the plant"
FLOUR_GTIN = "0950600013437" + str(gs1_check_digit("0950600013437"))
SALT_GTIN = "0950600013438" + str(gs1_check_digit("0950600013438"))
BREAD_GTIN = "09506000134352"  # tests/factories.py


@pytest.fixture
def plant(db_url: str) -> Iterator[Served]:
    """The small plant of tests/factories.py, with GTINs on its raw materials, served as a plant runs it."""
    app = bootstrap(Settings(db_url))
    try:
        setup_plant(app)
        app.master_data.save(Item("FLOUR", "Flour", "kg", gtin=FLOUR_GTIN), ATTRIBUTION)
        app.master_data.save(Item("SALT", "Salt", "kg", gtin=SALT_GTIN), ATTRIBUTION)
        app.accounts.add_user("floor", PASSWORD, "operator")
        app.accounts.add_user("qa", PASSWORD, "quality")
        app.accounts.add_user("boss", PASSWORD, "admin")
    finally:
        app.close()
    env = {"LOTLEDGER_GS1_PREFIX": "0614141", "LOTLEDGER_TIMEZONE": "America/Chicago"}
    with Served(db_url, env=env) as served:
        yield served


class Visit:
    """One person's browser: every page it lands on is screenshotted and checked by axe-core."""

    def __init__(self, browser: Any, served: Served, who: str, backend: str, width: int = 1280) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 800})
        self.page = self.context.new_page()
        self.page.on("dialog", lambda dialog: dialog.accept())  # "Hold this lot?": yes
        self.problems: list[str] = []
        self.requested: set[str] = set()
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))
        self.page.on("request", lambda request: self.requested.add(urlsplit(request.url).netloc))
        self.served, self.who, self.backend = served, who, backend
        self.findings: dict[str, list[str]] = {}
        self.shots = 0

    def _console(self, message: Any) -> None:
        # A page that refuses (a 409 at a held lot's scan) is logged as a failed load: that one is meant.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(message.text)

    def _response(self, response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} for {response.url}")  # a script, style or image missing

    def log_in(self) -> None:
        self.page.goto(f"{self.served.origin}/")
        assert urlsplit(self.page.url).path == "/login"
        self.check("login")
        self.page.fill("#username", self.who)
        self.page.fill("#password", PASSWORD)
        self.page.click("button:has-text('Log in')")
        assert urlsplit(self.page.url).path == "/"

    def check(self, name: str) -> None:
        self.shots += 1
        screenshot(self.page, f"{self.backend}-{self.who}-{self.shots:02d}-{name}")
        found = accessibility_findings(self.page)
        if found:
            self.findings[name] = found

    def scan(self, text: str, field: str = "#scan") -> None:
        """Type as a keyboard-wedge scanner does: the characters, Ctrl+] for GS, then Enter."""
        self.page.focus(field)
        for number, part in enumerate(text.split("\x1d")):
            if number:
                self.page.keyboard.press("Control+BracketRight")
            self.page.keyboard.type(part)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def text(self, selector: str) -> str:
        return str(self.page.inner_text(selector))

    def close(self) -> None:
        self.context.close()
        assert self.problems == [], self.problems  # nothing refused by the CSP, no script error
        assert self.requested == {urlsplit(self.served.origin).netloc}  # nothing from elsewhere
        assert self.findings == {}, self.findings


def test_a_day_in_the_plant(browser: Any, plant: Served, db_url: str) -> None:
    backend = db_url.split(":")[0].split("+")[0]
    floor = Visit(browser, plant, "floor", backend, width=360)  # a handheld scanner's screen
    floor.log_in()
    floor.check("dashboard")
    floor.page.click("nav >> text=Floor")
    floor.check("floor")

    # Receive two lots by scanning the supplier's labels.
    floor.page.click("text=Receive")
    floor.page.select_option("#partner", "MILL")
    floor.page.select_option("#location", "RAW")
    floor.page.fill("#reference", "PO-7")
    floor.scan(f"]C101{FLOUR_GTIN}17270131" + "10F-77\x1d" + "3103025500")  # 25.5 kg, best before 2027-01-31
    assert "Scanned: FLOUR" in floor.text("main")
    floor.page.fill("#qty", "12.5")
    floor.scan(f"(01){SALT_GTIN}(10)S-9")
    floor.check("receive-scanned")
    floor.page.click("button:has-text('Record receipt')")
    assert "recorded" in floor.text("[role=status]")

    # Produce bread from both.
    floor.page.goto(f"{plant.origin}/floor/produce")
    floor.page.select_option("#location", "RAW")
    floor.page.fill("#reference", "WO-1")
    floor.page.fill("#qty", "20")
    floor.scan("LOT:FLOUR:F-77")
    floor.page.fill("#qty", "0.5")
    floor.scan("LOT:SALT:S-9")
    floor.page.select_option("#m_item", "BREAD")
    floor.page.fill("#m_lot", "B-1")
    floor.page.fill("#m_qty", "40")
    floor.page.fill("#m_expiry", "2027-01-15")
    floor.page.click("button:has-text('Add output') >> nth=-1")
    floor.check("produce")
    floor.page.click("button:has-text('Record production')")
    assert "recorded" in floor.text("[role=status]")

    # Pack 36 loaves onto a new pallet and print its label.
    floor.page.goto(f"{plant.origin}/floor/pack")
    floor.page.select_option("#location", "RAW")
    floor.page.click("button:has-text('New SSCC')")
    sscc = floor.page.input_value("#container")
    assert len(sscc) == 18
    assert sscc.startswith("00614141")
    floor.page.fill("#qty", "36")
    floor.scan(f"(01){BREAD_GTIN}(10)B-1")
    floor.page.click("button:has-text('Record pallet')")
    label = floor.page.get_attribute("a:has-text('Print pallet label')", "href")
    assert label is not None
    printed = floor.context.request.get(f"{plant.origin}{label}")
    assert printed.ok
    assert printed.body().startswith(b"%PDF")
    floor.check("packed")

    # Ship the pallet to the shop by scanning its SSCC.
    floor.page.goto(f"{plant.origin}/floor/ship")
    floor.page.select_option("#partner", "SHOP")
    floor.page.select_option("#location", "RAW")
    floor.page.fill("#reference", "SO-1")
    floor.scan(f"(00){sscc}")
    floor.check("ship-scanned")
    floor.page.click("button:has-text('Record shipment')")
    assert "recorded" in floor.text("[role=status]")

    # Quality: search the bread, see its genealogy and its customer; hold the flour downstream.
    qa = Visit(browser, plant, "qa", backend)  # at a desk
    qa.log_in()
    qa.page.fill("#q", "B-1")
    qa.page.press("#q", "Enter")
    assert urlsplit(qa.page.url).path == "/lots/BREAD/B-1"
    picture = qa.page.locator("#genealogy svg, .genealogy svg").first
    assert picture.locator("a[href='/lots/FLOUR/F-77']").count() == 1
    assert picture.locator("a[href='/lots/SALT/S-9']").count() == 1
    assert "SHOP" in qa.text("main")
    qa.check("lot-bread")
    qa.page.goto(f"{plant.origin}/lots/FLOUR/F-77")
    qa.page.fill("#reason", "supplier reported aflatoxin")
    qa.page.check("#scope-downstream")
    qa.page.click("button:has-text('Hold')")
    assert "held" in qa.text("main")
    qa.check("lot-flour-held")

    # The floor: the held bread (4 loose loaves left) is refused at the scan.
    floor.page.goto(f"{plant.origin}/floor/ship")
    floor.page.select_option("#partner", "SHOP")
    floor.page.select_option("#location", "RAW")
    floor.page.fill("#qty", "2")
    floor.scan(f"(01){BREAD_GTIN}(10)B-1")
    refusal = floor.text("[role=alert]")
    assert "is on hold" in refusal
    assert "supplier reported aflatoxin" in refusal
    floor.check("ship-refused")
    floor.close()

    # Every other page, as the admin, checked the same way.
    boss = Visit(browser, plant, "boss", backend)
    boss.log_in()
    for name, path in [
        ("pallet", f"/pallets/{sscc}"),
        ("search-list", "/search?q=SO-1"),
        ("recalls", "/recalls"),
        ("recall-new", "/recalls/new"),
        ("fsma204", "/exports/fsma204"),
        ("admin", "/admin"),
        ("admin-items", "/admin/items"),
        ("admin-item", "/admin/items/edit/BREAD"),
        ("admin-locations", "/admin/locations"),
        ("admin-partners", "/admin/partners"),
        ("admin-partner", "/admin/partners/edit/SHOP"),
        ("admin-users", "/admin/users"),
        ("admin-tokens", "/admin/tokens"),
        ("move", "/floor/move"),
        ("adjust", "/floor/adjust"),
        ("return", "/floor/return"),
        ("not-found", "/lots/BREAD/NO-SUCH-LOT"),
    ]:
        boss.page.goto(f"{plant.origin}{path}")
        boss.check(name)
    boss.page.goto(f"{plant.origin}/recalls/new?item=FLOUR&lot=F-77")
    boss.page.fill("#reason", "supplier reported aflatoxin")
    boss.page.click("button:has-text('Start')")
    assert "SHOP" in boss.text("main")
    boss.check("recall-case")
    boss.close()
    qa.close()
    assert httpx.get(f"{plant.base}/health").status_code == 200
