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
    check_and_send(report, by=, now=)                                    -> Reg44Report
    record_distribution(report, by=, recipient=, detail=, method=, sent_on=, now=) -> Distribution

Reading (scoped to what a user may see):
    visible_visits(user, home_ids=None), can_view_visit(user, visit), can_edit_visit(user, visit)
    home_summaries(user, now), register(home, user, now), workload(user, now)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import selectinload

from homes_qa.core.calendar import LONDON, london_date, london_day_end, london_day_start, to_utc
from homes_qa.core.drift import DriftState, classify
from homes_qa.core.timing import due_at as timing_due_at
from homes_qa.core.timing import due_for_period, period_containing
from homes_qa.extensions import db
from homes_qa.reg44.models import (
    Distribution,
    Opinion,
    Reg44Recommendation,
    Reg44Report,
    Reg44Visit,
    ReportStatus,
    VisitStatus,
)
from homes_qa.spine.access import visible_home_ids_query
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import Assignment, Home, Role, User
from homes_qa.spine.rules.service import rule_by_code
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError

VISIT_RULE = "reg44_visit"
REPORT_RULES = ("reg44_report_complete", "reg44_report_sent", "reg44_report_statutory")
FEEDBACK_RULES = ("young_people_feedback_pre_visit", "professional_feedback_pre_visit")
RECOMMENDATION_RULE = "reg44_recommendation_response"

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
                   "wellbeing_narrative", "findings", "conflict_of_interest")


class NotAllowed(ServiceError):
    """The user may see the record but not do this to it (the web layer answers 403)."""


def visit_key(visit: Reg44Visit) -> str:
    return f"visit:{visit.id}"


def recommendation_key(recommendation: Reg44Recommendation) -> str:
    return f"rec:{recommendation.id}"


# ---------------------------------------------------------------- who may do what

def can_view_visit(user: User, visit: Reg44Visit) -> bool:
    """Scoped to the home; home staff never see an unannounced visit before it is recorded."""
    if not user.sees_all_homes and db.session.scalar(select(Assignment.id).where(
            Assignment.user_id == user.id, Assignment.home_id == visit.home_id)) is None:
        return False
    if user.role == Role.REGISTERED_MANAGER:
        return _visible_to_home_staff(visit)
    return True


def _assigned(user: User, home: Home) -> bool:
    return db.session.scalar(select(Assignment.id).where(
        Assignment.user_id == user.id, Assignment.home_id == home.id)) is not None


def _visible_to_home_staff(visit: Reg44Visit) -> bool:
    if visit.status == VisitStatus.RECORDED:
        return True
    return visit.status == VisitStatus.PLANNED and visit.announced


def can_edit_visit(user: User, visit: Reg44Visit) -> bool:
    """Only the visit's own visitor, while still assigned to the home."""
    return (user.role == Role.REG44_VISITOR and visit.visitor_id == user.id
            and can_view_visit(user, visit))


def _require_visitor(visit: Reg44Visit, by: User) -> None:
    if not can_edit_visit(by, visit):
        raise NotAllowed("Only the visitor who made this visit can do this")


def _visit_visibility_clause(user: User):
    if user.role == Role.REGISTERED_MANAGER:
        return or_(Reg44Visit.status == VisitStatus.RECORDED,
                   (Reg44Visit.status == VisitStatus.PLANNED) & Reg44Visit.announced.is_(True))
    return true()


def visible_visits(user: User, home_ids: list[int] | None = None):
    """A select of the visits the user may see (optionally in the given homes)."""
    stmt = select(Reg44Visit).where(_visit_visibility_clause(user))
    if not user.sees_all_homes:
        stmt = stmt.where(Reg44Visit.home_id.in_(visible_home_ids_query(user)))
    if home_ids is not None:
        stmt = stmt.where(Reg44Visit.home_id.in_(home_ids))
    return stmt


