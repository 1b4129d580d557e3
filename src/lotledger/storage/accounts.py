"""Users, API tokens and idempotency keys in the ledger's database."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from lotledger.domain.accounts import User, validate_password, validate_role, validate_username
from lotledger.domain.errors import Conflict, NotFound
from lotledger.storage import schema as t

TOKEN_PREFIX = "llt_"
IDEMPOTENCY_TTL = timedelta(hours=48)  # the promise is 24 hours; keep twice that
_hasher = PasswordHasher()


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Token:
    id: int
    name: str
    username: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Replay:
    request_hash: str
    status: int
    body: str


TOKEN_CACHE_SECONDS = 5.0


class AccountStore:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.clock = clock
        # token hash -> (expires, answer): a scanner posting 50 events a second
        # should not cost 50 token lookups. Revoking or changing a user here
        # clears it at once; another process sees the change within 5 s.
        self._token_cache: dict[str, tuple[float, tuple[User, str] | None]] = {}

    def add_user(self, username: str, password: str, role: str) -> User:
        username, role = validate_username(username), validate_role(role)
        hashed = _hasher.hash(validate_password(password))
        try:
            with self.engine.begin() as conn:
                user_id = conn.execute(
                    insert(t.users).values(
                        username=username, password_hash=hashed, role=role, active=True, created_at=self.clock()
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError:
            raise Conflict(f"user {username!r} already exists", "username") from None
        return User(int(user_id), username, role)

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.users).order_by(t.users.c.username)).mappings()
            return [User(r["id"], r["username"], r["role"], r["active"]) for r in rows]

    def user(self, username: str) -> User:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.users).where(t.users.c.username == username)).mappings().first()
        if row is None:
            raise NotFound(f"unknown user {username!r}", "username")
        return User(row["id"], row["username"], row["role"], row["active"])

    def set_user(self, username: str, *, role: str | None = None, active: bool | None = None) -> User:
        values: dict[str, object] = {}
        if role is not None:
            values["role"] = validate_role(role)
        if active is not None:
            values["active"] = active
        user = self.user(username)
        self._token_cache.clear()
        if values:
            with self.engine.begin() as conn:
                conn.execute(update(t.users).where(t.users.c.id == user.id).values(values))
        return self.user(username)

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password is right and the account active; None otherwise."""
        with self.engine.connect() as conn:
            row = conn.execute(select(t.users).where(t.users.c.username == username)).mappings().first()
        if row is None or not row["active"]:
            _hasher.hash("timing-equaliser")  # do not reveal which usernames exist
            return None
        try:
            _hasher.verify(row["password_hash"], password)
        except (VerificationError, InvalidHashError):
            return None
        return User(row["id"], row["username"], row["role"], row["active"])

    def create_token(self, username: str, name: str) -> tuple[Token, str]:
        """A new token for the user; the secret is returned once and never stored."""
        user = self.user(username)
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self.clock()
        with self.engine.begin() as conn:
            token_id = conn.execute(
                insert(t.api_tokens).values(user_id=user.id, name=name, token_hash=token_hash(secret), created_at=now)
            ).inserted_primary_key[0]  # type: ignore[index]
        return Token(int(token_id), name, username, now, None), secret

    def tokens(self, username: str | None = None) -> list[Token]:
        query = (
            select(t.api_tokens, t.users.c.username).select_from(t.api_tokens.join(t.users)).order_by(t.api_tokens.c.id)
        )
        if username is not None:
            query = query.where(t.users.c.username == username)
        with self.engine.connect() as conn:
            return [
                Token(r["id"], r["name"], r["username"], r["created_at"], r["revoked_at"])
                for r in conn.execute(query).mappings()
            ]

    def revoke_token(self, token_id: int) -> Token:
        self._token_cache.clear()
        with self.engine.begin() as conn:
            done = conn.execute(
                update(t.api_tokens)
                .where(t.api_tokens.c.id == token_id, t.api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=self.clock())
            )
        found = [token for token in self.tokens() if token.id == token_id]
        if not found:
            raise NotFound(f"no token {token_id}", "token")
        if done.rowcount == 0 and found[0].revoked_at is None:
            raise Conflict(f"token {token_id} could not be revoked", "token")
        return found[0]

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
        answer = self._lookup_token(digest)
        if len(self._token_cache) > 10_000:
            self._token_cache.clear()
        self._token_cache[digest] = (time.monotonic() + TOKEN_CACHE_SECONDS, answer)
        return answer

    def _lookup_token(self, digest: str) -> tuple[User, str] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.users.c.id, t.users.c.username, t.users.c.role, t.users.c.active, t.api_tokens.c.name)
                .select_from(t.api_tokens.join(t.users))
                .where(t.api_tokens.c.token_hash == digest, t.api_tokens.c.revoked_at.is_(None))
            ).first()
        if row is None or not row.active:
            return None
        return User(row.id, row.username, row.role, row.active), row.name

    # --- idempotency keys ------------------------------------------------------

    def replay(self, user_id: int, key: str) -> Replay | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(t.idempotency_keys).where(
                        t.idempotency_keys.c.user_id == user_id,
                        t.idempotency_keys.c.key == key,
                        t.idempotency_keys.c.created_at > self.clock() - IDEMPOTENCY_TTL,
                    )
                )
                .mappings()
                .first()
            )
        return None if row is None else Replay(row["request_hash"], row["status"], row["body"])

    def remember(self, user_id: int, key: str, request_hash: str, status: int, body: str) -> None:
        """Keep the first answer for `key`; expired keys are swept on the way."""
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(delete(t.idempotency_keys).where(t.idempotency_keys.c.created_at <= now - IDEMPOTENCY_TTL))
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(t.idempotency_keys).values(
                            user_id=user_id,
                            key=key,
                            request_hash=request_hash,
                            status=status,
                            body=body,
                            created_at=now,
                        )
                    )
            except IntegrityError:
                pass  # a concurrent retry stored its answer first; both answers are the same event's
