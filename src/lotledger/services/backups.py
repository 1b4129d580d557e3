"""Backup and restore, each verified: a copy is only as good as the record it holds."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from lotledger.ports import BackupStore
from lotledger.services.verification import Verdict, Verification

OpenVerification = Callable[[str], AbstractContextManager[Verification]]


class Backups:
    def __init__(self, store: BackupStore, verification: Verification, open_copy: OpenVerification) -> None:
        self.store = store
        self.verification = verification
        self.open_copy = open_copy

    def backup(self, target: Path) -> Verdict:
        """Copy the database to `target` while it is in use, then verify the copy (SQLite) or the
        record it was taken from (PostgreSQL, whose dump must be restored to be read)."""
        self.store.backup(target)
        url = self.store.copy_url(target)
        if url is None:
            return self.verification.verify()
        with self.open_copy(url) as copy:
            return copy.verify()

    def restore(self, source: Path) -> Verdict:
        """Replace the database with a backup, then verify what is now there."""
        self.store.restore(source)
        return self.verification.verify()
