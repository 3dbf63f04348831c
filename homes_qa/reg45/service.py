"""The Regulation 45 review of the quality of care (at least every 6 months; copy to HMCI
within 28 days of completion).

Starting a review gathers the period's evidence into `evidence_summary` (a snapshot: Reg 44
visits with both opinions, findings, recommendations and what became of them, and feedback
counts and highlights). The registered manager writes the narrative and marks it completed:
that records a completion of the floating `reg45_review` rule (which sets the next review due
6 months after the completion date) and makes the `reg45_report_to_ofsted` obligation (28 days,
key `reg45:<id>`), discharged when the date it was sent to Ofsted is recorded. A completed review
is locked.
"""
from __future__ import annotations

from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from homes_qa.actionplans import service as action_plans
from homes_qa.actionplans.models import PlanStatus
from homes_qa.core.calendar import london_date, london_day_end, london_day_start
from homes_qa.core.drift import classify
from homes_qa.extensions import db
from homes_qa.feedback import service as feedback
from homes_qa.feedback.models import FeedbackResponse
from homes_qa.reg44.models import Opinion, Reg44Visit, VisitStatus
from homes_qa.reg45.models import Reg45Review
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import Home, Role, User
from homes_qa.spine.rules.service import rule_by_code
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError

DRAFT = "draft"
COMPLETED = "completed"
STATUS_LABELS = {DRAFT: "In progress", COMPLETED: "Completed"}

