"""Regulation 45 reviews: start (gathers evidence), write, complete (locks), record sent to
Ofsted; a printable page. Home-scoped: another home's review is 404."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from homes_qa.core.calendar import london_date
from homes_qa.extensions import db
from homes_qa.reg45 import policy, queries, service
from homes_qa.reg45.forms import CompleteReviewForm, NarrativeForm, SentToOfstedForm, StartReviewForm
from homes_qa.reg45.models import Reg45Review
from homes_qa.spine.access import can_see_home, home_or_404, roles_required
from homes_qa.spine.people.models import User
from homes_qa.spine.timestamps import utcnow
from homes_qa.web.forms import ConfirmForm, saved, saved_result

bp = Blueprint("reg45", __name__)
T = TypeVar("T")


def _review_or_404(review_id: int) -> Reg45Review:
    review = db.session.get(Reg45Review, review_id)
    if review is None or not can_see_home(current_user, review.home_id):
        abort(404)
    return review


def _review_url(review: Reg45Review) -> str:
    return url_for("reg45.review", review_id=review.id)


def _locked(review: Reg45Review):
    flash("This review is completed and can no longer be changed", "info")
    return redirect(_review_url(review), code=303)


@bp.route("/homes/<int:home_id>/reg45")
@roles_required(*policy.READERS)
def index(home_id: int):
    home = home_or_404(home_id)
    now = utcnow()
    due = [(o, queries.drift_label(o, now)) for o in queries.open_obligations(home, "reg45_review")]
    reviews = queries.reviews_for(home.id)
    return render_template("reg45/index.html", home=home, reviews=reviews, due=due,
                           draft=queries.draft_in(reviews), can_author=current_user.role in policy.AUTHORS,
                           status_labels=queries.STATUS_LABELS, title=f"Regulation 45 reviews for {home.name}")


@bp.route("/homes/<int:home_id>/reg45/new", methods=["GET", "POST"])
@roles_required(*policy.AUTHORS)
def start(home_id: int):
    home = home_or_404(home_id)
    draft = queries.draft_for(home.id)
    if draft is not None:
        flash("There is already a review in progress for this home", "info")
        return redirect(_review_url(draft), code=303)
    start_on, end_on = queries.default_period(london_date(utcnow()))
    form = StartReviewForm(data={"period_start": start_on, "period_end": end_on})
    if form.validate_on_submit():
        review = saved_result(form, lambda: service.start_review(home, period_start=form.period_start.data,
                                                                 period_end=form.period_end.data, by=current_user))
        if review is not None:
            flash("The review has started. The period's evidence has been gathered below.", "success")
            return redirect(url_for("reg45.edit", review_id=review.id), code=303)
    return render_template("reg45/start.html", home=home, form=form, title="Start a Regulation 45 review")


def _context(review: Reg45Review) -> dict:
    now = utcnow()
    ofsted = queries.ofsted_obligation(review)
    author = db.session.get(User, review.author_id)
    return {"review": review, "home": review.home, "evidence": review.evidence_summary or {},
            "author": author.name if author else "", "status_labels": queries.STATUS_LABELS,
            "ofsted": ofsted, "ofsted_label": queries.drift_label(ofsted, now) if ofsted else None,
            "can_author": current_user.role in policy.AUTHORS}


@bp.route("/reg45/<int:review_id>")
@roles_required(*policy.READERS)
def review(review_id: int):
    review = _review_or_404(review_id)
    return render_template("reg45/review.html", confirm=ConfirmForm(), title="Regulation 45 review",
                           **_context(review))


@bp.route("/reg45/<int:review_id>/print")
@roles_required(*policy.READERS)
def print_review(review_id: int):
    review = _review_or_404(review_id)
    return render_template("reg45/print.html", title=f"Regulation 45 review — {review.home.name}",
                           **_context(review))


@bp.route("/reg45/<int:review_id>/edit", methods=["GET", "POST"])
@roles_required(*policy.AUTHORS)
def edit(review_id: int):
    review = _review_or_404(review_id)
    if review.status != queries.DRAFT:
        return _locked(review)
    form = NarrativeForm(obj=review)
    if form.validate_on_submit() and saved(form, lambda: service.save_narrative(
            review, quality_of_care=form.quality_of_care.data or "", improvements=form.improvements.data or "",
            children_views=form.children_views.data or "", by=current_user)):
        flash("Your review has been saved", "success")
        return redirect(_review_url(review), code=303)
    return render_template("reg45/edit.html", form=form, confirm=ConfirmForm(), title="Write the review",
                           **_context(review))


@bp.route("/reg45/<int:review_id>/evidence", methods=["POST"])
@roles_required(*policy.AUTHORS)
def refresh_evidence(review_id: int):
    review = _review_or_404(review_id)
    if review.status != queries.DRAFT:
        return _locked(review)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.refresh_evidence(review, by=current_user)
    flash("The evidence has been gathered again from the latest records", "success")
    return redirect(_review_url(review), code=303)


@bp.route("/reg45/<int:review_id>/complete", methods=["GET", "POST"])
@roles_required(*policy.AUTHORS)
def complete(review_id: int):
    review = _review_or_404(review_id)
    if review.status != queries.DRAFT:
        return _locked(review)
    form = CompleteReviewForm(data={"completed_on": london_date(utcnow())})
    if form.validate_on_submit() and saved(
            form, lambda: service.complete_review(review, completed_on=form.completed_on.data, by=current_user)):
        flash(f"The review is completed and locked. Send a copy to Ofsted within {queries.deadline_words()['ofsted']}.", "success")
        return redirect(_review_url(review), code=303)
    return render_template("reg45/complete.html", form=form, title="Complete the review", **_context(review))


@bp.route("/reg45/<int:review_id>/sent-to-ofsted", methods=["GET", "POST"])
@roles_required(*policy.AUTHORS)
def sent_to_ofsted(review_id: int):
    review = _review_or_404(review_id)
    if review.status != queries.COMPLETED or review.sent_to_ofsted_on is not None:
        flash("Only a completed review not yet recorded as sent can be recorded as sent to Ofsted", "info")
        return redirect(_review_url(review), code=303)
    form = SentToOfstedForm(data={"sent_on": london_date(utcnow())})
    if form.validate_on_submit() and saved(
            form, lambda: service.record_sent_to_ofsted(review, sent_on=form.sent_on.data, by=current_user)):
        flash("Recorded: the review was sent to Ofsted", "success")
        return redirect(_review_url(review), code=303)
    return render_template("reg45/sent_to_ofsted.html", form=form, title="Record that the review was sent to Ofsted",
                           **_context(review))


# ---------------------------------------------------------------- the evidence snapshot stores ISO text

def _from_iso(value: str | None, parse: Callable[[str], T], show: Callable[[T], str]) -> str:
    """Stored ISO text shown in words; empty stays empty, and text that does not parse is shown as it is."""
    if not value:
        return ""
    try:
        return show(parse(value))
    except ValueError:
        return value


@bp.app_template_filter("iso_long_date")
def iso_long_date(value: str | None) -> str:
    from datetime import date

    from homes_qa.core.formats import long_date
    return _from_iso(value, date.fromisoformat, long_date)


@bp.app_template_filter("london_gathered")
def london_gathered(value: str | None) -> str:
    from datetime import datetime

    from homes_qa.core.formats import london_datetime
    return _from_iso(value, datetime.fromisoformat, london_datetime)


@bp.context_processor
def reg45_deadlines():
    """Pages explain the cycle in the rule table's own terms, so an edited rule reads right."""
    return {"reg45_words": queries.deadline_words()}
