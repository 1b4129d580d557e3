"""Rules for changing master data: items, locations, partners.

Master data is created, changed and deactivated, never deleted. An item's
unit is fixed once it has lots (their quantities are kept in it); a GTIN
belongs to one item; a location is never inside itself.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from lotledger.domain.errors import AlreadyExists, Conflict, NotFound, ValidationError
from lotledger.domain.model import Item, Location, MasterRecord, record_code


class Change(StrEnum):
    CREATE = "create"  # refused if it exists
    UPDATE = "update"  # refused if it does not
    SAVE = "save"  # either (files, the demo)


class MasterView(Protocol):
    """The master data the rules read; the SQL and memory ledgers provide it."""

    def master(self, kind: type[MasterRecord], code: str) -> MasterRecord | None: ...
    def item_has_lots(self, sku: str) -> bool: ...
    def item_with_gtin(self, gtin: str) -> str | None:
        """The sku of the item that has this GTIN, if any."""
        ...


def kind_name(kind: type[MasterRecord]) -> str:
    return kind.__name__.lower()


def check_change(record: MasterRecord, view: MasterView, change: Change) -> bool:
    """Whether saving `record` changes anything; raises if a rule refuses it."""
    kind = type(record)
    code = record_code(record)
    existing = view.master(kind, code)
    key = "sku" if kind is Item else "code"
    if existing is not None and change is Change.CREATE:
        raise AlreadyExists(f"{kind_name(kind)} {code!r} already exists; change it with an update", key)
    if existing is None and change is Change.UPDATE:
        raise NotFound(f"unknown {kind_name(kind)} {code!r}", key)
    if isinstance(record, Item):
        _check_item(record, existing, view)
    elif isinstance(record, Location):
        _check_location(record, view)
    return existing != record


def _check_item(item: Item, existing: MasterRecord | None, view: MasterView) -> None:
    if isinstance(existing, Item) and existing.uom != item.uom and view.item_has_lots(item.sku):
        raise ValidationError(
            f"item {item.sku} already has lots in {existing.uom}; its base unit cannot become {item.uom}", "uom"
        )
    if item.gtin:
        owner = view.item_with_gtin(item.gtin)
        if owner is not None and owner != item.sku:
            raise Conflict(f"GTIN {item.gtin} already belongs to item {owner}", "gtin")


def _check_location(location: Location, view: MasterView) -> None:
    """The parent exists, and walking up from it never reaches the location itself."""
    if location.parent is None:
        return
    current: str | None = location.parent
    seen: set[str] = set()
    while current is not None and current not in seen:
        if current == location.code:
            raise ValidationError(f"{location.parent} is inside {location.code}; that would make a loop", "parent")
        seen.add(current)
        found = view.master(Location, current)
        if found is None:
            raise NotFound(f"unknown parent location {current!r}", "parent")
        assert isinstance(found, Location)
        current = found.parent
