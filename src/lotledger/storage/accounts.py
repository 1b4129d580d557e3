"""Users, API tokens and idempotency keys in the ledger's database (hashes only; the rules are the services')."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from lotledger.domain.accounts import IN_FLIGHT, AuditEntry, Replay, Token, TokenUse, User
from lotledger.domain.errors import AlreadyExists, NotFound
from lotledger.storage import schema as t
from lotledger.storage.engine import reading

IDEMPOTENCY_TTL = timedelta(hours=48)  # the promise is 24 hours; keep twice that
_TOKENS = select(t.api_tokens, t.users.c.username).select_from(t.api_tokens.join(t.users)).order_by(t.api_tokens.c.id)


def _user(row: Any) -> User:
    return User(row["id"], row["username"], row["role"], row["active"])


def _token(row: Any) -> Token:
    return Token(
        row["id"],
        row["name"],
        row["username"],
        row["created_at"],
        row["revoked_at"],
        row["expires_at"],
        row["last_used_at"],
    )


class SqlAccountStore:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.clock = clock

    def add_user(self, username: str, password_hash: str, role: str) -> User:
        try:
            with self.engine.begin() as conn:
                user_id = conn.execute(
                    insert(t.users).values(
                        username=username, password_hash=password_hash, role=role, active=True, created_at=self.clock()
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError:
            raise AlreadyExists(f"user {username!r} already exists", "username") from None
        return User(int(user_id), username, role)

    def users(self) -> list[User]:
        with reading(self.engine) as conn:
            return [_user(r) for r in conn.execute(select(t.users).order_by(t.users.c.username)).mappings()]

    def password_hash(self, username: str) -> tuple[User, str] | None:
        with reading(self.engine) as conn:
            row = conn.execute(select(t.users).where(t.users.c.username == username)).mappings().first()
        return None if row is None else (_user(row), row["password_hash"])

    def user(self, username: str) -> User:
        found = self.password_hash(username)
        if found is None:
            raise NotFound(f"unknown user {username!r}", "username")
        return found[0]

    def set_user(self, username: str, *, role: str | None = None, active: bool | None = None) -> User:
        values = {k: v for k, v in (("role", role), ("active", active)) if v is not None}
        user = self.user(username)
        if values:
            with self.engine.begin() as conn:
                conn.execute(update(t.users).where(t.users.c.id == user.id).values(values))
        return self.user(username)

    def create_token(self, username: str, name: str, digest: str, lifetime: timedelta | None = None) -> Token:
        user = self.user(username)
        now = self.clock()
        expires = None if lifetime is None else now + lifetime
        used = None if lifetime is None else now  # a login is a session's first use: its idle time starts here
        with self.engine.begin() as conn:
            token_id = conn.execute(
                insert(t.api_tokens).values(
                    user_id=user.id, name=name, token_hash=digest, created_at=now, expires_at=expires, last_used_at=used
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        return Token(int(token_id), name, username, now, None, expires, used)

    def tokens(self, username: str | None = None) -> list[Token]:
        query = _TOKENS if username is None else _TOKENS.where(t.users.c.username == username)
        with reading(self.engine) as conn:
            return [_token(r) for r in conn.execute(query).mappings()]

    def latest_tokens(self, limit: int, sessions: bool = False) -> list[Token]:
        """The newest `limit` tokens, newest first; login sessions (the tokens that expire) only if `sessions`."""
        query = _TOKENS.order_by(None).order_by(t.api_tokens.c.id.desc()).limit(limit)
        if not sessions:
            query = query.where(t.api_tokens.c.expires_at.is_(None))
        with reading(self.engine) as conn:
            return [_token(r) for r in conn.execute(query).mappings()]

    def token(self, token_id: int) -> Token:
        with reading(self.engine) as conn:
            row = conn.execute(_TOKENS.where(t.api_tokens.c.id == token_id)).mappings().first()
        if row is None:
            raise NotFound(f"no token {token_id}", "token_id")
        return _token(row)

    def revoke_token(self, token_id: int) -> Token:
        with self.engine.begin() as conn:
            conn.execute(
                update(t.api_tokens)
                .where(t.api_tokens.c.id == token_id, t.api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=self.clock())
            )
        return self.token(token_id)

    def token_use(self, digest: str) -> TokenUse | None:
        """The active user behind a live token, and the token (a read: never waits for a writer)."""
        tokens = t.api_tokens
        with reading(self.engine) as conn:
            row = (
                conn.execute(
                    select(t.users, tokens.c.id.label("token_id"), tokens.c.name, tokens.c.expires_at)
                    .add_columns(tokens.c.last_used_at)
                    .select_from(tokens.join(t.users))
                    .where(tokens.c.token_hash == digest, tokens.c.revoked_at.is_(None))
                    .where(or_(tokens.c.expires_at.is_(None), tokens.c.expires_at > self.clock()))
                )
                .mappings()
                .first()
            )
        if row is None or not row["active"]:
            return None
        return TokenUse(_user(row), row["token_id"], row["name"], row["expires_at"] is not None, row["last_used_at"])

    # --- the audit trail -------------------------------------------------------

    def keep(self, entries: Sequence[AuditEntry], touched: Mapping[int, datetime]) -> None:
        """Append audit entries and move tokens' last use forward, in one short transaction."""
        with self.engine.begin() as conn:
            if entries:
                conn.execute(
                    insert(t.audit_log),
                    [
                        {"at": e.at, "kind": e.kind, "username": e.username, "address": e.address, "detail": e.detail}
                        for e in entries
                    ],
                )
            for token_id, at in touched.items():
                conn.execute(
                    update(t.api_tokens)
                    .where(t.api_tokens.c.id == token_id)
                    .where(or_(t.api_tokens.c.last_used_at.is_(None), t.api_tokens.c.last_used_at < at))
                    .values(last_used_at=at)
                )

    def audit(
        self, since: datetime | None = None, kind: str | None = None, username: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """The newest `limit` entries matching, oldest first."""
        log = t.audit_log
        query = select(log).order_by(log.c.id.desc()).limit(limit)
        if since is not None:
            query = query.where(log.c.at >= since)
        if kind is not None:
            query = query.where(log.c.kind == kind)
        if username is not None:
            query = query.where(log.c.username == username)
        with reading(self.engine) as conn:
            rows = conn.execute(query).mappings().all()
        return [
            AuditEntry(r["at"], r["kind"], r["username"], r["address"], r["detail"], r["id"]) for r in reversed(rows)
        ]

    # --- idempotency keys ------------------------------------------------------

    def claim_key(self, user_id: int, key: str, request_hash: str) -> Replay | None:
        """Claim `key` atomically (None), or the answer (or the in-flight mark) of whoever claimed it first."""
        keys = t.idempotency_keys
        now = self.clock()
        for _ in range(3):
            with self.engine.begin() as conn:
                conn.execute(delete(keys).where(keys.c.created_at <= now - IDEMPOTENCY_TTL))
                row = conn.execute(select(keys).where(keys.c.user_id == user_id, keys.c.key == key)).mappings().first()
                if row is not None:
                    return Replay(row["request_hash"], row["status"], row["body"])
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(keys).values(
                                user_id=user_id,
                                key=key,
                                request_hash=request_hash,
                                status=IN_FLIGHT,
                                body="",
                                created_at=now,
                            )
                        )
                    return None
                except IntegrityError:
                    continue  # claimed a moment ago by a concurrent request: read its mark
        raise AssertionError("an idempotency key could neither be claimed nor read")

    def remember(self, user_id: int, key: str, status: int, body: str) -> None:
        keys = t.idempotency_keys
        with self.engine.begin() as conn:
            conn.execute(
                update(keys).where(keys.c.user_id == user_id, keys.c.key == key).values(status=status, body=body)
            )

    def forget_key(self, user_id: int, key: str) -> None:
        keys = t.idempotency_keys
        with self.engine.begin() as conn:
            conn.execute(delete(keys).where(keys.c.user_id == user_id, keys.c.key == key))
