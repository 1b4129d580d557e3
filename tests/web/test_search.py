"""The search field: one match goes to its lot or pallet page, several are listed, junk gets a sentence."""

from __future__ import annotations

import html as markup
import re

import pytest

from tests.factories import PALLET, line, pack, produce, receive, record
from tests.web.conftest import Pages

GTIN = "09506000134352"  # BREAD's


@pytest.fixture
def plant(pages: Pages) -> Pages:
    """Flour F-1 (the mill's lot M-77) baked into bread B-1 on work order WO-7, some bread on a pallet;
    salt and milk that share the lot code X-1."""
    app = pages.app
    receive(app, "FLOUR", "F-1", 100, supplier_lot="M-77")
    receive(app, "SALT", "X-1", 5)
    receive(app, "MILK", "X-1", 20, "L")
    produce(app, [line("FLOUR", "F-1", 50)], [line("BREAD", "B-1", 100, "ea")], reference="WO-7")
    pack(app, "BREAD", "B-1", 40, "ea")
    return pages


def table_rows(page: str) -> list[tuple[str, ...]]:
    """The body rows of the page's tables as the reader sees them: each cell's text, links as "text [href]"."""
    found = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", page, re.S):
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            found.append(tuple(_text(cell) for cell in cells))
    return found


def _text(cell: str) -> str:
    cell = re.sub(r'<a href="([^"]*)">(.*?)</a>', r"\2 [\1]", cell, flags=re.S)
    return markup.unescape(" ".join(re.sub(r"<[^>]+>", " ", cell).split()))


def searched(pages: Pages, text: str) -> tuple[int, str, str]:
    """(status, where it sends the browser, the page) of searching `text` as a viewer."""
    answer = pages.login("viewer").get("/search", params={"q": text}, follow_redirects=False)
    return answer.status_code, answer.headers.get("location", ""), answer.text


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("B-1", "/lots/BREAD/B-1"),  # our lot code
        ("  B-1 ", "/lots/BREAD/B-1"),  # as pasted, with spaces
        ("M-77", "/lots/FLOUR/F-1"),  # the supplier's lot code
        (PALLET, f"/pallets/{PALLET}"),  # an SSCC typed or scanned alone
        (f"(00){PALLET}", f"/pallets/{PALLET}"),  # a pallet label's GS1-128, as printed under the bars
        (f"(01){GTIN}(10)B-1", "/lots/BREAD/B-1"),  # GTIN + lot, human-readable form
        (f"]C101{GTIN}17270101\x1d10B-1", "/lots/BREAD/B-1"),  # GTIN + expiry + lot from a scanner, with GS
        (f"https://id.gs1.org/01/{GTIN}/10/B-1", "/lots/BREAD/B-1"),  # a GS1 Digital Link
        ("LOT:FLOUR:F-1", "/lots/FLOUR/F-1"),  # lotledger's own label for an item without a GTIN
    ],
)
def test_a_text_naming_exactly_one_lot_or_pallet_goes_to_its_page(plant: Pages, text: str, target: str) -> None:
    assert searched(plant, text)[:2] == (303, target)


def test_a_code_typed_in_lower_case_finds_the_lot_when_nothing_matches_as_typed(plant: Pages) -> None:
    assert searched(plant, "f-1")[:2] == (303, "/lots/FLOUR/F-1")
    assert searched(plant, "wo-7")[0] == 200  # the reference, as for WO-7


def test_a_reference_lists_the_lots_its_events_touched(plant: Pages) -> None:
    status, _, html = searched(plant, "WO-7")
    assert status == 200
    assert "2 found for “WO-7”: choose one." in html
    assert table_rows(html) == [
        ("BREAD Bread", "B-1 [/lots/BREAD/B-1]", "reference"),
        ("FLOUR Flour", "F-1 [/lots/FLOUR/F-1]", "reference"),
    ]


def test_a_lot_code_two_items_share_lists_both_items(plant: Pages) -> None:
    status, _, html = searched(plant, "X-1")
    assert status == 200
    assert "2 found for “X-1”" in html
    assert table_rows(html) == [
        ("MILK Milk", "X-1 [/lots/MILK/X-1]", "lot code"),
        ("SALT Salt", "X-1 [/lots/SALT/X-1]", "lot code"),
    ]


def test_a_reference_on_more_than_a_hundred_lots_lists_a_hundred_and_says_so(plant: Pages) -> None:
    lines = [line("SALT", f"S-{n:03}", 1) for n in range(101)]
    record(plant.app, {"type": "receive", "location": "RAW", "partner": "MILL", "reference": "PO-BIG", "lines": lines})
    status, _, html = searched(plant, "PO-BIG")
    assert status == 200
    assert "More than 100 found for “PO-BIG”" in html
    assert "Only the first 100 are listed" in html
    listed = table_rows(html)
    assert len(listed) == 100
    assert listed[0] == ("SALT Salt", "S-000 [/lots/SALT/S-000]", "reference")


def test_nothing_found_says_what_was_searched(plant: Pages) -> None:
    status, _, html = searched(plant, "NOPE-9")
    assert status == 404
    assert "Nothing matched “NOPE-9”: no lot code, supplier lot, reference or SSCC is that." in html
    assert 'value="NOPE-9"' in html  # the search field keeps the text to correct it


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (f"(01){GTIN}(10)B-9", "no lot B-9 of BREAD (GTIN 09506000134352) is on record"),
        ("(00)106141412345678915", "no pallet with SSCC 106141412345678915 is on record"),
        (f"(01){GTIN}", "GTIN 09506000134352 is item BREAD (Bread); the barcode names no lot"),
        ("(01)12345678901234(10)B-1", "Invalid GTIN check digit for"),
    ],
)
def test_a_barcode_naming_nothing_on_record_says_what_it_was_read_as(plant: Pages, text: str, why: str) -> None:
    status, _, html = searched(plant, text)
    assert status == 404
    assert "Nothing matched" in html
    assert why in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("%ED%A0%80", "it was not valid UTF-8"),  # a lone surrogate, as a browser would send its bytes
        ("%00", "NUL character"),  # refused before routing (the API's RefuseNul), but in words
        ("B%07-1", "the text contains the control character U+0007"),
        ("A" * 10_000, "the text is 10,000 characters long; a code, reference or barcode has at most 512"),
        ("%27%22%3E%3Cscript%3E", "Nothing matched"),  # quotes and markup are only text
    ],
)
def test_junk_gets_a_sentence_never_an_error(plant: Pages, query: str, message: str) -> None:
    answer = plant.login("viewer").get(f"/search?q={query}", follow_redirects=False)
    assert answer.status_code in (404, 422)
    assert answer.headers["content-type"].startswith("text/html")
    assert message in answer.text
    assert "<script>" not in answer.text


def test_an_empty_search_explains_what_can_be_searched(plant: Pages) -> None:
    answer = plant.login("viewer").get("/search?q=")
    assert answer.status_code == 200
    assert "Type or scan into the search field" in answer.text
    assert 'role="alert"' not in answer.text


def test_searching_without_a_session_asks_to_log_in_first(plant: Pages) -> None:
    answer = plant.anonymous().get("/search?q=B-1", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login?next=/search%3Fq%3DB-1")
