"""`lotledger verify` on a database the server is writing to: it checks one instant of the record, so events
recorded while it runs never show as differences (they once did on PostgreSQL: history of one moment, stock
of the next)."""

from __future__ import annotations

import threading

from lotledger.bootstrap import App
from tests.factories import line, produce, receive, setup_plant


def test_verify_while_events_are_recorded_finds_the_record_intact(app: App) -> None:
    setup_plant(app)
    receive(app, "FLOUR", "F-0", 10_000)
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            receive(app, "FLOUR", f"F-{n}", 10)
            produce(app, [line("FLOUR", f"F-{n}", 4), line("FLOUR", "F-0", 1)], [line("DOUGH", f"D-{n}", 5)])
            written.append(n)

    writer = threading.Thread(target=write)
    writer.start()
    verdicts = []
    try:
        while len(verdicts) < 5 or (len(written) < 10 and len(verdicts) < 500):
            verdicts.append(app.verification.verify())
    finally:
        stop.set()
        writer.join()
    assert len(written) >= 10  # the writer really wrote while verify read
    assert [v.differences for v in verdicts if not v.intact] == []
    assert all(v.chain_break is None for v in verdicts)
    assert app.verification.verify().events == 1 + 2 * len(written)
