"""Recall cases: open one (or a timed mock drill) on lots, a supplier's lot code or a supplier's deliveries,
see everything affected, hold what is on hand, record what each customer was told and sent back, close it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

from lotledger.domain import fields as f
from lotledger.domain import trace as tr
from lotledger.domain.accounts import Caller
from lotledger.domain.errors import Conflict, NotFound, ValidationError
from lotledger.domain.events import parse_event
from lotledger.domain.model import Item, Location, LotKey, Partner
from lotledger.domain.recall import (
    KINDS,
    MAX_ROOT_LOTS,
    Action,
    CustomerNotice,
    RecallCase,
    RecallReport,
    Scope,
    build_report,
    check_customer,
    check_open,
    disposal_lines,
    drill_summary,
    note_only,
    notices,
    notified_action,
    parse_scope,
    traced_share,
)
from lotledger.domain.records import EventFilter, EventRecord, MassBalance
from lotledger.ports import RecallStore
from lotledger.services.master_data import MasterData
from lotledger.services.queries import Queries
from lotledger.services.recording import Recording

PAGE = 1000
HOLD_BATCH = 1000  # lots one hold event names at most: a hub lot's recall holds in several


@dataclass(frozen=True, slots=True)
class _Facts:
    """The ledger's side of a recall report (traces, exposure, books, returns, partners)."""

    roots: list[tr.TraceLot]
    forwards: list[tr.ForwardTrace]
    exposures: list[tr.Exposure]
    balances: list[MassBalance]
    returns: list[tuple[str, LotKey, Decimal, str]]
    partners: dict[str, Partner]

    def report(self, case: RecallCase) -> RecallReport:
        return build_report(case, self.roots, self.forwards, self.exposures, self.balances, self.returns, self.partners)


class _Clock(Protocol):
    def __call__(self) -> datetime: ...


