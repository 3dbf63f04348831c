"""Obligations: made from records and the calendar, discharged by records, waived with a reason.

The small interface other features call:
    obligation_for_event(rule_code, home, event_at, subject=..., key=...)   a deadline after an event
    discharge(rule_code, home, key, record=..., met_at=...)                  the record that meets it
    ensure_recurring(now)                                                    calendar cadences, ahead
    record_completion(...)                                                   "this check was done"
    waive(obligation, reason, by)                                            service manager or above
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from homes_qa.core.calendar import end_of_month, london_date, london_day_end
from homes_qa.core.roles import Role
from homes_qa.core.timing import FLOATING, Period, Timing, due_at, due_for_period, next_due_floating, period_containing
from homes_qa.extensions import db
from homes_qa.spine.audit.models import Audited, insert_in_bulk
from homes_qa.spine.obligations.models import (
    Completion,
    Obligation,
    ObligationStatus,
    RecurringHorizon,
    note_open_work_changed,
    open_work_key,
)
from homes_qa.spine.people.models import Home, HomeStatus, User
from homes_qa.spine.rules.models import Rule, RuleScope
from homes_qa.spine.rules.service import rule_by_code, sync_catalogue
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError, transactional

WAIVE_ROLES = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN)


def scope_key(rule: Rule, home: Home | None) -> str:
    if rule.scope == RuleScope.ORGANISATION or home is None:
        return "organisation"
    return f"home:{home.id}"


def _title(rule: Rule, home: Home | None, period_label: str) -> str:
    where = home.name if home is not None and rule.scope == RuleScope.HOME else "Whole service"
    return f"{rule.title} — {where} — {period_label}"


def _new(rule: Rule, home: Home | None, key: str, due: datetime, label: str,
         subject: object = None) -> Obligation:
    return Obligation(
        rule=rule, rule_code=rule.code, home=home if rule.scope == RuleScope.HOME else None,
        scope_key=scope_key(rule, home), period_key=key, title=_title(rule, home, label)[:300],
        subject_type=type(subject).__name__ if subject is not None else None,
        subject_id=getattr(subject, "id", None), due_at=due, responsible_role=rule.responsible_role,
        ladder=list(rule.ladder), due_soon_days=rule.due_soon_days, due_soon_hours=rule.due_soon_hours,
        status=ObligationStatus.OPEN)


def _row(rule: Rule, home: Home | None, key: str, due: datetime, label: str) -> dict[str, object]:
    """`_new`'s obligation as column values, for `insert_in_bulk` (no subject: calendar streams)."""
    return {
        "rule_id": rule.id, "rule_code": rule.code, "home_id": home.id if home is not None and rule.scope == RuleScope.HOME
        else None, "scope_key": scope_key(rule, home), "period_key": key, "title": _title(rule, home, label)[:300],
        "subject_type": None, "subject_id": None, "due_at": due, "responsible_role": rule.responsible_role,
        "ladder": list(rule.ladder), "due_soon_days": rule.due_soon_days, "due_soon_hours": rule.due_soon_hours,
        "status": ObligationStatus.OPEN}


def find(rule_code: str, home: Home | None, key: str) -> Obligation | None:
    rule = rule_by_code(rule_code)
    return db.session.scalar(select(Obligation).where(
        Obligation.rule_code == rule_code, Obligation.scope_key == scope_key(rule, home),
        Obligation.period_key == key))


@transactional
def obligation_for_event(rule_code: str, home: Home | None, event_at: datetime, *, key: str,
                         subject: object = None, label: str | None = None, target: date | None = None,
                         ) -> Obligation | None:
    """The obligation an event implies (e.g. report due 14 days after a visit); made once.

    Returns the existing one if already made. None when the rule is switched off.
    `target` is the record's own date for `target_date` rules (an action's due date).
    """
    rule = rule_by_code(rule_code)
    if not rule.active:
        return None
    existing = find(rule_code, home, key)
    if existing is not None:
        return existing
    timing = rule.timing_value
    if timing.kind == "target_date":
        if target is None:
            raise ValueError(f"rule {rule_code} needs the record's target date")
        due = london_day_end(target)
    else:
        due = due_at(timing, event_at)
    obligation = _new(rule, home, key, due, label or key, subject)
    db.session.add(obligation)
    return obligation


@transactional
def move_due(obligation: Obligation, due: datetime) -> None:
    """A record's date changed before its obligation was met (e.g. a planned visit moved)."""
    if obligation.is_open:
        obligation.due_at = due


@transactional
def discharge(obligation: Obligation, *, record: Audited | None = None, met_at: datetime | None = None) -> Obligation:
    """Mark met (or met late) by the record that discharged it. Idempotent for closed ones."""
    if not obligation.is_open:
        return obligation
    met_at = met_at or utcnow()
    obligation.met_at = met_at
    obligation.status = ObligationStatus.MET_LATE if met_at > obligation.due_at else ObligationStatus.MET
    if record is not None:
        obligation.discharged_by_type = type(record).__name__
        obligation.discharged_by_id = record.id
    return obligation


