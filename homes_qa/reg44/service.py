"""Regulation 44: visits planned and recorded, reports drafted, submitted, corrected, checked and sent.

Each state change writes the record, the obligations it implies and (through the Audited
models) the audit trail in one transaction. Deadlines come from the rule table via the
obligations service; nothing here knows a number of days.

    plan_visit(home=, visitor=, planned_for=, announced=, now=)          -> Reg44Visit
    move_visit(visit, by=, planned_for=, announced=, now=)               -> Reg44Visit
    record_visit(visit | None, by=, home=, details: VisitDetails, now=)  -> Reg44Visit
    save_draft(visit, by=, fields=, recommendations=, now=)              -> Reg44Report
    add_recommendation(visit, by=, text=, consider_within_days=)         -> Reg44Recommendation
    remove_recommendation(visit, by=, recommendation_id=)                -> None
    submission_problems(report)                                          -> list[(field, message)]
    submit_report(visit, by=, now=)                                      -> Reg44Report
    start_correction(visit, by=, reason=, now=)                          -> Reg44Report
    return_for_corrections(report, by=, reason=, now=)                   -> Reg44Report (new draft)
    check_and_send(report, by=, now=)                                    -> Reg44Report
    record_distribution(report, by=, recipients=[…], detail=, method=, sent_on=, now=) -> [Distribution]
    record_case_records(visit, by=, child_ref=, child_consented=, authority_consented=, records_seen=, now=)
                                                                         -> CaseRecordConsent
    remove_case_records(visit, by=, consent_id=)                         -> None

Reading (scoped to what a user may see):
    visible_visits(user, home_ids=None), can_view_visit(user, visit), can_edit_visit(user, visit)
    home_summaries(user, now), register(home, user, now), workload_page(user, now),
    visitor_workload(visitor, now)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from homes_qa.core.calendar import LONDON, london_date, london_day_end, london_day_start, to_utc
from homes_qa.core.formats import long_day
from homes_qa.core.timing import due_at as timing_due_at
from homes_qa.core.timing import period_containing
from homes_qa.extensions import db
from homes_qa.reg44.models import (
    CaseRecordConsent,
    Distribution,
    Opinion,
    Reg44Recommendation,
    Reg44Report,
    Reg44Visit,
    ReportStatus,
    VisitStatus,
)
from homes_qa.reg44.policy import can_check, can_distribute, can_edit_visit, can_plan_at
from homes_qa.reg44.queries import (
    FEEDBACK_RULES,
    RECOMMENDATION_RULE,
    REPORT_RULES,
    STATUTORY_RULE,
    VISIT_RULE,
    _today,
    current_draft,
    latest_submitted,
    previous_recommendations,
    recommendation_key,
    visit_key,
)
from homes_qa.spine import signals
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.rules.service import rule_by_code
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError, transactional

# reg 44(7) recipients and the local "senior managers" step (seed 002 §7.1).
RECIPIENTS = {
    "ofsted": "Ofsted (HMCI)",
    "placing_authority": "Placing authority",
    "local_authority": "Local authority for the area",
    "registered_provider": "Registered provider",
    "registered_manager": "Registered manager",
    "responsible_individual": "Responsible individual",
    "senior_managers": "Senior managers",
}
METHODS = {
    "secure_email": "Secure e-mail",
    "ofsted_portal": "Ofsted portal",
    "post": "Post",
    "hand": "By hand",
}
OFSTED = "ofsted"

MAX_TEXT = 20000
MAX_CONSIDER_DAYS = 366  # input sanity only; the timescale itself is the visitor's to set

EDITABLE_FIELDS = ("safeguarded_opinion", "safeguarded_narrative", "wellbeing_opinion",
                   "wellbeing_narrative", "previous_progress", "findings", "conflict_of_interest")


class NotAllowed(ServiceError):
    """The user may see the record but not do this to it (the web layer answers 403)."""


# ---------------------------------------------------------------- who may do what


def _require_visitor(visit: Reg44Visit, by: User) -> None:
    if not can_edit_visit(by, visit):
        raise NotAllowed("Only the visitor who made this visit can do this")


# ---------------------------------------------------------------- instants


def _visit_instant(visited_on: date, arrived_at: str | None) -> datetime:
    """The visit as a UTC instant: its London date at the arrival time (midday if unknown)."""
    clock = time(12, 0)
    if arrived_at:
        hours, minutes = arrived_at.split(":")
        clock = time(int(hours), int(minutes))
    return to_utc(datetime.combine(visited_on, clock, tzinfo=LONDON))


def _relabel(obligation: Obligation, label: str) -> None:
    head = obligation.title.rsplit(" — ", 1)[0]
    obligation.title = f"{head} — {label}"[:300]


# ---------------------------------------------------------------- planning

@transactional
def plan_visit(*, home: Home, visitor: User, planned_for: date, announced: bool,
               now: datetime | None = None) -> Reg44Visit:
    """Plan a visit; the pre-visit feedback obligations fall due before the planned date.

    An unannounced plan's obligations are hidden from home staff until the visit is recorded.
    """
    now = now or utcnow()
    if not can_plan_at(visitor, home.id):
        raise NotAllowed("Only a Regulation 44 visitor assigned to the home can plan a visit")
    if planned_for is None:
        raise ServiceError("Enter the date of the planned visit", "planned_for")
    if planned_for < _today(now):
        raise ServiceError("The date of the planned visit must be today or in the future", "planned_for")
    visit = Reg44Visit(home=home, visitor_id=visitor.id, status=VisitStatus.PLANNED,
                       planned_for=planned_for, announced=bool(announced))
    db.session.add(visit)
    db.session.flush()
    event_at = london_day_start(planned_for)
    for code in FEEDBACK_RULES:
        obligation = obligations.obligation_for_event(
            code, home, event_at, key=visit_key(visit), subject=visit,
            label=f"visit planned for {long_day(planned_for)}")
        if obligation is not None:
            obligation.hidden_from_home_staff = not visit.announced
    return visit


@transactional
def move_visit(visit: Reg44Visit, *, by: User, planned_for: date, announced: bool,
               now: datetime | None = None) -> Reg44Visit:
    """Change a planned visit's date (moving its feedback deadlines) or whether it is announced."""
    now = now or utcnow()
    _require_visitor(visit, by)
    if visit.status != VisitStatus.PLANNED:
        raise ServiceError("Only a planned visit can be moved")
    if planned_for is None:
        raise ServiceError("Enter the date of the planned visit", "planned_for")
    if planned_for < _today(now):
        raise ServiceError("The date of the planned visit must be today or in the future", "planned_for")
    visit.planned_for = planned_for
    visit.announced = bool(announced)
    _move_feedback(visit, planned_for, label=f"visit planned for {long_day(planned_for)}",
                   hidden=not visit.announced)
    return visit


