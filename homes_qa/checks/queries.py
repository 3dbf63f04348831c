"""Reads for the certificate register and the fire log, scoped by home; bounded query counts
(the register of one home or of many homes is the same handful of queries)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from homes_qa.checks.catalogue import DEFAULT_TYPES
from homes_qa.checks.models import (
    FIRE_LOG_RULES,
    CertificateEntry,
    CheckType,
    Evidence,
    FireLogEntry,
    FireLogKind,
    HomeCheckSetting,
)
from homes_qa.core import drift
from homes_qa.core.calendar import london_date
from homes_qa.core.drift import DriftState
from homes_qa.extensions import db
from homes_qa.spine.access import can_see_home, visible_home_ids_query
from homes_qa.spine.obligations.models import Completion, Obligation, ObligationStatus
from homes_qa.spine.obligations.queries import state_of
from homes_qa.spine.people.models import Home, HomeStatus, User
from homes_qa.spine.rules.models import Rule

NOT_APPLICABLE = "not_applicable"
NO_RECORD = "no_record"
# Register statuses beyond the obligation's own (core.drift): what the register tag says.
LABELS = {NOT_APPLICABLE: "Does not apply", NO_RECORD: "No record", **drift.LABELS}
PROBLEMS = (NO_RECORD, drift.OVERDUE, drift.ESCALATED)
KIND_TITLES: dict[str, str] = {
    FireLogKind.ALARM_TEST: "Weekly fire alarm test",
    FireLogKind.DRILL: "Fire drill",
    FireLogKind.EMERGENCY_LIGHTING: "Monthly emergency lighting check",
}


@dataclass
class RegisterRow:
    check_type: CheckType
    rule: Rule | None
    applies: bool
    reason: str
    last_done: date | None
    entry: CertificateEntry | None
    obligation: Obligation | None
    state: DriftState

    @property
    def status(self) -> str:
        return self.state.status

    @property
    def is_problem(self) -> bool:
        return self.status in PROBLEMS


@dataclass
class HomeRegister:
    home: Home
    rows: list[RegisterRow] = field(default_factory=list)

    def count(self, *statuses: str) -> int:
        return sum(1 for row in self.rows if row.status in statuses)

    @property
    def problems(self) -> list[RegisterRow]:
        return [row for row in self.rows if row.is_problem]

    @property
    def due_soon(self) -> list[RegisterRow]:
        return [row for row in self.rows if row.status == drift.DUE_SOON]


def check_types() -> list[CheckType]:
    return list(db.session.scalars(select(CheckType).order_by(CheckType.position, CheckType.title)))


def defaults_missing(types: list[CheckType]) -> bool:
    """True when a default type is not in the table yet (the routes then add it: first use)."""
    return not {spec.code for spec in DEFAULT_TYPES} <= {t.code for t in types}


def check_type_or_404(code: str) -> CheckType:
    check_type = db.session.scalar(select(CheckType).where(CheckType.code == code))
    if check_type is None:
        abort(404)
    return check_type


def _state(applies: bool, obligation: Obligation | None, last_done: date | None, now: datetime) -> DriftState:
    if not applies:
        return DriftState(NOT_APPLICABLE, None, LABELS[NOT_APPLICABLE])
    if obligation is not None:
        return state_of(obligation, now)
    if last_done is None:
        return DriftState(NO_RECORD, None, LABELS[NO_RECORD])
    # Done, and no next cycle open (its rule was switched off): nothing is due.
    return DriftState(drift.MET, None, LABELS[drift.MET])


def registers(homes: list[Home], now: datetime) -> list[HomeRegister]:
    """The register of each home: eight queries whatever the number of homes or of entries."""
    types = check_types()
    home_ids = [home.id for home in homes]
    codes = [t.rule_code for t in types]
    if not home_ids:
        return []
    rules = {rule.code: rule for rule in db.session.scalars(select(Rule).where(Rule.code.in_(codes)))}
    settings = {(s.home_id, s.check_type_id): s for s in db.session.scalars(
        select(HomeCheckSetting).where(HomeCheckSetting.home_id.in_(home_ids)))}
    last_done = {(home_id, code): done for home_id, code, done in db.session.execute(
        select(Completion.home_id, Completion.rule_code, func.max(Completion.done_on))
        .where(Completion.home_id.in_(home_ids), Completion.rule_code.in_(codes))
        .group_by(Completion.home_id, Completion.rule_code))}
    latest_ids = select(func.max(CertificateEntry.id)).where(CertificateEntry.home_id.in_(home_ids)).group_by(
        CertificateEntry.home_id, CertificateEntry.check_type_id)
    entries = {(e.home_id, e.check_type_id): e for e in db.session.scalars(
        select(CertificateEntry).where(CertificateEntry.id.in_(latest_ids))
        .options(selectinload(CertificateEntry.evidence)))}
    open_by: dict[tuple[int, str], Obligation] = {}
    for obligation in db.session.scalars(
            select(Obligation).where(Obligation.home_id.in_(home_ids), Obligation.rule_code.in_(codes),
                                     Obligation.status == ObligationStatus.OPEN)
            .order_by(Obligation.due_at.desc())):
        assert obligation.home_id is not None  # filtered on home_id above
        open_by[(obligation.home_id, obligation.rule_code)] = obligation  # the earliest open cycle wins
    result = []
    for home in homes:
        register = HomeRegister(home)
        for check_type in types:
            setting = settings.get((home.id, check_type.id))
            applies = check_type.applies_by_default if setting is None else setting.applies
            done = last_done.get((home.id, check_type.rule_code))
            cycle = open_by.get((home.id, check_type.rule_code))
            register.rows.append(RegisterRow(
                check_type, rules.get(check_type.rule_code), applies, setting.reason if setting else "", done,
                entries.get((home.id, check_type.id)), cycle, _state(applies, cycle, done, now)))
        result.append(register)
    return result


def home_register(home: Home, now: datetime) -> HomeRegister:
    return registers([home], now)[0]


def cross_home_registers(user: User, now: datetime) -> list[HomeRegister]:
    """Every open home the user sees (a service manager: theirs; the head of service: all),
    homes with the most problems first."""
    homes = list(db.session.scalars(select(Home).where(
        Home.id.in_(visible_home_ids_query(user)), Home.status != HomeStatus.CLOSED).order_by(Home.name)))
    result = registers(homes, now)
    result.sort(key=lambda r: (-len(r.problems), -len(r.due_soon), r.home.name))
    return result


def entries_for(home: Home, check_type: CheckType, limit: int = 20) -> list[CertificateEntry]:
    return list(db.session.scalars(select(CertificateEntry).where(
        CertificateEntry.home_id == home.id, CertificateEntry.check_type_id == check_type.id)
        .order_by(CertificateEntry.done_on.desc(), CertificateEntry.id.desc()).limit(limit)))


def entry_or_404(entry_id: int, user: User) -> CertificateEntry:
    entry = db.session.get(CertificateEntry, entry_id)
    if entry is None or not can_see_home(user, entry.home_id):
        abort(404)
    return entry


def evidence_or_404(evidence_id: int, user: User) -> Evidence:
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or not can_see_home(user, evidence.home_id):
        abort(404)
    return evidence


# ---------------------------------------------------------------- the fire log

def fire_log(home: Home, now: datetime, months: int = 12) -> list[FireLogEntry]:
    """The last `months` of the home's fire log, newest first (bounded by date and count)."""
    since = london_date(now) - relativedelta(months=months)
    return list(db.session.scalars(select(FireLogEntry).where(
        FireLogEntry.home_id == home.id, FireLogEntry.done_on >= since)
        .order_by(FireLogEntry.done_on.desc(), FireLogEntry.id.desc()).limit(500)))


@dataclass
class FireDue:
    kind: str
    title: str
    obligation: Obligation
    state: DriftState


def fire_log_due(home: Home, now: datetime) -> list[FireDue]:
    """The open fire log obligations of the home that are due soon or late, earliest first."""
    codes = {code: kind for kind, code in FIRE_LOG_RULES.items()}
    result = []
    for obligation in db.session.scalars(select(Obligation).where(
            Obligation.home_id == home.id, Obligation.rule_code.in_(list(codes)),
            Obligation.status == ObligationStatus.OPEN, Obligation.due_at <= now + relativedelta(days=45))
            .order_by(Obligation.due_at)):
        state = state_of(obligation, now)
        kind = codes[obligation.rule_code]
        result.append(FireDue(kind, KIND_TITLES[kind], obligation, state))
    return result