@transactional
def discharge_by_key(rule_code: str, home: Home | None, key: str, *, record: Audited | None = None,
                     met_at: datetime | None = None) -> Obligation | None:
    obligation = find(rule_code, home, key)
    if obligation is not None:
        discharge(obligation, record=record, met_at=met_at)
    return obligation


@transactional
def waive(obligation: Obligation, *, reason: str, by: User) -> Obligation:
    if by.role not in WAIVE_ROLES:
        raise ServiceError("Only a service manager or above can waive an obligation")
    if not obligation.is_open:
        raise ServiceError("This obligation is already closed")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ServiceError("Give the reason for waiving, in at least 10 characters", "reason")
    obligation.status = ObligationStatus.WAIVED
    obligation.waived_reason = reason
    obligation.waived_by_id = by.id
    return obligation


@dataclass
class RecurringResult:
    created: list[Obligation]


@transactional
def ensure_recurring(now: datetime, *, max_catch_up: int = 24) -> RecurringResult:
    """Make every calendar obligation up to the next period, for every active rule and open home.

    Derived from state, so running it twice makes nothing new. A stream (rule × home) that
    already has obligations continues from its latest period, so after downtime the periods
    missed are made (and then alerted) once; a new stream starts at the current period rather
    than back-filling history nobody was asked to keep. A rule whose streams were all made up
    to the same next period, for the same homes and timing (its RecurringHorizon), is skipped:
    so a sweep costs a few queries, not one look per home, until a period turns or the homes
    or the rule change. Bounded queries: rules, homes, horizons, then for the rules that need
    it the latest period of every stream and the keys that already exist.
    """
    sync_catalogue()
    rules = list(db.session.scalars(select(Rule).where(Rule.active.is_(True), Rule.trigger == "calendar")
                                    .order_by(Rule.code)))
    home_ids = list(db.session.scalars(select(Home.id).where(Home.status == HomeStatus.OPEN).order_by(Home.id)))
    horizons = {h.rule_code: h for h in db.session.scalars(select(RecurringHorizon))}
    to_check: list[tuple[Rule, Timing, Period, Period, str]] = []
    for rule in rules:
        timing = rule.timing_value
        current = period_containing(timing, now)
        upto = period_containing(timing, current.end + timedelta(days=1))
        made_for = _made_for(rule, home_ids)
        horizon = horizons.get(rule.code)
        if horizon is None or horizon.upto_key != upto.key or horizon.made_for != made_for:
            to_check.append((rule, timing, current, upto, made_for))
    if not to_check:
        return RecurringResult([])
    homes = list(db.session.scalars(select(Home).where(Home.status == HomeStatus.OPEN).order_by(Home.id)))
    latest = {(code, scope): due for code, scope, due in db.session.execute(
        select(Obligation.rule_code, Obligation.scope_key, func.max(Obligation.due_at))
        .where(Obligation.rule_code.in_([rule.code for rule, *_ in to_check]))
        .group_by(Obligation.rule_code, Obligation.scope_key)).all()}
    wanted: dict[tuple[str, str, str], tuple[Rule, Home | None, Period]] = {}
    complete: dict[str, tuple[Period, str]] = {}  # rule code → the horizon to keep, when every stream reaches it
    for rule, timing, current, upto, made_for in to_check:
        periods: dict[date, Period] = {}  # every home walks the same few periods of a rule

        def containing(day: date, timing: Timing = timing, periods: dict[date, Period] = periods) -> Period:
            if day not in periods:
                periods[day] = period_containing(timing, day)
            return periods[day]

        reaches_upto = True
        targets = [None] if rule.scope == RuleScope.ORGANISATION else homes
        for home in targets:
            key = scope_key(rule, home)
            last_due = latest.get((rule.code, key))
            period = current
            if last_due is not None and london_date(last_due) < current.start:
                period = containing(london_date(last_due) + timedelta(days=1))
            for _ in range(max_catch_up + 2):
                wanted[(rule.code, key, period.key)] = (rule, home, period)
                if period.key == upto.key:
                    break
                period = containing(period.end + timedelta(days=1))
            else:
                reaches_upto = False  # a long gap: the rest is made by the next sweep
        if reaches_upto:
            complete[rule.code] = (upto, made_for)
    created = _create_missing(wanted)
    db.session.flush()  # the obligations first: their unique key decides a race, not the horizon
    for code, (upto, made_for) in complete.items():
        _keep_horizon(horizons.get(code), code, upto.key, made_for, now)
    return RecurringResult(created)


