"""Regulation 45 reads: reviews of a home, the evidence for a period, its deadlines in words."""
from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

from dateutil.relativedelta import relativedelta
from flask import url_for
from sqlalchemy import Select, select

from homes_qa.actionplans import queries as action_plans_queries
from homes_qa.actionplans.models import DECLINE, PlanStatus
from homes_qa.core.calendar import london_day_end, london_day_start
from homes_qa.core.drift import classify
from homes_qa.extensions import db
from homes_qa.feedback import queries as feedback_queries
from homes_qa.feedback.models import FeedbackResponse
from homes_qa.incidents import queries as incidents_queries
from homes_qa.reg44.models import Opinion, Reg44Visit, VisitStatus
from homes_qa.reg45.models import Reg45Review, ReviewStatus
from homes_qa.reg45.policy import READERS
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.rules.service import rule_by_code

DRAFT = ReviewStatus.DRAFT
COMPLETED = ReviewStatus.COMPLETED
STATUS_LABELS = {DRAFT: "In progress", COMPLETED: "Completed"}


REVIEW_RULE = "reg45_review"
OFSTED_RULE = "reg45_report_to_ofsted"


def _span(timing) -> str:
    """'6 months', '28 days': a rule's interval in words, for pages that explain the deadline."""
    unit = timing.unit or "days"
    return f"{timing.amount} {unit[:-1] if timing.amount == 1 else unit}"


def deadline_words() -> dict[str, str]:
    """The review cycle and the time to send the review to Ofsted, as the rule table sets them.
    Both rules in one query (every page of the area says them)."""
    rules = {rule.code: rule for rule in db.session.scalars(_deadline_rules())}
    review = rules.get(REVIEW_RULE) or rule_by_code(REVIEW_RULE)  # (filled on first use)
    ofsted = rules.get(OFSTED_RULE) or rule_by_code(OFSTED_RULE)
    return {"review": _span(review.timing_value), "ofsted": _span(ofsted.timing_value)}


@cache
def _deadline_rules() -> Select[Rule]:
    return select(Rule).where(Rule.code.in_((REVIEW_RULE, OFSTED_RULE)))


def default_period(today: date) -> tuple[date, date]:
    """One review cycle (as the rule table sets it), ending today."""
    timing = rule_by_code(REVIEW_RULE).timing_value
    assert timing.unit is not None  # a cadence always has a unit
    cycle: dict[str, Any] = {timing.unit: timing.amount}
    return today - relativedelta(**cycle) + relativedelta(days=1), today


def reviews_for(home_id: int) -> list[Reg45Review]:
    return list(db.session.scalars(select(Reg45Review).where(Reg45Review.home_id == home_id)
                                   .order_by(Reg45Review.period_end.desc(), Reg45Review.id.desc())))


def draft_in(reviews: list[Reg45Review]) -> Reg45Review | None:
    """The review in progress among a home's reviews already read (there is at most one)."""
    return next((review for review in reviews if review.status == DRAFT), None)


def draft_for(home_id: int) -> Reg45Review | None:
    return db.session.scalar(select(Reg45Review).where(Reg45Review.home_id == home_id,
                                                        Reg45Review.status == DRAFT))


def open_obligations(home: Home, rule_code: str) -> list[Obligation]:
    return list(db.session.scalars(select(Obligation).where(
        Obligation.rule_code == rule_code, Obligation.home_id == home.id,
        Obligation.status == ObligationStatus.OPEN).order_by(Obligation.due_at)))


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
        report = action_plans_queries.latest_submitted_report(visit)
        row: dict[str, Any] = {"visit_id": visit.id, "visited_on": _iso(visit.visited_on), "announced": visit.announced,
               "visitor": visit.visitor.name if visit.visitor else "", "report_version": None,
               "safeguarded": "No submitted report", "wellbeing": "No submitted report", "findings": "",
               "plan_status": None, "recommendations": []}
        if report is not None:
            plan = action_plans_queries.plan_for(report)
            by_rec = action_plans_queries.responses_by_recommendation(plan)
            row.update(report_version=report.version,
                       safeguarded=Opinion.LABELS.get(report.safeguarded_opinion or "", "Not given"),
                       wellbeing=Opinion.LABELS.get(report.wellbeing_opinion or "", "Not given"),
                       findings=report.findings,
                       plan_status=action_plans_queries.STATUS_LABELS.get(plan.status if plan else None))
            for rec in report.recommendations:
                totals["recommendations"] += 1
                response = by_rec.get(rec.id)
                item = {"number": rec.number, "text": rec.text, "response": "No response yet",
                        "action": "", "owner": "", "due_on": None, "status": "Awaiting a response"}
                if response is None or plan is None or plan.status == PlanStatus.DRAFT:
                    totals["awaiting_response"] += 1
                elif response.decision == DECLINE:
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
        "feedback": feedback_queries.summarise(list(responses)),
        "incidents": incidents_queries.evidence_for_period(home.id, london_day_start(start), london_day_end(end)),
    }


def ofsted_obligation(review: Reg45Review) -> Obligation | None:
    return db.session.scalar(select(Obligation).where(
        Obligation.rule_code == OFSTED_RULE, Obligation.home_id == review.home_id,
        Obligation.period_key == f"reg45:{review.id}"))


def drift_label(obligation: Obligation, now: datetime) -> str:
    return classify(obligation.due_at, now, obligation.ladder_value, obligation.due_soon_days,
                    met_at=obligation.met_at, waived=obligation.status == ObligationStatus.WAIVED).label


def home_links(user: User, home: Home) -> list[dict[str, str]]:
    """For the home page: the home's Regulation 45 reviews, for those who may see them."""
    if user.role not in READERS:
        return []
    return [{"href": url_for("reg45.index", home_id=home.id), "text": "Regulation 45 reviews",
             "hint": "the six-monthly review of the quality of care"}]