def _move_feedback(visit: Reg44Visit, day: date, *, label: str, hidden: bool) -> None:
    event_at = london_day_start(day)
    for code in FEEDBACK_RULES:
        obligation = obligations.find(code, visit.home, visit_key(visit))
        if obligation is None:
            continue
        if obligation.is_open:
            obligations.move_due(obligation, timing_due_at(rule_by_code(code).timing_value, event_at))
            _relabel(obligation, label)
        obligation.hidden_from_home_staff = hidden


# ---------------------------------------------------------------- recording

@dataclass
class VisitDetails:
    visited_on: date
    arrived_at: str
    left_at: str
    announced: bool
    spoke_children: int = 0
    spoke_parents: int = 0
    spoke_staff: int = 0
    spoke_professionals: int = 0
    spoke_roles: str = ""
    records_inspected: str = ""
    notes: str = ""
    # Another visit planned at the home in the visit's month: "close" it (this visit replaces
    # it) or "move" it to `other_plan_date`. Asked for only when there is one.
    other_plan: str | None = None
    other_plan_date: date | None = None


OTHER_PLAN_CHOICES = {"close": "Close the plan: this visit replaces it",
                      "move": "Move the planned visit to another date"}


def other_plans_in_month(home: Home, day: date, *, besides: Reg44Visit | None = None) -> list[Reg44Visit]:
    """Visits still planned at the home in the London month of `day`, other than `besides`."""
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    query = select(Reg44Visit).where(
        Reg44Visit.home_id == home.id, Reg44Visit.status == VisitStatus.PLANNED,
        Reg44Visit.planned_for >= start, Reg44Visit.planned_for < end)
    if besides is not None and besides.id is not None:
        query = query.where(Reg44Visit.id != besides.id)
    return list(db.session.scalars(query.order_by(Reg44Visit.planned_for, Reg44Visit.id)))


