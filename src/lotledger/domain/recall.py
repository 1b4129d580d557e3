"""Recall cases: what a recall (or a mock recall drill) covers, what was done, and how much is accounted for.

A case keeps its scope (the lots it was opened on, resolved once) and a log of
actions; everything else, the affected lots, stock, shipments, exposure and
effectiveness, is worked out from the ledger when asked, so a return recorded
today shows in today's effectiveness check. Pure: the service gathers the
traces and the actions, these functions fold them into the report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lotledger.domain import fields as f
from lotledger.domain import trace as tr
from lotledger.domain.errors import Conflict, ValidationError
from lotledger.domain.model import LotKey, Partner
from lotledger.domain.quantities import format_qty, parse_decimal
from lotledger.domain.records import MassBalance

KINDS = ("recall", "mock")
STATUSES = ("open", "notified", "closed")
NOTICE_CHANNELS = ("email", "phone", "letter", "fax", "in person", "portal")
# What a recall's log records; the customer-facing ones name the customer.
ACTIONS = ("opened", "reported", "held", "notified", "acknowledged", "disposed", "note", "closed")
MAX_ROOT_LOTS = 1000  # a supplier lot spread over more lots than this is not one recall


# --- scope -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """How the recalled lots were chosen: named lots, a supplier's lot code, or a supplier's deliveries."""

    lots: tuple[LotKey, ...] = ()
    supplier_lot: str | None = None
    supplier: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def describe(self) -> str:
        if self.lots:
            return "lots " + ", ".join(str(lot) for lot in self.lots)
        if self.supplier_lot is not None:
            return f"supplier lot {self.supplier_lot}" + (f" from {self.supplier}" if self.supplier else "")
        return (
            f"everything received from {self.supplier} from {self.since:%Y-%m-%d %H:%M} to {self.until:%Y-%m-%d %H:%M}"
        )


def parse_scope(raw: Mapping[str, Any]) -> Scope:
    """Exactly one way to choose: `lots` [{item, lot}], `supplier_lot` (with `supplier`: only that supplier's),
    or `supplier` with `since` and `until`."""
    chosen = [key for key in ("lots", "supplier_lot", "supplier") if raw.get(key) not in (None, "", [])]
    if chosen == ["supplier_lot", "supplier"]:
        return Scope(
            supplier_lot=f.required_text(dict(raw), "supplier_lot"), supplier=f.code(raw["supplier"], "supplier")
        )
    if len(chosen) != 1:
        raise ValidationError("give exactly one of lots, supplier_lot, or supplier with since and until", "scope")
    if chosen == ["lots"]:
        lots = raw["lots"]
        if not isinstance(lots, list) or not 1 <= len(lots) <= MAX_ROOT_LOTS:
            raise ValidationError(f"expected a list of 1 to {MAX_ROOT_LOTS} lots", "lots")
        keys = []
        for i, value in enumerate(lots):
            if not isinstance(value, dict):
                raise ValidationError("expected {item, lot}", f"lots[{i}]")
            f.check_keys(value, {"item", "lot"}, "a lot here", f"lots[{i}].")
            keys.append(
                LotKey(f.code(value.get("item"), f"lots[{i}].item"), f.lot_code(value.get("lot"), f"lots[{i}].lot"))
            )
        return Scope(lots=tuple(dict.fromkeys(keys)))
    if chosen == ["supplier_lot"]:
        return Scope(supplier_lot=f.required_text(dict(raw), "supplier_lot"))
    since, until = (_time(raw, name) for name in ("since", "until"))
    if since >= until:
        raise ValidationError(f"since ({since.isoformat()}) must be before until ({until.isoformat()})", "until")
    return Scope(supplier=f.code(raw.get("supplier"), "supplier"), since=since, until=until)


def _time(raw: Mapping[str, Any], name: str) -> datetime:
    value = raw.get(name)
    if isinstance(value, datetime):
        return f.within_window(value, name)
    if not isinstance(value, str):
        raise ValidationError("is required with supplier: a time with a UTC offset", name)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{value!r} is not an ISO 8601 time", name) from None
    return f.within_window(parsed, name)


# --- the case and its log --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Action:
    at: datetime
    kind: str
    by: str
    customer: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecallCase:
    id: int
    kind: str  # recall, or mock: a drill, kept for audits
    title: str
    reason: str
    scope: Scope
    lots: tuple[LotKey, ...]  # the recalled lots, resolved when the case was opened
    opened_at: datetime
    opened_by: str
    actions: tuple[Action, ...] = ()

    @property
    def status(self) -> str:
        kinds = {action.kind for action in self.actions}
        if "closed" in kinds:
            return "closed"
        return "notified" if "notified" in kinds else "open"

    @property
    def report_seconds(self) -> float | None:
        """A drill: seconds from its start to the complete report (kept in its log when it ran)."""
        return next((float(a.detail["seconds"]) for a in self.actions if a.kind == "reported"), None)

    @property
    def closed_at(self) -> datetime | None:
        return next((a.at for a in self.actions if a.kind == "closed"), None)


def check_open(case: RecallCase) -> None:
    """A closed case is kept as it was: nothing more is recorded on it."""
    if case.status == "closed":
        raise Conflict(f"recall {case.id} is closed; nothing more can be recorded on it", "recall")


def check_customer(customer: str, report: RecallReport) -> None:
    if customer not in report.customer_codes():
        raise ValidationError(f"{customer} received nothing this recall covers", "customer")


def notified_action(raw: Mapping[str, Any]) -> dict[str, Any]:
    """How a customer was told: `via` one of the channels, an optional note (who was reached)."""
    f.check_keys(dict(raw), {"via", "note"}, "a notice")
    via = f.choice(dict(raw), "via", NOTICE_CHANNELS)
    return {"via": via, **note_only(raw, {"via"})}


def note_only(raw: Mapping[str, Any], also: set[str] | None = None) -> dict[str, Any]:
    """An optional `note` (and nothing else unknown): {"note": ...} or {}."""
    f.check_keys(dict(raw), {"note", *(also or set())}, "this")
    note = f.text(dict(raw), "note", required=False)
    return {"note": note} if note else {}


def disposal_lines(raw: Mapping[str, Any], report: RecallReport, customer: str) -> dict[str, Any]:
    """What a customer destroyed (or otherwise disposed of) of the lots it received: [{item, lot, qty, uom}]."""
    lines = raw.get("lines")
    if not isinstance(lines, list) or not 1 <= len(lines) <= 100:
        raise ValidationError("expected a list of 1 to 100 lines {item, lot, qty, uom}", "lines")
    note = note_only(raw, {"lines"})
    left: dict[tuple[LotKey, str], Decimal] = defaultdict(Decimal)  # received, less disposed already
    for sent in report.shipments:
        if sent.customer == customer:
            left[(sent.lot, sent.uom)] += sent.qty
    for action in report.case.actions:
        if action.kind == "disposed" and action.customer == customer:
            for done in action.detail["lines"]:
                left[(LotKey(done["item"], done["lot"]), done["uom"])] -= Decimal(done["qty"])
    kept = []
    for i, line in enumerate(lines):
        if not isinstance(line, dict):
            raise ValidationError("expected {item, lot, qty, uom}", f"lines[{i}]")
        f.check_keys(line, {"item", "lot", "qty", "uom"}, "a disposal line", f"lines[{i}].")
        lot = LotKey(f.code(line.get("item"), f"lines[{i}].item"), f.lot_code(line.get("lot"), f"lines[{i}].lot"))
        uom = f.required_text(line, "uom", f"lines[{i}].")
        if (lot, uom) not in left:
            raise ValidationError(f"{customer} received no {lot} in {uom} under this recall", f"lines[{i}]")
        qty = parse_decimal(line.get("qty"), f"lines[{i}].qty")
        if qty <= 0:
            raise ValidationError("must be more than zero", f"lines[{i}].qty")
        if qty > left[(lot, uom)]:
            remaining = f"{format_qty(left[(lot, uom)])} {uom}"
            raise ValidationError(
                f"{customer} has at most {remaining} of {lot} left to dispose of (received, less disposals recorded)",
                f"lines[{i}].qty",
            )
        left[(lot, uom)] -= qty
        kept.append({"item": lot.sku, "lot": lot.code, "qty": str(qty), "uom": uom})
    return {"lines": kept, **note}


# --- the report --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomerAccount:
    """One customer in a recall: who to call, what they got, and how much of it is accounted for."""

    partner: Partner
    shipments: int
    shipped: dict[str, Decimal]  # per unit
    returned: dict[str, Decimal]
    disposed: dict[str, Decimal]
    exposure: Decimal  # how much of the recalled lots (in their unit) reached them, made into whatever
    notified_at: datetime | None = None
    notified_via: str | None = None
    acknowledged_at: datetime | None = None

    @property
    def accounted(self) -> dict[str, Decimal]:
        units = set(self.returned) | set(self.disposed)
        return {u: self.returned.get(u, Decimal(0)) + self.disposed.get(u, Decimal(0)) for u in sorted(units)}

    @property
    def share_accounted(self) -> Decimal | None:
        """Returned and disposed over shipped, over every unit (None when nothing was shipped)."""
        return _share(self.accounted, self.shipped)


@dataclass(frozen=True, slots=True)
class RecallReport:
    case: RecallCase
    lots: list[tr.TraceLot]  # every affected lot: the recalled ones (depth 0) and all made from them
    on_hand: list[tr.StockLine]  # affected stock still here, by lot, location and pallet
    shipments: list[tr.Shipment]  # affected lots shipped, with date, reference and SSCC
    customers: list[CustomerAccount]
    exposure_by_lot: dict[LotKey, Decimal]  # how much of the recalled lots each affected lot embodies
    uom: str  # the unit of the exposure figures: the recalled lots' item unit ("mixed" if they differ)
    balances: list[MassBalance]  # each recalled lot's mass balance
    traced: Decimal | None  # the share of the recalled quantity the ledger accounts for

    def customer_codes(self) -> set[str]:
        return {c.partner.code for c in self.customers}

    @property
    def shipped(self) -> dict[str, Decimal]:
        return _sum(c.shipped for c in self.customers)

    @property
    def accounted(self) -> dict[str, Decimal]:
        return _sum(c.accounted for c in self.customers)

    @property
    def share_accounted(self) -> Decimal | None:
        """Accounted over shipped, each customer counted up to what it received: one customer's surplus never
        covers another's shortfall."""
        total = sum((q for c in self.customers for q in c.shipped.values()), Decimal(0))
        if not total:
            return None
        counted = sum(
            (min(c.accounted.get(u, Decimal(0)), q) for c in self.customers for u, q in c.shipped.items()), Decimal(0)
        )
        return counted / total

    @property
    def held(self) -> list[LotKey]:
        return sorted({lot.lot for lot in self.lots if lot.held})


def _sum(amounts: Iterable[Mapping[str, Decimal]]) -> dict[str, Decimal]:
    total: dict[str, Decimal] = defaultdict(Decimal)
    for amount in amounts:
        for uom, qty in amount.items():
            total[uom] += qty
    return dict(sorted(total.items()))


def _share(part: Mapping[str, Decimal], whole: Mapping[str, Decimal]) -> Decimal | None:
    total = sum(whole.values(), Decimal(0))
    if not total:
        return None
    return min(Decimal(1), sum((min(part.get(u, Decimal(0)), q) for u, q in whole.items()), Decimal(0)) / total)


def drill_summary(report: RecallReport, seconds: float) -> dict[str, Any]:
    """What a drill found when it ran, kept in its log: an audit reads the drill, not today's ledger."""
    return {
        "seconds": round(seconds, 3),
        "affected_lots": len(report.lots),
        "customers": len(report.customers),
        "shipped": {u: format_qty(q) for u, q in report.shipped.items()},
        "on_hand_lines": len(report.on_hand),
        "traced": None if report.traced is None else format_qty(report.traced),
    }


def traced_share(balances: Sequence[MassBalance]) -> Decimal | None:
    """How much of the recalled lots the ledger can point to: used in production, shipped, or on hand, over
    what came in (and what counts found). Losses, scrap and count corrections are not traced to anywhere."""
    came = sum((b.inflow + max(b.adjusted, Decimal(0)) for b in balances), Decimal(0))
    if not came:
        return None
    known = sum((b.consumed + b.shipped + b.on_hand for b in balances), Decimal(0))
    return min(Decimal(1), known / came)


def build_report(
    case: RecallCase,
    roots: Sequence[tr.TraceLot],
    forwards: Sequence[tr.ForwardTrace],
    exposures: Sequence[tr.Exposure],
    balances: Sequence[MassBalance],
    returns: Iterable[tuple[str, LotKey, Decimal, str]],
    partners: Mapping[str, Partner],
) -> RecallReport:
    """Fold the recalled lots (depth 0), their forward traces and exposure, the customers' returns
    (customer, lot, qty, uom; those of other lots are ignored) and the case's log into the report."""
    lots: dict[LotKey, tr.TraceLot] = {root.lot: root for root in roots}
    for forward in forwards:
        for found in forward.lots:
            if found.lot not in lots or found.depth < lots[found.lot].depth:
                lots[found.lot] = found
    on_hand = sorted(
        {(s.lot, s.location, s.container): s for fw in forwards for s in fw.on_hand}.values(),
        key=lambda s: (s.lot, s.location, s.container),
    )
    shipments = sorted(
        {(s.event_id, s.lot, s.container): s for fw in forwards for s in fw.shipments}.values(),
        key=lambda s: (s.customer, s.time, s.reference or "", s.lot),
    )
    affected = set(lots)
    returned: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for customer, returned_lot, qty, uom in returns:
        if returned_lot in affected:
            returned[customer][uom] += qty
    disposed: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    notified: dict[str, Action] = {}
    acknowledged: dict[str, Action] = {}
    for action in case.actions:
        if action.customer is None:
            continue
        if action.kind == "disposed":
            for line in action.detail["lines"]:
                disposed[action.customer][line["uom"]] += Decimal(line["qty"])
        elif action.kind == "notified":
            notified.setdefault(action.customer, action)
        elif action.kind == "acknowledged":
            acknowledged.setdefault(action.customer, action)
    exposure_by_customer: dict[str, Decimal] = defaultdict(Decimal)
    exposure_by_lot: dict[LotKey, Decimal] = defaultdict(Decimal)
    for exposure in exposures:
        for customer, qty in exposure.customers.items():
            exposure_by_customer[customer] += qty
        for embodying, qty in exposure.lots.items():
            exposure_by_lot[embodying] += qty
    by_customer: dict[str, list[tr.Shipment]] = defaultdict(list)
    for shipment in shipments:
        by_customer[shipment.customer].append(shipment)
    customers = []
    for code, shipped_lines in sorted(by_customer.items()):
        shipped: dict[str, Decimal] = defaultdict(Decimal)
        for s in shipped_lines:
            shipped[s.uom] += s.qty
        notice, ack = notified.get(code), acknowledged.get(code)
        customers.append(
            CustomerAccount(
                partners.get(code) or Partner(code, code, "customer"),
                len({s.event_id for s in shipped_lines}),
                dict(shipped),
                dict(returned.get(code, {})),
                dict(disposed.get(code, {})),
                exposure_by_customer.get(code, Decimal(0)),
                notice.at if notice else None,
                notice.detail.get("via") if notice else None,
                ack.at if ack else None,
            )
        )
    units = {e.uom for e in exposures}
    return RecallReport(
        case,
        sorted(lots.values(), key=lambda found: (found.depth, found.lot)),
        on_hand,
        shipments,
        customers,
        dict(sorted(exposure_by_lot.items())),
        units.pop() if len(units) == 1 else "mixed",
        list(balances),
        traced_share(balances),
    )


# --- customer notices ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoticeLine:
    item: str
    item_name: str
    lot: str
    qty: Decimal
    uom: str
    shipped: datetime
    reference: str | None
    sscc: str  # "" when shipped loose
    expiry: date | None = None  # best before / use by


@dataclass(frozen=True, slots=True)
class CustomerNotice:
    case: RecallCase
    customer: Partner
    lines: list[NoticeLine]


def notices(report: RecallReport, item_names: Mapping[str, str]) -> list[CustomerNotice]:
    """One notice per customer: the products, lot codes, quantities, dates and delivery references it received."""
    expiry = {lot.lot: lot.expiry for lot in report.lots}
    made = []
    for account in report.customers:
        lines = [
            NoticeLine(
                s.lot.sku,
                item_names.get(s.lot.sku, s.lot.sku),
                s.lot.code,
                s.qty,
                s.uom,
                s.time,
                s.reference,
                s.container,
                expiry.get(s.lot),
            )
            for s in report.shipments
            if s.customer == account.partner.code
        ]
        made.append(CustomerNotice(report.case, account.partner, lines))
    return made
