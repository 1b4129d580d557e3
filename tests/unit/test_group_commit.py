"""Group commit: one event that fails unexpectedly fails itself, never the others of its group."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from lotledger.domain.events import Event, parse_event
from lotledger.domain.recording import Attribution, Outcome, Recorded
from lotledger.services.group_commit import GroupCommitter

WHO = Attribution("user:tester", "token:test")


class FlakyLedger:
    """Fails a whole transaction whenever it holds the poisoned event (as a database error would)."""

    def __init__(self) -> None:
        self.groups: list[int] = []
        self.release = threading.Event()

    def record_many(
        self, events: Sequence[Event], attributions: Sequence[Attribution], *, atomic: bool
    ) -> list[Outcome]:
        self.release.wait(timeout=10)  # let the queue fill so the events share a group
        self.groups.append(len(events))
        if any(e.reference == "poison" for e in events):
            raise RuntimeError("the database refused the transaction")
        return [Recorded(str(e.id), e.type) for e in events]

    def save(self, *args: object, **kwargs: object) -> bool:
        raise AssertionError("not used")


def _event(n: int, reference: str) -> Event:
    return parse_event(
        {
            "id": f"00000000-0000-4000-8000-{n:012d}",
            "type": "observe",
            "time": datetime.now(UTC).isoformat(),
            "location": "LAB",
            "reference": reference,
            "lots": [{"item": "X", "lot": "L"}],
            "results": [{"name": "t", "value": 1}],
        }
    )


def test_an_unexpected_failure_in_a_group_fails_only_its_own_event() -> None:
    ledger = FlakyLedger()
    committer = GroupCommitter(ledger)
    answers = [committer.submit(_event(n, "poison" if n == 3 else f"ok-{n}"), WHO) for n in range(8)]
    ledger.release.set()
    for n, answer in enumerate(answers):
        if n == 3:
            with pytest.raises(RuntimeError, match="refused the transaction"):
                answer.result(timeout=10)
        else:
            assert answer.result(timeout=10).id.endswith(f"{n:012d}")
    committer.close()
    assert max(ledger.groups) > 1  # they did share a group before the poisoned one was found