def _settle_other_plans(others: list[Reg44Visit], details: VisitDetails, *, by: User, now: datetime) -> None:
    """Close or move the other plans of the month, as the visitor chose."""
    if not others:
        return
    first = others[0]
    assert first.planned_for is not None  # a planned visit has its date
    if details.other_plan not in OTHER_PLAN_CHOICES:
        raise ServiceError(f"A visit is planned for {long_day(first.planned_for)} this month: select "
                           "whether to close that plan or move it", "other_plan")
    if details.other_plan == "move":
        new_day = details.other_plan_date
        if new_day is None:
            raise ServiceError("Enter the new date for the planned visit", "other_plan_date")
        if new_day < _today(now):
            raise ServiceError("The new date for the planned visit must be today or in the future",
                               "other_plan_date")
        if (new_day.year, new_day.month) == (details.visited_on.year, details.visited_on.month):
            raise ServiceError("Move the planned visit to another month, or close it", "other_plan_date")
    for other in others:
        if details.other_plan == "move":
            assert details.other_plan_date is not None
            other.planned_for = details.other_plan_date
            _move_feedback(other, details.other_plan_date,
                           label=f"visit planned for {long_day(details.other_plan_date)}",
                           hidden=not other.announced)
            continue
        other.status = VisitStatus.CANCELLED
        for code in FEEDBACK_RULES:
            obligation = obligations.find(code, other.home, visit_key(other))
            if obligation is not None and obligation.is_open:  # no longer due: closed as waived, with why
                obligation.status = ObligationStatus.WAIVED
                obligation.waived_by_id = by.id
                obligation.waived_reason = (f"The planned visit was closed: the visit on "
                                            f"{long_day(details.visited_on)} replaced it")


@transactional
def record_visit(visit: Reg44Visit | None, *, by: User, home: Home | None = None,
                 details: VisitDetails, now: datetime | None = None) -> Reg44Visit:
    """The visit happened: discharge the month's reg44_visit and start the report deadlines.

    `visit` is the planned visit being recorded, or None to record one that was never planned.
    """
    now = now or utcnow()
    _check_details(details, now)
    if visit is None:
        if home is None:
            raise ValueError("record_visit needs the planned visit or the home")
        if not can_plan_at(by, home.id):
            raise NotAllowed("Only a Regulation 44 visitor assigned to the home can record a visit")
        visit = Reg44Visit(home=home, visitor_id=by.id, status=VisitStatus.PLANNED,
                           announced=details.announced)
        db.session.add(visit)
    else:
        _require_visitor(visit, by)
        if visit.status != VisitStatus.PLANNED:
            raise ServiceError("This visit has already been recorded")
    _settle_other_plans(other_plans_in_month(visit.home, details.visited_on, besides=visit), details,
                        by=by, now=now)
    visit.visited_on = details.visited_on
    visit.arrived_at, visit.left_at = details.arrived_at, details.left_at
    visit.announced = bool(details.announced)
    for name in ("spoke_children", "spoke_parents", "spoke_staff", "spoke_professionals"):
        setattr(visit, name, int(getattr(details, name) or 0))
    visit.spoke_roles = (details.spoke_roles or "").strip()
    visit.records_inspected = (details.records_inspected or "").strip()
    visit.notes = (details.notes or "").strip()
    visit.status = VisitStatus.RECORDED
    visit.recorded_at = now
    db.session.flush()

    home = visit.home
    instant = _visit_instant(details.visited_on, details.arrived_at)
    # reg 44(1): the month's visit. Made here if the scheduler has not made it yet.
    rule = rule_by_code(VISIT_RULE)
    if rule.active:
        period = period_containing(rule.timing_value, details.visited_on)
        monthly = obligations.obligation_for_event(
            VISIT_RULE, home, instant, key=period.key, label=f"{period.start:%B %Y}"
            if period.start.day == 1 else period.key)
        if monthly is not None:
            obligations.discharge(monthly, record=visit, met_at=min(instant, now))
    made = {code: obligations.obligation_for_event(code, home, instant, key=visit_key(visit), subject=visit,
                                                   label=f"visit on {long_day(details.visited_on)}")
            for code in REPORT_RULES}
    _statutory_not_before_local(made)
    # The visit is no longer a secret: its feedback obligations become visible to home staff.
    _move_feedback(visit, details.visited_on, label=f"visit on {long_day(details.visited_on)}", hidden=False)
    return visit