def can_read_report(user: User, visit: Reg44Visit, report: Reg44Report) -> bool:
    """Submitted versions: anyone who can see the visit. A draft: only its visitor."""
    if not can_view_visit(user, visit):
        return False
    return report.is_locked or can_edit_visit(user, visit)


def can_check(user: User) -> bool:
    return user.role in (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN)


def can_distribute(user: User, visit: Reg44Visit) -> bool:
    return can_check(user) or can_edit_visit(user, visit)


# ---------------------------------------------------------------- instants

def _today(now: datetime) -> date:
    return london_date(now)


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


def long_day(d: date) -> str:
    """'Mon 2 Nov 2026'."""
    return f"{d:%a} {d.day} {d:%b %Y}"


# ---------------------------------------------------------------- planning

def plan_visit(*, home: Home, visitor: User, planned_for: date, announced: bool,
               now: datetime | None = None) -> Reg44Visit:
    """Plan a visit; the pre-visit feedback obligations fall due before the planned date.

    An unannounced plan's obligations are hidden from home staff until the visit is recorded.
    """
    now = now or utcnow()
    if visitor.role != Role.REG44_VISITOR or not _assigned(visitor, home):
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
    db.session.commit()
    return visit


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
    db.session.commit()
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
        if by.role != Role.REG44_VISITOR or not _assigned(by, home):
            raise NotAllowed("Only a Regulation 44 visitor assigned to the home can record a visit")
        visit = Reg44Visit(home=home, visitor_id=by.id, status=VisitStatus.PLANNED,
                           announced=details.announced)
        db.session.add(visit)
    else:
        _require_visitor(visit, by)
        if visit.status != VisitStatus.PLANNED:
            raise ServiceError("This visit has already been recorded")
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
    for code in REPORT_RULES:
        obligations.obligation_for_event(code, home, instant, key=visit_key(visit), subject=visit,
                                         label=f"visit on {long_day(details.visited_on)}")
    # The visit is no longer a secret: its feedback obligations become visible to home staff.
    _move_feedback(visit, details.visited_on, label=f"visit on {long_day(details.visited_on)}", hidden=False)
    db.session.commit()
    return visit


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

def latest_report(visit: Reg44Visit) -> Reg44Report | None:
    return visit.reports[-1] if visit.reports else None


def latest_submitted(visit: Reg44Visit) -> Reg44Report | None:
    submitted = [r for r in visit.reports if r.is_locked]
    return submitted[-1] if submitted else None


def current_draft(visit: Reg44Visit) -> Reg44Report | None:
    report = latest_report(visit)
    return report if report is not None and not report.is_locked else None


def report_version(visit: Reg44Visit, version: int) -> Reg44Report | None:
    return next((r for r in visit.reports if r.version == version), None)


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
    db.session.commit()
    return draft


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
    db.session.commit()
    return rec


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
    db.session.commit()


def submission_problems(report: Reg44Report) -> list[tuple[str, str]]:
    """What stops the draft being submitted, as (field, message) in page order."""
    problems = []
    if report.safeguarded_opinion not in Opinion.LABELS:
        problems.append(("safeguarded_opinion", "Select whether children are effectively safeguarded"))
    elif report.safeguarded_opinion != Opinion.YES and not report.safeguarded_narrative.strip():
        problems.append(("safeguarded_narrative", "Explain your opinion on safeguarding"))
    if report.wellbeing_opinion not in Opinion.LABELS:
        problems.append(("wellbeing_opinion",
                         "Select whether the conduct of the home promotes children's well-being"))
    elif report.wellbeing_opinion != Opinion.YES and not report.wellbeing_narrative.strip():
        problems.append(("wellbeing_narrative", "Explain your opinion on children's well-being"))
    for rec in report.recommendations:
        if not rec.text.strip():
            problems.append((f"rec_{rec.id}_text", f"Enter recommendation {rec.number} or remove it"))
    return problems


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
    db.session.commit()
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
    for rec in report.recommendations:
        label = f"recommendation {rec.number} after the visit on {long_day(visit.visited_on)}"
        if rec.id in carried:
            obligation, old = carried[rec.id]
            first_submitted = london_date(obligation.due_at) - timedelta(days=old.consider_within_days)
            obligation.period_key = recommendation_key(rec)
            obligation.subject_id = rec.id
            obligations.move_due(obligation, london_day_end(
                first_submitted + timedelta(days=rec.consider_within_days)))
            _relabel(obligation, label)
            continue
        obligations.obligation_for_event(
            RECOMMENDATION_RULE, visit.home, now, key=recommendation_key(rec), subject=rec, label=label,
            target=_today(now) + timedelta(days=rec.consider_within_days))


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
    draft = Reg44Report(visit=visit, home_id=visit.home_id, version=last.version + 1,
                        status=ReportStatus.DRAFT, author_id=by.id, correction_reason=reason,
                        **{name: getattr(last, name) for name in EDITABLE_FIELDS})
    db.session.add(draft)
    for rec in last.recommendations:
        draft.recommendations.append(Reg44Recommendation(
            home_id=visit.home_id, number=rec.number, text=rec.text,
            consider_within_days=rec.consider_within_days))
    draft.updated_at = now
    db.session.commit()
    return draft


