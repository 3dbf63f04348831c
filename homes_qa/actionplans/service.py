"""The action plan after a Reg 44 report (seed 002 §7.1: proposed by the home manager,
approved by the service manager).

For each recommendation of the visit's latest submitted report the registered manager accepts
(with an action, an owner and a due date) or declines (with a reason). Submitting discharges the
`reg44_recommendation_response` obligations (key `rec:<id>`). The service manager approves, or
returns the plan with comments; a returned plan is edited and submitted again. Approval turns
each accepted action into an `action_complete` obligation (key `reg44action:<response id>`, due
at the end of its due date) that drifts and escalates like any other; marking the action
complete discharges it. Every call is one transaction: nothing is saved half-way.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from homes_qa.actionplans.models import ACCEPT, DECISIONS, ActionPlan, ActionPlanResponse, PlanStatus
from homes_qa.actionplans.policy import EDITORS, REVIEWERS, can_complete
from homes_qa.actionplans.queries import action_key, plan_for, responses_by_recommendation
from homes_qa.core.calendar import london_date, london_day_end
from homes_qa.extensions import db
from homes_qa.reg44.models import Reg44Recommendation, Reg44Report, ReportStatus
from homes_qa.reg44.queries import RECOMMENDATION_RULE, recommendation_key
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.people.models import User
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError, transactional


@dataclass
class Proposal:
    """The manager's answer to one recommendation, as typed."""

    recommendation_id: int
    decision: str | None
    action: str = ""
    owner: str = ""
    due_on: date | None = None
    decline_reason: str = ""


def check_proposal(proposal: Proposal, today: date) -> dict[str, str]:
    """Problems with one answer, by field name ('decision', 'action', 'owner', 'due_on', 'decline_reason')."""
    problems: dict[str, str] = {}
    if proposal.decision not in DECISIONS:
        problems["decision"] = "Select whether you accept or decline this recommendation"
        return problems
    if proposal.decision == ACCEPT:
        if not proposal.action.strip():
            problems["action"] = "Enter the action you will take"
        elif len(proposal.action) > 2000:
            problems["action"] = "Action must be 2000 characters or fewer"
        if not proposal.owner.strip():
            problems["owner"] = "Enter who will do the action"
        elif len(proposal.owner.strip()) > 120:
            problems["owner"] = "Owner must be 120 characters or fewer"
        if proposal.due_on is None:
            problems["due_on"] = "Enter the date the action will be done by"
        elif proposal.due_on <= today:
            problems["due_on"] = "The due date must be in the future"
    else:
        if not proposal.decline_reason.strip():
            problems["decline_reason"] = "Enter the reason for declining this recommendation"
        elif len(proposal.decline_reason) > 2000:
            problems["decline_reason"] = "Reason must be 2000 characters or fewer"
    return problems


def _require_role(user: User, roles: tuple[str, ...], message: str) -> None:
    if user.role not in roles:
        raise ServiceError(message)


@transactional
def submit_plan(report: Reg44Report, proposals: list[Proposal], *, by: User,
                now: datetime | None = None) -> ActionPlan:
    """Propose (or re-propose after a return) the plan for a submitted report."""
    now = now or utcnow()
    _require_role(by, EDITORS, "Only the registered manager proposes the action plan")
    if report.status != ReportStatus.SUBMITTED:
        raise ServiceError("The report has not been submitted yet")
    plan = plan_for(report)
    if plan is not None and plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        raise ServiceError("This action plan has already been submitted")
    recommendations = list(report.recommendations)
    if not recommendations:
        raise ServiceError("The report has no recommendations to respond to")
    by_rec = {p.recommendation_id: p for p in proposals}
    if set(by_rec) != {rec.id for rec in recommendations}:
        raise ServiceError("Answer every recommendation")
    today = london_date(now)
    for rec in recommendations:
        problems = check_proposal(by_rec[rec.id], today)
        if problems:
            field, message = next(iter(problems.items()))
            raise ServiceError(f"Recommendation {rec.number}: {message}", f"{field}_{rec.id}")
    if plan is None:
        plan = ActionPlan(report_id=report.id, home_id=report.home_id)
        db.session.add(plan)
    existing = responses_by_recommendation(plan)
    for rec in recommendations:
        proposal = by_rec[rec.id]
        assert proposal.decision is not None  # every proposal was checked for a decision
        response = existing.get(rec.id)
        if response is None:
            response = ActionPlanResponse(recommendation_id=rec.id, home_id=report.home_id)
            plan.responses.append(response)
        response.decision = proposal.decision
        accept = proposal.decision == ACCEPT
        response.action = proposal.action.strip() if accept else ""
        response.owner = proposal.owner.strip() if accept else ""
        new_due = proposal.due_on if accept else None
        if (response.due_on is not None and new_due is not None and new_due != response.due_on
                and response.original_due_on is None):
            response.original_due_on = response.due_on  # the first date proposed is kept when it moves
        response.due_on = new_due
        response.decline_reason = "" if accept else proposal.decline_reason.strip()
    plan.status = PlanStatus.SUBMITTED
    plan.proposed_by_id = by.id
    plan.proposed_at = now
    db.session.flush()
    home = report.visit.home
    for rec in recommendations:
        obligations.discharge_by_key("reg44_recommendation_response", home, f"rec:{rec.id}",
                                     record=plan, met_at=now)
    return plan


