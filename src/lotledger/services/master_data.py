"""Items, locations and partners: listed by anyone, created, changed and deactivated by an admin."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lotledger.domain.accounts import Caller
from lotledger.domain.errors import ValidationError
from lotledger.domain.master import Change, kind_name
from lotledger.domain.model import Item, Location, MasterRecord, Partner, record_code
from lotledger.domain.recording import Attribution
from lotledger.ports import Ledger, MasterReads

KINDS: dict[str, type[MasterRecord]] = {"item": Item, "location": Location, "partner": Partner}


def parse_master(kind: type[MasterRecord], raw: Any) -> MasterRecord:
    """A master record of `kind` from its JSON object."""
    name = kind_name(kind)
    if not isinstance(raw, dict):
        raise ValidationError("expected a JSON object", name)
    if raw.get("type", name) != name:
        raise ValidationError(f"expected a {name}, got {raw.get('type')!r}", "type")
    return kind.parse({**raw, "type": name})


def _a(kind: type[MasterRecord]) -> str:
    name = kind_name(kind)
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


def key_field(kind: type[MasterRecord]) -> str:
    return "sku" if kind is Item else "code"


class MasterData:
    def __init__(self, ledger: Ledger, reads: MasterReads) -> None:
        self.ledger = ledger
        self.reads = reads

    def all(self, kind: type[MasterRecord]) -> list[MasterRecord]:
        if kind is Item:
            return list(self.reads.items())
        return list(self.reads.locations() if kind is Location else self.reads.partners())

    def one(self, kind: type[MasterRecord], code: str) -> MasterRecord:
        return self.reads.one(kind, code)

    def create(self, kind: type[MasterRecord], raw: Any, who: Caller) -> MasterRecord:
        """A new record; AlreadyExists if its code is taken (decided in the write transaction, no race)."""
        who.user.require("admin", f"creating {_a(kind)}")
        return self._save(parse_master(kind, raw), who.attribution, Change.CREATE)

    def update(self, kind: type[MasterRecord], code: str, raw: Any, who: Caller) -> MasterRecord:
        who.user.require("admin", f"changing {_a(kind)}")
        key = key_field(kind)
        if not isinstance(raw, dict) or raw.get(key, code) != code:
            raise ValidationError(f"the body names another {kind_name(kind)} than the path", key)
        return self._save(parse_master(kind, {**raw, key: code}), who.attribution, Change.UPDATE)

    def deactivate(self, kind: type[MasterRecord], code: str, who: Caller) -> MasterRecord:
        """Deactivate: nothing an event refers to is ever deleted."""
        who.user.require("admin", f"deactivating {_a(kind)}")
        return self._save(replace(self.one(kind, code), active=False), who.attribution, Change.UPDATE)

    def save(self, record: MasterRecord, attribution: Attribution) -> bool:
        """Create or change (a file import by the plant's own tools); False if nothing changed."""
        return self.ledger.save(record, attribution, Change.SAVE)

    def _save(self, record: MasterRecord, attribution: Attribution, change: Change) -> MasterRecord:
        self.ledger.save(record, attribution, change)
        return self.one(type(record), record.sku if isinstance(record, Item) else record.code)


_KINDS: dict[str, type[MasterRecord]] = {"items": Item, "locations": Location, "partners": Partner}


class LedgerMaster:
    """What the ledger holds, for a reader that names records by GS1 key (interchange.epcis_names.KnownMaster):
    read once per import, then answered from memory."""

    def __init__(self, master_data: MasterData) -> None:
        self.master_data = master_data
        self._codes: dict[str, set[str]] = {}  # kind -> codes
        self._keys: dict[str, dict[str, str]] = {}  # kind -> GTIN or GLN -> code

    def _read(self, kind: str) -> None:
        if kind in self._codes:
            return
        records = self.master_data.all(_KINDS[kind])
        self._codes[kind] = {record_code(r) for r in records}
        keys: dict[str, str] = {}
        for record in records:
            key = record.gtin if isinstance(record, Item) else record.gln
            if key is not None:
                keys.setdefault(key, record_code(record))
        self._keys[kind] = keys

    def load(self) -> None:
        for kind in _KINDS:
            self._read(kind)

    def sku_by_gtin(self, gtin: str) -> str | None:
        self._read("items")
        return self._keys["items"].get(gtin)

    def code_by_gln(self, kind: str, gln: str) -> str | None:
        self._read(kind)
        return self._keys[kind].get(gln)

    def exists(self, kind: str, code: str) -> bool:
        self._read(kind)
        return code in self._codes[kind]