def check_and_send(report: Reg44Report, *, by: User, now: datetime | None = None) -> Reg44Report:
    """The service manager has checked the submitted report and sent it to senior managers."""
    now = now or utcnow()
    if not can_check(by):
        raise NotAllowed("Only a service manager can check and send a report")
    if not report.is_locked:
        raise ServiceError("Only a submitted report can be checked and sent")
    if report.checked_at is not None:
        raise ServiceError("This version has already been checked and sent")
    report.checked_by_id = by.id
    report.checked_at = now
    db.session.flush()
    obligations.discharge_by_key("reg44_report_sent", report.visit.home, visit_key(report.visit),
                                 record=report, met_at=now)
    db.session.commit()
    return report


def record_distribution(report: Reg44Report, *, by: User, recipient: str, detail: str, method: str,
                        sent_on: date, now: datetime | None = None) -> Distribution:
    """Log who the report was sent to; sending it to Ofsted meets the statutory deadline."""
    now = now or utcnow()
    if not can_distribute(by, report.visit):
        raise NotAllowed("You cannot record where this report was sent")
    if not report.is_locked:
        raise ServiceError("Only a submitted report can be sent")
    if recipient not in RECIPIENTS:
        raise ServiceError("Select who the report was sent to", "recipient")
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
    entry = Distribution(report_id=report.id, home_id=report.home_id, recipient=recipient,
                         recipient_detail=detail, method=method, sent_on=sent_on, recorded_by_id=by.id,
                         recorded_at=now)
    db.session.add(entry)
    db.session.flush()
    if recipient == OFSTED:
        obligations.discharge_by_key("reg44_report_statutory", report.visit.home, visit_key(report.visit),
                                     record=entry, met_at=min(london_day_end(sent_on), now))
    db.session.commit()
    return entry


def distributions(visit: Reg44Visit) -> list[Distribution]:
    ids = [r.id for r in visit.reports]
    if not ids:
        return []
    return list(db.session.scalars(select(Distribution).where(Distribution.report_id.in_(ids))
                                   .order_by(Distribution.sent_on, Distribution.id)))


def recorded_by_names(entries: list[Distribution]) -> dict[int, str]:
    ids = {e.recorded_by_id for e in entries}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


# ---------------------------------------------------------------- reading: obligations and states

def visit_obligations(visit: Reg44Visit, user: User) -> list[Obligation]:
    """The deadlines this visit carries (report, sending, feedback), as the user may see them."""
    stmt = select(Obligation).where(Obligation.home_id == visit.home_id,
                                    Obligation.period_key == visit_key(visit),
                                    Obligation.subject_type == "Reg44Visit",
                                    Obligation.subject_id == visit.id)
    if user.role == Role.REGISTERED_MANAGER:
        stmt = stmt.where(Obligation.hidden_from_home_staff.is_(False))
    return list(db.session.scalars(stmt.order_by(Obligation.due_at)))


