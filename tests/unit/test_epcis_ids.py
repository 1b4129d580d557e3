"""EPCIS identifiers: what lotledger writes, it reads back; what partners write, it reads or refuses by name."""

from __future__ import annotations

import pytest

from lotledger.config import check_domain
from lotledger.domain.errors import ValidationError
from lotledger.interchange.epcis_ids import Identifiers, PartyRef, ProductRef, is_sscc

IDS = Identifiers("https://id.example-foods.com", company_prefix="0614141")
GTIN = "00614141123452"  # the plant's own prefix
FOREIGN_GTIN = "09521234543213"  # 952: GS1's demonstration prefix, length known from the prefix table
GLN = "0614141000012"
SSCC = "106141411234567897"


def test_a_lot_of_a_gtin_item_is_an_lgtin_and_reads_back() -> None:
    uri = IDS.lot_class("FLOUR", GTIN, "L/1&2")
    assert uri == "urn:epc:class:lgtin:0614141.012345.L%2F1%262"
    assert IDS.read_product(uri, "epcClass") == ProductRef(gtin=GTIN, lot="L/1&2")


def test_the_company_prefix_length_comes_from_gs1s_table_when_not_the_plants() -> None:
    uri = IDS.lot_class("X", FOREIGN_GTIN, "A1")
    assert uri == "urn:epc:class:lgtin:9521234.054321.A1"
    assert IDS.read_product(uri, "epcClass") == ProductRef(gtin=FOREIGN_GTIN, lot="A1")


def test_an_unknown_prefix_falls_back_to_a_digital_link() -> None:
    ids = Identifiers("https://id.example-foods.com")
    gtin = "09781234567897"  # 978: a book's ISBN, no company prefix in GS1's table
    uri = ids.lot_class("X", gtin, "A1")
    assert uri == f"https://id.gs1.org/01/{gtin}/10/A1"
    assert ids.read_product(uri, "epcClass") == ProductRef(gtin=gtin, lot="A1")


def test_items_without_a_gtin_are_named_on_the_plants_domain() -> None:
    uri = IDS.lot_class("RAW/SALT:1", None, "S-1/2")
    assert uri == "https://id.example-foods.com/items/RAW%2FSALT%3A1/lots/S-1%2F2"
    assert IDS.read_product(uri, "epcClass") == ProductRef(sku="RAW/SALT:1", lot="S-1/2")
    assert IDS.read_product(IDS.product_class("SALT", None), "id") == ProductRef(sku="SALT")


def test_a_product_class_without_lot_reads_as_a_product() -> None:
    assert IDS.product_class("FLOUR", GTIN) == "urn:epc:idpat:sgtin:0614141.012345.*"
    assert IDS.read_product("urn:epc:idpat:sgtin:0614141.012345.*", "id") == ProductRef(gtin=GTIN)


def test_digital_links_on_any_domain_are_read() -> None:
    uri = f"https://brand.example.net/01/{FOREIGN_GTIN}/10/ABC%2F1"
    assert IDS.read_product(uri, "epcClass") == ProductRef(gtin=FOREIGN_GTIN, lot="ABC/1")


def test_places_and_parties_with_a_gln() -> None:
    assert IDS.location("MAIN", GLN) == "urn:epc:id:sgln:0614141.00001.0"
    assert IDS.party("ACME", GLN) == "urn:epc:id:pgln:0614141.00001"
    assert IDS.read_place("urn:epc:id:sgln:0614141.00001.0", "bizLocation") == PartyRef(gln=GLN)
    assert IDS.read_place("urn:epc:id:pgln:0614141.00001", "source", "partners") == PartyRef(gln=GLN)
    assert IDS.read_place(f"https://id.gs1.org/414/{GLN}", "readPoint") == PartyRef(gln=GLN)
    assert IDS.read_place(f"https://id.gs1.org/417/{GLN}", "source", "partners") == PartyRef(gln=GLN)


def test_places_and_parties_without_a_gln() -> None:
    assert IDS.read_place(IDS.location("BIN-1", None), "bizLocation") == PartyRef(code="BIN-1")
    assert IDS.read_place(IDS.party("ACME", None), "source", "partners") == PartyRef(code="ACME")
    with pytest.raises(ValidationError, match="names no location"):
        IDS.read_place(IDS.party("ACME", None), "bizLocation")


def test_ssccs_both_ways() -> None:
    uri = IDS.sscc(SSCC)
    assert uri == "urn:epc:id:sscc:0614141.1123456789"
    assert is_sscc(uri)
    assert is_sscc(f"https://id.gs1.org/00/{SSCC}")
    assert not is_sscc(IDS.lot_class("F", GTIN, "1"))
    assert IDS.read_sscc(uri, "parentID") == SSCC
    assert IDS.read_sscc(f"https://id.gs1.org/00/{SSCC}", "parentID") == SSCC


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("urn:epc:id:sgtin:0614141.107346.2017", "one serialised unit"),
        (f"https://id.gs1.org/01/{GTIN}/21/123", "one serialised unit"),
        ("urn:epc:class:lgtin:0614141.0123.", "not a product class"),
        ("urn:epc:class:lgtin:06141x1.012345.A", "does not hold a GTIN"),
        ("https://example.com/no/key/here", "is not an EPC URN"),
        ("https://id.example-foods.com/pallets/1", "names no item or lot"),
        (f"https://id.gs1.org/414/{GLN}", "names no product"),
        ("https://id.gs1.org/01/00614141123453/10/A", "check digit"),
    ],
)
def test_identifiers_lotledger_cannot_record_are_refused_by_name(uri: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason) as refused:
        IDS.read_product(uri, "quantityList[0].epcClass")
    assert refused.value.field == "quantityList[0].epcClass"


def test_the_domain_setting_is_checked() -> None:
    assert check_domain("https://id.example.com") == "https://id.example.com"
    for bad in ("id.example.com", "https://id.example.com/", "javascript:alert(1)", "https://a b"):
        with pytest.raises(ValidationError, match="expected a web address"):
            check_domain(bad)
