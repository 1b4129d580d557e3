"""EPCIS 2.0 documents built by hand for the import tests: a partner's, and lotledger's own export per
the mapping contract (the `lotledger:details` extension and the header's master data)."""

from __future__ import annotations

import json
from typing import Any

from lotledger.domain.model import Item, Location, MasterRecord, Partner
from lotledger.interchange.epcis_ids import Identifiers

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"lotledger": "urn:lotledger:epcis:"}]
DOMAIN = "https://lotledger.invalid"
IDS = Identifiers(domain=DOMAIN)
# A partner's identifiers: company prefix 4012345 (GS1 Germany's test range) is known to biip's table.
FLOUR_LOT = "urn:epc:class:lgtin:4012345.012345.F-77"  # GTIN 04012345123456, lot F-77
FLOUR_GTIN = "04012345123456"
MILL_PGLN = "urn:epc:id:pgln:4012345.00001"  # GLN 4012345000016
MILL_GLN = "4012345000016"
DOCK_SGLN = "urn:epc:id:sgln:4012345.00002.0"  # GLN 4012345000023
DOCK_GLN = "4012345000023"


class Known:
    """The reader's view of a ledger, as plain dicts."""

    def __init__(self, records: list[MasterRecord] = ()) -> None:  # type: ignore[assignment]
        self.records = list(records)

    def load(self) -> None:
        pass  # plain records: nothing to read

    def sku_by_gtin(self, gtin: str) -> str | None:
        return next((r.sku for r in self.records if isinstance(r, Item) and r.gtin == gtin), None)

    def code_by_gln(self, kind: str, gln: str) -> str | None:
        cls = Location if kind == "locations" else Partner
        return next((r.code for r in self.records if isinstance(r, cls) and r.gln == gln), None)

    def exists(self, kind: str, code: str) -> bool:
        cls = {"items": Item, "locations": Location, "partners": Partner}[kind]
        return any(isinstance(r, cls) and (r.sku if isinstance(r, Item) else r.code) == code for r in self.records)


def document(events: list[dict[str, Any]], vocabularies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-20T10:00:00Z",
        "epcisBody": {"eventList": events},
    }
    if vocabularies is not None:
        doc["epcisHeader"] = {"epcisMasterData": {"vocabularyList": vocabularies}}
    return doc


def encode(doc: Any) -> bytes:
    return json.dumps(doc).encode()


def vocabulary(kind: str, elements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": f"urn:epcglobal:epcis:vtype:{kind}", "vocabularyElementList": elements}


def own_element(element_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A vocabulary element as lotledger's export writes it: every master field under `urn:lotledger:epcis:`."""
    attributes = [{"id": f"urn:lotledger:epcis:{k}", "attribute": v} for k, v in fields.items()]
    return {"id": element_id, "attributes": attributes}


def cbv_element(element_id: str, **attributes: str) -> dict[str, Any]:
    """A partner's vocabulary element: CBV master data attributes only."""
    return {
        "id": element_id,
        "attributes": [{"id": f"urn:epcglobal:cbv:mda#{k}", "attribute": v} for k, v in attributes.items()],
    }


def partner_receipt(quantity: Any = 50, uom: str | None = "KGM", **extra: Any) -> dict[str, Any]:
    """A partner's receiving event: 50 kg of FLOUR lot F-77 from the mill at our dock, no eventID."""
    element: dict[str, Any] = {"epcClass": FLOUR_LOT, "quantity": quantity}
    if uom is not None:
        element["uom"] = uom
    return {
        "type": "ObjectEvent",
        "eventTime": "2026-11-20T08:00:00.000+01:00",
        "eventTimeZoneOffset": "+01:00",
        "action": "ADD",
        "bizStep": "receiving",
        "disposition": "in_progress",
        "quantityList": [element],
        "bizLocation": {"id": DOCK_SGLN},
        "readPoint": {"id": DOCK_SGLN},
        "sourceList": [{"type": "owning_party", "source": MILL_PGLN}],
        "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:4012345000016:PO-9"}],
        **extra,
    }