def state_of(obligation: Obligation, now: datetime) -> DriftState:
    return classify(obligation.due_at, now, obligation.ladder_value, obligation.due_soon_days,
                    met_at=obligation.met_at, waived=obligation.status == ObligationStatus.WAIVED)


def open_recommendations_by_visit(home_ids: list[int]) -> dict[int, int]:
    """visit id -> number of recommendations whose response deadline is still open."""
    if not home_ids:
        return {}
    rows = db.session.execute(
        select(Reg44Report.visit_id, func.count(Obligation.id))
        .join(Reg44Recommendation, Reg44Recommendation.report_id == Reg44Report.id)
        .join(Obligation, (Obligation.rule_code == RECOMMENDATION_RULE)
              & (Obligation.subject_type == "Reg44Recommendation")
              & (Obligation.subject_id == Reg44Recommendation.id))
        .where(Obligation.status == ObligationStatus.OPEN, Obligation.home_id.in_(home_ids))
        .group_by(Reg44Report.visit_id)).all()
    return {visit_id: count for visit_id, count in rows}


def report_status_label(visit: Reg44Visit) -> str:
    if visit.status != VisitStatus.RECORDED:
        return "Visit not yet made"
    report = latest_report(visit)
    if report is None:
        return "Not started"
    if report.is_locked:
        words = "Submitted" if report.version == 1 else f"Submitted (version {report.version})"
        if report.checked_at is not None:
            words += ", checked and sent"
        return words
    if latest_submitted(visit) is not None:
        return f"Correction in draft (version {report.version})"
    return "Draft"


# ---------------------------------------------------------------- dashboards and registers

@dataclass
class HomeMonth:
    """One home's Reg 44 position this month, as shown on the dashboard and home page."""

    home: Home
    month_label: str
    due_at: datetime
    state: DriftState
    recorded: list[Reg44Visit] = field(default_factory=list)  # visits made this month
    planned: list[Reg44Visit] = field(default_factory=list)   # plans the user may see
    last_visit: Reg44Visit | None = None
    open_recommendations: int = 0
    reports_to_write: list[Reg44Visit] = field(default_factory=list)


def _month_obligations(home_ids: list[int], key: str) -> dict[int, Obligation]:
    if not home_ids:
        return {}
    rows = db.session.scalars(select(Obligation).where(
        Obligation.rule_code == VISIT_RULE, Obligation.period_key == key, Obligation.home_id.in_(home_ids)))
    return {o.home_id: o for o in rows}


def _unsubmitted_clause():
    """Recorded visits with no submitted version of the report yet."""
    submitted = select(Reg44Report.id).where(Reg44Report.visit_id == Reg44Visit.id,
                                             Reg44Report.status == ReportStatus.SUBMITTED)
    return (Reg44Visit.status == VisitStatus.RECORDED) & ~submitted.exists()


def open_recommendations_by_home(home_ids: list[int]) -> dict[int, int]:
    if not home_ids:
        return {}
    return dict(db.session.execute(
        select(Obligation.home_id, func.count(Obligation.id)).where(
            Obligation.rule_code == RECOMMENDATION_RULE, Obligation.status == ObligationStatus.OPEN,
            Obligation.home_id.in_(home_ids)).group_by(Obligation.home_id)).all())


