"""The audit trail: logins, token use, refusals and account changes, written off the request path.

A request that is refused, or a token's first use in a minute, must not wait
for the write lock a long import holds (nor let a flood of bad tokens queue
writes behind the ledger's). Entries are kept in memory, logged at once as
structured lines, and written by one background thread in short transactions;
`flush` writes them now (a reader of the trail calls it first).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from lotledger.domain.accounts import AUDIT_KINDS, AuditEntry
from lotledger.domain.errors import ValidationError
from lotledger.domain.fields import within_window
from lotledger.ports import AccountStore

log = logging.getLogger("lotledger.audit")
MAX_PENDING = 10_000  # a flood beyond this while the database is unreachable is counted, not kept
FLUSH_SECONDS = 1.0


class AuditTrail:
    def __init__(self, store: AccountStore, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.clock = clock
        self._pending: list[AuditEntry] = []
        self._touched: dict[int, datetime] = {}
        self._dropped = 0
        self._lock = threading.Lock()  # guards the pending lists
        self._writing = threading.Lock()  # one writer at a time, in order
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def note(self, kind: str, username: str | None = None, address: str | None = None, detail: str = "") -> None:
        """Keep one entry (written within a second) and log it now."""
        entry = AuditEntry(self.clock(), kind, username, (address or None) and address[:64], detail)
        log.info(kind, extra={"fields": {"audit": kind, "user": username, "address": entry.address, "detail": detail}})
        with self._lock:
            if len(self._pending) >= MAX_PENDING:
                self._dropped += 1
                return
            self._pending.append(entry)
        self._start()

    def touch(self, token_id: int, at: datetime) -> None:
        """Remember a token's use (its last use decides when an idle session ends)."""
        with self._lock:
            self._touched[token_id] = at
        self._start()

    def flush(self) -> None:
        """Write what is pending now; on failure keep it for the next try and log why."""
        with self._writing:
            with self._lock:
                entries, touched, dropped = self._pending, self._touched, self._dropped
                self._pending, self._touched, self._dropped = [], {}, 0
            if dropped:
                entries.append(AuditEntry(self.clock(), "refused", None, None, f"{dropped} audit entries dropped"))
            if not entries and not touched:
                return
            try:
                self.store.keep(entries, touched)
            except Exception:
                log.exception("the audit trail could not be written; will retry")
                with self._lock:
                    self._pending[:0] = entries[: MAX_PENDING - len(self._pending)]
                    for token_id, at in touched.items():
                        self._touched.setdefault(token_id, at)

    def entries(
        self, since: datetime | None = None, kind: str | None = None, username: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """The newest `limit` entries (oldest first), everything noted so far included."""
        if since is not None:
            within_window(since, "since")
        if kind is not None and kind not in AUDIT_KINDS:
            raise ValidationError(f"{kind!r} is not one of {', '.join(AUDIT_KINDS)}", "kind")
        if not 1 <= limit <= 10_000:
            raise ValidationError(f"expected 1 to 10000, got {limit}", "limit")
        self.flush()
        return self.store.audit(since, kind, username, limit)

    def close(self) -> None:
        """Stop the writer and write what is left."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.flush()

    def _start(self) -> None:
        self._wake.set()
        if self._thread is None and not self._stop.is_set():
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="audit-trail", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            self.flush()
            if self._stop.wait(FLUSH_SECONDS):  # else gather a second's entries into one transaction
                return
