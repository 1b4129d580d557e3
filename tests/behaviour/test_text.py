"""Text: the same rule for every text field, in events and in master data."""

from __future__ import annotations

from typing import Any

import pytest

from lotledger.domain.errors import ValidationError
from lotledger.domain.model import Item, Location, LotKey, Partner
from tests.factories import ADMIN, exactly, hold, line, receive, record

F1 = LotKey("FLOUR", "F-1")


def test_a_blank_hold_reason_is_refused(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 10)
    with pytest.raises(ValidationError, match=exactly("reason: must not be blank")):
        hold(plant, "FLOUR", "F-1", reason="   ")
    assert plant.queries.lot(F1).holds == []


def test_a_missing_hold_reason_is_refused_as_required(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 10)
    with pytest.raises(ValidationError, match=exactly("reason: is required")):
        hold(plant, "FLOUR", "F-1", reason="")


@pytest.mark.parametrize("blank", ["   ", "\t\n", "\u3000"])
def test_a_blank_item_name_is_refused(plant: Any, blank: str) -> None:
    with pytest.raises(ValidationError, match=exactly("name: must not be blank")):
        plant.master_data.create(Item, {"sku": "RYE", "name": blank, "uom": "kg"}, ADMIN)


def test_blank_optional_text_on_an_event_is_refused_not_dropped(plant: Any) -> None:
    document = {"type": "receive", "location": "RAW", "partner": "MILL", "lines": [line("FLOUR", "F-1", 1)]}
    for field in ("reference", "actor", "note"):
        with pytest.raises(ValidationError, match=f"^{field}: must not be blank$"):
            record(plant, {**document, field: "  "})
    with pytest.raises(ValidationError, match=r"^lines\[0\]\.supplier_lot: must not be blank$"):
        record(plant, {**document, "lines": [line("FLOUR", "F-1", 1, supplier_lot=" ")]})


def test_empty_optional_text_means_not_given(plant: Any) -> None:
    record(
        plant,
        {"type": "receive", "location": "RAW", "partner": "MILL", "reference": "", "lines": [line("FLOUR", "F-1", 1)]},
    )
    [entry] = plant.queries.history(F1)
    assert entry.reference is None
    assert "reference" not in entry.document


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        (Item, {"sku": "RYE", "name": "Rye", "uom": "kg", "active": "false"}),
        (Location, {"code": "BIN-9", "name": "Bin 9", "kind": "bin", "parent": "RAW", "active": "false"}),
        (Partner, {"code": "ACME", "name": "Acme", "role": "customer", "active": "false"}),
    ],
)
def test_a_yes_no_field_written_as_text_is_refused(plant: Any, kind: type, raw: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match=exactly("active: expected true or false, got 'false'")):
        plant.master_data.create(kind, dict(raw), ADMIN)


def test_a_pass_flag_written_as_text_is_refused(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 10)
    observation = {
        "type": "observe",
        "location": "RAW",
        "lots": [{"item": "FLOUR", "lot": "F-1"}],
        "results": [{"name": "moisture", "value": "14.2", "unit": "%", "pass": "true"}],
    }
    with pytest.raises(ValidationError, match=exactly("results[0].pass: expected true or false, got 'true'")):
        record(plant, observation)


@pytest.mark.parametrize("field", ["reference", "actor", "note"])
def test_a_nul_character_in_event_text_is_refused(plant: Any, field: str) -> None:
    document = {"type": "receive", "location": "RAW", "partner": "MILL", "lines": [line("FLOUR", "F-1", 1)]}
    with pytest.raises(ValidationError, match=exactly(f"{field}: contains a NUL character")):
        record(plant, {**document, field: "PO\x00-1"})
    assert plant.queries.balances(sku="FLOUR") == []


def test_a_nul_character_in_a_reason_is_refused(plant: Any) -> None:
    receive(plant, "FLOUR", "F-1", 10)
    with pytest.raises(ValidationError, match=exactly("reason: contains a NUL character")):
        hold(plant, "FLOUR", "F-1", reason="bad\x00batch")


def test_a_nul_character_in_a_master_record_name_is_refused(plant: Any) -> None:
    with pytest.raises(ValidationError, match=exactly("name: contains a NUL character")):
        plant.master_data.create(Partner, {"code": "ACME", "name": "Ac\x00me", "role": "customer"}, ADMIN)


def test_a_nul_character_in_a_code_is_refused(plant: Any) -> None:
    with pytest.raises(
        ValidationError,
        match=exactly("partner: expected a code of letters, digits and . _ / : - (at most 64), got 'MI\\x00LL'"),
    ):
        record(plant, {"type": "receive", "location": "RAW", "partner": "MI\x00LL", "lines": [line("FLOUR", "F-1", 1)]})


def test_text_longer_than_its_limit_is_refused_with_both_lengths(plant: Any) -> None:
    document = {"type": "receive", "location": "RAW", "partner": "MILL", "lines": [line("FLOUR", "F-1", 1)]}
    with pytest.raises(ValidationError, match=exactly("reference: is 129 characters long; at most 128 are kept")):
        record(plant, {**document, "reference": "x" * 129})
    record(plant, {**document, "reference": "x" * 128})


# SQL only through bound parameters: text that would break a statement built by pasting is kept verbatim.
INJECTION_LOT = "X');DELETE--"  # 12 characters of the GS1 AI 82 set a lot code may hold
INJECTION_TEXT = "x'); DELETE FROM events; -- \" OR 1=1 %s ? :name $1"


def test_sql_in_any_text_is_stored_and_found_verbatim(plant: Any) -> None:
    plant.master_data.create(Item, {"sku": "RYE", "name": INJECTION_TEXT, "uom": "kg"}, ADMIN)
    receive(plant, "RYE", INJECTION_LOT, 5)
    recorded = record(
        plant,
        {
            "type": "receive",
            "location": "RAW",
            "partner": "MILL",
            "reference": INJECTION_TEXT,
            "note": INJECTION_TEXT,
            "lines": [line("RYE", INJECTION_LOT, 1, supplier_lot=INJECTION_TEXT[:20])],
        },
    )
    key = LotKey("RYE", INJECTION_LOT)
    assert plant.queries.find_lots(INJECTION_LOT) == [key]
    assert plant.master_data.one(Item, "RYE").name == INJECTION_TEXT
    [first, second] = plant.queries.history(key)
    assert (second.id, second.reference) == (recorded.id, INJECTION_TEXT)
    assert second.document["note"] == INJECTION_TEXT
    assert first.type == "receive"
    assert plant.queries.mass_balance(key).on_hand == 6
