"""Issue 9: sixteen writers at once through the HTTP API, on SQLite and PostgreSQL.

bench/soak.py's driver against a real uvicorn server (in a thread) on an empty plant. The
writers consume and ship the same lots, hold, release and void, retry (the same Idempotency-Key
or event id twice at once, and again later) and send poisoned input (1e999999 in t or lb, years 1
and 9999, a lone surrogate, JSON nested 10,000 deep, an unknown field, an unknown lot, 4 MiB+).
No 5xx; no good request refused; every conflict a 409 naming the lot; every poisoned request the
expected 4xx naming what is wrong; afterwards every event a writer was told about is in the ledger
once and no other, balances are >= 0 and equal to the writers' own tally, and verify passes.
(`python bench/soak.py` runs the same against `lotledger serve` processes, larger.)"""

from __future__ import annotations

from bench.soak import Tokens, run_soak

from lotledger.api.app import create_app
from lotledger.bootstrap import App
from tests.api.conftest import Api
from tests.api.live import serving

WRITERS = 16
REQUESTS = 40  # each; about 650 requests in all


def test_sixteen_writers_lose_double_and_break_nothing(app: App) -> None:
    tokens = Api(app).tokens  # a user and a token for each role; no master data, no events yet

    def verify() -> tuple[bool, str]:
        verdict = app.verification.verify()
        return verdict.intact, repr(verdict)

    with serving(create_app(app)) as base:
        result = run_soak(
            base, Tokens(tokens["operator"], tokens["quality"], tokens["admin"]), WRITERS, REQUESTS, verify=verify
        )
    assert result.ok, result.summary()
    figures = result.figures
    # The mix really ran: every class of request, conflicts included, and the checks had something to check.
    assert figures.requests >= WRITERS * REQUESTS, result.summary()
    assert min(figures.good, figures.contended_recorded, figures.conflicts, figures.poisoned, figures.retries) > 0, (
        result.summary()
    )
    assert result.events_client == result.events_ledger > WRITERS * 5, result.summary()
    assert result.verified is True
