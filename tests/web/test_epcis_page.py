"""The EPCIS export from a page: a form, the same file as the API, a refused choice shown on the form again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lotledger.interchange.epcis_out import MEDIA_TYPE
from tests.epcis_plant import bakery, epcis_app, schema_errors
from tests.web.conftest import Pages, said


@pytest.fixture
def plant(db_url: str) -> Iterator[Pages]:
    app = epcis_app(db_url)
    bakery(app)
    yield Pages(app)
    app.close()


def test_the_epcis_document_downloads_from_its_form(plant: Pages) -> None:
    viewer = plant.login("viewer")
    assert 'href="/exports/epcis"' in viewer.get("/recalls").text
    form = viewer.get("/exports/epcis")
    assert form.status_code == 200
    assert 'action="/exports/epcis/file"' in form.text
    answer = viewer.get("/exports/epcis/file", params={"start": "", "end": "", "item": "BREAD", "lot": "B-2"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == MEDIA_TYPE
    assert answer.headers["content-disposition"] == 'attachment; filename="epcis_BREAD_B-2.jsonld"'
    assert schema_errors(answer.json()) == []
    assert len(answer.json()["epcisBody"]["eventList"]) == 9


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"item": "BREAD", "lot": "NOPE"}, "lot: unknown lot BREAD/NOPE"),
        ({"lot": "B-1"}, "item: a lot is named by its item and its code: give both"),
        ({"start": "yesterday"}, "from: expected a day as YYYY-MM-DD, got 'yesterday'"),
    ],
)
def test_a_refused_choice_shows_the_form_again_with_the_message(
    plant: Pages, params: dict[str, str], message: str
) -> None:
    answer = plant.login("viewer").get("/exports/epcis/file", params=params)
    assert answer.status_code == 422
    assert message in said(answer)
    assert f'value="{params.get("lot", "")}"' in answer.text


def test_the_form_needs_a_login(plant: Pages) -> None:
    answer = plant.anonymous().get("/exports/epcis", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login?next=/exports/epcis")
