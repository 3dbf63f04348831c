"""Incidents: record an event, see who must be told by when, record each notification, waive one
(service manager), close the event. Home-scoped: another home's event (or its notification) is 404."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from homes_qa.core.calendar import london_date
from homes_qa.core.incidents import PARAGRAPHS, type_choices
from homes_qa.extensions import db
from homes_qa.incidents import policy, queries, service
from homes_qa.incidents.forms import (
    CaseReviewForm,
    CorrectionForm,
    EventTypeForm,
    ExtendForm,
    IncidentForm,
    NotificationForm,
    OutcomeForm,
    SummaryForm,
    WaiveForm,
)
from homes_qa.incidents.models import Incident, IncidentEventType, SafeguardingSummary
from homes_qa.spine.access import can_see_home, home_or_404, roles_required, visible_homes
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError
from homes_qa.web.forms import ConfirmForm, saved, saved_result

bp = Blueprint("incidents", __name__)


def _incident_or_404(incident_id: int) -> Incident:
    incident = db.session.get(Incident, incident_id)
    if incident is None or not can_see_home(current_user, incident.home_id):
        abort(404)
    return incident


def _url(incident: Incident) -> str:
    return url_for("incidents.incident", incident_id=incident.id)


def _locked(incident: Incident):
    flash("This event is closed and can no longer be changed", "info")
    return redirect(_url(incident), code=303)


@bp.route("/incidents")
@roles_required(*policy.READERS)
def index():
    homes = visible_homes(current_user) if policy.can_record(current_user) else []
    return render_template("incidents/index.html", incidents=queries.incidents_for(current_user), homes=homes,
                           signals=queries.open_signals_for(current_user) if policy.sees_signals(current_user) else [],
                           now=utcnow(),
                           can_record=policy.can_record(current_user),
                           can_summaries=current_user.role in policy.SUMMARY_READERS,
                           case_reviews=queries.case_reviews_due(current_user) if policy.can_review(current_user) else [],
                           title="Incidents and notifications")


@bp.route("/homes/<int:home_id>/incidents/new", methods=["GET", "POST"])
@roles_required(*policy.RECORDERS)
def new(home_id: int):
    home = home_or_404(home_id)
    form = IncidentForm()
    extra = queries.extra_types()
    form.type_code.choices = [(code, label + (" (usually notifiable under Regulation 40)"
                                              if code in {k.code for k in extra if k.notifiable_default} else ""))
                              for code, label in type_choices(extra)]
    signal = (queries.open_signal(home.id, request.args.get("signal", type=int))
              if policy.sees_signals(current_user) else None)
    if request.method == "GET" and signal is not None:
        form.type_code.data = "need_to_know"
    elif request.method == "GET" and request.args.get("type") in dict(form.type_code.choices):
        form.type_code.data = request.args["type"]
        if any(k.code == form.type_code.data and k.notifiable_default for k in extra):
            form.notifiable.data = "yes"
    if form.validate_on_submit():
        incident = saved_result(form, lambda: service.record_incident(
            home, type_code=form.type_code.data or "", occurred_on=form.occurred_on.data,
            occurred_time=form.occurred_time.data, occurred_occurrence=form.occurred_occurrence.data,
            aware_on=form.aware_on.data, aware_time=form.aware_time.data,
            aware_occurrence=form.aware_occurrence.data, children=form.children.data,
            what_happened=form.what_happened.data, action_taken=form.action_taken.data,
            notifiable=form.notifiable_value, paragraph=form.paragraph.data or None,
            ico_reportable=form.ico_value, signal_id=signal.id if signal else None, by=current_user))
        if incident is not None:
            flash("The event has been recorded. Record each notification below as you make it.", "success")
            return redirect(_url(incident), code=303)
    return render_template("incidents/new.html", home=home, form=form, signal=signal, title="Record an event")


def _context(incident: Incident) -> dict:
    now = utcnow()
    rows = queries.deadlines(incident, now)
    return {"incident": incident, "home": incident.home, "deadlines": rows, "now": now,
            "waiting": [row for row in rows if row.is_open],
            "paragraph_label": PARAGRAPHS[incident.paragraph][0] if incident.paragraph in PARAGRAPHS else None,
            "can_record": policy.can_record(current_user), "can_waive": policy.can_waive(current_user),
            "can_close": policy.can_close(current_user),
            "can_correct": current_user.role in policy.CORRECTORS,
            "account": incident.corrections[-1] if incident.corrections else incident,
            "can_extend": current_user.role in policy.EXTENDERS and policy.can_extend(incident),
            "case_review": queries.case_review_state(incident, now) if policy.can_see_case_review(current_user) else None,
            "can_review": policy.can_review(current_user)}


@bp.route("/incidents/<int:incident_id>")
@roles_required(*policy.READERS)
def incident(incident_id: int):
    record = _incident_or_404(incident_id)
    return render_template("incidents/incident.html", confirm=ConfirmForm(), title=record.type_label,
                           **_context(record))


@bp.route("/incidents/<int:incident_id>/deadlines")
@roles_required(*policy.READERS)
def deadlines(incident_id: int):
    """The deadlines table alone: the event page refreshes it with htmx every minute."""
    record = _incident_or_404(incident_id)
    return render_template("incidents/_deadlines.html", **_context(record))


@bp.route("/incidents/<int:incident_id>/notifications/new", methods=["GET", "POST"])
@roles_required(*policy.RECORDERS)
def notify(incident_id: int):
    record = _incident_or_404(incident_id)
    if not record.is_open:
        return _locked(record)
    context = _context(record)
    form = NotificationForm()
    form.rule_code.choices = [(row.obligation.rule_code, row.title) for row in context["waiting"]]
    if not form.rule_code.choices:
        flash("Every required notification has been recorded or waived", "info")
        return redirect(_url(record), code=303)
    if request.method == "GET" and request.args.get("rule") in dict(form.rule_code.choices):
        form.rule_code.data = request.args["rule"]
    if form.validate_on_submit() and saved(form, lambda: service.record_notification(
            record, rule_code=form.rule_code.data or "", recipient=form.recipient.data,
            notified_on=form.notified_on.data, notified_time=form.notified_time.data,
            notified_occurrence=form.notified_occurrence.data, method=form.method.data,
            reference=form.reference.data, late_reason=form.late_reason.data, by=current_user)):
        flash("The notification has been recorded", "success")
        return redirect(_url(record), code=303)
    return render_template("incidents/notify.html", form=form, title="Record a notification", **context)


@bp.route("/incidents/<int:incident_id>/waive", methods=["GET", "POST"])
@roles_required(*policy.WAIVERS)
def waive(incident_id: int):
    record = _incident_or_404(incident_id)
    if not record.is_open:
        return _locked(record)
    context = _context(record)
    form = WaiveForm()
    form.rule_code.choices = [(row.obligation.rule_code, row.title) for row in context["waiting"]]
    if not form.rule_code.choices:
        flash("Every required notification has been recorded or waived", "info")
        return redirect(_url(record), code=303)
    if request.method == "GET" and request.args.get("rule") in dict(form.rule_code.choices):
        form.rule_code.data = request.args["rule"]
    if form.validate_on_submit() and saved(form, lambda: service.waive_notification(
            record, rule_code=form.rule_code.data or "", reason=form.reason.data, by=current_user)):
        flash(f"Waived: {dict(form.rule_code.choices)[form.rule_code.data]}", "success")
        return redirect(_url(record), code=303)
    return render_template("incidents/waive.html", form=form, title="Waive a notification", **context)


@bp.route("/incidents/<int:incident_id>/outcome", methods=["GET", "POST"])
@roles_required(*policy.RECORDERS)
def outcome(incident_id: int):
    """Reg 40(4)(d) second stage: the outcome is known, so Ofsted must be told it."""
    record = _incident_or_404(incident_id)
    if not record.is_open:
        return _locked(record)
    if not record.two_stage or record.outcome_known_at is not None:
        flash("Only a child protection enquiry whose outcome is not yet recorded has a second stage", "info")
        return redirect(_url(record), code=303)
    form = OutcomeForm()
    if form.validate_on_submit() and saved(form, lambda: service.record_outcome(
            record, outcome_on=form.outcome_on.data, outcome_time=form.outcome_time.data,
            outcome_occurrence=form.outcome_occurrence.data, outcome=form.outcome.data, by=current_user)):
        flash("The outcome has been recorded. Tell Ofsted, quoting their reference.", "success")
        return redirect(_url(record), code=303)
    return render_template("incidents/outcome.html", form=form, title="Record the outcome of the enquiry",
                           ofsted_reference=service.ofsted_reference(record), **_context(record))


@bp.route("/incidents/<int:incident_id>/extend", methods=["GET", "POST"])
@roles_required(*policy.EXTENDERS)
def extend(incident_id: int):
    """A complex subject access request: two more months, with the reason."""
    record = _incident_or_404(incident_id)
    if not record.is_open:
        return _locked(record)
    if not policy.can_extend(record):
        flash("Only a subject access request not yet extended can be extended", "info")
        return redirect(_url(record), code=303)
    form = ExtendForm()
    if form.validate_on_submit() and saved(form, lambda: service.extend_sar(
            record, reason=form.reason.data, by=current_user)):
        flash("The request has been extended by two months", "success")
        return redirect(_url(record), code=303)
    return render_template("incidents/extend.html", form=form, title="Extend a subject access request",
                           **_context(record))


@bp.route("/incidents/<int:incident_id>/close", methods=["POST"])
@roles_required(*policy.CLOSERS)
def close(incident_id: int):
    record = _incident_or_404(incident_id)
    if not record.is_open:
        return _locked(record)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if saved(form, lambda: service.close_incident(record, by=current_user)):
        flash("The event is closed and locked", "success")
        return redirect(_url(record), code=303)
    return render_template("incidents/incident.html", confirm=form, form=form, title=record.type_label,
                           **_context(record))


# ---------------------------------------------------------------- the weekly safeguarding summary

def _summary_or_404(summary_id: int) -> SafeguardingSummary:
    summary = db.session.get(SafeguardingSummary, summary_id)
    if summary is None or not policy.can_see_summary(current_user, summary):
        abort(404)
    return summary


@bp.route("/safeguarding-summaries")
@roles_required(*policy.SUMMARY_READERS)
def summaries():
    """A service manager's weeks (this one and the last, then every summary written);
    the head of service's list of every submitted summary, read or not."""
    now = utcnow()
    if current_user.role in policy.SUMMARY_WRITERS:
        this_week = queries.week_start_of(london_date(now))
        weeks = [(week, queries.summary_for(current_user.id, week))
                 for week in (this_week, this_week - timedelta(weeks=1))]
        return render_template("incidents/summaries.html", weeks=weeks, mine=queries.summaries_of(current_user),
                               rows=None, title="Weekly safeguarding summaries")
    return render_template("incidents/summaries.html", weeks=None, mine=None,
                           rows=queries.submitted_summaries(current_user), title="Weekly safeguarding summaries")


