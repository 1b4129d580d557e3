"""What the ledger's exports (FSMA 204, EPCIS) share: the reads they are made from, the plant's zone and clock,
and how they refuse a filter naming an unknown item or lot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from lotledger.domain.errors import NotFound, ValidationError
from lotledger.ports import LotReads, MasterReads

R = TypeVar("R")


def known(look_up: Callable[[], object], name: str) -> None:
    """An unknown item or lot in a filter is bad input (422 naming it), not a missing resource."""
    try:
        look_up()
    except NotFound as error:
        raise ValidationError(error.message, name) from None


class LedgerExport(Generic[R]):
    """An export's reads (`reads`: its own rows; master data; lots), the plant's zone, and the clock it is dated by."""

    def __init__(
        self,
        reads: R,
        master: MasterReads,
        lots: LotReads,
        zone: ZoneInfo,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.reads = reads
        self.master = master
        self.lots = lots
        self.zone = zone
        self.clock = clock
