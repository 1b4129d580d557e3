"""Reading a legacy register: formats told by content, rows into records, errors by row and column header."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from lotledger.domain.errors import ValidationError
from lotledger.domain.events import Produce, Receive, to_document
from lotledger.interchange.formats import detect, read_file
from lotledger.interchange.jsonl import Line, parse_record
from lotledger.interchange.sheet_mapping import load_mapping, mapping_from_json
from lotledger.interchange.sheet_templates import template
from lotledger.interchange.sheets import ReadOptions
from tests.epcis_documents import IDS, Known, document, encode, partner_receipt
from tests.factories import exactly
from tests.legacy_register import (
    DIRECT,
    EVENTS,
    HEADER,
    MASTER,
    ROW_HEADER,
    csv_bytes,
    event_row,
    one_table,
    register_xlsx,
    xlsx_bytes,
)

ZONE = ZoneInfo("Europe/Paris")


def read(data: bytes, **options: object) -> list[Line]:
    return list(read_file(io.BytesIO(data), ReadOptions(**options))[1])  # type: ignore[arg-type]


def problems(lines: list[Line]) -> list[tuple[int, str | None, str]]:
    return [(line.number, line.error.field, line.error.message) for line in lines if line.error]


def documents(lines: list[Line]) -> list[dict[str, object]]:
    found = []
    for line in lines:
        assert line.error is None, (line.number, str(line.error))
        assert line.record is not None
        record = line.record
        found.append(
            to_document(record) if isinstance(record, Receive | Produce) or hasattr(record, "time") else record
        )
    return found


def expected() -> list[object]:
    return [parse_record(document) for document in DIRECT]


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("bom", [False, True])
def test_a_csv_register_gives_the_records_of_the_same_plant_in_json(delimiter: str, bom: bool) -> None:
    lines = read(csv_bytes(one_table(), delimiter, bom))
    assert [line.record for line in lines] == expected()  # content-derived ids: the same events, the same ids
    assert [line.number for line in lines] == [2, 3, 4, 5, 6, 7, 8, 10, 13]  # an event's first row


def test_an_xlsx_register_gives_the_same_records_numbers_without_float_noise() -> None:
    lines = read(register_xlsx())
    assert [line.record for line in lines] == expected()
    produce = lines[7].record
    assert isinstance(produce, Produce)
    assert str(produce.inputs[1].qty) == "0.1"


def test_format_is_told_by_content() -> None:
    assert detect(b'{"type":"item","sku":"X","name":"X","uom":"kg"}\n') == "jsonl"
    assert detect(b"\xef\xbb\xbftype,sku\r\nitem,X\r\n") == "csv"
    assert detect(b"type;sku\nitem;X\n") == "csv"
    assert detect(register_xlsx()) == "xlsx"
    epcis = {"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument"}
    assert detect(json.dumps(epcis).encode()) == "epcis"
    assert detect(json.dumps(epcis, indent=2).encode()) == "epcis"
    assert detect(json.dumps({"type": "EPCISQueryDocument"}, indent=1).encode()) == "epcis"


@pytest.mark.parametrize(
    ("head", "message"),
    [
        (b"", "the file is empty"),
        (
            b"\x89PNG\r\n\x1a\n\0\0",
            "not a file lotledger imports (JSON Lines, EPCIS JSON-LD, CSV or XLSX); it starts with",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "an Excel 97-2003 workbook (.xls): save it as .xlsx or CSV; expected"),
        (b"just words\n", "not a file lotledger imports"),
    ],
)
def test_garbage_is_named_for_what_it_is(head: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match="^file: " + message.replace("(", r"\(").replace(")", r"\)")):
        detect(head)


def test_a_zip_that_is_not_a_workbook_is_named() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(
        ValidationError,
        match=exactly(
            "file: a ZIP archive that is not an XLSX workbook; expected JSON Lines, EPCIS JSON-LD, CSV or XLSX"
        ),
    ):
        detect(out.getvalue())


def test_an_epcis_document_is_read_by_the_epcis_reader_and_takes_no_column_mapping() -> None:
    options = {"ids": IDS, "known": Known()}
    lines = read(encode(document([partner_receipt()])), **options)
    assert sorted(type(line.record).__name__ for line in lines) == ["Item", "Location", "Partner", "Receive"]
    refusal = "mapping: a type or a column mapping applies to CSV and XLSX only, not EPCIS"
    with pytest.raises(ValidationError, match=exactly(refusal)):
        read(encode(document([partner_receipt()])), type="receive", **options)


def test_a_damaged_workbook_is_one_clear_refusal() -> None:
    data = register_xlsx()
    damaged = data[:200] + b"\0" * 50 + data[250:]
    assert problems(read(damaged))[0][:2] == (1, None)
    assert problems(read(damaged))[0][2].startswith("not a readable XLSX workbook")


def test_bad_bytes_in_a_csv_are_named_by_row_and_column() -> None:
    table = csv_bytes([HEADER, EVENTS[1]]).replace(b"O-1", b"O-\xed\xa0\x80")  # a lone surrogate, as bytes
    assert problems(read(table)) == [(2, "lot", "not valid UTF-8: byte 0xed")]
    latin1 = csv_bytes([["sku", "name", "uom"], ["X", "Caf\xe9", "kg"]]).replace(b"Caf\xc3\xa9", b"Caf\xe9")
    assert problems(read(latin1, type="item")) == [(2, "name", "not valid UTF-8: byte 0xe9")]


def test_errors_name_the_row_and_the_header_as_the_file_writes_it() -> None:
    at = {"location": "STORE", "partner": "FARM", "item": "OATS"}
    rows = [
        [column.title() if column != "uom" else "UOM" for column in ROW_HEADER],
        event_row("receive", "R1", "O-1", "1e999999", **at),
        event_row("receive", "R2", "O-2", "1", time="9999-03-02T08:00:00Z", **at),
        event_row("receive", "R3", "O-3", "1", **at),
        event_row("receive", "R3", "O-4", "1", time="2025-03-02T09:00:00Z", **at),
        event_row("produce", "P1", "O-1", "1", **at),
    ]
    assert problems(read(csv_bytes(rows))) == [
        (2, "Qty", "'1e999999' is too large (less than 10^12 in any unit)"),
        (3, "Time", "9999-03-02T08:00:00+00:00 is outside the years 1900-2199 lotledger records"),
        (5, "Time", "'2025-03-02T09:00:00+00:00' differs from '2025-03-02T08:00:00+00:00' on row 4 of the same event"),
        (6, "Partner", "is not a column of a produce row"),
    ]


def test_unknown_columns_are_refused_unless_mapped_or_ignored() -> None:
    rows = [["sku", "name", "uom", "Colour"], ["X", "X", "kg", "red"]]
    unknown = "unknown column: name it as a lotledger column, or map it (or to 'ignore') in a mapping file"
    assert problems(read(csv_bytes(rows), type="item")) == [(1, "Colour", unknown)]
    ignoring = load_mapping(b'[columns]\nColour = "ignore"\n')
    assert problems(read(csv_bytes(rows), type="item", mapping=ignoring)) == []


def test_a_mapping_renames_columns_reads_day_month_year_and_fills_defaults() -> None:
    mapping = load_mapping(
        "\n".join(
            [
                'type = "receive"',
                'date_format = "%d/%m/%Y"',
                "decimal_comma = true",
                "[columns]",
                '"Date reçue" = "time"',
                '"N° lot" = "lot"',
                '"Article" = "item"',
                '"Quantité" = "qty"',
                '"Fournisseur" = "partner"',
                '"Bon" = "event"',
                "[defaults]",
                'location = "STORE"',
                'uom = "kg"',
            ]
        ).encode()
    )
    rows = [
        ["Bon", "Date reçue", "Fournisseur", "Article", "N° lot", "Quantité"],
        ["B7", "02/03/2025", "FARM", "OATS", "O-1", "100"],
        ["B7", "02/03/2025", "FARM", "HONEY", "H-1", "20,5"],
    ]
    [line] = read(csv_bytes(rows, ";"), zone=ZONE, mapping=mapping)
    assert isinstance(line.record, Receive)
    assert line.record.time == datetime(2025, 3, 2, tzinfo=ZONE)
    assert [(x.item, x.lot, str(x.qty), x.uom) for x in line.record.lines] == [
        ("OATS", "O-1", "100", "kg"),
        ("HONEY", "H-1", "20.5", "kg"),
    ]
    bad = [rows[0], ["B8", "2025-03-02", "FARM", "OATS", "O-2", "1"]]
    assert problems(read(csv_bytes(bad, ";"), zone=ZONE, mapping=mapping)) == [
        (2, "Date reçue", "expected a date like '%d/%m/%Y', got '2025-03-02'")
    ]


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ('[columns]\n"Lot No" = "lotnumber"\n', "columns.Lot No: 'lotnumber' is not a lotledger column; expected"),
        ('colour = "red"\n', "colour: unknown key in the mapping; allowed: type, date_format"),
        ('type = "sell"\n', "type: 'sell' is not a record type; expected one of item"),
        ("[defaults]\nevent = 'X'\n", "defaults.event: 'event' cannot have a default; expected one of"),
        ('date_format = "dd/mm/yyyy"\n', "date_format: expected a strptime format such as '%d/%m/%Y'"),
        ("type = \n", "mapping: not valid TOML"),
    ],
)
def test_a_wrong_mapping_is_refused_naming_the_key(mapping: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        load_mapping(mapping.encode())
    assert str(refused.value).startswith(message)


def test_the_api_mapping_is_the_same_structure_in_json() -> None:
    assert mapping_from_json('{"columns": {"Lot No": "lot"}}').target("Lot No") == "lot"
    with pytest.raises(ValidationError, match=r"^X-Import-Mapping: not valid JSON"):
        mapping_from_json("{")


def test_a_row_without_a_type_says_how_to_give_one() -> None:
    rows = [["sku", "name", "uom"], ["X", "X", "kg"]]
    why = "the row has no type: add a type column, name the sheet after the type, or give --type"
    assert problems(read(csv_bytes(rows))) == [(2, "type", why)]
    with pytest.raises(ValidationError, match=r"^type: 'sell' is not a record type"):
        read(csv_bytes(rows), type="sell")


def test_a_workbook_of_several_sheets_names_the_sheet_with_the_column() -> None:
    sheets = {**MASTER, "receive": [["time", "location", "partner", "item", "lot", "qty", "uom"]]}
    sheets["receive"].append([datetime(2025, 3, 2, 8), "STORE", "FARM", "OATS", "O-1", "many", "kg"])
    assert problems(read(xlsx_bytes(sheets), zone=ZONE)) == [(2, "receive!qty", "expected a number, got 'many'")]


def test_xlsx_datetimes_are_the_plants_time() -> None:
    sheets = {"receive": [["time", "location", "partner", "item", "lot", "qty", "uom", "expiry"]]}
    sheets["receive"].append([datetime(2025, 3, 2, 8), "STORE", "FARM", "OATS", 1234, 0.1, "kg", datetime(2026, 1, 1)])
    [line] = read(xlsx_bytes(sheets), zone=ZONE)
    assert isinstance(line.record, Receive)
    assert line.record.time == datetime(2025, 3, 2, 8, tzinfo=ZONE)
    assert (line.record.lines[0].lot, str(line.record.lines[0].qty)) == ("1234", "0.1")
    assert str(line.record.lines[0].expiry) == "2026-01-01"


def test_every_template_reads_back_with_its_examples() -> None:
    for data in (template("all", "csv"), template("all", "xlsx")):
        lines = read(data)
        assert problems(lines) == []
        assert len(lines) == 14  # six master records, eight events
    assert read(template("receive", "csv"), type="receive")[0].record is not None


def test_hostile_mappings_are_refused_by_name_never_a_crash() -> None:
    with pytest.raises(ValidationError, match=exactly("mapping: not valid TOML: nested too deeply")):
        load_mapping(b"a = " + b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(ValidationError) as refused:
        mapping_from_json('{"columns": {"\\ud800": "nope"}}')
    assert refused.value.field == "columns.\\ud800"  # written out: the answer can encode it
    with pytest.raises(ValidationError, match=exactly("mapping: not valid UTF-8: byte 0xe9")):
        load_mapping(b'type = "r\xe9ceive"\n')
