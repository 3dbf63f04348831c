"""Reading obligations for the web: where each stands now, who may act on it, what is due.

Statuses come from `core.drift.classify`, so "Due soon", "Overdue", "Escalated", "Met",
"Met late", "Waived" and "Upcoming" read the same on every page that lists obligations.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from flask import abort
from sqlalchemy import ColumnElement, Integer, Select, Text, bindparam, cast, select
from sqlalchemy.orm import joinedload

from homes_qa.core import drift
from homes_qa.core.drift import DriftState
from homes_qa.core.escalation import ladder_from_list
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.access import can_see_home, obligation_visible_clause, obligation_visible_to_role
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.paging import PAGE_SIZE, Page, page_of
from homes_qa.spine.people.models import User
from homes_qa.spine.rules.models import Rule

# Who may record that a check or audit was done (the home's manager, and service managers up).
RECORD_ROLES = (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN)
# Home staff (deputies, shift leaders, residential workers) tick off the home's routine checks
# (issue 9): the weekly, monthly and quarterly checks staff on shift carry out. Not audits,
# certificates or reviews: those are the manager's (and have their own records).
ROUTINE_CHECK_RULES = frozenset({"fire_alarm_test_weekly", "emergency_lighting_monthly", "fire_drill_quarterly",
                                 "water_temperature_monthly", "window_restrictors_monthly"})
COMPLETE_ROLES = (*RECORD_ROLES, Role.HOME_STAFF)  # who may open "Record that it was done" at all
# Who may waive an obligation (mirrors services.obligations.WAIVE_ROLES).
WAIVE_ROLES = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN)
# Who sees whole-service obligations (home_id NULL: QPAG report, dip samples, surveys…).
ORGANISATION_ROLES = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN)
# Checks and audits are discharged by "Record that it was done"; event deadlines are met by
# their own records (a report, a notification…), never by a bare completion.
RECORDABLE_TRIGGERS = ("calendar", "last_completed")
# The Reg 44 visit is the independent visitor's record, made by the visits feature.
RECORDED_ELSEWHERE_ROLES = (Role.REG44_VISITOR,)
# Areas whose floating deadlines are met by their own record, not a bare "it was done": the
# Regulation 45 review is completed on its own pages (the review, its evidence, its report).
RECORDED_ELSEWHERE_AREAS = ("reg45",)


def recorded_elsewhere(rule: Rule) -> bool:
    """Met by another feature's record, so never listed among certificates and checks."""
    return rule.responsible_role in RECORDED_ELSEWHERE_ROLES or rule.area in RECORDED_ELSEWHERE_AREAS

UPCOMING_WINDOW = timedelta(days=45)
RECENTLY_MET = timedelta(days=30)
_RANK = {drift.ESCALATED: 0, drift.OVERDUE: 0, drift.DUE_SOON: 1, drift.UPCOMING: 2}


def state_of(obligation: Obligation, now: datetime) -> DriftState:
    return drift.classify(obligation.due_at, now, obligation.ladder_value, obligation.due_soon_days,
                          met_at=obligation.met_at,
                          waived=obligation.status == ObligationStatus.WAIVED,
                          due_soon_hours=obligation.due_soon_hours)


def sees_organisation(user: User) -> bool:
    return user.role in ORGANISATION_ROLES


def can_see_obligation(user: User, obligation: Obligation) -> bool:
    if obligation.home_id is None:
        in_scope = sees_organisation(user)
    else:
        in_scope = can_see_home(user, obligation.home_id)
    # Hidden from home staff while it would reveal an unannounced visit (access.py decides).
    return in_scope and db.session.scalar(
        select(Obligation.id).where(Obligation.id == obligation.id, obligation_visible_clause(user))) is not None


def obligation_or_404(obligation_id: int, user: User) -> Obligation:
    """The obligation if the user may see its home (or the whole service); otherwise 404."""
    obligation = db.session.get(Obligation, obligation_id)
    if obligation is None or not can_see_obligation(user, obligation):
        abort(404)
    return obligation


