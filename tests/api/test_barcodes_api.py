"""Scanning and labels through the API and the command line."""

from __future__ import annotations

import io
from pathlib import Path

import zxingcpp
from PIL import Image
from typer.testing import CliRunner

from lotledger.cli import app as cli
from tests.api.conftest import Api
from tests.factories import line, produce, receive

runner = CliRunner()


def _plant(api: Api) -> None:
    receive(api.app, "FLOUR", "F-1", 100)
    produce(api.app, [line("FLOUR", "F-1", 10)], [line("BREAD", "B-1", 40, "ea", expiry="2026-12-31")])


def test_scan_resolves_a_lot_with_stock_and_status(api: Api) -> None:
    _plant(api)
    malformed = api.client.post("/api/v1/scan", json={"data": "]C1019506000134352"}, headers=api.headers("viewer"))
    assert malformed.status_code == 422
    assert malformed.json()["field"] == "scan"
    answer = api.client.post(
        "/api/v1/scan", json={"data": "]C101095060001343521726123110B-1"}, headers=api.headers("viewer")
    )
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["item"]["sku"] == "BREAD"
    assert found["status"] == "released"
    assert [(s["location"], s["qty"]) for s in found["stock"]] == [("RAW", "40")]
    unknown = api.client.post("/api/v1/scan", json={"data": "5901234123457"}, headers=api.headers("viewer"))
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "no item has GTIN 05901234123457"


def test_label_endpoint_returns_a_symbol_that_decodes(api: Api) -> None:
    _plant(api)
    png = api.client.get(
        "/api/v1/labels/lot",
        params={"item": "BREAD", "lot": "B-1", "symbol": "datamatrix", "format": "png"},
        headers=api.headers("viewer"),
    )
    assert png.headers["content-type"] == "image/png"
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert (found.symbology_identifier, found.bytes) == ("]d2", b"010950600013435210B-1\x1d17261231")
    missing = api.client.get(
        "/api/v1/labels/pallet", params={"sscc": "106141412345678908"}, headers=api.headers("viewer")
    )
    assert missing.status_code == 404


def test_sscc_allocation_needs_a_configured_prefix(api: Api) -> None:
    refused = api.client.post("/api/v1/sscc", json={"count": 2}, headers=api.headers("operator"))
    assert refused.status_code == 422
    assert refused.json()["field"] == "company_prefix"
    api.app.barcodes.company_prefix = "0614141"
    given = api.client.post("/api/v1/sscc", json={"count": 2}, headers=api.headers("operator")).json()["ssccs"]
    assert len(set(given)) == 2
    assert all(code.startswith("00614141") for code in given)


def test_cli_scans_labels_and_allocates(api: Api, db_url: str, tmp_path: Path) -> None:
    _plant(api)
    db = db_url
    scanned = runner.invoke(cli, ["scan", "(01)09506000134352(10)B-1", "--format", "json", "--db", db])
    assert scanned.exit_code == 0, scanned.output
    assert '"status": "released"' in scanned.output
    out = tmp_path / "label.png"
    made = runner.invoke(
        cli, ["label", "lot", "BREAD", "B-1", "--symbol", "qr", "--format", "png", "--out", str(out), "--db", db]
    )
    assert made.exit_code == 0, made.output
    [found] = zxingcpp.read_barcodes(Image.open(out))
    assert found.text == "https://id.gs1.org/01/09506000134352/10/B-1?17=261231"
    codes = runner.invoke(cli, ["sscc", "allocate", "--count", "3", "--prefix", "0614141", "--db", db])
    assert len(codes.output.split()) == 3
    bad = runner.invoke(cli, ["scan", "not a barcode", "--db", db])
    assert bad.exit_code == 1
    assert "is not a GS1 barcode" in bad.output