def home_summaries(user: User, homes: list[Home], now: datetime | None = None) -> list[HomeMonth]:
    """This month's visit due, the latest visit, open recommendations, per home.

    A fixed number of queries whatever the history: this month's and planned visits, each
    home's latest visit, reports not yet submitted, and counts.
    """
    now = now or utcnow()
    if not homes:
        return []
    home_ids = [h.id for h in homes]
    rule = rule_by_code(VISIT_RULE)
    period = period_containing(rule.timing_value, now)
    due = due_for_period(period)
    month_obligations = _month_obligations(home_ids, period.key)
    scoped = visible_visits(user, home_ids)
    current = list(db.session.scalars(scoped.where(or_(
        Reg44Visit.status == VisitStatus.PLANNED,
        (Reg44Visit.status == VisitStatus.RECORDED) & Reg44Visit.visited_on.between(period.start, period.end)))
        .order_by(Reg44Visit.visited_on, Reg44Visit.planned_for, Reg44Visit.id)))
    latest_day = (select(Reg44Visit.home_id, func.max(Reg44Visit.visited_on).label("day"))
                  .where(Reg44Visit.home_id.in_(home_ids), Reg44Visit.status == VisitStatus.RECORDED)
                  .group_by(Reg44Visit.home_id).subquery())
    last_visits: dict[int, Reg44Visit] = {}
    for v in db.session.scalars(select(Reg44Visit).join(
            latest_day, (latest_day.c.home_id == Reg44Visit.home_id) & (latest_day.c.day == Reg44Visit.visited_on))
            .where(Reg44Visit.status == VisitStatus.RECORDED).order_by(Reg44Visit.id)):
        last_visits[v.home_id] = v
    unsubmitted = scoped.where(_unsubmitted_clause())
    if user.role == Role.REG44_VISITOR:
        unsubmitted = unsubmitted.where(Reg44Visit.visitor_id == user.id)
    to_write = list(db.session.scalars(unsubmitted.order_by(Reg44Visit.visited_on)))
    open_recs = open_recommendations_by_home(home_ids)
    summaries = []
    for home in homes:
        obligation = month_obligations.get(home.id)
        if obligation is not None:
            state, due_at = state_of(obligation, now), obligation.due_at
        else:
            state, due_at = classify(due, now, rule.ladder_value, rule.due_soon_days), due
        mine = [v for v in current if v.home_id == home.id]
        summaries.append(HomeMonth(
            home=home, month_label=f"{period.start:%B %Y}" if period.start.day == 1 else period.key,
            due_at=due_at, state=state,
            recorded=[v for v in mine if v.status == VisitStatus.RECORDED],
            planned=sorted([v for v in mine if v.status == VisitStatus.PLANNED],
                           key=lambda v: v.planned_for or date.max),
            last_visit=last_visits.get(home.id),
            open_recommendations=open_recs.get(home.id, 0),
            reports_to_write=[v for v in to_write if v.home_id == home.id]))
    return summaries


@dataclass
class RegisterVisit:
    visit: Reg44Visit
    report_status: str
    report: Reg44Report | None  # latest submitted version
    open_recommendations: int


@dataclass
class RegisterMonth:
    start: date
    label: str
    state: DriftState | None  # the month's visit obligation, if one was made
    visits: list[RegisterVisit]


def register(home: Home, user: User, now: datetime | None = None, months: int = 12) -> list[RegisterMonth]:
    """The last `months` calendar months (newest first): each month's visits, reports and opinions."""
    now = now or utcnow()
    rule = rule_by_code(VISIT_RULE)
    timing = rule.timing_value
    periods = []
    period = period_containing(timing, now)
    for _ in range(months):
        periods.append(period)
        period = period_containing(timing, period.start - timedelta(days=1))
    oldest = periods[-1].start
    visits = list(db.session.scalars(
        visible_visits(user, [home.id]).where(Reg44Visit.status == VisitStatus.RECORDED,
                                              Reg44Visit.visited_on >= oldest)
        .options(selectinload(Reg44Visit.reports)).order_by(Reg44Visit.visited_on)))
    obligations_by_key = {o.period_key: o for o in db.session.scalars(select(Obligation).where(
        Obligation.rule_code == VISIT_RULE, Obligation.home_id == home.id,
        Obligation.period_key.in_([p.key for p in periods])))}
    open_recs = open_recommendations_by_visit([home.id])
    rows = []
    for period in periods:
        obligation = obligations_by_key.get(period.key)
        in_month = [v for v in visits if period.start <= v.visited_on <= period.end]
        rows.append(RegisterMonth(
            start=period.start, label=f"{period.start:%B %Y}" if period.start.day == 1 else period.key,
            state=state_of(obligation, now) if obligation is not None else None,
            visits=[RegisterVisit(v, report_status_label(v), latest_submitted(v), open_recs.get(v.id, 0))
                    for v in in_month]))
    return rows


