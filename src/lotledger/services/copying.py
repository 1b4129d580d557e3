"""`lotledger copy`: move a ledger into another database (SQLite to PostgreSQL, or back), verified.

A copy is only as good as what it holds: after it, the target's hash chain is
checked link by link and must end at the source's head, and every table must
hold as many rows as the source's snapshot had.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lotledger.ports import CopyProgress, CopyResult, LedgerCopier
from lotledger.services.backups import OpenVerification
from lotledger.services.verification import Verdict


@dataclass(slots=True)
class CopyReport:
    copied: CopyResult
    verdict: Verdict  # of the target
    differences: list[str] = field(default_factory=list)  # row counts, heads

    @property
    def rows(self) -> int:
        return sum(table.copied for table in self.copied.tables)

    @property
    def intact(self) -> bool:
        return self.verdict.intact and not self.differences


class Copying:
    def __init__(self, copier: LedgerCopier, open_copy: OpenVerification) -> None:
        self.copier = copier
        self.open_copy = open_copy

    def copy(self, target_url: str, progress: CopyProgress, *, replay: bool = False) -> CopyReport:
        """Copy the ledger into the empty database at `target_url`, then verify the target: its chain (and
        with `replay` its projections against a replay of every event), its head, its row counts."""
        copied = self.copier.copy(target_url, progress)
        progress.step("verifying the copy's hash chain" + (" and replaying every event" if replay else ""))
        with self.open_copy(target_url) as target:
            verdict = target.verify(copied.head, replay=replay)
        differences = [
            f"{table.name}: {table.source} rows in the source, {table.copied} copied, {table.target} in the copy"
            for table in copied.tables
            if not table.source == table.copied == table.target
        ]
        if verdict.head != copied.head:
            differences.append(f"the copy's head is {verdict.head}, the source's {copied.head}")
        return CopyReport(copied, verdict, differences)
