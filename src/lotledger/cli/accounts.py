"""Serving the HTTP API, and the accounts that may use it: users, tokens, the audit trail."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated

import typer

from lotledger.cli.common import (
    DbOption,
    Format,
    FormatOption,
    _app,
    _attribution,
    _local_admin,
    _print_json,
    _show,
    app,
    console,
)

users = typer.Typer(help="Accounts that may use the HTTP API.", no_args_is_help=True)
tokens = typer.Typer(help="API tokens: shown once, stored hashed, revocable.", no_args_is_help=True)
app.add_typer(users, name="user")
app.add_typer(tokens, name="token")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes (each group-commits its own captures).")] = 1,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            envvar="FORWARDED_ALLOW_IPS",
            help="Reverse proxies (comma-separated addresses, or *) whose X-Forwarded-For/-Proto are believed: "
            "the client's address in logs, the audit trail and login throttling is then the forwarded one.",
        ),
    ] = "127.0.0.1",
    log_level: Annotated[str, typer.Option(help="debug, info (a line per request), warning or error.")] = "info",
    db: DbOption = None,
) -> None:
    """Serve the HTTP API (and its docs at /api/v1/docs); logs are JSON lines on stderr.

    On Ctrl-C or SIGTERM it stops taking requests, answers those in flight (the group
    commit under way included) for up to 30 s, then writes the audit trail and exits."""
    import uvicorn

    from lotledger.api.app import create_app
    from lotledger.logs import logging_config

    options = {
        "host": host,
        "port": port,
        "log_config": logging_config(log_level),
        "access_log": False,  # lotledger logs each request itself, with the user
        "proxy_headers": True,
        "forwarded_allow_ips": forwarded_allow_ips,
        "timeout_graceful_shutdown": 30,
    }
    with _app(db) as ledger_app:  # migrates the schema once, before any worker starts
        console.print(f"lotledger on http://{host}:{port}  (API: /api/v1, its docs: /api/v1/docs)")
        if workers == 1:
            uvicorn.run(create_app(ledger_app), **options)  # type: ignore[arg-type]
            return
    os.environ["LOTLEDGER_DB"] = ledger_app.settings.db_url
    uvicorn.run("lotledger.api.app:app_from_env", factory=True, workers=workers, **options)  # type: ignore[arg-type]


@users.command("add")
def user_add(
    username: str,
    role: Annotated[str, typer.Option(help="viewer, operator, quality or admin.")] = "viewer",
    password: Annotated[
        str | None, typer.Option(envvar="LOTLEDGER_PASSWORD", help="At least 8 characters (asked if not given).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a user with a role; the password is stored as an argon2 hash."""
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _app(db) as ledger_app:
        user = ledger_app.accounts.add_user(username, password, role, _attribution("cli").recorded_by)
    console.print(f"user {user.username} added as {user.role}")


@users.command("list")
def user_list(db: DbOption = None) -> None:
    """List users and their roles."""
    from lotledger.render import render_rows

    with _app(db) as ledger_app:
        rows = [(u.username, u.role, u.active) for u in ledger_app.accounts.users()]
    _show(render_rows("Users", ("user", "role", "active"), rows))


@tokens.command("create")
def token_create(
    username: str,
    name: Annotated[str, typer.Option(help="What the token is for, e.g. scanner-3 or erp.")] = "cli",
    db: DbOption = None,
) -> None:
    """Create an API token for a user and print it (the only time it is shown)."""
    with _app(db) as ledger_app:
        token, secret = ledger_app.accounts.create_token(username, name, "cli")
    console.print(f"token {token.id} ({token.name}) for {token.username}:")
    console.print(secret, highlight=False)


@tokens.command("list")
def token_list(db: DbOption = None) -> None:
    """List tokens (never their secrets)."""
    from lotledger.render import tokens_table

    with _app(db) as ledger_app:
        listed = ledger_app.accounts.tokens()
    _show(tokens_table(listed, ledger_app.settings.zone))


@tokens.command("revoke")
def token_revoke(token_id: int, db: DbOption = None) -> None:
    """Revoke a token: requests with it get 401 from now on."""
    with _app(db) as ledger_app:
        token = ledger_app.accounts.revoke_token(token_id, _local_admin("cli").user, "cli")
    console.print(f"token {token.id} ({token.name}) of {token.username} revoked")


@app.command()
def audit(
    since: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"], help="From this time (plant time).")
    ] = None,
    kind: Annotated[
        str | None, typer.Option(help="login, login_failed, token_used, refused, ... (default: all).")
    ] = None,
    user: Annotated[str | None, typer.Option(help="Only what this user did (or a failed login named).")] = None,
    limit: Annotated[int, typer.Option(help="The newest this many entries.")] = 100,
    db: DbOption = None,
    format: FormatOption = Format.table,
) -> None:
    """The audit trail: logins (and failures), token use, refusals and account changes, oldest first."""
    from lotledger.render import audit_table

    with _app(db) as ledger_app:
        zone = ledger_app.settings.zone
        start = None if since is None else since.replace(tzinfo=zone)
        entries = ledger_app.accounts.audit.entries(start, kind, user, limit)
    if format is Format.json:
        _print_json({"entries": entries})
    else:
        _show(audit_table(entries, zone))
