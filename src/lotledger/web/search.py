"""The search field of every page: one match goes straight to its lot or pallet, several are listed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from lotledger.api.deps import app_of
from lotledger.domain.errors import ValidationError
from lotledger.domain.search import LONGEST, MOST, Match
from lotledger.web.links import lot_url, pallet_url
from lotledger.web.render import page
from lotledger.web.session import Viewer

router = APIRouter()
SHOWN = 80  # characters of a searched text repeated on the page: a 10,000-character paste is cut


def match_url(match: Match) -> str:
    return pallet_url(match.sscc) if match.sscc else lot_url(match.lot) if match.lot else "/"


def shown(text: str) -> str:
    """The searched text as the page repeats it: at most SHOWN characters, control characters visible."""
    visible = "".join(c if c.isprintable() else f"<U+{ord(c):04X}>" for c in text[:SHOWN])
    return visible + ("…" if len(text) > SHOWN else "")


@router.get("/search")
def search(request: Request, who: Viewer, q: str = "") -> Response:
    """Exactly one lot or pallet: go to its page (303); several: list them; none: say what was searched."""
    kept = q[:LONGEST] if q.isprintable() else ""  # the search field is filled again only with text it could hold
    context = {"query": kept, "searched": shown(q.strip()), "most": MOST}
    try:
        found = app_of(request).search.find(q)
    except ValidationError as error:
        status = 422 if q.strip() else 200  # an empty search is the page itself, with what it can find
        return page(request, "quality/search.html", who, status=status, message=error.message, **context)
    if found.only is not None:
        return RedirectResponse(match_url(found.only), status_code=303)
    status = 200 if found.matches else 404
    return page(request, "quality/search.html", who, status=status, found=found, match_url=match_url, **context)
