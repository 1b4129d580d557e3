"""The lot page's Download CSV / XLSX links: its history, trace and stock, the same files as the API's."""

from __future__ import annotations

import pytest

from lotledger.domain.model import LotKey
from lotledger.interchange.tables import XLSX_MEDIA_TYPE
from lotledger.web.links import lot_url
from tests.api.conftest import Api
from tests.list_files import FORMULA, plant, rows_of
from tests.web.conftest import Pages, said

FLOUR = LotKey("FLOUR", FORMULA)


@pytest.fixture
def bakery(pages: Pages) -> Pages:
    plant(pages.app)
    return pages


def test_the_lot_page_links_each_list_as_csv_and_xlsx(bakery: Pages) -> None:
    html = bakery.login("viewer").get(lot_url(FLOUR)).text
    for listing in ("history", "trace", "stock"):
        for format in ("csv", "xlsx"):
            assert f'href="{lot_url(FLOUR)}/{listing}.{format}" download' in html
    assert html.count(">Download CSV</a>") == 3


@pytest.mark.parametrize("format", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("listing", "route", "params"),
    [
        ("history", "/api/v1/lots/history", {"item": "FLOUR", "lot": FORMULA}),
        ("trace", "/api/v1/lots/trace", {"item": "FLOUR", "lot": FORMULA}),
        ("stock", "/api/v1/balances", {"item": "FLOUR", "lot": FORMULA}),
    ],
)
def test_a_download_is_the_apis_file(
    bakery: Pages, format: str, listing: str, route: str, params: dict[str, str]
) -> None:
    api = Api(bakery.app)  # a user and token per role, with the pages' password
    bakery.users.update(f"{role}-user" for role in api.tokens)
    answer = bakery.login("viewer").get(f"{lot_url(FLOUR)}/{listing}.{format}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] in ("text/csv; charset=utf-8", XLSX_MEDIA_TYPE)
    same = api.client.get(route, params={**params, "format": format}, headers=api.headers("viewer"))
    assert rows_of(answer.content, format) == rows_of(same.content, format)
    assert len(rows_of(answer.content, format)) > 1
    assert answer.headers["content-disposition"] == same.headers["content-disposition"]


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        (f"{lot_url(FLOUR)}/history.pdf", 404, "no list history.pdf"),
        (f"{lot_url(FLOUR)}/recall.csv", 404, "no list recall.csv"),
        ("/lots/FLOUR/NOPE/stock.csv", 404, "no lot NOPE of item FLOUR is in the ledger"),
        ("/lots/FLOUR/NOPE/trace.xlsx", 404, "no lot NOPE of item FLOUR is in the ledger"),
    ],
)
def test_an_unknown_list_or_lot_is_a_page_saying_so(bakery: Pages, path: str, status: int, message: str) -> None:
    answer = bakery.login("viewer").get(path)
    assert answer.status_code == status
    assert message in said(answer)


def test_a_download_needs_a_session(bakery: Pages) -> None:
    answer = bakery.anonymous().get(f"{lot_url(FLOUR)}/history.csv", follow_redirects=False)
    assert answer.status_code in (302, 303, 401)
    assert "seq,event id" not in answer.text