def _statutory_not_before_local(made: dict[str, Obligation | None]) -> None:
    """The statutory copies are never due before the local report and check-and-send deadlines.

    No source gives reg 44(7) a deadline (domain.md [verify]); whatever an administrator sets the
    statutory rule to, it cannot fall before the 2-week report or the 22-working-day check.
    """
    statutory = made.get(STATUTORY_RULE)
    local = [o.due_at for code, o in made.items() if code != STATUTORY_RULE and o is not None]
    if statutory is not None and statutory.is_open and local:
        latest = max(statutory.due_at, *local)
        if latest != statutory.due_at:
            obligations.move_due(statutory, latest)


def _check_details(details: VisitDetails, now: datetime) -> None:
    if details.visited_on is None:
        raise ServiceError("Enter the date of the visit", "visited_on")
    if details.visited_on > _today(now):
        raise ServiceError("The date of the visit must be today or in the past", "visited_on")
    if not details.arrived_at:
        raise ServiceError("Enter the time you arrived", "arrived_at")
    if not details.left_at:
        raise ServiceError("Enter the time you left", "left_at")
    if details.left_at <= details.arrived_at:
        raise ServiceError("The time you left must be after the time you arrived", "left_at")
    if details.visited_on == _today(now) and _visit_instant(details.visited_on, details.arrived_at) > now:
        raise ServiceError("The time you arrived must be in the past", "arrived_at")
    for name in ("spoke_children", "spoke_parents", "spoke_staff", "spoke_professionals"):
        value = getattr(details, name)
        if value is not None and value < 0:
            raise ServiceError("The number of people spoken to cannot be negative", name)


# ---------------------------------------------------------------- reports


def _draft_for_editing(visit: Reg44Visit, by: User) -> Reg44Report:
    """The draft to change: the open one, or version 1 made on first save."""
    _require_visitor(visit, by)
    if visit.status != VisitStatus.RECORDED:
        raise ServiceError("Record the visit before writing its report")
    draft = current_draft(visit)
    if draft is not None:
        return draft
    if visit.reports:
        raise ServiceError("This report has been submitted and is locked. "
                           "To change it, start a correction (a new version).")
    draft = Reg44Report(visit=visit, home_id=visit.home_id, version=1, status=ReportStatus.DRAFT,
                        author_id=by.id)
    db.session.add(draft)
    db.session.flush()
    return draft


def _clean_opinion(value) -> str | None:
    return value if value in Opinion.LABELS else None


