"""The scanner parser: every input form a plant's scanners send, and the bad ones."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from lotledger.barcodes.gs1 import parse_scan
from lotledger.domain.errors import ValidationError

GTIN = "09506000134352"


@pytest.mark.parametrize(
    ("text", "form", "expected"),
    [
        (f"]C101{GTIN}17261231\x1d10LOT-42", "gs1", {"gtin": GTIN, "expiry": date(2026, 12, 31)}),
        (f"]C101{GTIN}10LOT-42\x1d17261231", "gs1", {"gtin": GTIN, "lot": "LOT-42", "expiry": date(2026, 12, 31)}),
        (f"01{GTIN}10LOT-42<GS>3712", "gs1", {"lot": "LOT-42", "count": 12}),
        (f"]d201{GTIN}10LOT-42\x1d11260101", "gs1", {"lot": "LOT-42", "production_date": date(2026, 1, 1)}),
        (f"]Q301{GTIN}21SER-1", "gs1", {"gtin": GTIN, "serial": "SER-1"}),
        (f"]e001{GTIN}10ABC", "gs1", {"lot": "ABC"}),
        (f"(01){GTIN}(10)LOT-42(3103)001250", "gs1", {"lot": "LOT-42", "net_weight_kg": Decimal("1.250")}),
        (
            f"https://id.gs1.org/01/{GTIN}/10/LOT-42?17=261231",
            "digital-link",
            {"lot": "LOT-42", "expiry": date(2026, 12, 31)},
        ),
        (f"]Q1https://example.com/01/{GTIN}/10/LOT-42", "digital-link", {"gtin": GTIN, "lot": "LOT-42"}),
        ("5901234123457", "gtin", {"gtin": "05901234123457"}),
        ("036000291452", "gtin", {"gtin": "00036000291452"}),
        ("10614141000415", "gtin", {"gtin": "10614141000415"}),
        ("106141412345678908", "sscc", {"sscc": "106141412345678908"}),
        ("]C100106141412345678908", "gs1", {"sscc": "106141412345678908"}),
        ("LOT:FLOUR:F-1", "internal", {"sku": "FLOUR", "lot": "F-1"}),
    ],
)
def test_each_scanner_form_is_read(text: str, form: str, expected: dict[str, object]) -> None:
    scan = parse_scan(text)
    assert scan.form == form
    for name, value in expected.items():
        assert getattr(scan, name) == value, name


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello", "'hello' is not a GS1 barcode lotledger can read"),
        ("09506000134353", "Invalid GTIN check digit for '09506000134353': Expected 2, got 3."),
        ("(01)09506000134353(10)LOT", "Invalid GTIN check digit"),
        ("106141412345678909", "Invalid SSCC check digit"),
        ("]C1011234", "is not a GS1 barcode"),
        ("   ", "nothing was scanned"),
        ("LOT:FLOUR", "expected LOT:<sku>:<lot>"),
        ("(17)261332", "is not a GS1 barcode"),
    ],
)
def test_bad_scans_get_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=f"^scan: .*{re.escape(message)}"):
        parse_scan(text)
