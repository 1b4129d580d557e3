"""Import a GS1 EPCIS 2.0 document: the reader of interchange/epcis_in.py over the ledger's master data."""

from __future__ import annotations

from collections.abc import Callable

from lotledger.domain.model import Item, Location, MasterRecord, Partner
from lotledger.domain.recording import Attribution
from lotledger.interchange.epcis_ids import Identifiers
from lotledger.interchange.epcis_in import read_document
from lotledger.services.importing import ImportReport, import_lines
from lotledger.services.master_data import MasterData
from lotledger.services.recording import Recording

_KINDS: dict[str, type[MasterRecord]] = {"items": Item, "locations": Location, "partners": Partner}


class LedgerMaster:
    """What the ledger holds, for the reader (interchange.epcis_names.KnownMaster), read once per import."""

    def __init__(self, master_data: MasterData) -> None:
        self.master_data = master_data
        self._codes: dict[str, dict[str, str | None]] = {}  # kind -> code -> GTIN or GLN

    def _kind(self, kind: str) -> dict[str, str | None]:
        if kind not in self._codes:
            records = self.master_data.all(_KINDS[kind])
            self._codes[kind] = {
                (r.sku if isinstance(r, Item) else r.code): (r.gtin if isinstance(r, Item) else r.gln) for r in records
            }
        return self._codes[kind]

    def _by_key(self, kind: str, key: str) -> str | None:
        return next((code for code, found in self._kind(kind).items() if found == key), None)

    def sku_by_gtin(self, gtin: str) -> str | None:
        return self._by_key("items", gtin)

    def code_by_gln(self, kind: str, gln: str) -> str | None:
        return self._by_key(kind, gln)

    def exists(self, kind: str, code: str) -> bool:
        return code in self._kind(kind)


def import_epcis(
    recording: Recording,
    master_data: MasterData,
    data: bytes,
    ids: Identifiers,
    attribution: Attribution,
    progress: Callable[[int], None] = lambda n: None,
) -> ImportReport:
    """Store what an EPCIS document holds; the report lists what was refused, per event, and what was created."""
    lines = read_document(data, ids, LedgerMaster(master_data))
    return import_lines(recording, master_data, lines, attribution, progress)
