"""Master data: created, changed and deactivated by an admin under the rules of docs/concepts.md."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lotledger.domain.errors import AlreadyExists, Conflict, NotFound, ValidationError
from lotledger.domain.model import Item, Location, Partner
from tests.factories import ADMIN, ATTRIBUTION, exactly, line, receive, record


def test_an_items_unit_cannot_change_once_it_has_lots(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 10)
    with pytest.raises(
        ValidationError, match=exactly("uom: item FLOUR already has lots in kg; its base unit cannot become lb")
    ):
        plant.master_data.update(Item, "FLOUR", {"name": "Flour", "uom": "lb"}, ADMIN)
    assert plant.master_data.one(Item, "FLOUR").uom == "kg"


def test_an_items_unit_may_change_while_it_has_no_lots(plant: Any) -> None:
    plant.master_data.update(Item, "SALT", {"name": "Salt", "uom": "g"}, ADMIN)
    assert plant.master_data.one(Item, "SALT").uom == "g"


def test_an_item_with_lots_may_still_be_renamed(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 10)
    plant.master_data.update(Item, "FLOUR", {"name": "Wheat flour T55", "uom": "kg"}, ADMIN)
    assert plant.master_data.one(Item, "FLOUR").name == "Wheat flour T55"


def test_a_gtin_belongs_to_one_item(plant: Any) -> None:
    with pytest.raises(Conflict, match=exactly("gtin: GTIN 09506000134352 already belongs to item BREAD")):
        plant.master_data.create(Item, {"sku": "ROLL", "name": "Roll", "uom": "ea", "gtin": "09506000134352"}, ADMIN)
    with pytest.raises(NotFound, match="unknown item 'ROLL'"):
        plant.master_data.one(Item, "ROLL")


def test_a_gtin_written_without_its_leading_zero_is_the_same_gtin(plant: Any) -> None:
    with pytest.raises(Conflict, match="GTIN 09506000134352 already belongs to item BREAD"):
        plant.master_data.create(Item, {"sku": "ROLL", "name": "Roll", "uom": "ea", "gtin": "9506000134352"}, ADMIN)


def test_an_item_keeps_its_own_gtin_when_it_is_changed(plant: Any) -> None:
    changed = {"name": "Bread 800 g", "uom": "ea", "gtin": "09506000134352"}
    plant.master_data.update(Item, "BREAD", changed, ADMIN)
    assert plant.master_data.one(Item, "BREAD").name == "Bread 800 g"


def test_a_location_cannot_be_its_own_parent(plant: Any) -> None:
    with pytest.raises(ValidationError, match=exactly("parent: RAW is inside RAW; that would make a loop")):
        plant.master_data.update(Location, "RAW", {"name": "Raw", "kind": "warehouse", "parent": "RAW"}, ADMIN)


def test_a_location_cannot_be_inside_its_own_child(plant: Any) -> None:
    plant.master_data.create(Location, {"code": "A", "name": "A", "kind": "zone", "parent": "PLANT"}, ADMIN)
    plant.master_data.create(Location, {"code": "B", "name": "B", "kind": "bin", "parent": "A"}, ADMIN)
    with pytest.raises(ValidationError, match=exactly("parent: B is inside A; that would make a loop")):
        plant.master_data.update(Location, "A", {"name": "A", "kind": "zone", "parent": "B"}, ADMIN)
    assert plant.master_data.one(Location, "A").parent == "PLANT"


def test_a_location_cannot_close_a_longer_loop(plant: Any) -> None:
    plant.master_data.create(Location, {"code": "A", "name": "A", "kind": "zone"}, ADMIN)
    plant.master_data.create(Location, {"code": "B", "name": "B", "kind": "zone", "parent": "A"}, ADMIN)
    plant.master_data.create(Location, {"code": "C", "name": "C", "kind": "bin", "parent": "B"}, ADMIN)
    with pytest.raises(ValidationError, match=re.escape("parent: C is inside A; that would make a loop")):
        plant.master_data.update(Location, "A", {"name": "A", "kind": "zone", "parent": "C"}, ADMIN)


def test_a_location_under_an_unknown_parent_is_refused(plant: Any) -> None:
    with pytest.raises(NotFound, match=exactly("parent: unknown parent location 'NOPE'")):
        plant.master_data.create(Location, {"code": "A", "name": "A", "kind": "zone", "parent": "NOPE"}, ADMIN)


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        (
            Item,
            {"sku": "FLOUR", "name": "Flour", "uom": "kg"},
            "sku: item 'FLOUR' already exists; change it with an update",
        ),
        (
            Location,
            {"code": "RAW", "name": "Raw", "kind": "warehouse"},
            "code: location 'RAW' already exists; change it with an update",
        ),
        (
            Partner,
            {"code": "MILL", "name": "Mill", "role": "supplier"},
            "code: partner 'MILL' already exists; change it with an update",
        ),
    ],
)
def test_creating_a_record_whose_code_exists_is_refused(
    plant: Any, kind: type, raw: dict[str, Any], message: str
) -> None:
    with pytest.raises(AlreadyExists, match=exactly(message)):
        plant.master_data.create(kind, dict(raw), ADMIN)


def test_updating_a_record_that_does_not_exist_is_refused(plant: Any) -> None:
    with pytest.raises(NotFound, match=exactly("code: unknown partner 'ACME'")):
        plant.master_data.update(Partner, "ACME", {"name": "Acme", "role": "customer"}, ADMIN)


def test_saving_an_unchanged_record_changes_nothing(plant: Any) -> None:
    flour = plant.master_data.one(Item, "FLOUR")
    assert plant.master_data.save(flour, ATTRIBUTION) is False
    assert plant.master_data.save(Item("FLOUR", "Flour", "kg", shelf_life_days=90), ATTRIBUTION) is True
    assert plant.master_data.save(Item("FLOUR", "Flour", "kg", shelf_life_days=90), ATTRIBUTION) is False


def test_a_deactivated_item_cannot_be_used_by_new_events(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 10)
    plant.master_data.deactivate(Item, "FLOUR", ADMIN)
    with pytest.raises(ValidationError, match=exactly("lines[0].item: item 'FLOUR' is deactivated")):
        receive(plant, "FLOUR", "F-2", 10)


def test_a_deactivated_partner_cannot_be_used_by_new_events(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 10)
    plant.master_data.deactivate(Partner, "MILL", ADMIN)
    with pytest.raises(ValidationError, match=exactly("partner: partner 'MILL' is deactivated")):
        receive(plant, "FLOUR", "F-2", 10)


def test_a_deactivated_location_cannot_be_used_by_new_events(plant: Any) -> None:
    plant.master_data.deactivate(Location, "DOCK", ADMIN)
    with pytest.raises(ValidationError, match=exactly("location: location 'DOCK' is deactivated")):
        receive(plant, "FLOUR", "F-1", 10, location="DOCK")


def test_a_partner_must_have_the_role_the_event_needs(plant: Any) -> None:
    document = {"type": "receive", "location": "RAW", "partner": "SHOP", "lines": [line("FLOUR", "F-1", 1)]}
    with pytest.raises(ValidationError, match=exactly("partner: partner 'SHOP' is a customer, expected a supplier")):
        record(plant, document)
    receive(plant, "FLOUR", "F-1", 10)
    with pytest.raises(ValidationError, match="partner: partner 'MILL' is a supplier, expected a customer"):
        record(plant, {**document, "type": "ship", "partner": "MILL"})


def test_an_update_naming_another_code_than_its_path_is_refused(plant: Any) -> None:
    with pytest.raises(ValidationError, match=exactly("sku: the body names another item than the path")):
        plant.master_data.update(Item, "FLOUR", {"sku": "SALT", "name": "Salt", "uom": "kg"}, ADMIN)


# --- what a recall and an FSMA 204 export need: contacts, addresses, product descriptions -----

CUSTOMER = {
    "code": "GROCER",
    "name": "Valley Grocers",
    "role": "customer",
    "contact": "Dana Reyes, QA manager",
    "phone": "+1 555 0100",
    "email": "qa@valleygrocers.example",
    "address": "12 Orchard Road",
    "city": "Fresno",
    "region": "CA",
    "postal_code": "93650",
    "country": "US",
}
PRODUCE = {
    "sku": "CUKE",
    "name": "Cucumbers",
    "uom": "kg",
    "brand": "Valley Fresh",
    "commodity": "cucumbers",
    "variety": "English",
    "pack_size": "12 x 1 ea",
    "pack_style": "carton",
    "ftl": True,
}


def test_partners_items_and_locations_keep_what_a_recall_notice_and_fsma_204_need(plant: Any) -> None:
    partner = plant.master_data.create(Partner, CUSTOMER, ADMIN)
    item = plant.master_data.create(Item, PRODUCE, ADMIN)
    site = plant.master_data.create(
        Location, {"code": "PLANT2", "name": "Fresno plant", "kind": "site", "address": "1 Mill Lane, Fresno"}, ADMIN
    )
    assert plant.master_data.one(Partner, "GROCER") == partner
    assert (partner.contact, partner.email) == ("Dana Reyes, QA manager", "qa@valleygrocers.example")
    assert plant.master_data.one(Item, "CUKE") == item
    assert (item.commodity, item.pack_size, item.ftl) == ("cucumbers", "12 x 1 ea", True)
    assert plant.master_data.one(Location, "PLANT2").address == site.address == "1 Mill Lane, Fresno"


def test_master_data_without_the_new_fields_stays_valid(plant: Any) -> None:
    item = plant.master_data.create(Item, {"sku": "OATS", "name": "Oats", "uom": "kg"}, ADMIN)
    assert (item.brand, item.ftl) == (None, False)
    partner = plant.master_data.one(Partner, "MILL")
    assert (partner.contact, partner.phone, partner.email, partner.address) == (None, None, None, None)


@pytest.mark.parametrize("address", ["dana", "dana@", "dana@example", "da na@example.com", "a@b@c.de"])
def test_a_partner_email_that_is_not_an_address_is_refused(plant: Any, address: str) -> None:
    with pytest.raises(ValidationError, match=f"^email: {re.escape(repr(address))} is not an e-mail address$"):
        plant.master_data.create(Partner, {**CUSTOMER, "email": address}, ADMIN)
    with pytest.raises(NotFound):
        plant.master_data.one(Partner, "GROCER")


@pytest.mark.parametrize(("field", "limit"), [("contact", 128), ("phone", 64), ("address", 500)])
def test_contact_fields_follow_the_text_rule(plant: Any, field: str, limit: int) -> None:
    with pytest.raises(ValidationError, match=f"^{field}: must not be blank$"):
        plant.master_data.create(Partner, {**CUSTOMER, field: "  "}, ADMIN)
    with pytest.raises(ValidationError, match=f"^{field}: is {limit + 1} characters long; at most {limit} are kept$"):
        plant.master_data.create(Partner, {**CUSTOMER, field: "x" * (limit + 1)}, ADMIN)


def test_the_food_traceability_list_flag_is_true_or_false(plant: Any) -> None:
    with pytest.raises(ValidationError, match=r"^ftl: expected true or false, got 'yes'$"):
        plant.master_data.create(Item, {**PRODUCE, "ftl": "yes"}, ADMIN)


def test_a_location_keeps_its_address_phone_and_fda_registration(plant: Any) -> None:
    site = {
        "code": "PLANT2",
        "name": "Fresno plant",
        "kind": "site",
        "address": "1 Mill Lane",
        "city": "Fresno",
        "region": "CA",
        "postal_code": "93650",
        "country": "US",
        "phone": "+1 559 555 0100",
        "fda_registration": "12345678901",
    }
    created = plant.master_data.create(Location, site, ADMIN)
    assert plant.master_data.one(Location, "PLANT2") == created
    assert {k: getattr(created, k) for k in site if k != "code"} == {k: v for k, v in site.items() if k != "code"}
    with pytest.raises(ValidationError, match=r"^fda_registration: an FDA food facility registration number is 11"):
        plant.master_data.create(Location, {**site, "code": "P3", "fda_registration": "1234"}, ADMIN)