@transactional
def save_draft(visit: Reg44Visit, *, by: User, fields: dict, recommendations: dict | None = None,
               now: datetime | None = None) -> Reg44Report:
    """Save what has been typed so far (autosave and the plain "Save" button).

    `fields` holds any of EDITABLE_FIELDS; `recommendations` maps a recommendation id to
    (text, days) where days may be None (kept as it was).
    """
    now = now or utcnow()
    draft = _draft_for_editing(visit, by)
    for name in EDITABLE_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if name.endswith("_opinion"):
            value = _clean_opinion(value)
        else:
            value = (value or "")[:MAX_TEXT]
        setattr(draft, name, value)
    for rec in draft.recommendations:
        if recommendations and rec.id in recommendations:
            text, days = recommendations[rec.id]
            if text is not None:
                rec.text = text[:MAX_TEXT]
            if days is not None and 1 <= days <= MAX_CONSIDER_DAYS:
                rec.consider_within_days = days
    draft.updated_at = now
    return draft


@transactional
def add_recommendation(visit: Reg44Visit, *, by: User, text: str, consider_within_days: int | None,
                       now: datetime | None = None) -> Reg44Recommendation:
    draft = _draft_for_editing(visit, by)
    text = (text or "").strip()
    if not text:
        raise ServiceError("Enter the recommendation", "new_text")
    if consider_within_days is None:
        raise ServiceError("Enter the number of days the registered person has to consider it", "new_days")
    if not 1 <= consider_within_days <= MAX_CONSIDER_DAYS:
        raise ServiceError(f"The number of days must be between 1 and {MAX_CONSIDER_DAYS}", "new_days")
    rec = Reg44Recommendation(report=draft, home_id=visit.home_id, number=len(draft.recommendations) + 1,
                              text=text[:MAX_TEXT], consider_within_days=consider_within_days)
    draft.recommendations.append(rec)
    draft.updated_at = now or utcnow()
    return rec


@transactional
def remove_recommendation(visit: Reg44Visit, *, by: User, recommendation_id: int,
                          now: datetime | None = None) -> None:
    draft = _draft_for_editing(visit, by)
    rec = next((r for r in draft.recommendations if r.id == recommendation_id), None)
    if rec is None:
        raise ServiceError("That recommendation is not in this draft")
    draft.recommendations.remove(rec)
    for number, remaining in enumerate(draft.recommendations, start=1):
        remaining.number = number
    draft.updated_at = now or utcnow()


def submission_problems(report: Reg44Report) -> list[tuple[str, str]]:
    """What stops the draft being submitted, as (field, message) in page order."""
    problems = []
    # reg 44(4): each opinion with its reasons, whatever the answer.
    if report.safeguarded_opinion not in Opinion.LABELS:
        problems.append(("safeguarded_opinion", "Select whether children are effectively safeguarded"))
    if not report.safeguarded_narrative.strip():
        problems.append(("safeguarded_narrative", "Enter the reasons for your opinion on safeguarding"))
    if report.wellbeing_opinion not in Opinion.LABELS:
        problems.append(("wellbeing_opinion",
                         "Select whether the conduct of the home promotes children's well-being"))
    if not report.wellbeing_narrative.strip():
        problems.append(("wellbeing_narrative", "Enter the reasons for your opinion on children's well-being"))
    _previous, previous_recs = previous_recommendations(report.visit)
    if previous_recs and not report.previous_progress.strip():
        problems.append(("previous_progress", "Enter the progress against the previous visit's recommendations"))
    for rec in report.recommendations:
        if not rec.text.strip():
            problems.append((f"rec_{rec.id}_text", f"Enter recommendation {rec.number} or remove it"))
    return problems


