"""Log in and out of the pages."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from lotledger.api.deps import address_of, app_of
from lotledger.domain.errors import LotledgerError, Throttled
from lotledger.web.render import page
from lotledger.web.session import COOKIE, LOGIN_COOKIE, CheckedForm, Viewer, read_form, safe_next, secure

router = APIRouter()


def _login_page(request: Request, after: str, message: str = "", username: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    answer = page(
        request, "login.html", None, status=status, after=after, message=message, username=username, csrf=token
    )
    answer.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure(request), path="/login")
    return answer


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, safe_next(next))


@router.post("/login")
async def login(request: Request) -> Response:
    form = await read_form(request)
    after, username = safe_next(form.get("next", "/")), form.get("username")
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(form.get("csrf"), expected):
        return _login_page(request, after, "The login form was out of date: please log in again.", username, 403)
    accounts = app_of(request).accounts
    try:
        session = await run_in_threadpool(accounts.login, username, form.get("password", ""), address_of(request))
    except LotledgerError as error:  # throttled, or a username that cannot exist
        return _login_page(request, after, error.message, username, 429 if isinstance(error, Throttled) else 422)
    if session is None:
        return _login_page(request, after, "Wrong username or password, or the account is deactivated.", username, 401)
    answer = RedirectResponse(after, status_code=303)
    answer.set_cookie(COOKIE, session[1], httponly=True, samesite="lax", secure=secure(request), path="/")
    answer.delete_cookie(LOGIN_COOKIE, path="/login")
    return answer


@router.post("/logout")
async def logout(request: Request, who: Viewer, _: CheckedForm) -> Response:
    accounts = app_of(request).accounts
    await run_in_threadpool(accounts.revoke_token, who.token_id, who.user, address_of(request))
    answer = RedirectResponse("/login", status_code=303)
    answer.delete_cookie(COOKIE, path="/")
    return answer
