"""Log in, log out, CSRF on every form, and errors as pages (never JSON, never a traceback)."""

from __future__ import annotations

import pytest

from tests.web.conftest import PASSWORD, Pages, csrf_of


def test_a_page_without_a_session_sends_the_browser_to_the_login_page_and_back(pages: Pages) -> None:
    client = pages.anonymous()
    answer = client.get("/recalls?mock=1", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/recalls%3Fmock%3D1"
    form = client.get(answer.headers["location"])
    assert 'name="next" value="/recalls?mock=1"' in form.text
    logged_in = client.post(
        "/login",
        data={
            "csrf": csrf_of(form.text),
            "username": pages.user("viewer"),
            "password": PASSWORD,
            "next": "/recalls?mock=1",
        },
        follow_redirects=False,
    )
    assert logged_in.status_code == 303
    assert logged_in.headers["location"] == "/recalls?mock=1"
    cookie = logged_in.headers["set-cookie"]
    assert "lotledger_session=llt_" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_after_login_the_browser_only_goes_to_a_page_of_this_site(pages: Pages, target: str) -> None:
    client = pages.anonymous()
    form = client.get("/login", params={"next": target})
    answer = client.post(
        "/login",
        data={"csrf": csrf_of(form.text), "username": pages.user("viewer"), "password": PASSWORD, "next": target},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/"


def test_a_wrong_password_is_refused_on_the_login_page_and_logs_nobody_in(pages: Pages) -> None:
    client = pages.anonymous()
    form = client.get("/login")
    answer = client.post(
        "/login", data={"csrf": csrf_of(form.text), "username": pages.user("viewer"), "password": "nope", "next": "/"}
    )
    assert answer.status_code == 401
    assert "Wrong username or password" in answer.text
    assert "lotledger_session" not in client.cookies


def test_a_login_form_without_its_csrf_value_is_refused(pages: Pages) -> None:
    client = pages.anonymous()
    client.get("/login")
    answer = client.post("/login", data={"csrf": "forged", "username": pages.user("viewer"), "password": PASSWORD})
    assert answer.status_code == 403
    assert "out of date" in answer.text
    assert "lotledger_session" not in client.cookies


def test_a_form_posted_without_the_sessions_csrf_value_changes_nothing(pages: Pages) -> None:
    browser = pages.login("viewer")
    answer = browser.client.post("/logout", data={"csrf": "0" * 32}, follow_redirects=False)
    assert answer.status_code == 403
    assert "CSRF" in answer.text
    assert browser.get("/login").status_code == 200
    assert len([t for t in pages.app.accounts.tokens() if t.revoked_at is None]) == 1  # still logged in


def test_logging_out_ends_the_session_on_the_server(pages: Pages) -> None:
    browser = pages.login("viewer")
    secret = browser.client.cookies["lotledger_session"]
    answer = browser.post("/logout", {}, page="/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"
    pages.app.accounts.forget_tokens()
    assert pages.app.accounts.token_use(secret) is None
    assert browser.get("/", follow_redirects=False).status_code == 303


def test_a_session_ended_on_the_server_sends_the_next_page_to_the_login(pages: Pages) -> None:
    browser = pages.login("quality")
    assert browser.get("/", follow_redirects=False).status_code == 200
    (session,) = [t for t in pages.app.accounts.tokens() if t.revoked_at is None]
    pages.app.accounts.revoke_token(session.id)  # an admin ends it, or it expired or went idle
    answer = browser.get("/recalls", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/recalls"


def test_every_page_says_which_time_zone_its_times_are_in(pages: Pages) -> None:
    browser = pages.login("viewer")
    assert "Times in UTC." in browser.get("/").text


def test_unknown_pages_and_bad_forms_answer_with_an_error_page(pages: Pages) -> None:
    browser = pages.login("viewer")
    missing = browser.get("/no-such-page")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "there is no page at this address" in missing.text
    api_missing = browser.get("/api/v1/no-such-route")
    assert api_missing.headers["content-type"] == "application/problem+json"
    token = browser.client.cookies["lotledger_session"]
    from lotledger.web.session import csrf_for

    for body, content_type, status in [
        (b"csrf=" + csrf_for(token).encode() + b"&x=%ED%A0%80", "application/x-www-form-urlencoded", 400),
        (b"csrf=" + csrf_for(token).encode() + b"&x=%00", "application/x-www-form-urlencoded", 400),
        (b"{}", "application/json", 415),
        (b"x=" + b"a" * 300_000, "application/x-www-form-urlencoded", 413),
    ]:
        answer = browser.client.post("/logout", content=body, headers={"content-type": content_type})
        assert answer.status_code == status, body[:40]
        assert answer.headers["content-type"].startswith("text/html")
    assert len([t for t in pages.app.accounts.tokens() if t.revoked_at is None]) == 1
