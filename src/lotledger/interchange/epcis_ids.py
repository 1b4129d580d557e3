"""How lotledger names lots, products, places, parties and pallets in GS1 EPCIS 2.0, and reads them back.

Where a thing has a GS1 key, the EPC URN of GS1's Tag Data Standard is used (LGTIN for a lot, SGLN for a place,
PGLN for a party, SSCC for a pallet) when the key's company prefix is known (the plant's own, or GS1's prefix
table through biip); otherwise the GS1 Digital Link URI on id.gs1.org, which needs no prefix length. Things
without a GS1 key are named by URIs on the plant's own domain (LOTLEDGER_ID_DOMAIN):
``{domain}/items/{sku}/lots/{lot}``, ``{domain}/items/{sku}``, ``{domain}/locations/{code}``,
``{domain}/partners/{code}``. Reading accepts all of these forms, and Digital Link URIs on any domain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from biip import ParseError
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_prefixes import GS1CompanyPrefix

from lotledger.domain.errors import ValidationError
from lotledger.domain.model import gs1_check_digit, validate_gs1_key

DIGITAL_LINK = "https://id.gs1.org"
# Tag Data Standard: the characters of a GS1 AI 82 string that an EPC URN must percent-encode.
_URN_ESCAPES = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}
_URN = re.compile(r"urn:epc:(id|class|idpat):([a-z]+):(.+)", re.IGNORECASE)
# Instance-level EPC schemes: one serialised thing, not a lot (SSCC aside, which is a pallet).
_INSTANCE_SCHEMES = frozenset({"sgtin", "grai", "giai", "gsrn", "gsrnp", "gdti", "cpi", "sgcn", "itip", "upui"})
_INSTANCE_AIS = frozenset({"21", "8003", "8004", "8018", "8017", "253", "8010", "255", "235"})


@dataclass(frozen=True, slots=True)
class ProductRef:
    """What an identifier says about a product: a GTIN or the plant's sku, with a lot code or not."""

    gtin: str | None = None
    sku: str | None = None
    lot: str | None = None


@dataclass(frozen=True, slots=True)
class PartyRef:
    """A place or a party: its GLN, or the plant's own code."""

    gln: str | None = None
    code: str | None = None


def _escape_urn(text: str) -> str:
    return "".join(_URN_ESCAPES.get(char, char) for char in text)


def _segment(text: str) -> str:
    return quote(text, safe="")


@dataclass(frozen=True, slots=True)
class Identifiers:
    """The plant's naming: its web domain for things without a GS1 key, its own GS1 company prefix."""

    domain: str
    company_prefix: str | None = None

    def _prefix(self, key: str) -> str | None:
        """The company prefix at the start of `key` (digits without indicator or extension), if known."""
        if self.company_prefix and key.startswith(self.company_prefix):
            return self.company_prefix
        found = GS1CompanyPrefix.extract(key)
        return found.value if found is not None and len(found.value) < len(key) else None

    # -- writing -------------------------------------------------------------------------------

    def lot_class(self, sku: str, gtin: str | None, lot: str) -> str:
        """A lot: LGTIN, or a Digital Link with AI 10, or a URI on the plant's domain."""
        if gtin is None:
            return f"{self.domain}/items/{_segment(sku)}/lots/{_segment(lot)}"
        prefix = self._prefix(gtin[1:13])
        if prefix is None:
            return f"{DIGITAL_LINK}/01/{gtin}/10/{_segment(lot)}"
        reference = gtin[0] + gtin[1 + len(prefix) : 13]
        return f"urn:epc:class:lgtin:{prefix}.{reference}.{_escape_urn(lot)}"

    def product_class(self, sku: str, gtin: str | None) -> str:
        """A product without a lot (master data): an SGTIN pattern, a Digital Link, or the plant's URI."""
        if gtin is None:
            return f"{self.domain}/items/{_segment(sku)}"
        prefix = self._prefix(gtin[1:13])
        if prefix is None:
            return f"{DIGITAL_LINK}/01/{gtin}"
        return f"urn:epc:idpat:sgtin:{prefix}.{gtin[0] + gtin[1 + len(prefix) : 13]}.*"

    def location(self, code: str, gln: str | None) -> str:
        """A place: SGLN (extension 0), a Digital Link with AI 414, or the plant's URI."""
        return self._by_gln(code, gln, "locations", "414", "sgln", ".0")

    def party(self, code: str, gln: str | None) -> str:
        """A party: PGLN, a Digital Link with AI 417, or the plant's URI."""
        return self._by_gln(code, gln, "partners", "417", "pgln", "")

    def _by_gln(self, code: str, gln: str | None, path: str, ai: str, scheme: str, extension: str) -> str:
        if gln is None:
            return f"{self.domain}/{path}/{_segment(code)}"
        prefix = self._prefix(gln)
        if prefix is None:
            return f"{DIGITAL_LINK}/{ai}/{gln}"
        return f"urn:epc:id:{scheme}:{prefix}.{gln[len(prefix) : 12]}{extension}"

    def sscc(self, sscc: str) -> str:
        """A pallet or case: the SSCC as an EPC URN, or a Digital Link with AI 00."""
        prefix = self._prefix(sscc[1:17])
        if prefix is None:
            return f"{DIGITAL_LINK}/00/{sscc}"
        return f"urn:epc:id:sscc:{prefix}.{sscc[0] + sscc[1 + len(prefix) : 17]}"

    # -- reading -------------------------------------------------------------------------------

    def _own_path(self, uri: str) -> list[str] | None:
        """The decoded path segments of a URI on the plant's domain, or None for any other URI."""
        base = self.domain.rstrip("/")
        if not uri.startswith(base + "/"):
            return None
        return [unquote(part) for part in uri[len(base) + 1 :].split("/")]

    def read_product(self, uri: str, field: str) -> ProductRef:
        """A product or lot class; an instance-level identifier (one serialised unit) is refused."""
        own = self._own_path(uri)
        if own is not None:
            if len(own) == 4 and own[0] == "items" and own[2] == "lots":
                return ProductRef(sku=own[1], lot=own[3])
            if len(own) == 2 and own[0] == "items":
                return ProductRef(sku=own[1])
            raise ValidationError(f"{uri!r} is on this plant's domain but names no item or lot", field)
        urn = _URN.fullmatch(uri)
        if urn is not None:
            return _product_urn(urn.group(1).lower(), urn.group(2).lower(), urn.group(3), uri, field)
        keys = _digital_link(uri, field)
        if keys.keys() & _INSTANCE_AIS:
            raise ValidationError(f"{uri!r} names one serialised unit; lotledger records lots, not instances", field)
        if "01" not in keys:
            raise ValidationError(f"{uri!r} names no product (GTIN, AI 01)", field)
        return ProductRef(gtin=keys["01"], lot=keys.get("10"))

    def read_place(self, uri: str, field: str, kind: str = "locations") -> PartyRef:
        """A location (kind "locations": SGLN, AI 414) or a party (kind "partners": PGLN, AI 417, or a GLN)."""
        own = self._own_path(uri)
        if own is not None:
            if len(own) == 2 and own[0] == kind:
                return PartyRef(code=own[1])
            raise ValidationError(f"{uri!r} is on this plant's domain but names no {kind[:-1]}", field)
        urn = _URN.fullmatch(uri)
        if urn is not None and urn.group(1).lower() == "id" and urn.group(2).lower() in ("sgln", "pgln"):
            parts = urn.group(3).split(".")
            if urn.group(2).lower() == "sgln" and len(parts) == 3:
                return PartyRef(gln=_with_check_digit(parts[0] + parts[1], 12, "GLN", uri, field))
            if urn.group(2).lower() == "pgln" and len(parts) == 2:
                return PartyRef(gln=_with_check_digit(parts[0] + parts[1], 12, "GLN", uri, field))
            raise ValidationError(f"{uri!r} is not a well-formed {urn.group(2).upper()}", field)
        if urn is not None:
            raise ValidationError(f"{uri!r} names no place or party (expected an SGLN or a PGLN)", field)
        keys = _digital_link(uri, field)
        for ai in ("414", "417"):
            if ai in keys:
                return PartyRef(gln=keys[ai])
        raise ValidationError(f"{uri!r} names no place or party (GLN, AI 414 or 417)", field)

    def read_sscc(self, uri: str, field: str) -> str:
        """An SSCC from its EPC URN or a Digital Link with AI 00."""
        urn = _URN.fullmatch(uri)
        if urn is not None:
            parts = urn.group(3).split(".")
            if urn.group(1).lower() != "id" or urn.group(2).lower() != "sscc" or len(parts) != 2 or not parts[1]:
                raise ValidationError(f"{uri!r} is not an SSCC", field)
            body = parts[1][0] + parts[0] + parts[1][1:]
            return _with_check_digit(body, 17, "SSCC", uri, field)
        keys = _digital_link(uri, field)
        if "00" not in keys:
            raise ValidationError(f"{uri!r} is not an SSCC (AI 00)", field)
        return keys["00"]


