"""Admin pages for master data: items, locations and partners, listed, created and changed through
app.master_data (the domain's rules refuse what may not change, such as an item's unit once it has lots)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from lotledger.api.deps import app_of
from lotledger.api.problems import status_for
from lotledger.domain.errors import LotledgerError
from lotledger.domain.model import (
    LOCATION_KINDS,
    PARTNER_ROLES,
    Item,
    Location,
    MasterRecord,
    Partner,
    record_code,
)
from lotledger.domain.quantities import UNITS
from lotledger.web.render import page
from lotledger.web.session import Admin, CheckedForm, Form, PageUser

router = APIRouter(prefix="/admin")
LISTED = 200  # records a list shows; a filter finds the others
Code = Annotated[str, Path(min_length=1, max_length=64)]


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    widget: str = "text"  # text, select, checkbox, number, email, tel
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of master record as its pages show it: the list's columns and the form's fields."""

    plural: str  # the path and the heading: items
    one: str  # an item
    record: type[MasterRecord]
    key: str  # the field the record is known by: sku, code
    columns: tuple[str, ...]
    fields: tuple[Field, ...]


def _address(*first: Field) -> tuple[Field, ...]:
    """The fields of a place a letter, a recall notice or FSMA 204 needs."""
    return (
        *first,
        Field("address", "Street and number"),
        Field("city", "City"),
        Field("region", "State or region"),
        Field("postal_code", "Postal code"),
        Field("country", "Country"),
    )


_ACTIVE = Field("active", "Active (unticked: kept, but no longer offered)", "checkbox")
KINDS = {
    kind.plural: kind
    for kind in (
        Kind(
            "items",
            "an item",
            Item,
            "sku",
            ("sku", "name", "uom", "gtin", "ftl"),
            (
                Field("sku", "SKU"),
                Field("name", "Name"),
                Field("uom", "Base unit", "select", tuple(UNITS)),
                Field("gtin", "GTIN (8 to 14 digits)"),
                Field("shelf_life_days", "Shelf life in days", "number"),
                Field("brand", "Brand"),
                Field("commodity", "Commodity (as FDA's list names it)"),
                Field("variety", "Variety"),
                Field("pack_size", "Pack size (12 x 500 g)"),
                Field("pack_style", "Pack style (clamshell, bag)"),
                Field("ftl", "On FDA's Food Traceability List (FSMA 204 records are kept)", "checkbox"),
                _ACTIVE,
            ),
        ),
        Kind(
            "locations",
            "a location",
            Location,
            "code",
            ("code", "name", "kind", "parent", "city"),
            (
                Field("code", "Code"),
                Field("name", "Name"),
                Field("kind", "Kind", "select", LOCATION_KINDS),
                Field("parent", "Inside (the parent location's code)"),
                Field("gln", "GLN (13 digits)"),
                *_address(),
                Field("phone", "Phone", "tel"),
                Field("fda_registration", "FDA food facility registration (11 digits)"),
                _ACTIVE,
            ),
        ),
        Kind(
            "partners",
            "a partner",
            Partner,
            "code",
            ("code", "name", "role", "contact", "city"),
            (
                Field("code", "Code"),
                Field("name", "Name"),
                Field("role", "Role", "select", PARTNER_ROLES),
                Field("gln", "GLN (13 digits)"),
                *_address(
                    Field("contact", "Contact person (recall notices are addressed to them)"),
                    Field("phone", "Phone", "tel"),
                    Field("email", "E-mail", "email"),
                ),
                _ACTIVE,
            ),
        ),
    )
}


def _values(kind: Kind, record: MasterRecord | None) -> dict[str, Any]:
    """A record's fields as the form shows them (a new record is active)."""
    if record is None:
        return {"active": True}
    return {f.name: getattr(record, f.name) for f in kind.fields}


def _posted(kind: Kind, form: Form) -> dict[str, Any]:
    """The form as the record's JSON: empty fields left out, ticks as true or false, days as a number."""
    raw: dict[str, Any] = {}
    for field in kind.fields:
        value = form.get(field.name)
        if field.widget == "checkbox":
            raw[field.name] = field.name in form
        elif value or field.name == kind.key:  # an empty code is named as such, not as missing
            whole = value.isascii() and value.isdigit() and len(value) <= 9  # else the domain names what is wrong
            raw[field.name] = int(value) if field.widget == "number" and whole else value
    return raw


def _list(kind: Kind) -> Any:
    def list_page(request: Request, who: Admin, q: str = "", done: str = "") -> Response:
        records = app_of(request).master_data.all(kind.record)
        wanted = q.strip().lower()
        found = [r for r in records if wanted in record_code(r).lower() or wanted in r.name.lower()]
        return page(
            request,
            "admin/master_list.html",
            who,
            section="admin",
            kind=kind,
            records=found[:LISTED],
            found=len(found),
            total=len(records),
            query_text=q,
            done=done == "saved",
        )

    return list_page


def _form_page(
    request: Request, who: PageUser, kind: Kind, code: str | None, values: dict[str, Any], message: str = "",
    status: int = 200, done: bool = False,
) -> Response:  # fmt: skip
    return page(
        request, "admin/master_form.html", who, status, section="admin", kind=kind, code=code, values=values,
        message=message, done=done,
    )  # fmt: skip


def _kept(form: Form) -> dict[str, Any]:
    """What the user typed, to show again beside the refusal (a tick is there or not)."""
    return {name: value for name, value in form.pairs if name != "csrf"}


def _routes(kind: Kind) -> None:
    base = f"/{kind.plural}"
    router.add_api_route(base, _list(kind), methods=["GET"], name=f"admin_{kind.plural}")

    @router.get(f"{base}/new", name=f"admin_new_{kind.plural}")
    def new_form(request: Request, who: Admin) -> Response:
        return _form_page(request, who, kind, None, _values(kind, None))

    @router.post(f"{base}/new", name=f"admin_create_{kind.plural}")
    def create(request: Request, who: Admin, form: CheckedForm) -> Response:
        try:
            made = app_of(request).master_data.create(kind.record, _posted(kind, form), who.caller)
        except LotledgerError as error:
            return _form_page(request, who, kind, None, _kept(form), str(error), status_for(error))
        return RedirectResponse(f"/admin{base}/edit/{record_code(made)}?done=saved", status_code=303)

    @router.get(f"{base}/edit/{{code:path}}", name=f"admin_edit_{kind.plural}")
    def edit_form(request: Request, who: Admin, code: Code, done: str = "") -> Response:
        record = app_of(request).master_data.one(kind.record, code)
        return _form_page(request, who, kind, code, _values(kind, record), done=done == "saved")

    @router.post(f"{base}/edit/{{code:path}}", name=f"admin_update_{kind.plural}")
    def update(request: Request, who: Admin, form: CheckedForm, code: Code) -> Response:
        try:
            app_of(request).master_data.update(kind.record, code, _posted(kind, form), who.caller)
        except LotledgerError as error:
            return _form_page(request, who, kind, code, _kept(form), str(error), status_for(error))
        return RedirectResponse(f"/admin{base}/edit/{code}?done=saved", status_code=303)


for _kind in KINDS.values():
    _routes(_kind)
