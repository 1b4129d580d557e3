"""The API docs page works on a plant network: everything it loads comes from lotledger, under its CSP."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.served import Served


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the page does not touch the ledger
def test_the_docs_page_renders_every_route_loading_nothing_from_elsewhere(browser: Any, db_url: str) -> None:
    with Served(db_url) as served:
        origin = f"127.0.0.1:{served.port}"
        page = browser.new_page()
        requested: list[str] = []
        problems: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{served.base}/docs")
        # drawn from openapi.json: the operation that records events is on the page
        page.wait_for_selector('.opblock-summary-path[data-path="/api/v1/events"]', timeout=30_000)
        operations = page.locator(".opblock").count()
        page.close()
        served.stop()
    assert operations > 25
    assert {urlsplit(url).netloc for url in requested if not url.startswith("data:")} == {origin}
    assert problems == []  # no script, style or image refused by the Content-Security-Policy
