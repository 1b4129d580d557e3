"""An in-process API client per backend, with one user and token for each role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lotledger.api.app import create_app
from lotledger.bootstrap import App
from lotledger.domain.accounts import ROLES
from tests.factories import setup_plant


class Api:
    def __init__(self, app: App) -> None:
        self.app = app
        self.client = TestClient(create_app(app), raise_server_exceptions=False)
        self.tokens: dict[str, str] = {}
        for role in ROLES:
            app.accounts.add_user(f"{role}-user", "correct horse battery", role)
            self.tokens[role] = app.accounts.create_token(f"{role}-user", f"{role}-scanner")[1]

    def headers(self, role: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}", **extra}


@pytest.fixture
def api(app: App) -> Iterator[Api]:
    setup_plant(app)
    return Api(app)
