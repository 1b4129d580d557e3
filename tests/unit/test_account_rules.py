"""Account rules without a database: login throttling and keeping an admin."""

from __future__ import annotations

import pytest

from lotledger.domain.accounts import LoginThrottle, User, check_keeps_an_admin
from lotledger.domain.errors import Conflict

KEYS = ("user:ada", "address:10.0.0.7")


def test_five_failures_make_the_next_attempt_wait_and_more_failures_wait_longer() -> None:
    throttle = LoginThrottle()
    for second in range(5):
        assert throttle.wait(KEYS, float(second)) == 0
        throttle.failed(KEYS, float(second))
    assert throttle.wait(KEYS, 5.0) == 29  # 30 s after the fifth failure, at second 4
    throttle.failed(KEYS, 40.0)
    assert throttle.wait(KEYS, 41.0) == 59  # doubled
    assert throttle.wait(KEYS, 40.0 + 900.0) == 0  # the window has passed


def test_an_address_is_throttled_across_usernames() -> None:
    throttle = LoginThrottle()
    for n in range(5):
        throttle.failed((f"user:guess{n}", "address:10.0.0.9"), 0.0)
    assert throttle.wait(("user:someone-else", "address:10.0.0.9"), 1.0) > 0
    assert throttle.wait(("user:someone-else", "address:10.0.0.10"), 1.0) == 0


def test_a_success_clears_the_users_count() -> None:
    throttle = LoginThrottle()
    for _ in range(4):
        throttle.failed(KEYS, 0.0)
    throttle.succeeded("user:ada")
    throttle.failed(KEYS, 1.0)
    assert throttle.wait(("user:ada",), 2.0) == 0


ADMIN = User(1, "ada", "admin")


@pytest.mark.parametrize(("role", "active"), [("viewer", None), ("quality", None), (None, False)])
def test_the_last_admin_is_neither_demoted_nor_deactivated(role: str | None, active: bool | None) -> None:
    with pytest.raises(Conflict, match="ada is the last active admin; make another admin first"):
        check_keeps_an_admin(ADMIN, role, active, active_admins=1)
    check_keeps_an_admin(ADMIN, role, active, active_admins=2)  # with another admin it is fine
    check_keeps_an_admin(User(2, "bob", "quality"), role, active, active_admins=1)
