"""The dashboard (holds, expiring stock, open recalls, latest events) and a pallet's page, as a viewer sees them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from lotledger.storage import dashboard_reads
from tests.factories import PALLET, TESTER, hold, line, pack, receive, record, ship
from tests.web.conftest import Pages
from tests.web.test_search import table_rows

TODAY = datetime.now(UTC).date()  # the plant's time zone is UTC in the tests


def section(page: str, name: str) -> str:
    """One section of the dashboard (recalls, holds, expired, expiring, events), by its heading's id."""
    found = re.search(rf'<section aria-labelledby="{name}-heading">(.*?)</section>', page, re.S)
    assert found, f"the page has no {name} section"
    return found.group(1)


def dashboard(pages: Pages, query: str = "") -> str:
    answer = pages.login("viewer").get(f"/{query}")
    assert answer.status_code == 200, answer.text
    return answer.text


def in_days(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


def test_a_held_lot_is_listed_with_its_reason(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 100)
    receive(pages.app, "FLOUR", "F-2", 100)
    held = hold(pages.app, "FLOUR", "F-1", reason="metal detector alarm")
    holds = section(dashboard(pages), "holds")
    assert "On hold: 1" in holds
    assert [(lot, reason, link) for lot, _, reason, link in table_rows(holds)] == [
        ("FLOUR/F-1 [/lots/FLOUR/F-1] held", "metal detector alarm", f"hold event [/events/{held.id}]")
    ]


def test_stock_expiring_within_fourteen_days_is_listed_soonest_first(pages: Pages) -> None:
    receive(pages.app, "MILK", "M-3", 20, "L", expiry=in_days(3))
    receive(pages.app, "MILK", "M-1", 10, "L", expiry=in_days(1))
    receive(pages.app, "MILK", "M-30", 20, "L", expiry=in_days(30))  # not soon
    receive(pages.app, "MILK", "M-GONE", 5, "L", expiry=in_days(2))
    ship(pages.app, "MILK", "M-GONE", 5, "L")  # no stock left: nothing to act on
    expiring = section(dashboard(pages), "expiring")
    assert "Expiring in the next 14 days: 2" in expiring
    assert table_rows(expiring) == [
        ("MILK/M-1 [/lots/MILK/M-1]", "Milk", f"{in_days(1)} in 1 d", "10 L", "released"),
        ("MILK/M-3 [/lots/MILK/M-3]", "Milk", f"{in_days(3)} in 3 d", "20 L", "released"),
    ]


def test_the_expiring_window_can_be_widened(pages: Pages) -> None:
    receive(pages.app, "MILK", "M-30", 20, "L", expiry=in_days(30))
    expiring = section(dashboard(pages, "?days=30"), "expiring")
    assert "Expiring in the next 30 days: 1" in expiring
    assert table_rows(expiring)[0][0] == "MILK/M-30 [/lots/MILK/M-30]"


def test_a_window_that_is_not_a_number_of_days_says_so_and_shows_fourteen(pages: Pages) -> None:
    answer = pages.login("viewer").get("/?days=lots")
    assert answer.status_code == 422
    assert "“lots” is not a number of days from 0 to 366: showing the next 14 days" in answer.text
    assert "Expiring in the next 14 days" in answer.text


def test_expired_stock_still_on_hand_is_flagged(pages: Pages) -> None:
    old = line("MILK", "M-OLD", 7, "L", expiry="2026-03-05")
    record(pages.app, {"type": "receive", "location": "RAW", "partner": "MILL", "time": "2026-03-01T06:00:00+00:00",
                       "lines": [old]})  # fmt: skip
    hold(pages.app, "MILK", "M-OLD", reason="expired")
    page = dashboard(pages)
    assert "Expired, still in stock: 1" in section(page, "expired")
    assert table_rows(section(page, "expired")) == [
        ("MILK/M-OLD [/lots/MILK/M-OLD]", "Milk", "2026-03-05 expired", "7 L", "held")
    ]
    assert "No lot with stock on hand expires in the next 14 days." in section(page, "expiring")


@pytest.mark.parametrize("little_stock", [20_000, 1])  # few lots in stock lead, or the lots' expiry index does
def test_expired_stock_is_listed_the_most_recently_expired_first(
    pages: Pages, monkeypatch: pytest.MonkeyPatch, little_stock: int
) -> None:
    monkeypatch.setattr(dashboard_reads, "LITTLE_STOCK", little_stock)
    for lot, expiry in (("M-MAR", "2026-03-05"), ("M-APR", "2026-04-05"), ("M-GONE", "2026-04-06")):
        old = line("MILK", lot, 7, "L", expiry=expiry)
        record(pages.app, {"type": "receive", "location": "RAW", "partner": "MILL", "lines": [old],
                           "time": "2026-03-01T06:00:00+00:00"})  # fmt: skip
    ship(pages.app, "MILK", "M-GONE", 7, "L")
    expired = section(dashboard(pages), "expired")
    assert [row[0] for row in table_rows(expired)] == ["MILK/M-APR [/lots/MILK/M-APR]", "MILK/M-MAR [/lots/MILK/M-MAR]"]


def test_the_latest_events_come_newest_first_with_their_lots(pages: Pages) -> None:
    first = receive(pages.app, "FLOUR", "F-1", 100)
    second = record(
        pages.app,
        {"type": "receive", "location": "RAW", "partner": "MILL", "reference": "PO-2",
         "lines": [line("SALT", f"S-{n}", 1) for n in range(6)]},
    )  # fmt: skip
    rows = table_rows(section(dashboard(pages), "events"))
    assert [row[1] for row in rows] == [f"receive [/events/{second.id}]", f"receive [/events/{first.id}]"]
    assert rows[0][3:] == ("PO-2", "SALT/S-0 [/lots/SALT/S-0], SALT/S-1 [/lots/SALT/S-1], SALT/S-2 [/lots/SALT/S-2], "
                           "SALT/S-3 [/lots/SALT/S-3] and 2 more")  # fmt: skip
    assert rows[1][3:] == ("PO-1", "FLOUR/F-1 [/lots/FLOUR/F-1]")


def test_an_open_recall_is_listed_and_a_closed_one_is_not(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 100, supplier_lot="M-77")
    receive(pages.app, "FLOUR", "F-2", 100)
    why = {"reason": "undeclared sesame"}
    opened = pages.app.recalls.open({"lots": [{"item": "FLOUR", "lot": "F-1"}], **why}, TESTER).case
    closed = pages.app.recalls.open({"lots": [{"item": "FLOUR", "lot": "F-2"}], **why}, TESTER).case
    pages.app.recalls.close(closed.id, {"note": "done"}, TESTER)
    recalls = section(dashboard(pages), "recalls")
    assert "Open recalls: 1" in recalls
    assert f'<a href="/recalls/{opened.id}">Recall: lots FLOUR/F-1</a> (case {opened.id})' in recalls
    assert f'href="/recalls/{closed.id}"' not in recalls


def test_a_new_plant_says_there_is_nothing_to_act_on(pages: Pages) -> None:
    page = dashboard(pages)
    assert "No recall is open." in page
    assert "No lot is on hold." in page
    assert "No expired lot has stock on hand." in page
    assert "Nothing is recorded yet." in page


def test_a_pallet_page_shows_where_it_is_and_what_is_on_it(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 100)
    packed = pack(pages.app, "FLOUR", "F-1", 40)
    answer = pages.login("viewer").get(f"/pallets/{PALLET}")
    assert answer.status_code == 200
    assert f"<h1>Pallet {PALLET}</h1>" in answer.text
    assert "<dt>Where</dt><dd>RAW</dd>" in answer.text
    assert f'href="/floor/labels/pallet/{PALLET}.pdf">Pallet label (PDF)</a>' in answer.text
    rows = table_rows(answer.text)
    assert rows[0] == ("FLOUR/F-1 [/lots/FLOUR/F-1]", "RAW", "40 kg")  # on it now
    assert rows[1] == ("FLOUR/F-1 [/lots/FLOUR/F-1]", "40 kg")  # packed with
    assert rows[2][1:] == (f"pack [/events/{packed.id}]", "RAW", "", "")  # its history


def test_a_shipped_pallet_shows_whom_it_went_to_and_what_it_was_packed_with(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 100)
    pack(pages.app, "FLOUR", "F-1", 40)
    record(pages.app, {"type": "unpack", "location": "RAW", "container": PALLET, "lines": [line("FLOUR", "F-1", 10)]})
    record(
        pages.app, {"type": "ship", "location": "RAW", "partner": "SHOP", "reference": "SO-9", "containers": [PALLET]}
    )
    page = pages.login("viewer").get(f"/pallets/{PALLET}").text
    assert re.search(r"<dt>Where</dt><dd>shipped to SHOP on 2026-\d\d-\d\d \d\d:\d\d UTC \(SO-9\)</dd>", page)
    assert "Nothing is on it now." in page
    assert table_rows(page)[0] == ("FLOUR/F-1 [/lots/FLOUR/F-1]", "30 kg")
    assert [row[1].split(" [")[0] for row in table_rows(page)[1:]] == ["pack", "unpack", "ship"]


@pytest.mark.parametrize(
    ("sscc", "message"),
    [("106141412345678915", "no pallet with SSCC 106141412345678915 is on record"), ("12345", "is not an SSCC")],
)
def test_an_unknown_pallet_is_a_page_saying_so(pages: Pages, sscc: str, message: str) -> None:
    answer = pages.login("viewer").get(f"/pallets/{sscc}")
    assert answer.status_code == 404
    assert message in answer.text


@pytest.mark.parametrize("url", ["/", f"/pallets/{PALLET}"])
def test_without_a_session_the_page_asks_to_log_in_first(pages: Pages, url: str) -> None:
    answer = pages.anonymous().get(url, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")
