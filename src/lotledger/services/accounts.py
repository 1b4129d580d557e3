"""Users, passwords, API tokens and Idempotency-Keys: who may call, and answers kept for retries."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lotledger.domain.accounts import (
    IN_FLIGHT,
    LoginThrottle,
    Token,
    TokenUse,
    User,
    check_keeps_an_admin,
    check_may_revoke,
    session_idle,
    validate_password,
    validate_role,
    validate_token_name,
    validate_username,
)
from lotledger.domain.errors import Conflict, IdempotencyConflict, Throttled, ValidationError
from lotledger.ports import AccountStore
from lotledger.services.audit import AuditTrail

TOKEN_PREFIX = "llt_"
TOKEN_CACHE_SECONDS = 5.0
SESSION_LIFETIME = timedelta(hours=12)  # a login's token lasts a shift and then some; API tokens are named and revoked
SESSION_IDLE = timedelta(minutes=60)  # and ends sooner when unused this long (LOTLEDGER_SESSION_IDLE_MINUTES)
TOUCH_EVERY = timedelta(minutes=1)  # how often a token's last use is written: the idle timeout's precision
HASHES_AT_ONCE = 4  # argon2 takes 64 MiB a hash: forty logins at once must not take gigabytes
_hasher = PasswordHasher()
_hashing = threading.BoundedSemaphore(HASHES_AT_ONCE)


def _hash(password: str) -> str:
    with _hashing:
        return _hasher.hash(password)


def _verify(hashed: str, password: str) -> bool:
    with _hashing:
        try:
            return _hasher.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            return False


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Accounts:
    def __init__(
        self,
        store: AccountStore,
        session_idle: timedelta = SESSION_IDLE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.session_idle = session_idle
        self.clock = clock
        self.audit = AuditTrail(store, clock)
        # token hash -> (expires, answer): a scanner posting 50 events a second
        # should not cost 50 token lookups. Revoking or changing a user here
        # clears it at once; another process sees the change within 5 s.
        self._token_cache: dict[str, tuple[float, TokenUse | None]] = {}
        self._throttle = LoginThrottle()
        self._throttle_lock = threading.Lock()

    # --- users ------------------------------------------------------------------------

    def add_user(self, username: object, password: object, role: object, by: str = "") -> User:
        name, chosen = validate_username(username), validate_role(role)
        user = self.store.add_user(name, _hash(validate_password(password)), chosen)
        self.audit.note("user_added", by or None, detail=f"{name} as {chosen}")
        return user

    def users(self) -> list[User]:
        return self.store.users()

    def user(self, username: str) -> User:
        return self.store.user(validate_username(username))

    def set_user(self, username: str, *, role: object = None, active: object = None, by: str = "") -> User:
        if active is not None and not isinstance(active, bool):
            raise ValidationError(f"expected true or false, got {active!r}", "active")
        if role is None and active is None:
            raise ValidationError("nothing to change: give a role, or active true or false", "role")
        chosen = None if role is None else validate_role(role)
        user = self.user(username)
        admins = sum(1 for u in self.store.users() if u.role == "admin" and u.active)
        check_keeps_an_admin(user, chosen, active, admins)
        self.forget_tokens()
        changed = self.store.set_user(user.username, role=chosen, active=active)
        detail = f"{changed.username}: role {changed.role}, {'active' if changed.active else 'deactivated'}"
        self.audit.note("user_changed", by or None, detail=detail)
        return changed

    def authenticate(self, username: object, password: object, address: str = "") -> User | None:
        """The user if the password is right and the account active; None otherwise.

        After five failures within 15 minutes for a user or from an address, further attempts are
        refused with Throttled (and how long to wait) before any password is checked."""
        if not isinstance(password, str) or not isinstance(username, str):
            raise ValidationError("expected username and password as text", "username")
        keys = (f"user:{validate_username(username)}", f"address:{address}")
        with self._throttle_lock:
            wait = self._throttle.wait(keys, time.monotonic())
        if wait:
            self.audit.note("login_throttled", username, address, f"asked to wait {wait} s")
            raise Throttled(f"too many failed logins; try again in {wait} seconds", wait, "username")
        found = self.store.password_hash(username)
        if found is None or not found[0].active:
            _hash("timing-equaliser")  # do not reveal which usernames exist
            user = None
        else:
            user = found[0] if _verify(found[1], password) else None
        with self._throttle_lock:
            if user is None:
                self._throttle.failed(keys, time.monotonic())
            else:
                self._throttle.succeeded(keys[0])
        if user is None:
            self.audit.note("login_failed", username, address, "wrong password, unknown user or deactivated")
        return user

    def login(self, username: object, password: object, address: str = "") -> tuple[Token, str] | None:
        """A session token (12 hours) for the right password; None for a wrong one."""
        user = self.authenticate(username, password, address)
        if user is None:
            return None
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = self.store.create_token(user.username, "session", token_hash(secret), SESSION_LIFETIME)
        self.audit.note("login", user.username, address, f"session token {token.id}")
        return token, secret

    # --- tokens -----------------------------------------------------------------------

    def create_token(self, username: str, name: object, address: str = "") -> tuple[Token, str]:
        """A new token for the user; the secret is returned once and never stored."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = self.store.create_token(username, validate_token_name(name), token_hash(secret))
        self.audit.note("token_created", username, address, f"token {token.id} ({token.name})")
        return token, secret

    def tokens(self, who: User | None = None) -> list[Token]:
        """Every token for an admin or the plant's own tools (None); a user's own otherwise."""
        return self.store.tokens(None if who is None or who.can("admin") else who.username)

    def latest_tokens(self, limit: int, sessions: bool = False) -> list[Token]:
        """Everyone's newest `limit` tokens, newest first: named API tokens, and login sessions if `sessions`
        (a login makes one: they outnumber the named ones)."""
        return self.store.latest_tokens(limit, sessions)

    def revoke_token(self, token_id: int, who: User | None = None, address: str = "") -> Token:
        token = self.store.token(token_id)
        if who is not None:
            check_may_revoke(who, token)
        self.forget_tokens()
        if token.revoked_at is not None:
            return token
        revoked = self.store.revoke_token(token_id)
        by = who.username if who is not None else None
        self.audit.note("token_revoked", by, address, f"token {token.id} ({token.name}) of {token.username}")
        return revoked

    def cached_token(self, secret: str) -> TokenUse | Literal[False] | None:
        """What `token_use` answered within the last seconds, or False (ask it; it does I/O)."""
        cached = self._token_cache.get(token_hash(secret))
        return cached[1] if cached is not None and cached[0] > time.monotonic() else False

    def token_use(self, secret: str, address: str = "") -> TokenUse | None:
        """The active user behind a live token (None when unknown, revoked, expired or idle too long).

        Its use is noted (once a minute a token) in the audit trail, off the request path."""
        digest = token_hash(secret)
        cached = self._token_cache.get(digest)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        use, now = self.store.token_use(digest), self.clock()
        if use is not None and session_idle(use, now, self.session_idle):
            use = None
        elif use is not None and (use.last_used_at is None or now - use.last_used_at >= TOUCH_EVERY):
            self.audit.touch(use.token_id, now)
            self.audit.note("token_used", use.user.username, address, f"token {use.token_id} ({use.name})")
        if len(self._token_cache) > 10_000:
            self._token_cache.clear()
        self._token_cache[digest] = (time.monotonic() + TOKEN_CACHE_SECONDS, use)
        return use

    def forget_tokens(self) -> None:
        """Drop the cached token answers: the next request with each token asks the database."""
        self._token_cache.clear()

    def close(self) -> None:
        self.audit.close()

    # --- idempotency keys -------------------------------------------------------------------

    def once(self, user: User, key: str, request_hash: str, work: Callable[[], tuple[int, str]]) -> tuple[int, str]:
        """Run `work` once per key: the key is claimed before the work, so a retry in flight never runs it twice.

        A retry gets the first answer; the same key with another request, or while
        the first still runs, is a 409 that says which."""
        replay = self.store.claim_key(user.id, key, request_hash)
        if replay is not None:
            if replay.request_hash != request_hash:
                raise IdempotencyConflict(
                    f"Idempotency-Key {key!r} was first used with a different request", "Idempotency-Key"
                )
            if replay.status == IN_FLIGHT:
                raise Conflict(
                    f"a request with Idempotency-Key {key!r} is still running; retry when it has answered",
                    "Idempotency-Key",
                )
            return replay.status, replay.body
        try:
            status, body = work()
        except BaseException:
            self.store.forget_key(user.id, key)  # refused or failed: the key may be used again
            raise
        self.store.remember(user.id, key, status, body)
        return status, body
