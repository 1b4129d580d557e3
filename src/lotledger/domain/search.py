"""What a searched text can name: a lot by its code or its supplier's, the lots of a reference, a pallet.

The text is whatever someone typed or a scanner sent into the one search field;
it is checked here before anything is looked up, so junk gets a sentence, not a
database error.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from lotledger.domain.errors import ValidationError
from lotledger.domain.model import LotKey

MOST = 100  # matches listed at most: a reference on a big order touches many lots
LONGEST = 512  # a GS1 Digital Link with every attribute fits; a pasted document does not
LONGEST_CODE = 128  # a reference (the longest of lot code, supplier lot and reference)
GS = "\x1d"  # the group separator inside a GS1 element string: the one control character a scan may carry

LOT_CODE = "lot code"
SUPPLIER_LOT = "supplier lot"
REFERENCE = "reference"
SSCC = "SSCC"
SCANNED_LOT = "scanned lot"  # GTIN + lot, or lotledger's LOT:<sku>:<lot>


@dataclass(frozen=True, slots=True)
class Match:
    """One thing the text names: a lot (with its item's name) or a pallet (by SSCC)."""

    kind: str
    lot: LotKey | None = None
    item_name: str = ""
    sscc: str | None = None


def searched_text(text: str) -> str:
    """The text trimmed, or ValidationError saying why no lot, reference or barcode can be that."""
    text = text.strip()
    if not text:
        raise ValidationError("type or scan a lot code, supplier lot, SSCC, reference or barcode", "q")
    if len(text) > LONGEST:
        raise ValidationError(
            f"the text is {len(text):,} characters long; a code, reference or barcode has at most {LONGEST}", "q"
        )
    for char in text:
        category = unicodedata.category(char)
        if char == "\ufffd" or category == "Cs":
            raise ValidationError("the text contains a broken character (it was not valid UTF-8)", "q")
        if category == "Cc" and char != GS:
            named = "a NUL character (U+0000)" if char == "\x00" else f"the control character U+{ord(char):04X}"
            raise ValidationError(f"the text contains {named}", "q")
    return text


def may_be_code(text: str) -> bool:
    """Whether `text` can be a lot code, a supplier lot or a reference as stored (one line, short enough)."""
    return len(text) <= LONGEST_CODE and GS not in text


def merged(groups: list[list[Match]]) -> tuple[list[Match], bool]:
    """Matches in the order of `groups`, each lot or pallet once (its first kind), at most MOST, and whether
    there were more."""
    seen: set[object] = set()
    found: list[Match] = []
    for group in groups:
        for match in group:
            identity = match.lot or match.sscc
            if identity in seen:
                continue
            seen.add(identity)
            found.append(match)
    return found[:MOST], len(found) > MOST
