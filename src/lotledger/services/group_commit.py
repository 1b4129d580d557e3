"""Group commit: concurrent single-event captures share one transaction.

Each commit on SQLite (synchronous=FULL) waits for the disk. With forty
scanners posting at once, one writer thread takes whatever is waiting,
records it with `record_many(atomic=False)` - every event still stands or
falls alone - and hands each caller its own answer. Throughput grows with
the queue instead of being capped by fsyncs per second.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future

from lotledger.domain.events import Event
from lotledger.domain.recording import Attribution, Recorded, Rejected
from lotledger.ports import Ledger

_Job = tuple[Event, Attribution, "Future[Recorded]"]


class GroupCommitter:
    def __init__(self, ledger: Ledger, max_batch: int = 256) -> None:
        self.ledger = ledger
        self.max_batch = max_batch
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def record(self, event: Event, attribution: Attribution) -> Recorded:
        """Record one event (atomically) in the next group; raises what the ledger raises."""
        return self.submit(event, attribution).result()

    def submit(self, event: Event, attribution: Attribution) -> Future[Recorded]:
        """Queue one event for the next group; the future holds its answer or its error."""
        self._start()
        answer: Future[Recorded] = Future()
        self._jobs.put((event, attribution, answer))
        return answer

    def close(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self._jobs.put(None)  # finish this group, then stop
                    break
                batch.append(job)
            self._commit(batch)

    def _commit(self, batch: list[_Job]) -> None:
        try:
            outcomes = self.ledger.record_many([e for e, _, _ in batch], [a for _, a, _ in batch], atomic=False)
        except Exception as error:
            if len(batch) == 1:
                batch[0][2].set_exception(error)
                return
            # Something unforeseen failed the group's transaction: each event
            # alone again, so only the one that fails hears of it.
            for job in batch:
                self._commit([job])
            return
        for (_, _, answer), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Rejected):
                answer.set_exception(outcome.error)
            else:
                answer.set_result(outcome)
