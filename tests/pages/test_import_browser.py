"""A register imported in a real browser, on each backend: the template downloaded, a file with a bad row
checked (the table of bad rows), then imported. Every page visited is screenshotted and checked by axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.legacy_register import csv_bytes, register_xlsx
from tests.pages.test_day_in_the_plant import Visit, plant  # noqa: F401 (the served plant fixture)
from tests.served import Served


def test_a_register_checked_then_imported_from_the_page(
    browser: Any,
    plant: Served,  # noqa: F811
    db_url: str,
    tmp_path: Path,
) -> None:
    backend = db_url.split(":")[0].split("+")[0]
    boss = Visit(browser, plant, "boss", backend)
    boss.log_in()
    boss.page.click("nav >> text=Import")
    boss.check("imports")
    template = boss.page.request.get(f"{plant.origin}/imports/templates/all?format=xlsx")
    assert (template.status, template.body()[:2]) == (200, b"PK")

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["type", "sku", "name", "uom"], ["item", "X1", "X", "parsec"]]))
    boss.page.set_input_files("#file", str(bad))
    boss.page.click("button:has-text('Check (dry run)')")
    assert "unknown unit 'parsec'" in boss.text("table")
    boss.check("imports-bad-rows")

    register = tmp_path / "register.xlsx"
    register.write_bytes(register_xlsx())
    boss.page.set_input_files("#file", str(register))
    boss.page.click("button:has-text('Check (dry run)')")
    assert "Would store 3 events" in boss.text("main")
    boss.page.click("button:has-text('Import')")
    assert "Stored 3 events" in boss.text("main")
    boss.check("imports-done")
    boss.close()
