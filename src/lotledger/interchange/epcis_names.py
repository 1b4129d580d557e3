"""The products, places and parties an EPCIS document names, as the ledger's items, locations and partners.

A name is resolved, in order, by the document's own master data (its header), by the ledger (an item by its
GTIN, a location or partner by its GLN), or else by creating the record from the identifier itself: an item
keyed by its GTIN-14, a location or partner keyed by its 13-digit GLN, described by the header's CBV
attributes when it has them. Each record is created once, before the first event that needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from lotledger.domain.errors import LotledgerError, ValidationError
from lotledger.domain.model import Item, Location, MasterRecord, Partner, record_code
from lotledger.interchange.epcis_ids import Identifiers

OWN = "urn:lotledger:epcis:"  # the lotledger extension's namespace (the `lotledger:` prefix of the export)
CBV = "urn:epcglobal:cbv:mda#"
VOCABULARIES: dict[str, tuple[str, type[MasterRecord]]] = {
    "urn:epcglobal:epcis:vtype:EPCClass": ("items", Item),
    "urn:epcglobal:epcis:vtype:Location": ("locations", Location),
    "urn:epcglobal:epcis:vtype:Party": ("partners", Partner),
}
# CBV master data attributes and the lotledger field each fills (an item's name is its short description).
CBV_FIELDS = {
    "name": "name",
    "descriptionShort": "name",
    "streetAddressOne": "address",
    "city": "city",
    "state": "region",
    "postalCode": "postal_code",
    "countryCode": "country",
}
_KIND_NAMES = {"items": "item", "locations": "location", "partners": "partner"}


class KnownMaster(Protocol):
    """What the ledger already holds, as the reader needs it (services/master_data.LedgerMaster implements it)."""

    def load(self) -> None:
        """Read it now: the answers below stay those of this moment, whatever the import then stores."""
        ...

    def sku_by_gtin(self, gtin: str) -> str | None: ...

    def code_by_gln(self, kind: str, gln: str) -> str | None:
        """The code of the location (kind "locations") or partner (kind "partners") with this GLN."""
        ...

    def exists(self, kind: str, code: str) -> bool:
        """Whether an item (kind "items"), location or partner has this sku or code."""
        ...


@dataclass(slots=True)
class Created:
    """A record made from an identifier: saved before the event (by its number) that first needs it."""

    number: int
    record: MasterRecord


@dataclass(slots=True)
class Names:
    ids: Identifiers
    known: KnownMaster
    header: list[tuple[str, MasterRecord | LotledgerError]] = field(default_factory=list)
    created: dict[tuple[str, str], Created] = field(default_factory=dict)
    _by_key: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, GTIN or GLN) -> sku or code
    _described: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # CBV-only header elements

    # -- the header -----------------------------------------------------------------------------

    def read_header(self, header: Any) -> None:
        """Every vocabulary element of `epcisHeader.epcisMasterData`: lotledger's own rebuilt exactly,
        a partner's (CBV attributes only) kept to describe what the events name."""
        path = "epcisHeader.epcisMasterData.vocabularyList"
        vocabularies = dig(header, "epcisMasterData", "vocabularyList")
        for v, vocabulary in enumerate(vocabularies if isinstance(vocabularies, list) else []):
            known = VOCABULARIES.get(str(vocabulary.get("type"))) if isinstance(vocabulary, dict) else None
            if known is None:
                continue  # other vocabularies (business steps, dispositions...) describe nothing lotledger keeps
            elements = vocabulary.get("vocabularyElementList")
            for e, element in enumerate(elements if isinstance(elements, list) else []):
                where = f"{path}[{v}].vocabularyElementList[{e}]"
                try:
                    self._element(known[0], known[1], element, where)
                except LotledgerError as error:
                    self.header.append((where, ValidationError(error.message, f"{where}.{error.field or 'id'}")))

    def _element(self, kind: str, cls: type[MasterRecord], element: Any, where: str) -> None:
        if not isinstance(element, dict) or not isinstance(element.get("id"), str):
            raise ValidationError("expected an element with an id", "id")
        own: dict[str, Any] = {}
        described: dict[str, Any] = {}
        attributes = element.get("attributes")
        for a, attribute in enumerate(attributes if isinstance(attributes, list) else []):
            name = attribute.get("id") if isinstance(attribute, dict) else None
            if not isinstance(name, str):
                raise ValidationError("expected an attribute with an id", f"attributes[{a}].id")
            if name.startswith(OWN):
                field = name[len(OWN) :]
                value = attribute.get("attribute")
                own[field] = _flag(value) if field in FLAGS else value
            elif name.startswith(CBV) and name[len(CBV) :] in CBV_FIELDS:
                described[CBV_FIELDS[name[len(CBV) :]]] = attribute.get("attribute")
        key = self._key(kind, element["id"], "id")
        if not own:
            if key[1] is None:
                raise ValidationError(f"{element['id']!r} has neither a GS1 key nor lotledger's attributes", "id")
            self._described[(kind, key[1])] = described
            return
        record = cls.parse({**own, "type": _KIND_NAMES[kind]})
        self.header.append((where, record))
        gs1_key = record.gtin if isinstance(record, Item) else record.gln
        if gs1_key is not None:
            self._by_key[(kind, gs1_key)] = record_code(record)

    def _key(self, kind: str, uri: str, where: str) -> tuple[str | None, str | None]:
        """(the plant's own code, the GS1 key) of an identifier: one of the two is set."""
        if kind == "items":
            product = self.ids.read_product(uri, where)
            return product.sku, product.gtin
        place = self.ids.read_place(uri, where, kind)
        return place.code, place.gln

    # -- names in events ------------------------------------------------------------------------

    def lot(self, uri: str, where: str, number: int, unit: str | None) -> tuple[str, str]:
        """(sku, lot code) of a lot class; `unit` (a quantity's, or None) is the base unit of a new item."""
        product = self.ids.read_product(uri, where)
        if product.lot is None:
            raise ValidationError(f"{uri!r} names a product but no lot; lotledger records lots", where)
        if product.sku is not None:
            return product.sku, product.lot
        assert product.gtin is not None  # read_product gives a sku or a GTIN
        return self._resolve("items", product.gtin, uri, where, number, unit), product.lot

    def place(self, uri: str, where: str, number: int, kind: str, role: str = "supplier") -> str:
        """The code of a location (kind "locations") or partner ("partners"; a new one gets `role`)."""
        place = self.ids.read_place(uri, where, kind)
        if place.code is not None:
            return place.code
        assert place.gln is not None
        return self._resolve(kind, place.gln, uri, where, number, role)

    def _resolve(self, kind: str, key: str, uri: str, where: str, number: int, detail: str | None) -> str:
        found = self._by_key.get((kind, key))
        if found is None:
            known = self.known.sku_by_gtin(key) if kind == "items" else self.known.code_by_gln(kind, key)
            found = known if known is not None else key if self.known.exists(kind, key) else None
        if found is None:
            record = self._create(kind, key, uri, where, detail)
            self.created[(kind, key)] = Created(number, record)
            found = record_code(record)
        self._by_key[(kind, key)] = found
        return found

    def _create(self, kind: str, key: str, uri: str, where: str, detail: str | None) -> MasterRecord:
        described = {k: v for k, v in self._described.get((kind, key), {}).items() if v is not None}
        try:
            if kind == "items":
                if detail is None:
                    wanted = "GTIN {key} is no item of this ledger, and nothing here gives its unit to create it"
                    raise ValidationError(wanted.format(key=key), where)
                name = described.get("name", f"GTIN {key}")
                return Item.parse({"sku": key, "name": name, "uom": detail, "gtin": key})
            raw = {"code": key, "name": f"GLN {key}", "gln": key, **described}
            if kind == "locations":
                return Location.parse({**raw, "kind": "site"})
            return Partner.parse({**raw, "role": detail})
        except ValidationError as error:
            if error.field == where:
                raise
            raise ValidationError(f"{uri!r} cannot become a {_KIND_NAMES[kind]}: {error.message}", where) from None

    def mark(self) -> int:
        return len(self.created)

    def forget_since(self, mark: int) -> None:
        """Drop what was created after `mark`: an event that is refused creates nothing."""
        for key in list(self.created)[mark:]:
            del self.created[key]
            self._by_key.pop(key, None)

    def created_since(self, mark: int) -> list[Created]:
        """What was created after `mark`, in the order it was."""
        return list(self.created.values())[mark:]


def dig(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


FLAGS = frozenset({"active", "ftl"})


def _flag(value: Any) -> Any:
    """EPCIS master data attributes are never JSON booleans (GS1's schema): a flag is written "true" or "false"."""
    return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value
