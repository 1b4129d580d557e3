"""Mount the pages on the API's application: their routes, their files, their one error shape."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from lotledger.web import (
    admin_pages,
    auth_pages,
    dashboard,
    export_pages,
    floor,
    import_pages,
    list_downloads,
    lots,
    master_pages,
    production_pages,
    purchasing_pages,
    recall_pages,
    sales_pages,
    search,
)
from lotledger.web.render import page
from lotledger.web.session import LoginNeeded, PageRefused, login_url

ROUTERS = [
    auth_pages.router,
    recall_pages.router,
    purchasing_pages.router,
    production_pages.router,
    sales_pages.router,
    export_pages.router,
    import_pages.router,
    admin_pages.router,
    master_pages.router,
    floor.router,
    search.router,
    dashboard.router,
    list_downloads.router,
    lots.router,
]


def install(app: FastAPI) -> None:
    """The pages at /, their scripts and styles at /static (served by lotledger: no CDN)."""
    app.mount("/static", StaticFiles(directory=str(files("lotledger.web") / "static")), name="static")
    for router in ROUTERS:
        app.include_router(router, include_in_schema=False)

    @app.exception_handler(LoginNeeded)
    async def _login(_: Request, error: LoginNeeded) -> Response:
        return RedirectResponse(login_url(error.after), status_code=303)

    @app.exception_handler(PageRefused)
    async def _refused(request: Request, error: PageRefused) -> Response:
        return error_page(request, error.status, error.message)


def error_page(request: Request, status: int, message: str) -> Response:
    """The one shape of a page's error: what went wrong, in words, and a way back."""
    return page(request, "error.html", None, status=status, status_code=status, message=message)