def is_recordable(obligation: Obligation) -> bool:
    return (obligation.rule.trigger in RECORDABLE_TRIGGERS
            and obligation.responsible_role not in RECORDED_ELSEWHERE_ROLES
            and obligation.rule.area not in RECORDED_ELSEWHERE_AREAS)


def can_record(user: User, obligation: Obligation) -> bool:
    allowed = user.role in RECORD_ROLES or (user.role == Role.HOME_STAFF
                                            and obligation.rule_code in ROUTINE_CHECK_RULES)
    return obligation.is_open and allowed and is_recordable(obligation)


def can_waive(user: User, obligation: Obligation) -> bool:
    return obligation.is_open and user.role in WAIVE_ROLES


@dataclass
class Row:
    obligation: Obligation
    state: DriftState
    can_record: bool = False
    can_waive: bool = False


@dataclass
class WhatIsDue:
    open: list[Row] = field(default_factory=list)
    met: list[Row] = field(default_factory=list)


def what_is_due(home_id: int | None, now: datetime, user: User) -> WhatIsDue:
    """Open obligations (overdue and escalated first, then due soon, then upcoming within
    45 days) and those met in the last 30 days, for a home (or the whole service if None).

    Two bounded queries (each open obligation read with its rule, joined).
    """
    open_due, recently_met = _what_is_due_statements(home_id is None, user.role)
    values = _what_is_due_values(home_id, now)
    result = WhatIsDue()
    for obligation in db.session.scalars(open_due, values):
        state = state_of(obligation, now)
        if _listed(state, obligation.due_at, now):
            result.open.append(Row(obligation, state, can_record(user, obligation), can_waive(user, obligation)))
    result.open.sort(key=lambda row: _order(row.state, row.obligation.due_at))  # stable: then as read (id)
    result.met = [Row(obligation, state_of(obligation, now)) for obligation in db.session.scalars(recently_met, values)]
    return result


def _what_is_due_values(home_id: int | None, now: datetime) -> dict[str, object]:
    # Due soon can start up to 90 days ahead (the largest warning a rule may set).
    return {"home_id": home_id, "horizon": now + timedelta(days=91), "met_since": now - RECENTLY_MET}


def _listed(state: DriftState, due_at: datetime, now: datetime) -> bool:
    """Open work `what_is_due` lists: all but what is upcoming beyond UPCOMING_WINDOW."""
    return not (state.status == drift.UPCOMING and due_at > now + UPCOMING_WINDOW)


def _order(state: DriftState, due_at: datetime) -> tuple[int, datetime]:
    return _RANK[state.status], due_at


def what_is_due_page(home_id: int | None, now: datetime, user: User,
                     size: int = PAGE_SIZE) -> tuple[WhatIsDue, Page]:
    """`what_is_due` with its open work one page (`?page=`) at a time, in the same order. Every
    open obligation's timing is read as columns and classified (each distinct ladder parsed
    once), and only the page's obligations are loaded, with their rules: the whole service's
    open work is every service manager's weekly update, 170 rows at 1,000 homes, and loading
    and checking each as an object was most of the page (issue 13). Three queries."""
    timings, by_id, recently_met = _what_is_due_page_statements(home_id is None, user.role)
    values = _what_is_due_values(home_id, now)
    ranked: list[tuple[tuple[int, datetime], int, DriftState]] = []
    # Each distinct timing classified once: the whole service's rows are mostly every service
    # manager's weekly update, due at the same instant with the same ladder (the ladder read as
    # its stored text, so not decoded for each row either).
    states: dict[tuple[datetime, str, int, int | None], DriftState] = {}
    for id_, due_at, ladder_text, due_soon_days, due_soon_hours in db.session.execute(timings, values):
        key = (due_at, ladder_text, due_soon_days, due_soon_hours)
        state = states.get(key)
        if state is None:
            state = states[key] = drift.classify(due_at, now, ladder_from_list(json.loads(ladder_text)),
                                                 due_soon_days, due_soon_hours=due_soon_hours)
        if _listed(state, due_at, now):
            ranked.append((_order(state, due_at), id_, state))
    ranked.sort(key=lambda row: row[:2])  # what_is_due's order, then as it reads them (id)
    shown, page = page_of(ranked, size)
    loaded = {o.id: o for o in db.session.scalars(by_id, {"ids": [id_ for _o, id_, _s in shown]})}
    result = WhatIsDue()
    for _order_key, id_, state in shown:
        obligation = loaded.get(id_)
        if obligation is not None:  # (met or removed between the two reads: not open work now)
            result.open.append(Row(obligation, state, can_record(user, obligation), can_waive(user, obligation)))
    result.met = [Row(obligation, state_of(obligation, now)) for obligation in db.session.scalars(recently_met, values)]
    return result, page


