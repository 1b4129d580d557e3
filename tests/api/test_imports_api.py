"""POST /api/v1/imports and GET /api/v1/imports/templates: files told by content, dry runs, roles, limits."""

from __future__ import annotations

import json

from lotledger.domain.model import LotKey
from lotledger.domain.records import EventFilter
from tests.api.conftest import Api
from tests.epcis_documents import DOCK_GLN, FLOUR_GTIN, MILL_GLN, document, encode, partner_receipt
from tests.legacy_register import csv_bytes, one_table, register_xlsx

URL = "/api/v1/imports"


def count_events(api: Api) -> int:
    return len(api.app.queries.events(EventFilter(), limit=1000).events)


def test_a_dry_run_answers_the_report_and_writes_nothing_then_the_import_stores(api: Api) -> None:
    before = count_events(api)
    dry = api.client.post(f"{URL}?dry_run=true", content=register_xlsx(), headers=api.headers("admin"))
    assert dry.status_code == 200, dry.text
    assert dry.json() == {
        "format": "xlsx",
        "dry_run": True,
        "stored": 3,
        "already_recorded": 0,
        "master_saved": 6,
        "master_unchanged": 0,
        "created": [
            {"kind": "item", "code": "OATS"},
            {"kind": "item", "code": "HONEY"},
            {"kind": "item", "code": "BAR"},
            {"kind": "location", "code": "STORE"},
            {"kind": "partner", "code": "FARM"},
            {"kind": "partner", "code": "CAFE"},
        ],
        "refused": 0,
        "errors": [],
    }
    assert count_events(api) == before
    done = api.client.post(URL, content=register_xlsx(), headers=api.headers("admin")).json()
    assert (done["stored"], done["master_saved"], done["dry_run"]) == (3, 6, False)
    assert api.app.queries.lot(LotKey("BAR", "B-1")).origin == "produced"
    again = api.client.post(URL, content=csv_bytes(one_table()), headers=api.headers("admin")).json()
    assert (again["format"], again["stored"], again["already_recorded"], again["master_unchanged"]) == ("csv", 0, 3, 6)


def test_bad_rows_come_back_with_row_column_and_reason(api: Api) -> None:
    rows = [["Quand", "Lieu", "Fournisseur", "item", "lot", "qty", "uom"]]
    rows += [
        ["02/03/2025", "RAW", "MILL", "FLOUR", "F-1", "5", "kg"],
        ["03/03/2025", "RAW", "MILL", "FLOUR", "F-2", "x", "kg"],
    ]
    mapping = {
        "type": "receive",
        "date_format": "%d/%m/%Y",
        "columns": {"Quand": "time", "Lieu": "location", "Fournisseur": "partner"},
    }
    headers = api.headers("operator", **{"X-Import-Mapping": json.dumps(mapping)})
    answer = api.client.post(f"{URL}?dry_run=true", content=csv_bytes(rows), headers=headers)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["stored"], answer.json()["errors"]) == (
        1,
        [{"row": 3, "column": "qty", "reason": "expected a number, got 'x'"}],
    )


def test_master_data_needs_the_admin_role_and_nothing_is_written(api: Api) -> None:
    refused = api.client.post(URL, content=register_xlsx(), headers=api.headers("operator"))
    assert refused.status_code == 403
    assert (
        refused.json()["detail"]
        == "row 2: importing master data (item) needs the admin role; operator-user has the operator role"
    )
    assert api.client.post(URL, content=b"x", headers=api.headers("viewer")).status_code == 403
    assert api.client.post(URL, content=b"x").status_code == 401
    assert count_events(api) == 0


