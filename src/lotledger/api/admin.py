"""Master data (items, locations, partners), users, tokens, and logging in."""

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path
from fastapi.responses import JSONResponse

from lotledger.api.deps import Admin, AppDep, Principal, Viewer
from lotledger.bootstrap import App
from lotledger.domain.errors import Conflict, NotFound, ValidationError
from lotledger.domain.model import Item, Location, Partner
from lotledger.interchange.jsonout import jsonable
from lotledger.storage.accounts import Token

router = APIRouter()
_KINDS: dict[str, type[Item] | type[Location] | type[Partner]] = {
    "items": Item,
    "locations": Location,
    "partners": Partner,
}


def _code(record: Item | Location | Partner) -> str:
    return record.sku if isinstance(record, Item) else record.code


def _master_routes(plural: str) -> None:
    cls, kind, key = _KINDS[plural], plural[:-1], "sku" if plural == "items" else "code"
    Code = Annotated[str, Path(min_length=1, max_length=64, description=f"The {kind}'s {key}")]

    def parse(body: Any) -> Item | Location | Partner:
        if not isinstance(body, dict):
            raise ValidationError("expected a JSON object", kind)
        return cls.parse({**body, "type": kind})

    def lookup(app: App, code: str) -> Item | Location | Partner:
        return app.catalog.one(kind, code)

    def save(app: App, who: Principal, record: Item | Location | Partner) -> JSONResponse:
        app.ledger.save(record, who.attribution)
        return JSONResponse(jsonable(lookup(app, _code(record))))

    @router.get(f"/{plural}", tags=["master data"], summary=f"All {plural}", name=f"list_{plural}")
    def list_all(app: AppDep, _: Viewer) -> JSONResponse:
        records = {"items": app.catalog.items, "locations": app.catalog.locations, "partners": app.catalog.partners}
        return JSONResponse({plural: jsonable(records[plural]())})

    @router.get(f"/{plural}/{{code:path}}", tags=["master data"], summary=f"One {kind}", name=f"get_{kind}")
    def get_one(app: AppDep, _: Viewer, code: Code) -> JSONResponse:
        return JSONResponse(jsonable(lookup(app, code)))

    @router.post(f"/{plural}", tags=["master data"], status_code=201, summary=f"Create a {kind}", name=f"create_{kind}")
    def create(app: AppDep, who: Admin, body: Annotated[dict[str, Any], Body()]) -> JSONResponse:
        record = parse(body)
        try:
            lookup(app, _code(record))
        except NotFound:
            response = save(app, who, record)
            response.status_code = 201
            return response
        raise Conflict(f"{kind} {_code(record)!r} already exists; PUT changes it", key)

    @router.put(f"/{plural}/{{code:path}}", tags=["master data"], summary=f"Change a {kind}", name=f"update_{kind}")
    def update(app: AppDep, who: Admin, code: Code, body: Annotated[dict[str, Any], Body()]) -> JSONResponse:
        lookup(app, code)
        if not isinstance(body, dict) or body.get(key, code) != code:
            raise ValidationError(f"the body names another {kind} than the path", key)
        return save(app, who, parse({**body, key: code}))

    @router.delete(
        f"/{plural}/{{code:path}}",
        tags=["master data"],
        summary=f"Deactivate a {kind} (nothing an event refers to is ever deleted)",
        name=f"deactivate_{kind}",
    )
    def deactivate(app: AppDep, who: Admin, code: Code) -> JSONResponse:
        return save(app, who, replace(lookup(app, code), active=False))


for _plural in _KINDS:
    _master_routes(_plural)


# --- users and tokens -------------------------------------------------------------


def _token(token: Token) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "user": token.username,
        "created_at": token.created_at.isoformat(),
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


@router.post("/auth/login", tags=["accounts"], summary="Exchange a username and password for a token")
def login(
    app: AppDep, body: Annotated[dict[str, Any], Body(examples=[{"username": "ada", "password": "..."}])]
) -> JSONResponse:
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise ValidationError("expected username and password", "username")
    user = app.accounts.authenticate(username, password)
    if user is None:
        return JSONResponse(
            {
                "type": "https://lotledger.dev/problems/unauthorized",
                "title": "Unauthorized",
                "status": 401,
                "detail": "wrong username or password, or the account is deactivated",
            },
            status_code=401,
            media_type="application/problem+json",
            headers={"WWW-Authenticate": "Bearer"},
        )
    token, secret = app.accounts.create_token(username, "session")
    return JSONResponse({**_token(token), "token": secret})


@router.get("/users", tags=["accounts"], summary="All users")
def list_users(app: AppDep, _: Admin) -> JSONResponse:
    return JSONResponse({"users": jsonable(app.accounts.users())})


@router.post("/users", tags=["accounts"], status_code=201, summary="Add a user")
def add_user(app: AppDep, _: Admin, body: Annotated[dict[str, Any], Body()]) -> JSONResponse:
    user = app.accounts.add_user(body.get("username"), body.get("password"), body.get("role", "viewer"))  # type: ignore[arg-type]
    return JSONResponse(jsonable(user), status_code=201)


@router.put("/users/{username}", tags=["accounts"], summary="Change a user's role or deactivate them")
def change_user(app: AppDep, _: Admin, username: str, body: Annotated[dict[str, Any], Body()]) -> JSONResponse:
    active = body.get("active")
    if active is not None and not isinstance(active, bool):
        raise ValidationError(f"expected true or false, got {active!r}", "active")
    return JSONResponse(jsonable(app.accounts.set_user(username, role=body.get("role"), active=active)))


@router.get("/tokens", tags=["accounts"], summary="Your tokens (an admin sees everyone's)")
def list_tokens(app: AppDep, who: Viewer) -> JSONResponse:
    mine = None if who.user.can("admin") else who.user.username
    return JSONResponse({"tokens": [_token(token) for token in app.accounts.tokens(mine)]})


@router.post("/tokens", tags=["accounts"], status_code=201, summary="Create a token for yourself; shown once")
def create_token(
    app: AppDep, who: Viewer, body: Annotated[dict[str, Any], Body(examples=[{"name": "scanner-3"}])]
) -> JSONResponse:
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 64:
        raise ValidationError("expected a name of 1-64 characters", "name")
    token, secret = app.accounts.create_token(who.user.username, name)
    return JSONResponse({**_token(token), "token": secret}, status_code=201)


@router.delete("/tokens/{token_id}", tags=["accounts"], summary="Revoke a token (yours, or anyone's as admin)")
def revoke_token(app: AppDep, who: Viewer, token_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> JSONResponse:
    owned = {token.id for token in app.accounts.tokens(who.user.username)}
    if token_id not in owned and not who.user.can("admin"):
        raise NotFound(f"no token {token_id} of yours", "token_id")
    return JSONResponse(_token(app.accounts.revoke_token(token_id)))