def is_sscc(uri: str) -> bool:
    """Whether an identifier names a logistic unit (a pallet or case) rather than a product."""
    return uri.lower().startswith("urn:epc:id:sscc:") or "/00/" in urlsplit(uri).path


def _with_check_digit(digits: str, length: int, name: str, uri: str, field: str) -> str:
    if not (digits.isascii() and digits.isdigit() and len(digits) == length):
        raise ValidationError(f"{uri!r} does not hold a {name} ({length} digits before the check digit)", field)
    return digits + str(gs1_check_digit(digits))


def _product_urn(kind: str, scheme: str, body: str, uri: str, field: str) -> ProductRef:
    if scheme in _INSTANCE_SCHEMES and kind == "id":
        raise ValidationError(f"{uri!r} names one serialised unit; lotledger records lots, not instances", field)
    parts = body.split(".")
    if kind == "class" and scheme == "lgtin" and len(parts) == 3 and parts[1] and parts[2]:
        gtin = _with_check_digit(parts[1][0] + parts[0] + parts[1][1:], 13, "GTIN", uri, field)
        return ProductRef(gtin=gtin, lot=unquote(parts[2]))
    if kind == "idpat" and scheme == "sgtin" and len(parts) == 3 and parts[1] and parts[2] == "*":
        return ProductRef(gtin=_with_check_digit(parts[1][0] + parts[0] + parts[1][1:], 13, "GTIN", uri, field))
    raise ValidationError(f"{uri!r} is not a product class lotledger can record (expected an LGTIN)", field)


def _digital_link(uri: str, field: str) -> dict[str, str]:
    """The GS1 keys of a Digital Link URI by AI, or a refusal naming the URI."""
    try:
        parsed = GS1DigitalLinkURI.parse(uri)
    except (ParseError, ValueError):
        wanted = "is not an EPC URN, a GS1 Digital Link URI or a URI of this plant"
        raise ValidationError(f"{uri!r} {wanted}", field) from None
    keys = {element.ai.ai: element.value for element in parsed.element_strings}
    for ai in ("01", "414", "417", "00"):
        if ai in keys:
            length = 18 if ai == "00" else 14 if ai == "01" else 13
            keys[ai] = validate_gs1_key(keys[ai].zfill(length), (length,), _KEY_NAMES[ai], field)
    return keys


_KEY_NAMES = {"01": "GTIN", "414": "GLN", "417": "GLN", "00": "SSCC"}
