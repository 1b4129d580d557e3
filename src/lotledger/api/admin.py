"""Master data (items, locations, partners), users, tokens, and logging in."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path
from fastapi.responses import JSONResponse

from lotledger.api.deps import Admin, AppDep, Viewer
from lotledger.api.problems import problem
from lotledger.domain.accounts import Token
from lotledger.domain.model import MasterRecord
from lotledger.interchange.jsonout import jsonable
from lotledger.services.master_data import KINDS, key_field

router = APIRouter()


def _master_routes(kind: type[MasterRecord], name: str) -> None:
    plural, key = f"{name}s", key_field(kind)
    Code = Annotated[str, Path(min_length=1, max_length=64, description=f"The {name}'s {key}")]

    @router.get(f"/{plural}", tags=["master data"], summary=f"All {plural}", name=f"list_{plural}")
    def list_all(app: AppDep, _: Viewer) -> JSONResponse:
        return JSONResponse({plural: jsonable(app.master_data.all(kind))})

    @router.get(f"/{plural}/{{code:path}}", tags=["master data"], summary=f"One {name}", name=f"get_{name}")
    def get_one(app: AppDep, _: Viewer, code: Code) -> JSONResponse:
        return JSONResponse(jsonable(app.master_data.one(kind, code)))

    @router.post(f"/{plural}", tags=["master data"], status_code=201, summary=f"Create a {name}", name=f"create_{name}")
    def create(app: AppDep, who: Admin, body: Annotated[dict[str, Any], Body()]) -> JSONResponse:
        return JSONResponse(jsonable(app.master_data.create(kind, body, who)), status_code=201)

    @router.put(f"/{plural}/{{code:path}}", tags=["master data"], summary=f"Change a {name}", name=f"update_{name}")
    def update(app: AppDep, who: Admin, code: Code, body: Annotated[dict[str, Any], Body()]) -> JSONResponse:
        return JSONResponse(jsonable(app.master_data.update(kind, code, body, who)))

    @router.delete(
        f"/{plural}/{{code:path}}",
        tags=["master data"],
        summary=f"Deactivate a {name} (nothing an event refers to is ever deleted)",
        name=f"deactivate_{name}",
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
    }


@router.post("/auth/login", tags=["accounts"], summary="Exchange a username and password for a token")
def login(
    app: AppDep, body: Annotated[dict[str, Any], Body(examples=[{"username": "demo", "password": "demo-plant"}])]
) -> JSONResponse:
    user = app.accounts.authenticate(body.get("username"), body.get("password"))
    if user is None:
        return problem(401, "wrong username or password, or the account is deactivated")
    token, secret = app.accounts.create_token(user.username, "session")
    return JSONResponse({**_token(token), "token": secret})


@router.get("/users", tags=["accounts"], summary="All users")
def list_users(app: AppDep, _: Admin) -> JSONResponse:
    return JSONResponse({"users": jsonable(app.accounts.users())})


@router.post("/users", tags=["accounts"], status_code=201, summary="Add a user")
def add_user(app: AppDep, _: Admin, body: Annotated[dict[str, Any], Body()]) -> JSONResponse:
    user = app.accounts.add_user(body.get("username"), body.get("password"), body.get("role", "viewer"))
    return JSONResponse(jsonable(user), status_code=201)


@router.put("/users/{username}", tags=["accounts"], summary="Change a user's role or deactivate them")
def change_user(app: AppDep, _: Admin, username: str, body: Annotated[dict[str, Any], Body()]) -> JSONResponse:
    return JSONResponse(jsonable(app.accounts.set_user(username, role=body.get("role"), active=body.get("active"))))


@router.get("/tokens", tags=["accounts"], summary="Your tokens (an admin sees everyone's)")
def list_tokens(app: AppDep, who: Viewer) -> JSONResponse:
    return JSONResponse({"tokens": [_token(token) for token in app.accounts.tokens(who.user)]})


@router.post("/tokens", tags=["accounts"], status_code=201, summary="Create a token for yourself; shown once")
def create_token(
    app: AppDep, who: Viewer, body: Annotated[dict[str, Any], Body(examples=[{"name": "scanner-3"}])]
) -> JSONResponse:
    token, secret = app.accounts.create_token(who.user.username, body.get("name"))
    return JSONResponse({**_token(token), "token": secret}, status_code=201)


@router.delete("/tokens/{token_id}", tags=["accounts"], summary="Revoke a token (yours, or anyone's as admin)")
def revoke_token(app: AppDep, who: Viewer, token_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> JSONResponse:
    return JSONResponse(_token(app.accounts.revoke_token(token_id, who.user)))