@transactional
def submit_report(visit: Reg44Visit, *, by: User, now: datetime | None = None) -> Reg44Report:
    """Lock the draft; the report deadline is met and each recommendation gets its own deadline."""
    now = now or utcnow()
    _require_visitor(visit, by)
    draft = current_draft(visit)
    if draft is None:
        raise ServiceError("There is no draft to submit")
    problems = submission_problems(draft)
    if problems:
        field, message = problems[0]
        raise ServiceError(message, field)
    previous = latest_submitted(visit)
    draft.status = ReportStatus.SUBMITTED
    draft.submitted_at = now
    db.session.flush()
    obligations.discharge_by_key("reg44_report_complete", visit.home, visit_key(visit),
                                 record=draft, met_at=now)
    _recommendation_obligations(visit, draft, previous, now)
    if draft.safeguarded_opinion in (Opinion.NO, Opinion.CONCERNS):  # a safeguarding signal: alert at once
        signals.raise_signal(visit.home, now, key=f"reg44_visit:{visit.id}", subject=draft,
                             label="Reg 44 report: children " + ("not effectively safeguarded"
                                   if draft.safeguarded_opinion == Opinion.NO else "safeguarded, with concerns"))
    return draft


def _recommendation_obligations(visit: Reg44Visit, report: Reg44Report, previous: Reg44Report | None,
                                now: datetime) -> None:
    """One response deadline per recommendation: the submission date plus its timescale.

    For a correction, an unchanged recommendation (same number and text) keeps its open
    deadline, counted from when it was first submitted; the rest of the superseded version's
    open deadlines are closed as superseded.
    """
    carried: dict[int, tuple[Obligation, Reg44Recommendation]] = {}
    if previous is not None:
        old_by_number = {r.number: r for r in previous.recommendations}
        for rec in report.recommendations:
            old = old_by_number.get(rec.number)
            if old is None or old.text.strip() != rec.text.strip():
                continue
            obligation = obligations.find(RECOMMENDATION_RULE, visit.home, recommendation_key(old))
            if obligation is not None:
                carried[rec.id] = (obligation, old)
                old_by_number.pop(rec.number)
        for old in old_by_number.values():
            obligation = obligations.find(RECOMMENDATION_RULE, visit.home, recommendation_key(old))
            if obligation is not None and obligation.is_open:
                obligation.status = ObligationStatus.WAIVED
                obligation.waived_by_id = report.author_id
                obligation.waived_reason = (f"Superseded by version {report.version} of the report: "
                                            f"{report.correction_reason}")[:2000]
    assert visit.visited_on is not None  # the report is of a recorded visit
    for rec in report.recommendations:
        label = f"recommendation {rec.number} after the visit on {long_day(visit.visited_on)}"
        if rec.id in carried:
            obligation, old = carried[rec.id]
            first_due = old.original_decide_by or london_date(obligation.due_at)
            first_submitted = first_due - timedelta(days=old.consider_within_days)
            obligation.period_key = recommendation_key(rec)
            obligation.subject_id = rec.id
            rec.original_decide_by, rec.decide_by_reason = old.original_decide_by, old.decide_by_reason
            if old.original_decide_by is not None and old.decide_by is not None:
                rec.decide_by = old.decide_by  # an agreed move stands for the unchanged recommendation
            else:
                rec.decide_by = first_submitted + timedelta(days=rec.consider_within_days)
            obligations.move_due(obligation, london_day_end(rec.decide_by))
            _relabel(obligation, label)
            continue
        rec.decide_by = _today(now) + timedelta(days=rec.consider_within_days)
        obligations.obligation_for_event(
            RECOMMENDATION_RULE, visit.home, now, key=recommendation_key(rec), subject=rec, label=label,
            target=rec.decide_by)


@transactional
def start_correction(visit: Reg44Visit, *, by: User, reason: str, now: datetime | None = None) -> Reg44Report:
    """A correction after submission is a new version: a draft copy of the last one, with a reason."""
    now = now or utcnow()
    _require_visitor(visit, by)
    if current_draft(visit) is not None:
        raise ServiceError("A draft of this report is already open")
    last = latest_submitted(visit)
    if last is None:
        raise ServiceError("Only a submitted report can be corrected")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Enter the reason for the correction", "reason")
    if len(reason) > 2000:
        raise ServiceError("The reason must be 2000 characters or fewer", "reason")
    return _copy_as_draft(last, author_id=by.id, reason=reason, now=now)


