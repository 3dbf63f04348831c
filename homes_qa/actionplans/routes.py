"""Reg 44 action plans: the manager proposes, the service manager approves or returns,
the manager marks approved actions complete. Every route is home-scoped (404 outside)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from homes_qa.actionplans import policy, queries, service
from homes_qa.actionplans.forms import CompleteActionForm, DecideByForm, ReviewForm, action_plan_form
from homes_qa.actionplans.models import ACCEPT, ActionPlanResponse, PlanStatus
from homes_qa.core.calendar import london_date
from homes_qa.extensions import db
from homes_qa.reg44.models import Reg44Recommendation, Reg44Visit
from homes_qa.reg44.policy import visit_or_404
from homes_qa.spine.access import home_or_404, roles_required
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.obligations.queries import state_of
from homes_qa.spine.people.models import User
from homes_qa.spine.timestamps import utcnow
from homes_qa.web.forms import saved

bp = Blueprint("actionplans", __name__)


def _plan_url(visit_id: int) -> str:
    return url_for("actionplans.plan", visit_id=visit_id)


def _action_states(plan) -> dict[int, object]:
    """Drift state of each approved action's obligation, by response id."""
    if plan is None or plan.status != PlanStatus.APPROVED:
        return {}
    keys = {queries.action_key(r): r.id for r in plan.responses if r.decision == ACCEPT}
    if not keys:
        return {}
    now = utcnow()
    found = db.session.scalars(select(Obligation).where(
        Obligation.rule_code == "action_complete", Obligation.home_id == plan.home_id,
        Obligation.period_key.in_(list(keys))))
    return {keys[o.period_key]: state_of(o, now) for o in found}


@bp.route("/reg44/homes/<int:home_id>/action-plans")
@roles_required(*policy.READERS)
def index(home_id: int):
    home = home_or_404(home_id)
    rows = queries.plans_for_home(home.id)
    return render_template("actionplans/index.html", home=home, rows=rows, status_labels=queries.STATUS_LABELS,
                           title=f"Reg 44 action plans for {home.name}")


@bp.route("/reg44/visits/<int:visit_id>/action-plan")
@roles_required(*policy.READERS)
def plan(visit_id: int):
    visit = visit_or_404(visit_id)
    return _render_plan(visit, ReviewForm(formdata=None))


def _render_plan(visit: Reg44Visit, review_form: ReviewForm, status: int = 200):
    report = queries.latest_submitted_report(visit)
    action_plan = queries.plan_for(report) if report is not None else None
    names = {}
    if action_plan is not None:
        ids = {action_plan.proposed_by_id, action_plan.reviewed_by_id} - {None}
        names = {user.id: user.name for user in db.session.scalars(select(User).where(User.id.in_(ids)))}
    return render_template(
        "actionplans/plan.html", visit=visit, report=report, plan=action_plan, names=names,
        responses=queries.responses_by_recommendation(action_plan), status_labels=queries.STATUS_LABELS,
        states=_action_states(action_plan), form=review_form,
        can_edit=(current_user.role in policy.EDITORS and report is not None and bool(report.recommendations)
                  and (action_plan is None or action_plan.status in (PlanStatus.DRAFT, PlanStatus.RETURNED))),
        can_review=(current_user.role in policy.REVIEWERS and action_plan is not None
                    and action_plan.status == PlanStatus.SUBMITTED),
        can_complete=current_user.role in policy.EDITORS,
        can_move_decide_by=(current_user.role in policy.REVIEWERS
                            and (action_plan is None or action_plan.status in (PlanStatus.DRAFT, PlanStatus.RETURNED))),
        title="Action plan"), status


