"""Who may do what: roles are ordered, each right needs a minimum role."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lotledger.domain import fields
from lotledger.domain.errors import Conflict, Forbidden, NotFound, ValidationError
from lotledger.domain.events import Event
from lotledger.domain.recording import Attribution

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

    def require(self, role: str, what: str) -> None:
        """Raise Forbidden, naming what was asked, unless this user has `role` or above."""
        if not self.can(role):
            raise Forbidden(f"{what} needs the {role} role; {self.username} has the {self.role} role")


@dataclass(frozen=True, slots=True)
class Caller:
    """Who asks a service for something: the user (and role) and what their events are attributed to."""

    user: User
    attribution: Attribution


@dataclass(frozen=True, slots=True)
class Token:
    id: int
    name: str
    username: str
    created_at: datetime
    revoked_at: datetime | None
    expires_at: datetime | None = None
    last_used_at: datetime | None = None  # to the minute


@dataclass(frozen=True, slots=True)
class TokenUse:
    """A live token as a request presents it: whose it is, and when it was last seen in use."""

    user: User
    token_id: int
    name: str
    session: bool  # from a login: it ends when idle too long, not only at its expiry
    last_used_at: datetime | None


def session_idle(use: TokenUse, now: datetime, idle: timedelta) -> bool:
    """Whether a login's session has gone unused for longer than `idle` (named API tokens never idle out)."""
    return use.session and use.last_used_at is not None and now - use.last_used_at > idle


# What the audit trail records: who logged in (or failed to), which token was used
# from where, who was refused what, and who changed accounts.
AUDIT_KINDS = (
    "login",
    "login_failed",
    "login_throttled",
    "token_used",
    "token_created",
    "token_revoked",
    "refused",
    "user_added",
    "user_changed",
)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    kind: str
    username: str | None = None  # who acted, or whom a failed login named
    address: str | None = None  # the client's address, behind a trusted proxy the forwarded one
    detail: str = ""
    id: int = 0  # given by the store


@dataclass(frozen=True, slots=True)
class Replay:
    """The first answer to an Idempotency-Key; status 0 while the first request still runs."""

    request_hash: str
    status: int
    body: str


IN_FLIGHT = 0


def role_to_record(event: Event) -> str:
    """The least role that may record this event: quality decides holds, voids and expiry overrides."""
    if event.type in QUALITY_EVENTS or getattr(event, "expiry_override", None) is not None:
        return "quality"
    return "operator"


def check_may_revoke(user: User, token: Token) -> None:
    """A user revokes their own tokens; an admin anyone's. Others' tokens are not even confirmed to exist."""
    if token.username != user.username and not user.can("admin"):
        raise NotFound(f"no token {token.id} of yours", "token_id")


def validate_token_name(name: object) -> str:
    """What a token is for (scanner-3, erp): text by the one text rule, at most 64 characters."""
    text = fields.required_text({"name": name}, "name")
    if len(text) > 64:
        raise ValidationError(f"is {len(text)} characters long; at most 64 are kept", "name")
    return text


def validate_role(role: object) -> str:
    if role not in ROLES:
        raise ValidationError(f"{role!r} is not one of {', '.join(ROLES)}", "role")
    return str(role)


def validate_username(username: object) -> str:
    """2-64 lowercase letters, digits and . _ - (a NUL or anything else is refused before any lookup)."""
    if not isinstance(username, str) or not _USERNAME.fullmatch(username):
        raise ValidationError(f"expected 2-64 lowercase letters, digits and . _ -, got {username!r}", "username")
    return username


def validate_password(password: object) -> str:
    if not isinstance(password, str) or not 8 <= len(password) <= 256:
        raise ValidationError("must be 8 to 256 characters", "password")
    return password


def check_keeps_an_admin(user: User, role: str | None, active: bool | None, active_admins: int) -> None:
    """The last active admin is neither demoted nor deactivated: someone must be able to manage users."""
    losing = user.role == "admin" and user.active and ((role is not None and role != "admin") or active is False)
    if losing and active_admins <= 1:
        raise Conflict(f"{user.username} is the last active admin; make another admin first", "role")


@dataclass(slots=True)
class LoginThrottle:
    """Failed logins per user and per address: after `allowed` failures within `window` seconds, wait.

    The wait doubles with each further failure (up to an hour); a success clears the user's count.
    Times are plain seconds from a monotonic clock, so this stays pure."""

    allowed: int = 5
    window: float = 900.0
    failures: dict[str, list[float]] = field(default_factory=dict)

    def wait(self, keys: tuple[str, ...], now: float) -> int:
        """Seconds to wait before another attempt for any of `keys` (0: go ahead)."""
        longest = 0.0
        for key in keys:
            recent = [t for t in self.failures.get(key, []) if now - t < self.window]
            self.failures[key] = recent
            if len(recent) >= self.allowed:
                pause = min(3600.0, 30.0 * 2 ** (len(recent) - self.allowed))
                longest = max(longest, recent[-1] + pause - now)
        return max(0, int(longest + 0.999))

    def failed(self, keys: tuple[str, ...], now: float) -> None:
        for key in keys:
            self.failures.setdefault(key, []).append(now)
        if len(self.failures) > 100_000:  # a flood of made-up names: forget the oldest half
            for key in list(self.failures)[: len(self.failures) // 2]:
                del self.failures[key]

    def succeeded(self, user_key: str) -> None:
        self.failures.pop(user_key, None)