MAX_REASON = 2000


@transactional
def return_for_corrections(report: Reg44Report, *, by: User, reason: str,
                           now: datetime | None = None) -> Reg44Report:
    """The service manager sends a submitted version back to its visitor for factual corrections.

    The visitor gets a new draft version, a copy of this one, carrying the reason; they correct it
    and submit it again, and the service manager checks that version.
    """
    now = now or utcnow()
    if not can_check(by):
        raise NotAllowed("Only a service manager can return a report for corrections")
    visit = report.visit
    if not report.is_locked or latest_submitted(visit) is not report:
        raise ServiceError("Only the latest submitted version can be returned")
    if report.checked_at is not None:
        raise ServiceError("This version has already been checked and sent")
    if current_draft(visit) is not None:
        raise ServiceError("A corrected version of this report is already being written")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Enter what needs correcting", "reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(f"What needs correcting must be {MAX_REASON} characters or fewer", "reason")
    draft = _copy_as_draft(report, author_id=visit.visitor_id, reason=reason, now=now)
    draft.returned_by_id = by.id
    draft.returned_at = now
    return draft


def _copy_as_draft(last: Reg44Report, *, author_id: int, reason: str, now: datetime) -> Reg44Report:
    visit = last.visit
    draft = Reg44Report(visit=visit, home_id=visit.home_id, version=last.version + 1,
                        status=ReportStatus.DRAFT, author_id=author_id, correction_reason=reason,
                        **{name: getattr(last, name) for name in EDITABLE_FIELDS})
    db.session.add(draft)
    for rec in last.recommendations:
        draft.recommendations.append(Reg44Recommendation(
            home_id=visit.home_id, number=rec.number, text=rec.text,
            consider_within_days=rec.consider_within_days))
    draft.updated_at = now
    return draft


@transactional
def check_and_send(report: Reg44Report, *, by: User, now: datetime | None = None) -> Reg44Report:
    """The service manager has checked the submitted report and sent it to senior managers."""
    now = now or utcnow()
    if not can_check(by):
        raise NotAllowed("Only a service manager can check and send a report")
    if not report.is_locked:
        raise ServiceError("Only a submitted report can be checked and sent")
    if report.checked_at is not None:
        raise ServiceError("This version has already been checked and sent")
    draft = current_draft(report.visit)
    if draft is not None and draft.returned_at is not None:
        raise ServiceError(f"Version {report.version} was returned for corrections: check version "
                           f"{draft.version} once the visitor has submitted it")
    report.checked_by_id = by.id
    report.checked_at = now
    db.session.flush()
    obligations.discharge_by_key("reg44_report_sent", report.visit.home, visit_key(report.visit),
                                 record=report, met_at=now)
    return report


MAX_RECIPIENTS_AT_ONCE = len(RECIPIENTS)


@transactional
def record_distribution(report: Reg44Report, *, by: User, recipients: list[str], detail: str, method: str,
                        sent_on: date, now: datetime | None = None) -> list[Distribution]:
    """Log one sending of the report: every recipient it went to, how and when.

    Sending it to Ofsted meets the statutory deadline (reg 44(7): the visitor's duty).
    """
    now = now or utcnow()
    if not can_distribute(by, report.visit):
        raise NotAllowed("You cannot record where this report was sent")
    if not report.is_locked:
        raise ServiceError("Only a submitted report can be sent")
    chosen = list(dict.fromkeys(recipients or []))
    if not chosen:
        raise ServiceError("Select who the report was sent to", "recipients")
    if len(chosen) > MAX_RECIPIENTS_AT_ONCE or any(r not in RECIPIENTS for r in chosen):
        raise ServiceError("Select who the report was sent to from the list", "recipients")
    if method not in METHODS:
        raise ServiceError("Select how it was sent", "method")
    if sent_on is None:
        raise ServiceError("Enter the date it was sent", "sent_on")
    if sent_on > _today(now):
        raise ServiceError("The date it was sent must be today or in the past", "sent_on")
    if report.submitted_at is not None and sent_on < london_date(report.submitted_at):
        raise ServiceError("The date it was sent cannot be before the report was submitted", "sent_on")
    detail = (detail or "").strip()
    if len(detail) > 200:
        raise ServiceError("Details must be 200 characters or fewer", "detail")
    entries = [Distribution(report_id=report.id, home_id=report.home_id, recipient=recipient,
                            recipient_detail=detail, method=method, sent_on=sent_on, recorded_by_id=by.id,
                            recorded_at=now)
               for recipient in sorted(chosen, key=list(RECIPIENTS).index)]
    db.session.add_all(entries)
    db.session.flush()
    for entry in entries:
        if entry.recipient == OFSTED:
            obligations.discharge_by_key(STATUTORY_RULE, report.visit.home, visit_key(report.visit),
                                         record=entry, met_at=min(london_day_end(sent_on), now))
    return entries


