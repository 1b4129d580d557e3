"""Users, passwords, API tokens and Idempotency-Keys: who may call, and answers kept for retries."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lotledger.domain.accounts import (
    IN_FLIGHT,
    LoginThrottle,
    Token,
    User,
    check_keeps_an_admin,
    check_may_revoke,
    validate_password,
    validate_role,
    validate_token_name,
    validate_username,
)
from lotledger.domain.errors import Conflict, IdempotencyConflict, Throttled, ValidationError
from lotledger.ports import AccountStore

TOKEN_PREFIX = "llt_"
TOKEN_CACHE_SECONDS = 5.0
SESSION_LIFETIME = timedelta(hours=12)  # a login's token lasts a shift and then some; API tokens are named and revoked
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
    def __init__(self, store: AccountStore) -> None:
        self.store = store
        # token hash -> (expires, answer): a scanner posting 50 events a second
        # should not cost 50 token lookups. Revoking or changing a user here
        # clears it at once; another process sees the change within 5 s.
        self._token_cache: dict[str, tuple[float, tuple[User, str] | None]] = {}
        self._throttle = LoginThrottle()
        self._throttle_lock = threading.Lock()

    # --- users ------------------------------------------------------------------------

    def add_user(self, username: object, password: object, role: object) -> User:
        name, chosen = validate_username(username), validate_role(role)
        return self.store.add_user(name, _hash(validate_password(password)), chosen)

    def users(self) -> list[User]:
        return self.store.users()

    def user(self, username: str) -> User:
        return self.store.user(validate_username(username))

    def set_user(self, username: str, *, role: object = None, active: object = None) -> User:
        if active is not None and not isinstance(active, bool):
            raise ValidationError(f"expected true or false, got {active!r}", "active")
        chosen = None if role is None else validate_role(role)
        user = self.user(username)
        admins = sum(1 for u in self.store.users() if u.role == "admin" and u.active)
        check_keeps_an_admin(user, chosen, active, admins)
        self._token_cache.clear()
        return self.store.set_user(user.username, role=chosen, active=active)

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
        return user

    def login(self, username: object, password: object, address: str = "") -> tuple[Token, str] | None:
        """A session token (12 hours) for the right password; None for a wrong one."""
        user = self.authenticate(username, password, address)
        if user is None:
            return None
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        return self.store.create_token(user.username, "session", token_hash(secret), SESSION_LIFETIME), secret

    # --- tokens -----------------------------------------------------------------------

    def create_token(self, username: str, name: object) -> tuple[Token, str]:
        """A new token for the user; the secret is returned once and never stored."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        return self.store.create_token(username, validate_token_name(name), token_hash(secret)), secret

    def tokens(self, who: User | None = None) -> list[Token]:
        """Every token for an admin or the plant's own tools (None); a user's own otherwise."""
        return self.store.tokens(None if who is None or who.can("admin") else who.username)

    def revoke_token(self, token_id: int, who: User | None = None) -> Token:
        token = self.store.token(token_id)
        if who is not None:
            check_may_revoke(who, token)
        self._token_cache.clear()
        if token.revoked_at is not None:
            return token
        return self.store.revoke_token(token_id)

    def cached_user_for_token(self, secret: str) -> tuple[User, str] | Literal[False] | None:
        """What `user_for_token` answered within the last seconds, or False (ask it; it does I/O)."""
        cached = self._token_cache.get(token_hash(secret))
        return cached[1] if cached is not None and cached[0] > time.monotonic() else False

    def user_for_token(self, secret: str) -> tuple[User, str] | None:
        """The active user behind a live token, and the token's name."""
        digest = token_hash(secret)
        cached = self._token_cache.get(digest)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        answer = self.store.user_for_token(digest)
        if len(self._token_cache) > 10_000:
            self._token_cache.clear()
        self._token_cache[digest] = (time.monotonic() + TOKEN_CACHE_SECONDS, answer)
        return answer

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
