"""The admin pages on SQLite and PostgreSQL: master data with its addresses and FSMA fields, users and roles,
API tokens shown once and revoked; refusals shown in words; admins only."""

from __future__ import annotations

import re

import pytest

from lotledger.domain.model import Item, Location, Partner
from tests.factories import receive
from tests.web.conftest import PASSWORD, Pages, csrf_of, said

ITEM = {"sku": "PIE", "name": "Apple pie", "uom": "ea", "brand": "Granny's", "commodity": "apples", "ftl": "1",
        "pack_size": "6 x 400 g", "active": "1"}  # fmt: skip


def test_an_admin_adds_an_item_with_its_fsma_fields_and_changes_it(pages: Pages) -> None:
    admin = pages.login("admin")
    made = admin.post("/admin/items/new", ITEM)
    assert made.status_code == 303
    assert made.headers["location"] == "/admin/items/edit/PIE?done=saved"
    item = pages.app.master_data.one(Item, "PIE")
    assert (item.brand, item.commodity, item.pack_size, item.ftl) == ("Granny's", "apples", "6 x 400 g", True)
    changed = {**ITEM, "name": "Apple pie, large", "shelf_life_days": "5"}
    del changed["ftl"]  # the box unticked
    assert admin.post("/admin/items/edit/PIE", changed).status_code == 303
    item = pages.app.master_data.one(Item, "PIE")
    assert (item.name, item.shelf_life_days, item.ftl) == ("Apple pie, large", 5, False)
    assert "Apple pie, large" in admin.get("/admin/items?q=pie").text


def test_an_admin_adds_a_location_with_its_address_inside_another(pages: Pages) -> None:
    admin = pages.login("admin")
    form = {"code": "COLD", "name": "Cold store", "kind": "warehouse", "parent": "PLANT", "address": "1 Mill Road",
            "city": "Springfield", "postal_code": "12345", "country": "US", "fda_registration": "12345678901",
            "active": "1"}  # fmt: skip
    assert admin.post("/admin/locations/new", form).status_code == 303
    place = pages.app.master_data.one(Location, "COLD")
    assert (place.parent, place.city, place.fda_registration) == ("PLANT", "Springfield", "12345678901")
    assert "Cold store" in admin.get("/admin/locations").text


def test_an_admin_gives_a_partner_a_contact_and_an_address(pages: Pages) -> None:
    admin = pages.login("admin")
    form = {"code": "SHOP", "name": "Shop", "role": "customer", "contact": "Dana Reyes", "email": "qa@shop.example",
            "phone": "555 0100", "address": "2 Market St", "city": "Shelbyville", "country": "US",
            "active": "1"}  # fmt: skip
    answer = admin.post("/admin/partners/edit/SHOP", form)
    assert answer.headers["location"] == "/admin/partners/edit/SHOP?done=saved"
    shop = pages.app.master_data.one(Partner, "SHOP")
    assert (shop.contact, shop.email, shop.address) == ("Dana Reyes", "qa@shop.example", "2 Market St")
    page = admin.get("/admin/partners/edit/SHOP?done=saved").text
    assert "Saved." in page
    assert 'value="2 Market St"' in page


def test_an_items_unit_cannot_change_once_it_has_lots_and_the_page_says_why(pages: Pages) -> None:
    receive(pages.app, "FLOUR", "F-1", 10)
    admin = pages.login("admin")
    answer = admin.post("/admin/items/edit/FLOUR", {"sku": "FLOUR", "name": "Wheat flour", "uom": "L", "active": "1"})
    assert answer.status_code == 422
    assert "uom: item FLOUR already has lots in kg; its base unit cannot become L" in answer.text
    assert 'value="Wheat flour"' in answer.text  # the input kept
    assert pages.app.master_data.one(Item, "FLOUR") == Item("FLOUR", "Flour", "kg")