def _check_reviewable(plan: ActionPlan, by: User) -> None:
    _require_role(by, REVIEWERS, "Only a service manager or head of service approves action plans")
    if plan.status != PlanStatus.SUBMITTED:
        raise ServiceError("This action plan is not waiting for approval")


@transactional
def return_plan(plan: ActionPlan, *, comments: str, by: User, now: datetime | None = None) -> ActionPlan:
    """Send the plan back to the manager with what must change."""
    now = now or utcnow()
    _check_reviewable(plan, by)
    comments = (comments or "").strip()
    if not comments:
        raise ServiceError("Enter what the manager needs to change", "comments")
    if len(comments) > 2000:
        raise ServiceError("Comments must be 2000 characters or fewer", "comments")
    plan.status = PlanStatus.RETURNED
    plan.reviewer_comments = comments
    plan.reviewed_by_id = by.id
    plan.reviewed_at = now
    return plan


@transactional
def approve_plan(plan: ActionPlan, *, comments: str = "", by: User, now: datetime | None = None) -> ActionPlan:
    """Approve: each accepted action becomes an `action_complete` obligation due on its date."""
    now = now or utcnow()
    _check_reviewable(plan, by)
    comments = (comments or "").strip()
    if len(comments) > 2000:
        raise ServiceError("Comments must be 2000 characters or fewer", "comments")
    plan.status = PlanStatus.APPROVED
    plan.reviewer_comments = comments
    plan.reviewed_by_id = by.id
    plan.reviewed_at = now
    home = db.session.get_one(Reg44Report, plan.report_id).visit.home
    for response in plan.responses:
        if response.decision != ACCEPT:
            continue
        number = response.recommendation.number
        obligations.obligation_for_event(
            "action_complete", home, now, key=action_key(response), target=response.due_on, subject=response,
            label=f"Reg 44 action (recommendation {number}): {response.action[:150]}")
    return plan


@transactional
def complete_action(response: ActionPlanResponse, *, completed_on: date | None, by: User,
                    now: datetime | None = None) -> ActionPlanResponse:
    """The manager records an approved action as done: its obligation is met (or met late)."""
    now = now or utcnow()
    _require_role(by, EDITORS, "Only the registered manager marks actions complete")
    if not can_complete(response):
        raise ServiceError("This action cannot be marked complete")
    if completed_on is None:
        raise ServiceError("Enter the date the action was completed", "completed_on")
    if completed_on > london_date(now):
        raise ServiceError("The date it was completed must be today or in the past", "completed_on")
    proposed = response.plan.proposed_at
    if proposed is not None and completed_on < london_date(proposed):
        raise ServiceError("The date it was completed must be on or after the plan was proposed", "completed_on")
    response.completed_on = completed_on
    db.session.flush()
    home = response.recommendation.report.visit.home
    obligations.discharge_by_key("action_complete", home, action_key(response), record=response,
                                 met_at=min(london_day_end(completed_on), now))
    return response




MAX_DECIDE_BY_DAYS = 366  # a moved decide-by date is at most a year from today


@transactional
def move_decide_by(recommendation: Reg44Recommendation, *, decide_by: date | None, reason: str, by: User,
                   now: datetime | None = None) -> Reg44Recommendation:
    """Reg 44(5): a service manager agrees a new date for the registered person's decision.

    The first date is kept (`original_decide_by`) however often it moves; the response
    obligation moves with it. Once the manager has proposed the plan the decision is made,
    so the date can no longer move.
    """
    now = now or utcnow()
    _require_role(by, REVIEWERS, "Only a service manager or head of service changes the decide-by date")
    plan = plan_for(recommendation.report)
    if plan is not None and plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        raise ServiceError("The registered person has already decided on this recommendation")
    if recommendation.decide_by is None:
        raise ServiceError("This recommendation has no decide-by date to move")
    today = london_date(now)
    if decide_by is None:
        raise ServiceError("Enter the new decide-by date", "decide_by")
    if decide_by < today:
        raise ServiceError("The new decide-by date must be today or in the future", "decide_by")
    if decide_by > today + timedelta(days=MAX_DECIDE_BY_DAYS):
        raise ServiceError("The new decide-by date must be within a year", "decide_by")
    if decide_by == recommendation.decide_by:
        raise ServiceError("The new decide-by date must differ from the current one", "decide_by")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Enter why the date is moving", "reason")
    if len(reason) > 2000:
        raise ServiceError("The reason must be 2000 characters or fewer", "reason")
    if recommendation.original_decide_by is None:
        recommendation.original_decide_by = recommendation.decide_by
    recommendation.decide_by = decide_by
    recommendation.decide_by_reason = reason
    obligation = obligations.find(RECOMMENDATION_RULE, recommendation.report.visit.home,
                                  recommendation_key(recommendation))
    if obligation is not None and obligation.is_open:
        obligations.move_due(obligation, london_day_end(decide_by))
    return recommendation
