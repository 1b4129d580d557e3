"""Master data (items, locations, partners), users, tokens, and logging in."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from lotledger.api.deps import Admin, AppDep, JsonBody, Viewer, address_of
from lotledger.api.problems import problem
from lotledger.api.schemas import request_body, responses
from lotledger.domain.accounts import AUDIT_KINDS, Token
from lotledger.domain.model import MasterRecord
from lotledger.interchange.jsonout import jsonable
from lotledger.services.master_data import KINDS, key_field

router = APIRouter()


def _master_routes(kind: type[MasterRecord], name: str) -> None:
    plural, key, model = f"{name}s", key_field(kind), kind.__name__
    one = responses({200: model}, problems=(401, 403, 404, 409, 422))
    Code = Annotated[str, Path(min_length=1, max_length=64, description=f"The {name}'s {key}")]

    @router.get(
        f"/{plural}",
        tags=["master data"],
        summary=f"All {plural}",
        name=f"list_{plural}",
        responses=responses({200: f"{model}List"}, problems=(401,)),
    )
    def list_all(app: AppDep, _: Viewer) -> JSONResponse:
        return JSONResponse({plural: jsonable(app.master_data.all(kind))})

    @router.get(
        f"/{plural}/{{code:path}}", tags=["master data"], summary=f"One {name}", name=f"get_{name}", responses=one
    )
    def get_one(app: AppDep, _: Viewer, code: Code) -> JSONResponse:
        return JSONResponse(jsonable(app.master_data.one(kind, code)))

    @router.post(
        f"/{plural}",
        tags=["master data"],
        status_code=201,
        summary=f"Create a {name}",
        name=f"create_{name}",
        responses=responses({201: model}, problems=(401, 403, 404, 409, 422)),
        openapi_extra=request_body(model),
    )
    def create(app: AppDep, who: Admin, body: JsonBody) -> JSONResponse:
        return JSONResponse(jsonable(app.master_data.create(kind, body, who)), status_code=201)

    @router.put(
        f"/{plural}/{{code:path}}",
        tags=["master data"],
        summary=f"Change a {name}",
        name=f"update_{name}",
        responses=one,
        openapi_extra=request_body(model),
    )
    def update(app: AppDep, who: Admin, code: Code, body: JsonBody) -> JSONResponse:
        return JSONResponse(jsonable(app.master_data.update(kind, code, body, who)))

    @router.delete(
        f"/{plural}/{{code:path}}",
        tags=["master data"],
        summary=f"Deactivate a {name} (nothing an event refers to is ever deleted)",
        name=f"deactivate_{name}",
        responses=one,
    )
    def deactivate(app: AppDep, who: Admin, code: Code) -> JSONResponse:
        return JSONResponse(jsonable(app.master_data.deactivate(kind, code, who)))


for _name, _kind in KINDS.items():
    _master_routes(_kind, _name)


# --- users and tokens -------------------------------------------------------------


def _token(token: Token) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "user": token.username,
        "created_at": token.created_at.isoformat(),
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
    }


@router.post(
    "/auth/login",
    tags=["accounts"],
    summary="Exchange a username and password for a token",
    responses=responses({200: "Token"}, problems=(401, 422, 429)),
    openapi_extra=request_body("Login", {"username": "demo", "password": "demo-plant"}),
)
def login(request: Request, app: AppDep, body: JsonBody) -> JSONResponse:
    session = app.accounts.login(body.get("username"), body.get("password"), address_of(request))
    if session is None:
        return problem(401, "wrong username or password, or the account is deactivated")
    token, secret = session
    return JSONResponse({**_token(token), "token": secret}, headers={"Cache-Control": "no-store"})


@router.get("/users", tags=["accounts"], summary="All users", responses=responses({200: "UserList"}, (401, 403)))
def list_users(app: AppDep, _: Admin) -> JSONResponse:
    return JSONResponse({"users": jsonable(app.accounts.users())})


@router.post(
    "/users",
    tags=["accounts"],
    status_code=201,
    summary="Add a user",
    responses=responses({201: "User"}, (401, 403, 409, 422)),
    openapi_extra=request_body("NewUser"),
)
def add_user(app: AppDep, who: Admin, body: JsonBody) -> JSONResponse:
    username, password, role = body.get("username"), body.get("password"), body.get("role", "viewer")
    user = app.accounts.add_user(username, password, role, who.user.username)
    return JSONResponse(jsonable(user), status_code=201)


@router.put(
    "/users/{username}",
    tags=["accounts"],
    summary="Change a user's role or deactivate them",
    responses=responses({200: "User"}, (401, 403, 404, 409, 422)),
    openapi_extra=request_body("UserChange"),
)
def change_user(app: AppDep, who: Admin, username: str, body: JsonBody) -> JSONResponse:
    changed = app.accounts.set_user(username, role=body.get("role"), active=body.get("active"), by=who.user.username)
    return JSONResponse(jsonable(changed))


@router.get(
    "/tokens",
    tags=["accounts"],
    summary="Your tokens (an admin sees everyone's)",
    responses=responses({200: "TokenList"}, (401,)),
)
def list_tokens(app: AppDep, who: Viewer) -> JSONResponse:
    return JSONResponse({"tokens": [_token(token) for token in app.accounts.tokens(who.user)]})


@router.post(
    "/tokens",
    tags=["accounts"],
    status_code=201,
    summary="Create a token for yourself; shown once",
    responses=responses({201: "Token"}, (401, 422)),
    openapi_extra=request_body("NewToken", {"name": "scanner-3"}),
)
def create_token(request: Request, app: AppDep, who: Viewer, body: JsonBody) -> JSONResponse:
    token, secret = app.accounts.create_token(who.user.username, body.get("name"), address_of(request))
    return JSONResponse({**_token(token), "token": secret}, status_code=201, headers={"Cache-Control": "no-store"})


@router.delete(
    "/tokens/{token_id}",
    tags=["accounts"],
    summary="Revoke a token (yours, or anyone's as admin)",
    responses=responses({200: "Token"}, (401, 404, 422)),
)
def revoke_token(
    request: Request, app: AppDep, who: Viewer, token_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> JSONResponse:
    return JSONResponse(_token(app.accounts.revoke_token(token_id, who.user, address_of(request))))


@router.get(
    "/audit",
    tags=["accounts"],
    summary="The audit trail: logins, token use, refusals and account changes (newest last)",
    responses=responses({200: "AuditList"}, (401, 403, 422)),
)
def audit(
    app: AppDep,
    _: Admin,
    since: datetime | None = None,
    kind: Annotated[str | None, Query(max_length=32, description=", ".join(AUDIT_KINDS))] = None,
    user: Annotated[str | None, Query(max_length=64, description="Who acted (or whom a failed login named)")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> JSONResponse:
    entries = app.accounts.audit.entries(since, kind, user, limit)
    return JSONResponse({"entries": jsonable(entries)})
