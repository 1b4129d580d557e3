"""Account rules a review broke on purpose and no test caught: tokens are their owner's, deactivated users are out."""

from __future__ import annotations

from tests.api.conftest import Api

PASSWORD = "correct horse battery"  # every user's, in tests/api/conftest.py


def token_id(api: Api, username: str) -> int:
    return next(t.id for t in api.app.accounts.tokens() if t.username == username)


def test_a_viewer_cannot_revoke_someone_elses_token_and_is_not_told_it_exists(api: Api) -> None:
    theirs = token_id(api, "operator-user")
    refused = api.client.delete(f"/api/v1/tokens/{theirs}", headers=api.headers("viewer"))
    assert (refused.status_code, refused.json()["detail"]) == (404, f"no token {theirs} of yours")
    assert api.client.get("/api/v1/holds", headers=api.headers("operator")).status_code == 200
    revoked = api.client.delete(f"/api/v1/tokens/{theirs}", headers=api.headers("admin"))
    assert (revoked.status_code, revoked.json()["user"]) == (200, "operator-user")
    assert api.client.get("/api/v1/holds", headers=api.headers("operator")).status_code == 401


def test_a_user_lists_only_their_own_tokens_and_an_admin_everyones(api: Api) -> None:
    mine = api.client.get("/api/v1/tokens", headers=api.headers("viewer")).json()["tokens"]
    assert [(t["user"], t["name"]) for t in mine] == [("viewer-user", "viewer-scanner")]
    everyone = api.client.get("/api/v1/tokens", headers=api.headers("admin")).json()["tokens"]
    assert {t["user"] for t in everyone} == {"viewer-user", "operator-user", "quality-user", "admin-user"}


def test_a_deactivated_user_cannot_log_in(api: Api) -> None:
    login = {"username": "operator-user", "password": PASSWORD}
    assert api.client.post("/api/v1/auth/login", json=login).status_code == 200
    changed = api.client.put("/api/v1/users/operator-user", json={"active": False}, headers=api.headers("admin"))
    assert (changed.status_code, changed.json()["active"]) == (200, False)
    refused = api.client.post("/api/v1/auth/login", json=login)
    assert refused.status_code == 401
    assert "token" not in refused.json()


def test_a_users_active_flag_written_as_text_is_422(api: Api) -> None:
    refused = api.client.put("/api/v1/users/viewer-user", json={"active": "false"}, headers=api.headers("admin"))
    assert (refused.status_code, refused.json()["field"]) == (422, "active")
    assert refused.json()["detail"] == "expected true or false, got 'false'"
    assert api.client.get("/api/v1/holds", headers=api.headers("viewer")).status_code == 200


def test_finding_lots_needs_a_lot_code_or_an_sscc(api: Api) -> None:
    refused = api.client.get("/api/v1/lots", headers=api.headers("viewer"))
    assert (refused.status_code, refused.json()["field"], refused.json()["detail"]) == (
        422,
        "code",
        "give a lot code or an SSCC",
    )


def test_a_nul_in_a_query_parameter_is_422_naming_it(api: Api) -> None:
    refused = api.client.get("/api/v1/lots?code=F%00-1", headers=api.headers("viewer"))
    assert (refused.status_code, refused.json()["field"]) == (422, "code")
    assert refused.json()["detail"] == "contains a NUL character"
