"""Hostile and odd input on the pages: a page that says what is wrong, never a 500, JSON or a false success."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from lotledger.domain.model import Item
from tests.factories import receive
from tests.web.conftest import Pages, said


def is_page(answer: httpx.Response) -> bool:
    return answer.headers.get("content-type", "").startswith("text/html")


# --- 1. a floor Record that stored nothing says "already recorded" ------------------------------


def test_a_record_whose_event_id_is_taken_by_another_event_does_not_say_it_was_recorded(pages: Pages) -> None:
    """The form's event id is in a hidden field: Back after Record, a changed line, Record again (or an
    id edited by hand) gives an id the ledger already holds with another body. The page says "This receipt
    was already recorded" and lists the new lot, yet nothing of it was recorded."""
    operator = pages.login("operator")
    event_id = str(uuid.uuid4())
    header = [("partner", "MILL"), ("location", "RAW"), ("reference", "PO-7"), ("event_id", event_id)]
    first = json.dumps({"item": "FLOUR", "lot": "F-1", "qty": "5", "uom": "kg"})
    answer = operator.post("/floor/receive", [*header, ("lines", first), ("action", "record")], page="/floor/receive")
    assert "Receipt recorded" in said(answer)
    other = json.dumps({"item": "SALT", "lot": "S-9", "qty": "5", "uom": "kg"})  # the same form, another line
    answer = operator.post("/floor/receive", [*header, ("lines", other), ("action", "record")], page="/floor/receive")
    assert pages.app.queries.balances(sku="SALT", lot="S-9") == []  # nothing was recorded...
    assert "already recorded" not in said(answer)  # ...so the page must not say it was
    assert answer.status_code == 409


# --- 2. a 500 instead of a page saying what is wrong ---------------------------------------------


def test_a_superscript_digit_as_genealogy_depth_is_refused_not_a_crash(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "L1", 10)
    answer = pages.login("viewer").get("/lots/FLOUR/L1?up=%C2%B2")  # "²".isdigit() but int("²") fails
    assert answer.status_code == 422, answer.text


def test_removing_a_line_with_a_superscript_index_is_refused_not_a_crash(pages: Pages) -> None:
    operator = pages.login("operator")
    answer = operator.post("/floor/receive", [("action", "remove:lines:²")], page="/floor/receive")
    assert answer.status_code == 422, answer.text


def test_a_deeply_nested_draft_line_is_refused_not_a_crash(pages: Pages) -> None:
    operator = pages.login("operator")
    deep = "[" * 3000 + "]" * 3000  # json.loads raises RecursionError, not ValueError
    answer = operator.post("/floor/receive", [("lines", deep), ("action", "add")], page="/floor/receive")
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize("days", ["²", "9" * 5000])
def test_a_number_field_of_master_data_that_int_cannot_read_is_refused_not_a_crash(pages: Pages, days: str) -> None:
    admin = pages.login("admin")
    fields = [("sku", "NEW"), ("name", "New"), ("uom", "kg"), ("shelf_life_days", days), ("active", "on")]
    answer = admin.post("/admin/items/new", fields, page="/admin/items/new")
    assert answer.status_code == 422, answer.text
    assert "NEW" not in {item.sku for item in pages.app.master_data.all(Item)}


def test_a_recall_by_supplier_until_the_last_day_of_9999_is_refused_not_a_crash(pages: Pages) -> None:
    quality = pages.login("quality")
    fields = [("by", "supplier"), ("supplier", "MILL"), ("since", "2020-01-01"), ("until", "9999-12-31"),
              ("reason", "x")]  # fmt: skip
    answer = quality.post("/recalls/new", fields, page="/recalls/new")  # + timedelta(days=1): OverflowError
    assert answer.status_code == 422, answer.text
    assert pages.app.recalls.cases(None, 10, None) == []


# --- 3. a JSON answer on a page route ------------------------------------------------------------


def test_a_form_larger_than_the_body_limit_gets_an_error_page_not_json(pages: Pages) -> None:
    """LimitBody (4 MiB) answers problem+json on every path; read_form's 256 KiB limit answers a page."""
    operator = pages.login("operator")
    answer = operator.post("/floor/receive", [("reference", "x" * 5_000_000)], page="/floor/receive")
    assert answer.status_code == 413
    assert is_page(answer), answer.headers.get("content-type")


# --- 5. a change that changes nothing is reported and audited as a change ------------------------


def test_a_user_change_naming_no_change_is_refused(pages: Pages) -> None:
    pages.user("viewer")
    admin = pages.login("admin")
    answer = admin.post("/admin/users/viewer-user", [("change", "promote-me")], page="/admin/users")
    assert answer.status_code == 422, (answer.status_code, answer.headers.get("location"))
    assert pages.app.accounts.user("viewer-user").role == "viewer"
