"""What purchase and sales orders share in the domain: how lotledger numbers them."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Numbering:
    """Numbers lotledger allocates: the prefix and five or more digits (PO-00042); a number written some other
    way (PO-HUB) is the user's own and has no sequence."""

    prefix: str

    def number(self, sequence: int) -> str:
        return f"{self.prefix}{sequence:05d}"

    def sequence(self, number: str) -> int | None:
        found = re.fullmatch(re.escape(self.prefix) + r"(\d{5,9})", number)
        return int(found[1]) if found else None
