"""/imports: upload a register (CSV, XLSX, JSON Lines), see the dry run's bad rows, then import it.

The file is kept between the check and the import (a browser cannot send it
twice without the user choosing it again): under the system's temporary
folder, named by a hash of the user, the file and its options, for a day.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from lotledger.api.deps import app_of
from lotledger.api.imports import answer, template_download
from lotledger.api.problems import status_for
from lotledger.domain.errors import LotledgerError, ValidationError
from lotledger.interchange.sheet_columns import COLUMNS
from lotledger.interchange.sheet_mapping import NO_MAPPING, load_mapping
from lotledger.services.importing import read_options
from lotledger.web.render import page
from lotledger.web.session import CheckedForm, Operator, PageRefused, PageUser, check_csrf

router = APIRouter()
KEPT_FOR = 24 * 3600  # seconds a checked file waits for its import
_STASH_ID = re.compile(r"[0-9a-f]{64}")


def _stash_dir() -> Path:
    """This server's own folder for checked files: made private, and refused if anyone else made it first."""
    folder = Path(tempfile.gettempdir()) / f"lotledger-imports-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    found = folder.lstat()
    if stat.S_ISLNK(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
        raise ValidationError(f"{folder} is not this server's private folder: remove it and check again", "file")
    return folder


def _stash(who: PageUser, data: bytes, kind: str, mapping: str) -> str:
    """Keep the checked file for its import; the id is what the import form sends back."""
    options = {"user": who.user.username, "type": kind, "mapping": mapping}
    text = json.dumps(options, sort_keys=True)
    stash_id = hashlib.sha256(text.encode() + b"\0" + data).hexdigest()
    folder = _stash_dir()
    for old in folder.iterdir():  # files checked and never imported
        if old.stat().st_mtime < time.time() - KEPT_FOR:
            old.unlink(missing_ok=True)
    (folder / f"{stash_id}.file").write_bytes(data)
    (folder / f"{stash_id}.json").write_text(text)
    return stash_id


def _unstash(who: PageUser, stash_id: str) -> tuple[bytes, dict[str, Any]]:
    folder = _stash_dir()
    if not _STASH_ID.fullmatch(stash_id) or not (folder / f"{stash_id}.file").exists():
        raise PageRefused(404, "the checked file is no longer kept (a day at most): check it again")
    options = json.loads((folder / f"{stash_id}.json").read_text())
    if options["user"] != who.user.username:
        raise PageRefused(404, "the checked file is no longer kept (a day at most): check it again")
    return (folder / f"{stash_id}.file").read_bytes(), options


def _run(request: Request, who: PageUser, data: bytes, kind: str, mapping: str, dry_run: bool) -> dict[str, object]:
    chosen = load_mapping(mapping.encode()) if mapping else NO_MAPPING
    app = app_of(request)
    options = read_options(app.settings, app.master_data, kind or None, chosen)
    return answer(app, data, options, who.caller, dry_run)


def _form(request: Request, who: PageUser, status: int = 200, **context: Any) -> Response:
    return page(request, "imports/imports.html", who, status, section="imports", types=list(COLUMNS), **context)


@router.get("/imports")
def import_form(request: Request, who: Operator) -> Response:
    return _form(request, who)


async def _upload(form: Any, name: str) -> bytes:
    value = form.get(name)
    return await value.read() if isinstance(value, UploadFile) else b""


@router.post("/imports/check")
async def check_file(request: Request, who: Operator) -> Response:
    """The dry run of an uploaded file: every bad row, nothing written; the file kept for its import."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise PageRefused(415, "expected a file upload (multipart/form-data)")
    async with request.form(max_files=2, max_fields=8) as form:
        csrf = form.get("csrf")
        check_csrf(request, csrf if isinstance(csrf, str) else "")
        kind = form.get("type")
        kind = kind if isinstance(kind, str) else ""
        data, mapping_bytes = await _upload(form, "file"), await _upload(form, "mapping")
    try:
        if not data:
            raise ValidationError("choose a file to check", "file")
        try:
            mapping = mapping_bytes.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError("the mapping file is not UTF-8 text", "mapping") from None
        report = await run_in_threadpool(_run, request, who, data, kind, mapping, True)
    except LotledgerError as error:
        return _form(request, who, status_for(error), message=str(error))
    stash_id = await run_in_threadpool(_stash, who, data, kind, mapping)
    return _form(request, who, report=report, stash=stash_id)


@router.post("/imports/commit")
def commit_file(request: Request, who: Operator, form: CheckedForm) -> Response:
    """Import the file checked before; the same file again stores nothing twice."""
    stash_id = form.get("stash")
    data, options = _unstash(who, stash_id)
    try:
        report = _run(request, who, data, options["type"], options["mapping"], False)
    except LotledgerError as error:
        return _form(request, who, status_for(error), message=str(error))
    for suffix in (".file", ".json"):
        (_stash_dir() / f"{stash_id}{suffix}").unlink(missing_ok=True)
    return _form(request, who, report=report)


@router.get("/imports/templates/{kind}")
def template_file(who: Operator, kind: str, format: str = "xlsx") -> Response:
    """The API's template, for the page's links (a session, not a token)."""
    if format not in ("csv", "xlsx"):
        raise PageRefused(422, f"format: expected csv or xlsx, got {format[:20]!r}")
    try:
        return template_download(kind, "csv" if format == "csv" else "xlsx")
    except LotledgerError as error:
        raise PageRefused(404, str(error)) from None