# ---------------------------------------------------------------- reading: obligations and states


# ---------------------------------------------------------------- dashboards and registers




# ---------------------------------------------------------------- reg 44(2)(b): children's case records

MAX_CHILD_REF = 12
MAX_CHILDREN = 20  # more than any home's registered places (a home has 1 to 50; Reg 44 homes are small)
CHILD_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]*$")


def _case_records_editable(visit: Reg44Visit, by: User) -> None:
    _require_visitor(visit, by)
    if visit.status != VisitStatus.RECORDED:
        raise ServiceError("Record the visit before recording whose case records you looked at")
    if latest_submitted(visit) is not None:
        raise ServiceError("The report has been submitted: the case records it lists are locked with it")


@transactional
def record_case_records(visit: Reg44Visit, *, by: User, child_ref: str, child_consented: bool,
                        authority_consented: bool, records_seen: bool,
                        now: datetime | None = None) -> CaseRecordConsent:
    """One child's case records on the visit: who consented, and whether they were seen.

    Reg 44(2)(b): a child's case records may be inspected only when both the child and the
    placing authority consent, so "seen" without both consents is refused (and the database
    refuses it too). `child_ref` is initials or a reference, never a name.
    """
    _case_records_editable(visit, by)
    ref = " ".join((child_ref or "").split()).upper()
    if not ref:
        raise ServiceError("Enter the child's initials or reference", "child_ref")
    if len(ref) > MAX_CHILD_REF or not CHILD_REF.match(ref):
        raise ServiceError(f"Enter initials or a reference of up to {MAX_CHILD_REF} letters, numbers, "
                           "spaces, full stops, slashes or hyphens, not the child's name", "child_ref")
    if any(c.child_ref == ref for c in visit.case_record_consents):
        raise ServiceError(f"{ref} is already listed for this visit: remove that entry to change it", "child_ref")
    if len(visit.case_record_consents) >= MAX_CHILDREN:
        raise ServiceError(f"A visit can list up to {MAX_CHILDREN} children's case records", "child_ref")
    if records_seen and not (child_consented and authority_consented):
        raise ServiceError("A child's case records can be looked at only with the consent of both the child "
                           "and the placing authority (regulation 44(2)(b))", "records_seen")
    consent = CaseRecordConsent(visit=visit, home_id=visit.home_id, child_ref=ref,
                                child_consented=child_consented, authority_consented=authority_consented,
                                records_seen=records_seen, recorded_by_id=by.id, recorded_at=now or utcnow())
    db.session.add(consent)
    return consent


@transactional
def remove_case_records(visit: Reg44Visit, *, by: User, consent_id: int) -> None:
    _case_records_editable(visit, by)
    consent = next((c for c in visit.case_record_consents if c.id == consent_id), None)
    if consent is None:
        raise ServiceError("That child's case records are not listed for this visit")
    visit.case_record_consents.remove(consent)
    db.session.delete(consent)  # deleted in this flush, so the audit trail sees it