@bp.route("/safeguarding-summaries/week/<week>", methods=["GET", "POST"])
@roles_required(*policy.SUMMARY_WRITERS)
def summary_week(week: str):
    """Write (or go on writing) the week's summary; submitting locks it."""
    try:
        week_start = date.fromisoformat(week)
    except ValueError:
        abort(404)
    now = utcnow()
    try:
        service.check_week(week_start, now)
    except ServiceError:
        abort(404)
    summary = queries.summary_for(current_user.id, week_start)
    if summary is not None and summary.is_submitted:
        return redirect(url_for("incidents.summary", summary_id=summary.id), code=303)
    form = SummaryForm(obj=summary)
    if form.validate_on_submit():
        submit = bool(form.submit.data)
        saved_summary = saved_result(form, lambda: service.save_summary(
            current_user, week_start, themes=form.themes.data, learning=form.learning.data,
            actions=form.actions.data, submit=submit))
        if saved_summary is not None:
            flash("The summary has been submitted to the head of service" if submit
                  else "The draft has been saved", "success")
            target = ("incidents.summary", {"summary_id": saved_summary.id}) if submit else (
                "incidents.summary_week", {"week": week_start.isoformat()})
            return redirect(url_for(target[0], **target[1]), code=303)
    return render_template("incidents/summary_edit.html", form=form, week_start=week_start,
                           week_end=week_start + timedelta(days=6), summary=summary,
                           figures=queries.week_figures(current_user, week_start, now),
                           title="Weekly safeguarding summary")


