"""The interactive API docs, served whole by lotledger: a plant network has no internet.

Swagger UI's files come from the fastapi-offline package (kept current with
OpenAPI 3.1); the page loads only them and a start-up script of ours, so the
Content-Security-Policy needs no inline script.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lotledger API</title>
<link rel="stylesheet" href="{docs}/static/swagger-ui.css">
<link rel="icon" href="{docs}/static/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{docs}/static/swagger-ui-bundle.js"></script>
<script src="{docs}/start.js"></script>
</body>
</html>
"""

_START = """window.ui = SwaggerUIBundle({{
  url: "{openapi}",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
}});
"""


def install(app: FastAPI, docs: str, openapi: str) -> None:
    """Serve the docs page at `docs`, its files under `docs`/static, describing `openapi`."""
    static = files("fastapi_offline") / "static"
    app.mount(f"{docs}/static", StaticFiles(directory=str(static)), name="docs-static")
    page, start = _PAGE.format(docs=docs), _START.format(openapi=openapi)

    @app.get(docs, include_in_schema=False)
    async def docs_page() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get(f"{docs}/start.js", include_in_schema=False)
    async def docs_start() -> Response:
        return Response(start, media_type="text/javascript")
