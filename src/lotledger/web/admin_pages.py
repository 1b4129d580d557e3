"""Admin pages: where master data, users and API tokens are managed (admins only: others get a 403 page).
Users and tokens go through app.accounts, as the API's and the CLI's do."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from lotledger.api.deps import address_of, app_of
from lotledger.api.problems import status_for
from lotledger.domain.accounts import ROLES
from lotledger.domain.errors import LotledgerError
from lotledger.web.master_pages import KINDS
from lotledger.web.render import page
from lotledger.web.session import Admin, CheckedForm, PageUser

router = APIRouter(prefix="/admin")
TOKENS_LISTED = 100
TokenId = Annotated[int, Path(ge=1, le=2**31 - 1)]
# What a page says after a change: fixed words, never text taken from the address.
DONE = {
    "added": "The user is added.",
    "changed": "The user is changed.",
    "revoked": "The token is revoked: it no longer works.",
}


@router.get("")
def admin_home(request: Request, who: Admin) -> Response:
    return page(request, "admin/index.html", who, section="admin", kinds=KINDS.values())


# --- users ------------------------------------------------------------------------------------


@router.get("/users")
def users(request: Request, who: Admin, done: str = "") -> Response:
    return _users_page(request, who, done=DONE.get(done, ""))


def _users_page(
    request: Request,
    who: PageUser,
    done: str = "",
    message: str = "",
    status: int = 200,
    kept: dict[str, str] | None = None,
) -> Response:
    listed = app_of(request).accounts.users()  # a plant has tens of users, not thousands
    return page(
        request, "admin/users.html", who, status, section="admin", users=listed, roles=ROLES, done=done,
        message=message, kept=kept or {"role": "operator"},
    )  # fmt: skip


@router.post("/users")
def add_user(request: Request, who: Admin, form: CheckedForm) -> Response:
    accounts = app_of(request).accounts
    try:
        accounts.add_user(form.get("username"), form.get("password"), form.get("role"), who.user.username)
    except LotledgerError as error:
        kept = {"username": form.get("username"), "role": form.get("role")}  # never the password
        return _users_page(request, who, message=str(error), status=status_for(error), kept=kept)
    return RedirectResponse("/admin/users?done=added", status_code=303)


@router.post("/users/{username}")
def change_user(request: Request, who: Admin, form: CheckedForm, username: str) -> Response:
    """One of the row's buttons: a new role, or deactivate or reactivate."""
    role = form.get("role") or None
    active = {"deactivate": False, "reactivate": True}.get(form.get("change"))
    try:
        app_of(request).accounts.set_user(username, role=role, active=active, by=who.user.username)
    except LotledgerError as error:
        return _users_page(request, who, message=str(error), status=status_for(error))
    return RedirectResponse("/admin/users?done=changed", status_code=303)


# --- tokens -----------------------------------------------------------------------------------


@router.get("/tokens")
def tokens(request: Request, who: Admin, sessions: bool = False, done: str = "") -> Response:
    return _tokens_page(request, who, sessions, done=DONE.get(done, ""))


def _tokens_page(
    request: Request, who: PageUser, sessions: bool = False, done: str = "", message: str = "", status: int = 200,
    kept: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    accounts = app_of(request).accounts
    return page(
        request, "admin/tokens.html", who, status, section="admin", sessions=sessions, listed=TOKENS_LISTED,
        tokens=accounts.latest_tokens(TOKENS_LISTED, sessions), users=accounts.users(), done=done, message=message,
        kept=kept or {},
    )  # fmt: skip


@router.post("/tokens")
def create_token(request: Request, who: Admin, form: CheckedForm) -> Response:
    """A named API token for a user: its secret is on this answer and nowhere else, ever."""
    accounts = app_of(request).accounts
    kept = {"username": form.get("username"), "name": form.get("name")}
    try:
        user = accounts.user(form.get("username"))
        token, secret = accounts.create_token(user.username, form.get("name"), address_of(request))
    except LotledgerError as error:
        return _tokens_page(request, who, message=str(error), status=status_for(error), kept=kept)
    return page(request, "admin/token_made.html", who, section="admin", token=token, secret=secret)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, who: Admin, _: CheckedForm, token_id: TokenId) -> Response:
    app_of(request).accounts.revoke_token(token_id, who.user, address_of(request))  # NotFound: a 404 page
    return RedirectResponse("/admin/tokens?done=revoked", status_code=303)
