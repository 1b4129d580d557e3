"""Import a GS1 EPCIS 2.0 document: the reader of interchange/epcis_in.py over the ledger's master data."""

from __future__ import annotations

from collections.abc import Callable

from lotledger.domain.recording import Attribution
from lotledger.interchange.epcis_ids import Identifiers
from lotledger.interchange.epcis_in import read_document
from lotledger.services.importing import ImportReport, import_lines
from lotledger.services.master_data import LedgerMaster, MasterData
from lotledger.services.recording import Recording


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
    return import_lines(recording, master_data, lines, attribution, progress, unit="event")