@lru_cache(maxsize=32)
def _what_is_due_page_statements(whole_service: bool, role: str) -> tuple[
        Select[int, datetime, str, int, int | None], Select[Obligation], Select[Obligation]]:
    _open_due, recently_met = _what_is_due_statements(whole_service, role)
    timings = (select(Obligation.id, Obligation.due_at, cast(Obligation.ladder, Text), Obligation.due_soon_days,
                      Obligation.due_soon_hours)
               .where(*_open_due_conditions(whole_service, role)).order_by(Obligation.due_at, Obligation.id))
    by_id = (select(Obligation).where(Obligation.id.in_(bindparam("ids", expanding=True)),
                                      Obligation.status == ObligationStatus.OPEN)
             .options(joinedload(Obligation.rule)))
    return timings, by_id, recently_met


def _where_home(whole_service: bool) -> ColumnElement[bool]:
    return Obligation.home_id.is_(None) if whole_service else Obligation.home_id == bindparam("home_id", type_=Integer)


def _open_due_conditions(whole_service: bool, role: str) -> tuple[ColumnElement[bool], ...]:
    return (_where_home(whole_service), Obligation.status == ObligationStatus.OPEN,
            Obligation.due_at <= bindparam("horizon", type_=Obligation.due_at.type), obligation_visible_to_role(role))


@lru_cache(maxsize=32)
def _what_is_due_statements(whole_service: bool, role: str) -> tuple[Select[Obligation], Select[Obligation]]:
    """`what_is_due`'s two statements for a home's page or the whole service's, for a viewer of
    the role: built once and run with the home and the instants bound (issue 13)."""
    open_due = (select(Obligation)
                .where(*_open_due_conditions(whole_service, role))
                .options(joinedload(Obligation.rule)).order_by(Obligation.due_at, Obligation.id))
    recently_met = (select(Obligation)
                    .where(_where_home(whole_service),
                           Obligation.status.in_((ObligationStatus.MET, ObligationStatus.MET_LATE)),
                           Obligation.met_at >= bindparam("met_since", type_=Obligation.due_at.type),
                           obligation_visible_to_role(role))
                    .order_by(Obligation.met_at.desc()).limit(20))
    return open_due, recently_met


@dataclass
class HomeDrift:
    escalated: int = 0
    overdue: int = 0
    due_soon: int = 0

    @property
    def late(self) -> int:
        return self.escalated + self.overdue


def drift_by_home(home_ids: list[int], now: datetime, user: User) -> dict[int, HomeDrift]:
    """Per home, how many open obligations are escalated, overdue and due soon: one query."""
    counts = {home_id: HomeDrift() for home_id in home_ids}
    if not home_ids:
        return counts
    rows = db.session.execute(
        select(Obligation.home_id, Obligation.due_at, Obligation.ladder, Obligation.due_soon_days,
               Obligation.due_soon_hours)
        .where(Obligation.home_id.in_(home_ids), Obligation.status == ObligationStatus.OPEN,
               Obligation.due_at <= now + timedelta(days=91), obligation_visible_clause(user)))
    for home_id, due_at, ladder, due_soon_days, due_soon_hours in rows:
        state = drift.classify(due_at, now, ladder_from_list(ladder), due_soon_days, due_soon_hours=due_soon_hours)
        if state.status == drift.ESCALATED:
            counts[home_id].escalated += 1
        elif state.status == drift.OVERDUE:
            counts[home_id].overdue += 1
        elif state.status == drift.DUE_SOON:
            counts[home_id].due_soon += 1
    return counts
