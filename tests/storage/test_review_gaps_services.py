"""Service rules a review broke on purpose and no test caught, where the service needs the SQL ledger."""

from __future__ import annotations

import pytest

from lotledger.bootstrap import App
from lotledger.domain.accounts import Caller, User
from lotledger.domain.errors import Forbidden, ValidationError
from lotledger.domain.recording import Attribution
from tests.factories import OPERATOR, exactly

VIEWER = Caller(User(4, "auditor", "viewer"), Attribution("user:auditor", "session:auditor"))


def test_only_an_operator_or_above_may_allocate_ssccs(app: App) -> None:
    with pytest.raises(
        Forbidden, match=exactly("allocating SSCCs needs the operator role; auditor has the viewer role")
    ):
        app.barcodes.allocate_ssccs(VIEWER, 1, prefix="0614141")
    [sscc] = app.barcodes.allocate_ssccs(OPERATOR, 1, prefix="0614141")
    assert sscc.startswith("00614141")
    assert len(sscc) == 18


@pytest.mark.parametrize("count", [0, -1, 10_001])
def test_ssccs_are_allocated_1_to_10000_at_a_time(app: App, count: int) -> None:
    with pytest.raises(ValidationError, match=exactly(f"count: allocate 1 to 10000 SSCCs at a time, not {count}")):
        app.barcodes.allocate_ssccs(OPERATOR, count, prefix="0614141")
    assert len(app.barcodes.allocate_ssccs(OPERATOR, 10_000, prefix="0614141")) == 10_000
