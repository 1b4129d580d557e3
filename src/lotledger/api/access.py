"""The access log: one structured line a request, a request id on every answer, refusals audited."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("lotledger.access")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# (kind, username, address, detail) -> None: the audit trail's `note`
Audit = Callable[[str, str | None, str | None, str], None]


class AccessLog:
    """Log method, path, status, duration, user and address of every request; never its headers or body.

    A client's X-Request-ID (letters, digits, . _ -, at most 64) is kept, else one is made;
    it comes back on the answer and is in the line, so a complaint can be matched to its
    log. A 401 or 403 also goes to the audit trail."""

    def __init__(self, app: ASGIApp, audit: Audit) -> None:
        self.app = app
        self.audit = audit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        state = scope.setdefault("state", {})  # routes below share this dict: authentication names the user
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            client = scope.get("client")
            address = client[0] if client else None
            user = state.get("username")
            method, path = scope["method"], scope["path"]
            fields = {
                "request_id": request_id,
                "method": method,
                "path": path,
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "user": user,
                "address": address,
            }
            log.info("request", extra={"fields": fields})
            if status in (401, 403):
                self.audit("refused", user, address, f"{method} {path} answered {status}")