@dataclass
class VisitorWorkload:
    visitor: User
    homes: list[Home]
    visited_this_month: list[Home]
    planned_this_month: int
    visits_this_month: int
    reports_outstanding: int
    reports_overdue: int

    @property
    def still_to_visit(self) -> list[Home]:
        done = {h.id for h in self.visited_this_month}
        return [h for h in self.homes if h.id not in done]


def workload(user: User, now: datetime | None = None) -> list[VisitorWorkload]:
    """Per visitor across their homes: visits this month and reports outstanding.

    A visitor sees their own row; a service manager the visitors of their homes (counting
    those homes only); senior roles everyone. Only this month's and unfinished visits are read.
    """
    now = now or utcnow()
    rule = rule_by_code(VISIT_RULE)
    period = period_containing(rule.timing_value, now)
    stmt = (select(Assignment).join(User, User.id == Assignment.user_id)
            .where(User.role == Role.REG44_VISITOR, User.active.is_(True))
            .options(selectinload(Assignment.user), selectinload(Assignment.home)))
    if user.role == Role.REG44_VISITOR:
        stmt = stmt.where(Assignment.user_id == user.id)
    elif not user.sees_all_homes:
        stmt = stmt.where(Assignment.home_id.in_(visible_home_ids_query(user)))
    assignments = list(db.session.scalars(stmt))
    by_visitor: dict[int, tuple[User, list[Home]]] = {}
    for a in assignments:
        by_visitor.setdefault(a.user_id, (a.user, []))[1].append(a.home)
    if not by_visitor:
        return []
    in_month = lambda column: column.between(period.start, period.end)  # noqa: E731
    visits = list(db.session.scalars(select(Reg44Visit).where(
        Reg44Visit.visitor_id.in_(by_visitor),
        or_((Reg44Visit.status == VisitStatus.RECORDED) & in_month(Reg44Visit.visited_on),
            (Reg44Visit.status == VisitStatus.PLANNED) & in_month(Reg44Visit.planned_for),
            _unsubmitted_clause()))))
    overdue_ids = set(db.session.scalars(select(Obligation.subject_id).where(
        Obligation.rule_code == "reg44_report_complete", Obligation.status == ObligationStatus.OPEN,
        Obligation.subject_type == "Reg44Visit", Obligation.subject_id.in_([v.id for v in visits]),
        Obligation.due_at < now))) if visits else set()
    unsubmitted_ids = set(db.session.scalars(select(Reg44Visit.id).where(
        Reg44Visit.id.in_([v.id for v in visits]), _unsubmitted_clause()))) if visits else set()
    rows = []
    for visitor_id, (visitor, homes) in by_visitor.items():
        home_ids = {h.id for h in homes}
        mine = [v for v in visits if v.visitor_id == visitor_id and v.home_id in home_ids]
        this_month = [v for v in mine if v.status == VisitStatus.RECORDED
                      and period.start <= v.visited_on <= period.end]
        outstanding = [v for v in mine if v.id in unsubmitted_ids]
        visited_ids = {v.home_id for v in this_month}
        rows.append(VisitorWorkload(
            visitor=visitor, homes=sorted(homes, key=lambda h: h.name),
            visited_this_month=sorted([h for h in homes if h.id in visited_ids], key=lambda h: h.name),
            planned_this_month=len([v for v in mine if v.status == VisitStatus.PLANNED]),
            visits_this_month=len(this_month), reports_outstanding=len(outstanding),
            reports_overdue=len([v for v in outstanding if v.id in overdue_ids])))
    return sorted(rows, key=lambda r: r.visitor.name)