AUTHORS = (Role.REGISTERED_MANAGER,)
READERS = (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
NARRATIVE_FIELDS = {
    "quality_of_care": "Enter your view of the quality of care",
    "improvements": "Enter the improvements needed",
    "children_views": "Enter the children's views",
}
MAX_NARRATIVE = 20000


REVIEW_RULE = "reg45_review"
OFSTED_RULE = "reg45_report_to_ofsted"


def _span(timing) -> str:
    """'6 months', '28 days': a rule's interval in words, for pages that explain the deadline."""
    unit = timing.unit or "days"
    return f"{timing.amount} {unit[:-1] if timing.amount == 1 else unit}"


def deadline_words() -> dict[str, str]:
    """The review cycle and the time to send the review to Ofsted, as the rule table sets them."""
    return {"review": _span(rule_by_code(REVIEW_RULE).timing_value),
            "ofsted": _span(rule_by_code(OFSTED_RULE).timing_value)}


def default_period(today: date) -> tuple[date, date]:
    """One review cycle (as the rule table sets it), ending today."""
    timing = rule_by_code(REVIEW_RULE).timing_value
    return today - relativedelta(**{timing.unit: timing.amount}) + relativedelta(days=1), today


def reviews_for(home_id: int) -> list[Reg45Review]:
    return list(db.session.scalars(select(Reg45Review).where(Reg45Review.home_id == home_id)
                                   .order_by(Reg45Review.period_end.desc(), Reg45Review.id.desc())))


def draft_for(home_id: int) -> Reg45Review | None:
    return db.session.scalar(select(Reg45Review).where(Reg45Review.home_id == home_id,
                                                        Reg45Review.status == DRAFT))


def open_obligations(home: Home, rule_code: str) -> list[Obligation]:
    return list(db.session.scalars(select(Obligation).where(
        Obligation.rule_code == rule_code, Obligation.home_id == home.id,
        Obligation.status == ObligationStatus.OPEN).order_by(Obligation.due_at)))


# --------------------------------------------------------------------------- evidence


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def gather_evidence(home: Home, start: date, end: date, now: datetime) -> dict:
    """A snapshot of what the period's records say about the quality of care."""
    visits = db.session.scalars(select(Reg44Visit).where(
        Reg44Visit.home_id == home.id, Reg44Visit.status == VisitStatus.RECORDED,
        Reg44Visit.visited_on >= start, Reg44Visit.visited_on <= end).order_by(Reg44Visit.visited_on)).all()
    visit_rows = []
    totals = {"recommendations": 0, "accepted": 0, "declined": 0, "completed": 0, "open": 0, "overdue": 0,
              "awaiting_response": 0}
    for visit in visits:
        report = action_plans.latest_submitted_report(visit)
        row = {"visit_id": visit.id, "visited_on": _iso(visit.visited_on), "announced": visit.announced,
               "visitor": visit.visitor.name if visit.visitor else "", "report_version": None,
               "safeguarded": "No submitted report", "wellbeing": "No submitted report", "findings": "",
               "plan_status": None, "recommendations": []}
        if report is not None:
            plan = action_plans.plan_for(report)
            by_rec = action_plans.responses_by_recommendation(plan)
            row.update(report_version=report.version,
                       safeguarded=Opinion.LABELS.get(report.safeguarded_opinion, "Not given"),
                       wellbeing=Opinion.LABELS.get(report.wellbeing_opinion, "Not given"),
                       findings=report.findings,
                       plan_status=action_plans.STATUS_LABELS.get(plan.status if plan else None))
            for rec in report.recommendations:
                totals["recommendations"] += 1
                response = by_rec.get(rec.id)
                item = {"number": rec.number, "text": rec.text, "response": "No response yet",
                        "action": "", "owner": "", "due_on": None, "status": "Awaiting a response"}
                if response is None or plan.status == PlanStatus.DRAFT:
                    totals["awaiting_response"] += 1
                elif response.decision == action_plans.DECLINE:
                    totals["declined"] += 1
                    item.update(response="Declined", status=f"Declined: {response.decline_reason}")
                else:
                    totals["accepted"] += 1
                    item.update(response="Accepted", action=response.action, owner=response.owner,
                                due_on=_iso(response.due_on))
                    if response.completed_on is not None:
                        totals["completed"] += 1
                        item["status"] = f"Completed on {response.completed_on:%d %B %Y}"
                    elif plan.status != PlanStatus.APPROVED:
                        totals["open"] += 1
                        item["status"] = "Plan not yet approved"
                    elif response.due_on is not None and london_day_end(response.due_on) < now:
                        totals["overdue"] += 1
                        item["status"] = "Overdue"
                    else:
                        totals["open"] += 1
                        item["status"] = "Open"
                row["recommendations"].append(item)
        visit_rows.append(row)
    responses = db.session.scalars(select(FeedbackResponse).where(
        FeedbackResponse.home_id == home.id,
        FeedbackResponse.submitted_at >= london_day_start(start),
        FeedbackResponse.submitted_at <= london_day_end(end))).all()
    return {
        "gathered_at": now.isoformat(),
        "period_start": _iso(start), "period_end": _iso(end),
        "visits": visit_rows,
        "actions": totals,
        "feedback": feedback.summarise(list(responses)),
    }


# --------------------------------------------------------------------------- changes


def _require_author(by: User) -> None:
    if by.role not in AUTHORS:
        raise ServiceError("Only the registered manager carries out the Regulation 45 review")


def _require_draft(review: Reg45Review) -> None:
    if review.status != DRAFT:
        raise ServiceError("This review is completed and can no longer be changed")


def start_review(home: Home, *, period_start: date | None, period_end: date | None, by: User,
                 now: datetime | None = None) -> Reg45Review:
    now = now or utcnow()
    _require_author(by)
    if draft_for(home.id) is not None:
        raise ServiceError("There is already a review in progress for this home")
    today = london_date(now)
    if period_start is None:
        raise ServiceError("Enter the start of the period", "period_start")
    if period_end is None:
        raise ServiceError("Enter the end of the period", "period_end")
    if period_end > today:
        raise ServiceError("The end of the period must be today or in the past", "period_end")
    if period_start >= period_end:
        raise ServiceError("The start of the period must be before its end", "period_start")
    if period_start < period_end - relativedelta(months=12):
        raise ServiceError("The period must be 12 months or shorter", "period_start")
    review = Reg45Review(home_id=home.id, period_start=period_start, period_end=period_end, status=DRAFT,
                         evidence_summary=gather_evidence(home, period_start, period_end, now),
                         author_id=by.id, created_at=now)
    db.session.add(review)
    db.session.commit()
    return review


def refresh_evidence(review: Reg45Review, *, by: User, now: datetime | None = None) -> Reg45Review:
    now = now or utcnow()
    _require_author(by)
    _require_draft(review)
    review.evidence_summary = gather_evidence(review.home, review.period_start, review.period_end, now)
    db.session.commit()
    return review


def save_narrative(review: Reg45Review, *, quality_of_care: str, improvements: str, children_views: str,
                   by: User) -> Reg45Review:
    _require_author(by)
    _require_draft(review)
    values = {"quality_of_care": quality_of_care, "improvements": improvements, "children_views": children_views}
    for field, value in values.items():
        if len(value or "") > MAX_NARRATIVE:
            raise ServiceError(f"This must be {MAX_NARRATIVE} characters or fewer", field)
        setattr(review, field, (value or "").strip())
    db.session.commit()
    return review


def complete_review(review: Reg45Review, *, completed_on: date | None, by: User,
                    now: datetime | None = None) -> Reg45Review:
    """Lock the review, record the 6-monthly completion and start the 28-day clock for Ofsted."""
    now = now or utcnow()
    _require_author(by)
    _require_draft(review)
    for field, message in NARRATIVE_FIELDS.items():
        if not (getattr(review, field) or "").strip():
            raise ServiceError(f"{message} before completing the review", field)
    if completed_on is None:
        raise ServiceError("Enter the date the review was completed", "completed_on")
    if completed_on > london_date(now):
        raise ServiceError("The date it was completed must be today or in the past", "completed_on")
    if completed_on < review.period_end:
        raise ServiceError("The review cannot be completed before the end of the period it covers", "completed_on")
    home = review.home
    completed_at = min(london_day_end(completed_on), now)
    review.status = COMPLETED
    review.completed_at = completed_at
    db.session.flush()
    obligations.obligation_for_event(
        OFSTED_RULE, home, completed_at, key=f"reg45:{review.id}", subject=review,
        label=f"review of {review.period_start:%d %b %Y} to {review.period_end:%d %b %Y}")
    current = open_obligations(home, REVIEW_RULE)
    # record_completion discharges the current cycle, sets the next one and commits everything.
    obligations.record_completion(
        rule_code=REVIEW_RULE, home=home, done_on=completed_on, by=by, now=now,
        obligation=current[0] if current else None,
        note=f"Regulation 45 review {review.period_start:%d %b %Y} to {review.period_end:%d %b %Y} (review {review.id})")
    return review


def record_sent_to_ofsted(review: Reg45Review, *, sent_on: date | None, by: User,
                          now: datetime | None = None) -> Reg45Review:
    now = now or utcnow()
    _require_author(by)
    if review.status != COMPLETED:
        raise ServiceError("Complete the review before recording that it was sent to Ofsted")
    if review.sent_to_ofsted_on is not None:
        raise ServiceError("The date it was sent to Ofsted has already been recorded")
    if sent_on is None:
        raise ServiceError("Enter the date the review was sent to Ofsted", "sent_on")
    if sent_on > london_date(now):
        raise ServiceError("The date it was sent must be today or in the past", "sent_on")
    if sent_on < london_date(review.completed_at):
        raise ServiceError("The date it was sent must be on or after the date the review was completed", "sent_on")
    review.sent_to_ofsted_on = sent_on
    db.session.flush()
    obligations.discharge_by_key(OFSTED_RULE, review.home, f"reg45:{review.id}", record=review,
                                 met_at=min(london_day_end(sent_on), now))
    db.session.commit()
    return review


def ofsted_obligation(review: Reg45Review) -> Obligation | None:
    return db.session.scalar(select(Obligation).where(
        Obligation.rule_code == OFSTED_RULE, Obligation.home_id == review.home_id,
        Obligation.period_key == f"reg45:{review.id}"))


def drift_label(obligation: Obligation, now: datetime) -> str:
    return classify(obligation.due_at, now, obligation.ladder_value, obligation.due_soon_days,
                    met_at=obligation.met_at, waived=obligation.status == ObligationStatus.WAIVED).label