class Recalls:
    def __init__(
        self,
        store: RecallStore,
        queries: Queries,
        master_data: MasterData,
        recording: Recording,
        clock: _Clock = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.queries = queries
        self.master_data = master_data
        self.recording = recording
        self.clock = clock

    # --- opening and reading -------------------------------------------------------------

    def open(self, raw: Mapping[str, Any], who: Caller) -> RecallReport:
        """Open a recall (quality role) and answer its report; a mock drill is timed to its complete report.

        `hold: true` also holds everything affected that is still on hand."""
        who.user.require("quality", "opening a recall")
        document = dict(raw)
        f.check_keys(
            document,
            {"kind", "title", "reason", "hold", "lots", "supplier_lot", "supplier", "since", "until", "location"},
            "a recall",
        )
        kind = f.choice(document, "kind", KINDS, "recall")
        reason = f.required_text(document, "reason")
        hold = f.flag(document, "hold", False)
        if hold and kind == "mock":
            raise ValidationError("a drill puts no real holds on stock; hold in a real recall", "hold")
        location = document.get("location")
        if hold and location is not None:
            self.master_data.one(Location, f.code(location, "location"))  # refused before anything is kept
        started = time.perf_counter()
        scope = parse_scope(document)
        title = (
            f.text(document, "title", required=False)
            or f"{'Mock recall' if kind == 'mock' else 'Recall'}: {scope.describe()}"
        )
        lots = self._resolve(scope)
        case = self.store.open(kind, title, reason, scope, lots, who.attribution.recorded_by)
        facts = self._facts(case)
        report = facts.report(case)
        if kind == "mock":
            took = time.perf_counter() - started
            frozen = Action(self.clock(), "reported", who.attribution.recorded_by, None, drill_summary(report, took))
            return facts.report(self.store.act(case.id, frozen, check_open))
        if hold:
            try:
                return self.hold(case.id, who, location)
            except Conflict:
                return self.report(case.id)  # everything affected was held already: the case stands
        return report

    def case(self, recall_id: int) -> RecallCase:
        return self.store.case(recall_id)

    def cases(
        self, kind: str | None = None, limit: int | None = None, before: int | None = None
    ) -> list[tuple[RecallCase, Decimal | None]]:
        """Every case, newest first (or `limit` of them numbered below `before`: a page of the list), with the
        share of the recalled quantity the ledger traces: a drill's as it was when the drill ran, a recall's as
        it is now."""
        if kind is not None and kind not in KINDS:
            raise ValidationError(f"{kind!r} is not one of {', '.join(KINDS)}", "kind")
        listed = []
        for case in self.store.cases(kind, limit, before):
            frozen = next((a.detail for a in case.actions if a.kind == "reported"), None)
            if frozen is not None:
                traced = None if frozen["traced"] is None else Decimal(frozen["traced"])
            else:
                traced = traced_share([self.queries.mass_balance(lot) for lot in case.lots])
            listed.append((case, traced))
        return listed

    def report(self, recall_id: int) -> RecallReport:
        """Everything the recall affects, as the ledger stands now."""
        case = self.store.case(recall_id)
        return self._facts(case).report(case)

    def _facts(self, case: RecallCase) -> _Facts:
        """What the ledger says of the recalled lots: traced once, folded with the case's log as often as needed."""
        roots = []
        for lot in case.lots:
            info = self.queries.lot(lot)
            roots.append(tr.TraceLot(lot, 0, info.origin, info.expiry, bool(info.holds)))
        return _Facts(
            roots,
            [self.queries.forward(lot) for lot in case.lots],
            [self.queries.exposure(lot) for lot in case.lots],
            [self.queries.mass_balance(lot) for lot in case.lots],
            self.store.returns(case.lots),
            {p.code: p for p in self.master_data.all(Partner) if isinstance(p, Partner)},
        )

    def notices(self, recall_id: int, customer: str | None = None) -> list[CustomerNotice]:
        """One notice per customer (or the one for `customer`)."""
        report = self.report(recall_id)
        if customer is not None:
            check_customer(customer, report)
        names = {i.sku: i.name for i in self.master_data.all(Item) if isinstance(i, Item)}
        made = notices(report, names)
        return [n for n in made if customer is None or n.customer.code == customer]

    def sender(self) -> Location | None:
        """Who the notices are from: the first site (a location without a parent) that has an address."""
        sites = [loc for loc in self.master_data.all(Location) if isinstance(loc, Location) and not loc.parent]
        return next((site for site in sites if site.address), None)

    # --- actions ---------------------------------------------------------------------------

    def hold(self, recall_id: int, who: Caller, location: object = None) -> RecallReport:
        """Hold every affected lot not yet held, with the recall as the reason: what is on hand, and what
        was shipped too, so recalled product a customer sends back arrives held.

        The action is logged first (a close in between refuses it), then the hold events are recorded
        with the ids the log names."""
        who.user.require("quality", "holding a recall's lots")
        report = self.report(recall_id)
        check_open(report.case)
        held = set(report.held)
        lots = [lot.lot for lot in report.lots if lot.lot not in held]
        if not lots:
            raise Conflict(f"recall {recall_id}: everything it affects is held already", "recall")
        if location is not None:
            where = f.code(location, "location")
            self.master_data.one(Location, where)
        else:
            places = [s.location for s in report.on_hand] + [s.location for s in report.shipments]
            where = self._site(places[0]) if places else self._first_site()
        case = report.case
        events = [
            parse_event(
                {
                    "id": str(uuid.uuid4()),
                    "type": "hold",
                    "time": self.clock().isoformat(),
                    "location": where,
                    "reason": f"recall {case.id}: {case.title}"[:500],
                    "reference": f"recall {case.id}",
                    "scope": "lot",
                    "lots": [{"item": lot.sku, "lot": lot.code} for lot in lots[i : i + HOLD_BATCH]],
                }
            )
            for i in range(0, len(lots), HOLD_BATCH)
        ]
        detail = {"events": [e.id for e in events], "lots": [str(lot) for lot in lots]}
        mine = {str(lot) for lot in lots}

        def first_hold(now: RecallCase) -> None:  # the same hold sent twice at once is recorded once
            check_open(now)
            failed = {e for act in now.actions if act.kind == "note" for e in act.detail.get("hold_not_recorded", [])}
            logged = {lot for act in now.actions if act.kind == "held" and act.detail["events"][0] not in failed
                      for lot in act.detail["lots"]}  # fmt: skip
            if mine & logged:
                raise Conflict(f"recall {recall_id}: these lots were held a moment ago; look again", "recall")

        self.store.act(recall_id, Action(self.clock(), "held", who.attribution.recorded_by, None, detail), first_hold)
        try:
            self.recording.record_all(events, who)  # all or none of the hold events
        except Exception as error:
            why = {"note": f"the hold above was not recorded: {error}"[:200], "hold_not_recorded": detail["events"]}
            self.store.act(recall_id, Action(self.clock(), "note", who.attribution.recorded_by, None, why), check_open)
            raise
        return self.report(recall_id)

    def notified(self, recall_id: int, customer: str, raw: Mapping[str, Any], who: Caller) -> RecallReport:
        """Record that `customer` was told (how: email, phone, letter ...)."""
        return self._customer_action(recall_id, customer, "notified", who, lambda _: notified_action(raw))

    def acknowledged(self, recall_id: int, customer: str, raw: Mapping[str, Any], who: Caller) -> RecallReport:
        detail = note_only(raw)
        return self._customer_action(recall_id, customer, "acknowledged", who, lambda _: detail)

    def disposed(self, recall_id: int, customer: str, raw: Mapping[str, Any], who: Caller) -> RecallReport:
        """Record what `customer` destroyed of what it received (a return is a `return` event instead)."""
        return self._customer_action(
            recall_id, customer, "disposed", who, lambda report: disposal_lines(raw, report, customer)
        )

    def close(self, recall_id: int, raw: Mapping[str, Any], who: Caller) -> RecallReport:
        who.user.require("quality", "closing a recall")
        action = Action(self.clock(), "closed", who.attribution.recorded_by, None, note_only(raw))
        case = self.store.act(recall_id, action, check_open)
        return self._facts(case).report(case)

    def _customer_action(self, recall_id: int, customer: str, kind: str, who: Caller, detail: Any) -> RecallReport:
        who.user.require("quality", f"recording that a customer was {kind}")
        case = self.store.case(recall_id)
        facts = self._facts(case)
        report = facts.report(case)
        check_open(case)
        check_customer(customer, report)
        action = Action(self.clock(), kind, who.attribution.recorded_by, customer, detail(report))
        return facts.report(self.store.act(recall_id, action, check_open))  # the ledger is as it was

    # --- reads the report needs ----------------------------------------------------------------

    def _resolve(self, scope: Scope) -> list[LotKey]:
        if scope.lots:
            for lot in scope.lots:
                self.queries.lot(lot)  # NotFound names it
            return list(scope.lots)
        if scope.supplier_lot is not None:
            if scope.supplier is not None:
                self.master_data.one(Partner, scope.supplier)  # NotFound names an unknown supplier
            infos = [self.queries.lot(lot) for lot in self.queries.find_lots(scope.supplier_lot)]
            found = [
                info.lot
                for info in infos
                if info.supplier_lot == scope.supplier_lot and scope.supplier in (None, info.supplier)
            ]
            if not found:
                whose = f" from {scope.supplier}" if scope.supplier else ""
                message = f"no lot was received{whose} with supplier lot code {scope.supplier_lot!r}"
                raise NotFound(message, "supplier_lot")
            return _capped(found)
        self.master_data.one(Partner, scope.supplier or "")  # NotFound names an unknown supplier
        where = EventFilter(type="receive", since=scope.since, until=scope.until, partner=scope.supplier)
        found = list(
            dict.fromkeys(
                LotKey(line["item"], line["lot"])
                for event in self._events(where)
                if event.voided_by is None
                for line in event.document.get("lines", [])
            )
        )
        if not found:
            raise NotFound(f"nothing was received from {scope.supplier} in that window", "supplier")
        return _capped(found)

    def _events(self, where: EventFilter) -> Iterator[EventRecord]:
        cursor = None
        while True:
            page = self.queries.events(where, cursor, PAGE)
            yield from page.events
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def _first_site(self) -> str:
        sites = [loc.code for loc in self.master_data.all(Location) if isinstance(loc, Location) and not loc.parent]
        if not sites:
            raise ValidationError("no location to record the hold at; name one", "location")
        return sites[0]

    def _site(self, code: str) -> str:
        """The top of a location's tree: where a recall's hold is decided."""
        location = self.master_data.one(Location, code)
        seen = {code}
        while isinstance(location, Location) and location.parent and location.parent not in seen:
            seen.add(location.parent)
            location = self.master_data.one(Location, location.parent)
        return location.code if isinstance(location, Location) else code


def _capped(lots: list[LotKey]) -> list[LotKey]:
    if len(lots) > MAX_ROOT_LOTS:
        raise ValidationError(f"{len(lots)} lots: more than {MAX_ROOT_LOTS} in one recall; narrow it down", "scope")
    return lots
