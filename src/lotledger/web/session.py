"""Who is looking at a page: a login's session token in a cookie, roles, and CSRF on every form.

The session is the same token `POST /api/v1/auth/login` hands out (it ends after
12 hours, or an hour unused); the cookie is HttpOnly and SameSite=Lax, and every
form carries a CSRF value derived from the session, so another site can neither
read the session nor post a form in its name.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl, quote

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from lotledger.api.deps import address_of, app_of
from lotledger.domain.accounts import Caller, User
from lotledger.domain.recording import Attribution

COOKIE = "lotledger_session"
LOGIN_COOKIE = "lotledger_login"  # before a session exists, the login form's CSRF value (double submit)
MAX_FORM = 256 * 1024  # a floor form with a pallet's worth of lines fits many times over


class LoginNeeded(Exception):
    """No live session: the page sends the browser to the login page, then back to `after`."""

    def __init__(self, after: str) -> None:
        self.after = after


class PageRefused(Exception):
    """A page or form the user may not have, or a form that cannot be read: shown as an error page."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class PageUser:
    """The logged-in user of a page, what their events are attributed to, and their forms' CSRF value."""

    caller: Caller
    csrf: str
    token_id: int

    @property
    def user(self) -> User:
        return self.caller.user


def csrf_for(secret: str) -> str:
    """The CSRF value of a session: only someone who holds the session can know it."""
    return hashlib.sha256(f"csrf:{secret}".encode()).hexdigest()[:32]


def secure(request: Request) -> bool:
    """Whether the browser reached us over HTTPS (directly or through a trusted proxy)."""
    return request.url.scheme == "https"


async def page_user(request: Request) -> PageUser:
    """The user behind the session cookie, or LoginNeeded."""
    secret = request.cookies.get(COOKIE)
    after = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not secret or not secret.isascii():
        raise LoginNeeded(after)
    accounts = app_of(request).accounts
    cached = accounts.cached_token(secret)
    found = await run_in_threadpool(accounts.token_use, secret, address_of(request)) if cached is False else cached
    if found is None:
        raise LoginNeeded(after)
    request.state.username = found.user.username  # for the access log and the audit trail
    attribution = Attribution(recorded_by=f"user:{found.user.username}", client=f"web:{address_of(request)}")
    return PageUser(Caller(found.user, attribution), csrf_for(secret), found.token_id)


def page_role(minimum: str) -> Callable[[Request], Awaitable[PageUser]]:
    """A dependency: the page's user if they have `minimum` or above; else an error page naming the role."""

    async def check(request: Request) -> PageUser:
        who = await page_user(request)
        if not who.user.can(minimum):
            user = who.user
            raise PageRefused(403, f"this page needs the {minimum} role; {user.username} has the {user.role} role")
        return who

    return check


Viewer = Annotated[PageUser, Depends(page_role("viewer"))]
Operator = Annotated[PageUser, Depends(page_role("operator"))]
Quality = Annotated[PageUser, Depends(page_role("quality"))]
Admin = Annotated[PageUser, Depends(page_role("admin"))]


class Form:
    """A posted form's fields as text: trimmed, one value or all of a name's values."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def get(self, name: str, default: str = "") -> str:
        for key, value in self.pairs:
            if key == name:
                return value.strip()
        return default

    def all(self, name: str) -> list[str]:
        return [value.strip() for key, value in self.pairs if key == name]

    def __contains__(self, name: str) -> bool:
        return any(key == name for key, _ in self.pairs)


async def read_form(request: Request) -> Form:
    """The body as a URL-encoded form, or PageRefused naming what is wrong with it."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        raise PageRefused(415, "expected a form (application/x-www-form-urlencoded)")
    body = await request.body()
    if len(body) > MAX_FORM:
        raise PageRefused(413, f"the form is larger than {MAX_FORM // 1024} KiB")
    try:
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, errors="strict", max_num_fields=2000)
    except (UnicodeDecodeError, ValueError) as error:
        raise PageRefused(400, f"the form cannot be read: {error}") from None
    for name, value in pairs:
        if "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            raise PageRefused(400, f"the field {name[:40]!r} contains a NUL or a lone surrogate")
    return Form(pairs)


async def checked_form(request: Request) -> Form:
    """The posted form, if it carries the CSRF value of the session that posts it."""
    form = await read_form(request)
    check_csrf(request, form.get("csrf"))
    return form


def check_csrf(request: Request, value: str) -> None:
    """PageRefused unless `value` is the CSRF value of the session that posts the form."""
    secret = request.cookies.get(COOKIE, "")
    if not secret or not value.isascii() or not hmac.compare_digest(value, csrf_for(secret)):
        raise PageRefused(403, "the form is out of date or did not come from lotledger (CSRF check): reload the page")


CheckedForm = Annotated[Form, Depends(checked_form)]


def login_url(after: str) -> str:
    return f"/login?next={quote(after, safe='/')}" if after not in ("", "/") else "/login"


def safe_next(target: str) -> str:
    """Where to go after logging in: a path of this site only (never //elsewhere or a scheme)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target or any(ord(c) < 32 for c in target):
        return "/"
    return target
