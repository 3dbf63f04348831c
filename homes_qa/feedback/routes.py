"""Pre-visit feedback: staff make links and read answers; young people and professionals
answer through a link that needs no account and says nothing about the home or the visit."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from homes_qa.extensions import db, limiter
from homes_qa.feedback import policy, queries, questions, service
from homes_qa.feedback.forms import NewLinksForm, NoneReceivedForm, StaffEntryForm, form_for
from homes_qa.feedback.models import FeedbackAudience
from homes_qa.reg44.models import Reg44Visit
from homes_qa.reg44.policy import visit_or_404
from homes_qa.spine.access import roles_required
from homes_qa.spine.people.models import User
from homes_qa.spine.timestamps import utcnow
from homes_qa.web.forms import saved, saved_result

bp = Blueprint("feedback", __name__)


def _private(response):
    """Pages that show secrets or personal answers: never cached, never indexed."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _readable_visit(visit_id: int) -> Reg44Visit:
    visit = visit_or_404(visit_id)
    if not policy.can_read(current_user, visit):
        abort(404)
    return visit


def _requestable_visit(visit_id: int) -> Reg44Visit:
    visit = visit_or_404(visit_id)
    if not policy.can_request(current_user, visit):
        abort(404)
    return visit


# ---------------------------------------------------------------- staff pages

@bp.route("/reg44/visits/<int:visit_id>/feedback")
@roles_required(*policy.READERS)
def visit_feedback(visit_id: int):
    visit = _readable_visit(visit_id)
    now = utcnow()
    requests = queries.requests_for(visit)
    responses = queries.responses_for(current_user, visit)
    enterers = {r.entered_by_id for r in responses if r.entered_by_id} | {r.created_by_id for r in requests}
    names = {user.id: user.name for user in db.session.scalars(select(User).where(User.id.in_(enterers)))}
    return _private(make_response(render_template(
        "feedback/visit.html", visit=visit, requests=requests, responses=responses, names=names,
        states={r.id: queries.request_state(r, now) for r in requests},
        hidden_anonymous=queries.hidden_anonymous_count(current_user, visit),
        can_request=policy.can_request(current_user, visit), questions=questions.QUESTIONS,
        can_record_none=policy.can_record_none(current_user, visit),
        gathered=queries.gathered_states(visit),
        answer_label=questions.answer_label, audiences=FeedbackAudience.LABELS,
        title="Feedback before the visit")))


@bp.route("/reg44/visits/<int:visit_id>/feedback/links/new", methods=["GET", "POST"])
@roles_required(*policy.REQUESTERS)
def new_links(visit_id: int):
    visit = _requestable_visit(visit_id)
    form = NewLinksForm()
    if form.validate_on_submit():
        count = form.count.data
        assert count is not None  # a required field: set once the form validates
        issued = saved_result(form, lambda: service.create_links(
            visit, audience=form.audience.data, label=form.label.data or "", count=count, by=current_user))
        if issued is not None:
            # Shown once, in this response: only the tokens' hashes are stored, so they cannot be
            # shown again later (and they never go into the session cookie).
            base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
            links = [{"label": link.request.label, "expires_at": link.request.expires_at,
                      "url": base + url_for("feedback.respond", token=link.token)} for link in issued]
            return _private(make_response(render_template(
                "feedback/links_created.html", visit=visit, links=links,
                audience=FeedbackAudience.LABELS[form.audience.data], title="Copy the links now")))
    return render_template("feedback/new_links.html", visit=visit, form=form, title="Create feedback links")


@bp.route("/reg44/visits/<int:visit_id>/feedback/young-person/new", methods=["GET", "POST"])
@roles_required(*policy.REQUESTERS)
def enter_for_young_person(visit_id: int):
    visit = _requestable_visit(visit_id)
    form = StaffEntryForm()
    if form.validate_on_submit() and saved(form, lambda: service.enter_for_young_person(
            visit, form.answers(), anonymous=form.anonymous, respondent=form.respondent.data or "", by=current_user)):
        flash("The young person's answers have been saved", "success")
        return redirect(url_for("feedback.visit_feedback", visit_id=visit.id), code=303)
    return _private(make_response(render_template(
        "feedback/enter.html", visit=visit, form=form, title="Enter a young person's answers")))


@bp.route("/reg44/visits/<int:visit_id>/feedback/none", methods=["GET", "POST"])
@roles_required(*policy.QA_LEAD)
def none_received(visit_id: int):
    """The QA lead records that no feedback came from young people or professionals, and why."""
    visit = visit_or_404(visit_id)
    if not policy.can_record_none(current_user, visit):
        abort(404)
    form = NoneReceivedForm()
    if form.validate_on_submit() and saved(form, lambda: service.record_none_received(
            visit, audience=form.audience.data, reason=form.reason.data, by=current_user)):
        flash(f"Recorded that no feedback came from {FeedbackAudience.LABELS[form.audience.data].lower()}",
              "success")
        return redirect(url_for("feedback.visit_feedback", visit_id=visit.id), code=303)
    return render_template("feedback/none_received.html", visit=visit, form=form,
                           title="Record that no feedback came")


# ---------------------------------------------------------------- the public link (no account)

_PROBLEMS = {
    "unknown": (404, "This link is not recognised"),
    "used": (410, "This link has already been used"),
    "expired": (410, "This link has expired"),
    "closed": (410, "This link is no longer in use"),
}


def _link_problem(reason: str):
    status, title = _PROBLEMS[reason]
    return _private(make_response(render_template("feedback/link_problem.html", reason=reason, title=title),
                                  status))


@bp.route("/feedback/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def respond(token: str):
    """Answer the questionnaire. Reveals nothing about the home, the visit or other answers."""
    try:
        request_ = service.request_for_token(token)
    except service.LinkProblem as problem:
        return _link_problem(problem.reason)
    audience = request_.audience
    form = form_for(audience)
    if form.validate_on_submit():
        try:
            if saved(form, lambda: service.submit_via_link(token, form.answers(), anonymous=form.anonymous,
                                                           respondent=form.respondent.data or "")):
                return redirect(url_for("feedback.thank_you"), code=303)
        except service.LinkProblem as problem:
            return _link_problem(problem.reason)
    return _private(make_response(render_template(
        "feedback/respond.html", form=form, audience=audience, title="Tell us what you think")))


@bp.route("/feedback/thank-you")
def thank_you():
    return _private(make_response(render_template("feedback/thank_you.html", title="Thank you")))