@bp.route("/reg44/visits/<int:visit_id>/action-plan/edit", methods=["GET", "POST"])
@roles_required(*policy.EDITORS)
def edit(visit_id: int):
    visit = visit_or_404(visit_id)
    report = queries.latest_submitted_report(visit)
    if report is None or not report.recommendations:
        flash("There are no recommendations to respond to yet", "info")
        return redirect(_plan_url(visit.id), code=303)
    action_plan = queries.plan_for(report)
    if action_plan is not None and action_plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        flash("This action plan has been submitted and cannot be changed now", "info")
        return redirect(_plan_url(visit.id), code=303)
    recommendations = list(report.recommendations)
    form = action_plan_form(recommendations, queries.responses_by_recommendation(action_plan),
                            london_date(utcnow()))
    if form.validate_on_submit() and saved(
            form, lambda: service.submit_plan(report, form.proposals(), by=current_user)):
        flash("Your action plan has been sent to the service manager for approval", "success")
        return redirect(_plan_url(visit.id), code=303)
    return render_template("actionplans/edit.html", visit=visit, report=report, plan=action_plan,
                           recommendations=recommendations, form=form, title="Propose the action plan")


@bp.route("/reg44/visits/<int:visit_id>/action-plan/review", methods=["POST"])
@roles_required(*policy.REVIEWERS)
def review(visit_id: int):
    visit = visit_or_404(visit_id)
    report = queries.latest_submitted_report(visit)
    action_plan = queries.plan_for(report) if report is not None else None
    if action_plan is None or action_plan.status != PlanStatus.SUBMITTED:
        flash("This action plan is not waiting for approval", "info")
        return redirect(_plan_url(visit.id), code=303)
    form = ReviewForm()
    if form.validate_on_submit():
        approve = form.decision.data == "approve"
        decide = service.approve_plan if approve else service.return_plan
        message = ("The action plan is approved. Its actions are now tracked until they are complete." if approve
                   else "The action plan has been returned to the manager")
        if saved(form, lambda: decide(action_plan, comments=form.comments.data or "", by=current_user)):
            flash(message, "success")
            return redirect(_plan_url(visit.id), code=303)
    return _render_plan(visit, form)


def _response_or_404(response_id: int) -> ActionPlanResponse:
    response = db.session.get(ActionPlanResponse, response_id)
    if response is None:
        abort(404)
    visit_or_404(response.recommendation.report.visit_id)  # home scope
    return response


@bp.route("/reg44/actions/<int:response_id>/complete", methods=["GET", "POST"])
@roles_required(*policy.EDITORS)
def complete_action(response_id: int):
    response = _response_or_404(response_id)
    visit_id = response.recommendation.report.visit_id
    if not policy.can_complete(response):
        flash("This action cannot be marked complete", "info")
        return redirect(_plan_url(visit_id), code=303)
    form = CompleteActionForm()
    if form.validate_on_submit() and saved(
            form, lambda: service.complete_action(response, completed_on=form.completed_on.data, by=current_user)):
        flash(f"Action for recommendation {response.recommendation.number} marked as complete", "success")
        return redirect(_plan_url(visit_id), code=303)
    return render_template("actionplans/complete.html", response=response, visit_id=visit_id, form=form,
                           title="Mark an action as complete")


@bp.route("/reg44/recommendations/<int:recommendation_id>/decide-by", methods=["GET", "POST"])
@roles_required(*policy.REVIEWERS)
def move_decide_by(recommendation_id: int):
    recommendation = db.session.get(Reg44Recommendation, recommendation_id)
    if recommendation is None:
        abort(404)
    visit = visit_or_404(recommendation.report.visit_id)  # home scope
    form = DecideByForm()
    if form.validate_on_submit() and saved(form, lambda: service.move_decide_by(
            recommendation, decide_by=form.decide_by.data, reason=form.reason.data or "", by=current_user)):
        flash(f"The decide-by date for recommendation {recommendation.number} has changed", "success")
        return redirect(_plan_url(visit.id), code=303)
    return render_template("actionplans/decide_by.html", recommendation=recommendation, visit=visit, form=form,
                           title="Change the decide-by date")