def _made_for(rule: Rule, home_ids: list[int]) -> str:
    """Digest of what a rule's streams depend on besides the date: its timing, scope, the homes."""
    basis = [rule.scope, rule.timing, [] if rule.scope == RuleScope.ORGANISATION else home_ids]
    return hashlib.sha256(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()


def _create_missing(wanted: dict[tuple[str, str, str], tuple[Rule, Home | None, Period]]) -> list[Obligation]:
    existing: set[tuple[str, str, str]] = set()
    keys = sorted(wanted)
    for i in range(0, len(keys), 500):  # chunked IN (…) for large estates
        chunk = keys[i:i + 500]
        # One IN per column of the unique key, not a row-value IN: SQLite walked the whole key
        # index for `(a, b, c) IN (VALUES …)` (55 ms a chunk at 100 homes × 5 years, issue 13),
        # but looks each combination up. Sorted keys keep a chunk to a few rules and periods;
        # the rows are a superset, kept only where wanted.
        codes, scopes, periods = ({key[n] for key in chunk} for n in range(3))
        existing |= {(row[0], row[1], row[2]) for row in db.session.execute(select(
            Obligation.rule_code, Obligation.scope_key, Obligation.period_key).where(
            Obligation.rule_code.in_(sorted(codes)), Obligation.scope_key.in_(sorted(scopes)),
            Obligation.period_key.in_(sorted(periods))))} & set(chunk)
    # In bulk: when a period turns every home's streams are made at once (issue 13).
    created = insert_in_bulk(Obligation, [_row(rule, home, period.key, due_for_period(period), _period_label(period))
                                          for wanted_key, (rule, home, period) in wanted.items()
                                          if wanted_key not in existing])
    note_open_work_changed(db.session(), {open_work_key(obligation.home_id) for obligation in created})
    return created


def _keep_horizon(horizon: RecurringHorizon | None, code: str, upto_key: str, made_for: str, now: datetime) -> None:
    if horizon is not None:
        horizon.upto_key, horizon.made_for, horizon.checked_at = upto_key, made_for, now
        return
    try:
        with db.session.begin_nested():
            db.session.add(RecurringHorizon(rule_code=code, upto_key=upto_key, made_for=made_for, checked_at=now))
    except IntegrityError:
        pass  # another sweep kept it first: it is only bookkeeping


def _period_label(period: Period) -> str:
    if period.start.day == 1 and period.end == end_of_month(period.start):
        return f"{period.start:%B %Y}"
    return f"{period.start.day} {period.start:%b %Y} to {period.end.day} {period.end:%b %Y}"


@transactional
def record_completion(*, rule_code: str, home: Home | None, done_on: date, note: str, by: User,
                      obligation: Obligation | None = None, now: datetime | None = None) -> Completion:
    """A check or review was done: discharge its obligation; for a floating rule, set the next one."""
    now = now or utcnow()
    rule = rule_by_code(rule_code)
    if done_on > london_date(now):
        raise ServiceError("The date it was done must be today or in the past", "done_on")
    completion = Completion(home_id=home.id if home is not None and rule.scope == RuleScope.HOME else None,
                            rule_code=rule.code, obligation_id=obligation.id if obligation else None,
                            done_on=done_on, note=(note or "").strip(), recorded_by_id=by.id)
    db.session.add(completion)
    db.session.flush()
    done_at = london_day_end(done_on)
    if obligation is not None:
        discharge(obligation, record=completion, met_at=min(done_at, now))
    if rule.timing_value.kind == FLOATING and rule.active:
        previous_due = obligation.due_at if obligation is not None else None
        due = next_due_floating(rule.timing_value, done_at, previous_due)
        # Keyed by the date it falls due, so each cycle is its own obligation
        key = f"due:{due.date().isoformat()}"
        if find(rule.code, home, key) is None:
            db.session.add(_new(rule, home, key, due, f"next due after {done_on:%d %b %Y}"))
        # Any older open cycle of the same check is superseded by this completion.
        for older in db.session.scalars(select(Obligation).where(
                Obligation.rule_code == rule.code, Obligation.scope_key == scope_key(rule, home),
                Obligation.status == ObligationStatus.OPEN, Obligation.period_key != key)):
            discharge(older, record=completion, met_at=min(done_at, now))
    return completion


@transactional
def obligation_for_period(rule_code: str, home: Home | None, on: date) -> Obligation | None:
    """The calendar obligation of the period that `on` falls in (made now if the sweep has not
    made it yet), so a record dated `on` discharges its own period and never the next one.
    None when the rule is switched off or is not a calendar cadence."""
    rule = rule_by_code(rule_code)
    if not rule.active or rule.trigger != "calendar":
        return None
    period = period_containing(rule.timing_value, on)
    existing = find(rule_code, home, period.key)
    if existing is not None:
        return existing
    obligation = _new(rule, home, period.key, due_for_period(period), _period_label(period))
    db.session.add(obligation)
    return obligation
