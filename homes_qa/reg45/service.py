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

from homes_qa.core.calendar import london_date, london_day_end
from homes_qa.extensions import db
from homes_qa.reg45.models import Reg45Review
from homes_qa.reg45.policy import AUTHORS
from homes_qa.reg45.queries import (
    COMPLETED,
    DRAFT,
    OFSTED_RULE,
    REVIEW_RULE,
    draft_for,
    gather_evidence,
    open_obligations,
)
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError, transactional

NARRATIVE_FIELDS = {
    "quality_of_care": "Enter your view of the quality of care",
    "improvements": "Enter the improvements needed",
    "children_views": "Enter the children's views",
}
MAX_NARRATIVE = 20000


# --------------------------------------------------------------------------- evidence


# --------------------------------------------------------------------------- changes


def _require_author(by: User) -> None:
    if by.role not in AUTHORS:
        raise ServiceError("Only the registered manager carries out the Regulation 45 review")


def _require_draft(review: Reg45Review) -> None:
    if review.status != DRAFT:
        raise ServiceError("This review is completed and can no longer be changed")


@transactional
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
    return review


@transactional
def refresh_evidence(review: Reg45Review, *, by: User, now: datetime | None = None) -> Reg45Review:
    now = now or utcnow()
    _require_author(by)
    _require_draft(review)
    review.evidence_summary = gather_evidence(review.home, review.period_start, review.period_end, now)
    return review


@transactional
def save_narrative(review: Reg45Review, *, quality_of_care: str, improvements: str, children_views: str,
                   by: User) -> Reg45Review:
    _require_author(by)
    _require_draft(review)
    values = {"quality_of_care": quality_of_care, "improvements": improvements, "children_views": children_views}
    for field, value in values.items():
        if len(value or "") > MAX_NARRATIVE:
            raise ServiceError(f"This must be {MAX_NARRATIVE} characters or fewer", field)
        setattr(review, field, (value or "").strip())
    return review


@transactional
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
    # record_completion discharges the current cycle and sets the next one, in this unit of work.
    obligations.record_completion(
        rule_code=REVIEW_RULE, home=home, done_on=completed_on, by=by, now=now,
        obligation=current[0] if current else None,
        note=f"Regulation 45 review {review.period_start:%d %b %Y} to {review.period_end:%d %b %Y} (review {review.id})")
    return review


@transactional
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
    assert review.completed_at is not None  # set when the review was completed
    if sent_on < london_date(review.completed_at):
        raise ServiceError("The date it was sent must be on or after the date the review was completed", "sent_on")
    review.sent_to_ofsted_on = sent_on
    db.session.flush()
    obligations.discharge_by_key(OFSTED_RULE, review.home, f"reg45:{review.id}", record=review,
                                 met_at=min(london_day_end(sent_on), now))
    return review


