"""Who may do what: roles are ordered, each right needs a minimum role."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lotledger.domain.errors import ValidationError

ROLES = ("viewer", "operator", "quality", "admin")
# Stock events are the floor's work; status events are quality's decisions.
QUALITY_EVENTS = frozenset({"hold", "release", "void"})
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    role: str
    active: bool = True

    def can(self, role: str) -> bool:
        """Whether this user's role is `role` or above it."""
        return ROLES.index(self.role) >= ROLES.index(role)


def role_to_record(event_type: str) -> str:
    """The least role that may record an event of this type."""
    return "quality" if event_type in QUALITY_EVENTS else "operator"


def validate_role(role: object) -> str:
    if role not in ROLES:
        raise ValidationError(f"{role!r} is not one of {', '.join(ROLES)}", "role")
    return str(role)


def validate_username(username: object) -> str:
    if not isinstance(username, str) or not _USERNAME.fullmatch(username):
        raise ValidationError(f"expected 2-64 lowercase letters, digits and . _ -, got {username!r}", "username")
    return username


def validate_password(password: object) -> str:
    if not isinstance(password, str) or len(password) < 8:
        raise ValidationError("must be at least 8 characters", "password")
    return password
