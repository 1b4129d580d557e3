"""Labels decode back to what went in; scans resolve to lots and pallets; SSCCs are never reused."""

from __future__ import annotations

import io
import threading
import xml.etree.ElementTree as ET
from datetime import date

import pytest
import zxingcpp
from PIL import Image

from lotledger.barcodes.gs1 import parse_scan
from lotledger.barcodes.labels import lot_label, symbol
from lotledger.barcodes.render import render
from lotledger.bootstrap import App
from lotledger.domain.errors import NotFound, ValidationError
from lotledger.domain.model import Item, gs1_check_digit
from tests.factories import PALLET, TESTER, line, produce, receive, record, setup_plant

PREFIX = "0614141"


@pytest.fixture
def plant(app: App) -> App:
    setup_plant(app)
    receive(app, "FLOUR", "F-1", 100)
    produce(app, [line("FLOUR", "F-1", 10)], [line("BREAD", "B/1", 40, "ea", expiry="2026-12-31")])
    return app


def decode(png: bytes) -> str:
    """What a scanner would send: the AIM symbology identifier and the symbol's bytes."""
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return found.symbology_identifier + found.bytes.decode()


@pytest.mark.parametrize("symbology", ["gs1-128", "datamatrix", "qr"])
def test_lot_labels_decode_back_to_the_lot(plant: App, symbology: str) -> None:
    for sku, lot, gtin, expiry in [
        ("BREAD", "B/1", "09506000134352", date(2026, 12, 31)),
        ("FLOUR", "F-1", None, None),
    ]:
        label = plant.barcodes.lot_label(sku, lot, symbology)
        for png in (symbol(label, "png"), render([label], "png")):
            scan = parse_scan(decode(png))
            assert (scan.gtin, scan.lot, scan.expiry) == (gtin, lot, expiry)
            assert scan.sku == (None if gtin else sku)
            found = plant.barcodes.resolve_scan(decode(png))
            assert found.lot is not None
            assert found.lot.lot.code == lot
            assert found.status == "released"


def test_pallet_label_decodes_to_the_sscc_and_resolves_to_its_contents(plant: App) -> None:
    record(plant, {"type": "pack", "location": "RAW", "container": PALLET, "lines": [line("BREAD", "B/1", 30, "ea")]})
    label = plant.barcodes.pallet_label(PALLET)
    assert "BREAD  LOT B/1  30 ea  BEST BEFORE 2026-12-31" in label.lines
    scan = parse_scan(decode(render([label], "png")))
    assert scan.sscc == PALLET
    found = plant.barcodes.resolve_scan(decode(symbol(label)))
    assert [(s.lot.code, s.qty) for s in found.stock] == [("B/1", 30)]
    record(plant, {"type": "ship", "location": "RAW", "partner": "SHOP", "containers": [PALLET]})
    assert "BREAD  LOT B/1  30 ea  BEST BEFORE 2026-12-31" in plant.barcodes.pallet_label(PALLET).lines


def test_svg_pdf_and_zpl_outputs(plant: App) -> None:
    label = plant.barcodes.lot_label("BREAD", "B/1", "gs1-128")
    svg = ET.fromstring(render([label], "svg"))
    assert svg.tag.endswith("svg")
    assert "LOT B/1" in "".join(svg.itertext())
    pdf = render([label] * 10, "pdf")
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 2  # ten labels: two A4 sheets of eight
    zpl = render([label, plant.barcodes.lot_label("BREAD", "B/1", "datamatrix")], "zpl").decode()
    assert zpl.count("^XA") == 2
    assert "^BCN,120,Y,N,N,D^FD(01)09506000134352(10)B/1(17)261231^FS" in zpl
    assert "^BXN,6,200,,,,#^FD#10109506000134352" in zpl
    with pytest.raises(ValidationError, match="png holds one label"):
        render([label, label], "png")


def test_gs1_rules_are_enforced_on_labels() -> None:
    bread = Item("BREAD", "Bread", "ea", gtin="09506000134352")
    with pytest.raises(ValidationError, match="lot code 'L23456789012345678901' must be 1-20 characters"):
        lot_label(bread, "L23456789012345678901", None)
    with pytest.raises(ValidationError, match="GTIN 09506000134353 has check digit 3, expected 2"):
        lot_label(Item("X", "X", "ea", gtin="09506000134353"), "L1", None)
    with pytest.raises(ValidationError, match="'aztec' is not one of"):
        lot_label(bread, "L1", None, "aztec")


def test_unknown_gtin_lot_and_sscc_are_named(plant: App) -> None:
    with pytest.raises(NotFound, match="no item has GTIN 05901234123457"):
        plant.barcodes.resolve_scan("5901234123457")
    with pytest.raises(NotFound, match="no lot NOPE of BREAD"):
        plant.barcodes.resolve_scan("(01)09506000134352(10)NOPE")
    with pytest.raises(NotFound, match="no container with SSCC 106141412345678908"):
        plant.barcodes.resolve_scan("106141412345678908")


def test_concurrent_sscc_allocation_never_repeats_and_skips_codes_in_use(plant: App) -> None:
    first_candidate = f"0{PREFIX}000000001"
    in_use = first_candidate + str(gs1_check_digit(first_candidate))
    record(plant, {"type": "pack", "location": "RAW", "container": in_use, "lines": [line("FLOUR", "F-1", 1)]})
    got: list[str] = []
    barrier = threading.Barrier(16)

    def allocate() -> None:
        barrier.wait(timeout=30)
        got.extend(plant.barcodes.allocate_ssccs(TESTER, 5, PREFIX, "0"))

    threads = [threading.Thread(target=allocate) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(got) == len(set(got)) == 80
    assert in_use not in got
    assert all(len(code) == 18 and code[-1] == str(gs1_check_digit(code[:-1])) for code in got)