def test_files_that_are_not_imports_are_a_problem_naming_what_was_seen(api: Api) -> None:
    for body, detail in [
        (b"\x89PNG\r\n\x1a\n", "not a file lotledger imports (JSON Lines, EPCIS JSON-LD, CSV or XLSX); it starts with"),
        (b"", "the file is empty"),
    ]:
        answer = api.client.post(URL, content=body, headers=api.headers("operator"))
        assert (answer.status_code, answer.json()["field"]) == (422, "file"), answer.text
        assert answer.json()["detail"].startswith(detail)
    hollow = api.client.post(URL, content=b'{"type": "EPCISDocument"}', headers=api.headers("operator")).json()
    assert (hollow["format"], hollow["stored"], len(hollow["errors"])) == ("epcis", 0, 1)  # it says what is missing
    wrong = api.client.post(f"{URL}?type=sell", content=b"a,b\n1,2\n", headers=api.headers("operator"))
    assert (wrong.status_code, wrong.json()["field"]) == (422, "type")
    bad_mapping = api.headers("operator", **{"X-Import-Mapping": '{"columns": {"A": "nope"}}'})
    wrong = api.client.post(URL, content=b"a,b\n1,2\n", headers=bad_mapping)
    assert (wrong.status_code, wrong.json()["field"]) == (422, "columns.A")


def test_an_import_may_be_larger_than_other_bodies_but_not_without_limit(api: Api) -> None:
    big = b" " * (5 * 1024 * 1024) + b'\n{"type": "item", "sku": "X", "name": "X", "uom": "kg"}\n'  # over 4 MiB
    answer = api.client.post(URL, content=big, headers=api.headers("admin"))
    assert (answer.status_code, answer.json().get("master_saved")) == (200, 1), answer.text[:300]
    huge = b"type,sku\n" + b"x" * (33 * 1024 * 1024)
    refused = api.client.post(URL, content=huge, headers=api.headers("admin"))
    assert (refused.status_code, refused.json()["field"]) == (413, "body")
    assert "larger than 32 MiB" in refused.json()["detail"]


def test_templates_download_as_csv_and_xlsx(api: Api) -> None:
    csv_file = api.client.get("/api/v1/imports/templates/receive?format=csv", headers=api.headers("viewer"))
    assert csv_file.status_code == 200
    assert (
        csv_file.text.splitlines()[0]
        == "event,id,time,location,reference,actor,note,partner,item,lot,qty,uom,expiry,supplier_lot"
    )
    workbook = api.client.get("/api/v1/imports/templates/all?format=xlsx", headers=api.headers("viewer"))
    assert workbook.content.startswith(b"PK")
    assert "lotledger-all.xlsx" in workbook.headers["content-disposition"]
    missing = api.client.get("/api/v1/imports/templates/sell", headers=api.headers("viewer"))
    assert (missing.status_code, missing.json()["field"]) == (422, "type")


def test_a_mapping_header_with_a_lone_surrogate_is_a_problem_not_a_crash(api: Api) -> None:
    headers = api.headers("operator", **{"X-Import-Mapping": '{"columns": {"\\ud800": "nope"}}'})
    answer = api.client.post(URL, content=b"a,b\n1,2\n", headers=headers)
    assert (answer.status_code, answer.json()["field"]) == (422, "columns.\\ud800")


def test_an_epcis_document_is_told_by_content_checked_then_imported(api: Api) -> None:
    data = encode(document([partner_receipt()]))
    before = count_events(api)
    forbidden = api.client.post(URL, content=data, headers=api.headers("operator"))
    assert forbidden.status_code == 403  # the item, place and party it would create need the admin role
    dry = api.client.post(f"{URL}?dry_run=true", content=data, headers=api.headers("admin"))
    assert dry.status_code == 200, dry.text
    created = [(c["kind"], c["code"]) for c in dry.json()["created"]]
    assert sorted(created) == [("item", FLOUR_GTIN), ("location", DOCK_GLN), ("partner", MILL_GLN)]
    assert (dry.json()["format"], dry.json()["stored"], count_events(api)) == ("epcis", 1, before)
    done = api.client.post(URL, content=data, headers=api.headers("admin")).json()
    assert (done["stored"], [(c["kind"], c["code"]) for c in done["created"]]) == (1, created)
    assert api.app.queries.lot(LotKey(FLOUR_GTIN, "F-77")).origin == "received"
    again = api.client.post(URL, content=data, headers=api.headers("admin")).json()
    assert (again["stored"], again["already_recorded"], again["created"]) == (0, 1, [])
    operator = api.client.post(URL, content=data, headers=api.headers("operator")).json()
    assert (operator["stored"], operator["already_recorded"]) == (0, 1)  # its records exist now: no admin needed
