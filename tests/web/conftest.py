"""The pages in process, per backend: one user per role, each logged in through the login form."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient

from lotledger.api.app import create_app
from lotledger.bootstrap import App
from tests.factories import setup_plant

PASSWORD = "correct horse battery"


def said(answer: httpx.Response) -> str:
    """The page's text with the escaping undone: messages compared as the user reads them."""
    return html.unescape(answer.text)


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF value"
    return found.group(1)


class Browser:
    """A logged-in TestClient that posts forms the way a browser does, CSRF value included."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(url, **kwargs)

    def post(self, url: str, form: dict[str, Any] | list[tuple[str, str]], page: str | None = None) -> httpx.Response:
        """Post `form` from the page at `page` (default `url`), with that page's CSRF value."""
        token = csrf_of(self.client.get(page or url).text)
        fields = list(form.items()) if isinstance(form, dict) else list(form)
        body = urlencode([("csrf", token), *fields])
        headers = {"content-type": "application/x-www-form-urlencoded"}
        return self.client.post(url, content=body, headers=headers, follow_redirects=False)


class Pages:
    def __init__(self, app: App) -> None:
        self.app = app
        self.web = create_app(app)
        self.users: set[str] = set()

    def user(self, role: str) -> str:
        """The test's user of `role`, made when first asked for (a password hash costs ~50 ms)."""
        username = f"{role}-user"
        if username not in self.users:
            self.app.accounts.add_user(username, PASSWORD, role)
            self.users.add(username)
        return username

    def anonymous(self) -> TestClient:
        return TestClient(self.web, raise_server_exceptions=False)

    def login(self, role: str) -> Browser:
        client = self.anonymous()
        form = client.get("/login")
        answer = client.post(
            "/login",
            data={"csrf": csrf_of(form.text), "username": self.user(role), "password": PASSWORD, "next": "/"},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        return Browser(client)


@pytest.fixture
def pages(app: App) -> Iterator[Pages]:
    setup_plant(app)
    return Pages(app)