@bp.route("/safeguarding-summaries/<int:summary_id>")
@roles_required(*policy.SUMMARY_READERS)
def summary(summary_id: int):
    record = _summary_or_404(summary_id)
    if not record.is_submitted:
        return redirect(url_for("incidents.summary_week", week=record.week_start.isoformat()), code=303)
    read_by_me = any(read.reader_id == current_user.id for read in record.reads)
    return render_template("incidents/summary.html", summary=record, figures=record.figures or {},
                           read_by_me=read_by_me, confirm=ConfirmForm(),
                           can_mark=current_user.role in policy.SUMMARY_MARKERS,
                           title="Weekly safeguarding summary")


@bp.route("/safeguarding-summaries/<int:summary_id>/read", methods=["POST"])
@roles_required(*policy.SUMMARY_MARKERS)
def summary_read(summary_id: int):
    record = _summary_or_404(summary_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if saved(form, lambda: service.mark_summary_read(record, by=current_user)):
        flash("Marked as read", "success")
    return redirect(url_for("incidents.summaries"), code=303)


@bp.route("/incidents/<int:incident_id>/correct", methods=["GET", "POST"])
@roles_required(*policy.CORRECTORS)
def correct(incident_id: int):
    """A closed event is never edited: a correction of its account is a new version with a reason."""
    record = _incident_or_404(incident_id)
    current = record.corrections[-1] if record.corrections else record
    form = CorrectionForm(obj=current if request.method == "GET" else None)
    if request.method == "GET":
        form.reason.data = ""
    if form.validate_on_submit() and saved(form, lambda: service.correct_incident(
            record, children=form.children.data, what_happened=form.what_happened.data,
            action_taken=form.action_taken.data, reason=form.reason.data, by=current_user)):
        flash("The correction has been saved as a new version; earlier versions are kept", "success")
        return redirect(_url(record), code=303)
    return render_template("incidents/correct.html", form=form, title="Correct the account of the event",
                           **_context(record))


# ---------------------------------------------------------------- QA case review after a need-to-know

@bp.route("/incidents/<int:incident_id>/case-review", methods=["GET", "POST"])
@roles_required(*policy.CASE_REVIEWERS)
def case_review(incident_id: int):
    """The QA lead records the case review a need-to-know asks for (seed 004)."""
    record = _incident_or_404(incident_id)
    context = _context(record)
    state = context["case_review"]
    if state is None or state.obligation is None or not state.obligation.is_open:
        flash("No case review is waiting for this event", "info")
        return redirect(_url(record), code=303)
    form = CaseReviewForm()
    if form.validate_on_submit() and saved(form, lambda: service.record_case_review(
            record, reviewed_on=form.reviewed_on.data, findings=form.findings.data, learning=form.learning.data,
            by=current_user)):
        flash("The case review has been recorded", "success")
        return redirect(_url(record) + "#case-review", code=303)
    return render_template("incidents/case_review.html", form=form, title="Record the QA case review", **context)


# ---------------------------------------------------------------- event types the organisation adds

@bp.route("/incidents/event-types")
@roles_required(*policy.TYPE_ADMINS)
def event_types():
    from homes_qa.core.incidents import EVENT_TYPES
    rules = {rule.code: rule.title for rule in queries.choosable_rules()}
    return render_template("incidents/event_types.html", built_in=EVENT_TYPES, rules=rules,
                           custom=queries.organisation_types(include_inactive=True), confirm=ConfirmForm(),
                           title="Event types")


@bp.route("/incidents/event-types/new", methods=["GET", "POST"])
@roles_required(*policy.TYPE_ADMINS)
def new_event_type():
    form = EventTypeForm()
    form.rules.choices = [(rule.code, rule.title) for rule in queries.choosable_rules()]
    if form.validate_on_submit() and saved(form, lambda: service.add_event_type(
            label=form.label.data, notifiable_default=form.notifiable_value, rules=list(form.rules.data or []),
            source=form.source.data, by=current_user)):
        flash(f"Added the event type: {(form.label.data or '').strip()}", "success")
        return redirect(url_for("incidents.event_types"), code=303)
    return render_template("incidents/event_type_new.html", form=form, title="Add an event type")


@bp.route("/incidents/event-types/<int:type_id>/active", methods=["POST"])
@roles_required(*policy.TYPE_ADMINS)
def event_type_active(type_id: int):
    kind = db.session.get(IncidentEventType, type_id)
    if kind is None:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    active = not kind.active
    if saved(form, lambda: service.set_event_type_active(kind, active=active, by=current_user)):
        flash(f"{kind.label}: " + ("offered again on the record-an-event form" if active
                                   else "no longer offered (events already recorded keep it)"), "success")
    return redirect(url_for("incidents.event_types"), code=303)