@pytest.mark.parametrize(
    ("url", "form", "message"),
    [
        ("/admin/items/new", {"sku": "", "name": "Nameless", "uom": "kg"}, "sku: expected a code of letters"),
        ("/admin/items/new", {"sku": "LONG", "name": "x" * 10_000, "uom": "kg"},
         "name: is 10000 characters long; at most 200 are kept"),
        ("/admin/locations/new", {"code": "LOOP", "name": "Loop", "kind": "zone", "parent": "NOWHERE"},
         "parent: unknown parent location 'NOWHERE'"),
        ("/admin/partners/new", {"code": "MILL", "name": "Mill again", "role": "supplier"},
         "code: partner 'MILL' already exists"),
        ("/admin/users", {"username": "newbie", "password": PASSWORD, "role": "boss"},
         "role: 'boss' is not one of viewer, operator, quality, admin"),
        ("/admin/users", {"username": "newbie", "password": "short", "role": "viewer"},
         "password: must be 8 to 256 characters"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_made(
    pages: Pages, url: str, form: dict[str, str], message: str
) -> None:
    answer = pages.login("admin").post(url, form)
    assert answer.status_code in (409, 404, 422)
    assert message in said(answer)
    assert 'role="alert"' in answer.text
    assert len(pages.app.master_data.all(Item)) == 5
    assert "newbie" not in {u.username for u in pages.app.accounts.users()}


def test_an_admin_adds_a_user_changes_their_role_and_deactivates_them(pages: Pages) -> None:
    admin = pages.login("admin")
    added = admin.post("/admin/users", {"username": "dana", "password": PASSWORD, "role": "operator"})
    assert added.headers["location"] == "/admin/users?done=added"
    assert admin.post("/admin/users/dana", {"role": "quality"}, page="/admin/users").status_code == 303
    assert pages.app.accounts.user("dana").role == "quality"
    assert log_in(pages, "dana") == 303
    assert admin.post("/admin/users/dana", {"change": "deactivate"}, page="/admin/users").status_code == 303
    assert not pages.app.accounts.user("dana").active
    assert log_in(pages, "dana") == 401
    assert "deactivated" in admin.get("/admin/users").text


def test_the_last_admin_cannot_be_demoted(pages: Pages) -> None:
    admin = pages.login("admin")
    answer = admin.post("/admin/users/admin-user", {"role": "viewer"}, page="/admin/users")
    assert answer.status_code == 409
    assert "admin-user is the last active admin; make another admin first" in answer.text
    assert pages.app.accounts.user("admin-user").role == "admin"


def log_in(pages: Pages, username: str) -> int:
    client = pages.anonymous()
    form = client.get("/login").text
    data = {"csrf": csrf_of(form), "username": username, "password": PASSWORD, "next": "/"}
    return client.post("/login", data=data, follow_redirects=False).status_code


def test_a_token_is_shown_once_works_as_a_bearer_and_stops_when_revoked(pages: Pages) -> None:
    admin = pages.login("admin")
    made = admin.post("/admin/tokens", {"username": pages.user("operator"), "name": "scanner-3"})
    assert made.status_code == 200
    assert "shown this once and never again" in made.text
    [secret] = re.findall(r'value="(llt_[^"]+)"', made.text)
    api = pages.anonymous()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/items", headers=bearer).status_code == 200
    listed = admin.get("/admin/tokens").text
    assert "scanner-3" in listed
    assert secret not in listed
    [token] = [t for t in pages.app.accounts.tokens() if t.name == "scanner-3"]
    revoked = admin.post(f"/admin/tokens/{token.id}/revoke", {}, page="/admin/tokens")
    assert revoked.headers["location"] == "/admin/tokens?done=revoked"
    assert api.get("/api/v1/items", headers=bearer).status_code == 401


def test_a_token_for_an_unknown_user_is_refused(pages: Pages) -> None:
    answer = pages.login("admin").post("/admin/tokens", {"username": "ghost", "name": "erp"})
    assert answer.status_code == 404
    assert "username: unknown user 'ghost'" in said(answer)


@pytest.mark.parametrize("url", ["/admin", "/admin/items", "/admin/items/new", "/admin/users", "/admin/tokens"])
def test_a_quality_user_gets_a_403_page_on_the_admin_pages(pages: Pages, url: str) -> None:
    answer = pages.login("quality").get(url)
    assert answer.status_code == 403
    assert "this page needs the admin role; quality-user has the quality role" in answer.text


def test_a_quality_user_sees_no_admin_link_and_cannot_post_an_admin_form(pages: Pages) -> None:
    quality = pages.login("quality")
    assert 'href="/admin"' not in quality.get("/recalls").text
    answer = quality.post("/admin/users", {"username": "sneaky", "password": PASSWORD, "role": "admin"}, "/recalls")
    assert answer.status_code == 403
    assert "sneaky" not in {u.username for u in pages.app.accounts.users()}


def test_login_sessions_are_listed_only_when_asked_for(pages: Pages) -> None:
    admin = pages.login("admin")
    assert "<td>session</td>" not in admin.get("/admin/tokens").text
    assert "<td>admin-user</td><td>session</td>" in admin.get("/admin/tokens?sessions=1").text
