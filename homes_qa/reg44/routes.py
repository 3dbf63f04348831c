"""Regulation 44 pages: dashboard, register, plan and record a visit, write and send the report.

Scoping: a record in a home the user is not assigned to is a 404 (as is an unannounced plan
for home staff); a record the user may see but not change is a 403.
"""
from __future__ import annotations

import re
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from homes_qa.core.calendar import london_date
from homes_qa.core.formats import deadline, london_clock, long_day
from homes_qa.core.roles import NOT_HOME_STAFF, Role
from homes_qa.extensions import db
from homes_qa.reg44 import policy, queries, service
from homes_qa.reg44.forms import (
    CaseRecordsForm,
    CorrectionForm,
    DistributionForm,
    PlanVisitForm,
    RecordVisitForm,
    ReturnForm,
    SubmitReportForm,
    report_form_for,
)
from homes_qa.reg44.models import Reg44Visit, VisitStatus
from homes_qa.spine.access import home_or_404, roles_required
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError
from homes_qa.web.forms import ConfirmForm, apply_service_error, saved, saved_result

bp = Blueprint("visits", __name__, url_prefix="/reg44")

VISITOR = (Role.REG44_VISITOR,)
CHECKERS = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN)
_REC_FIELD = re.compile(r"^rec_(\d+)_(text|days)$")
SEARCH_MAX = 100  # characters of the homes search that are used (the box allows as many)


# ---------------------------------------------------------------- lookups

def _visit_or_404(visit_id: int) -> Reg44Visit:
    visit = db.session.get(Reg44Visit, visit_id)
    if visit is None or not policy.can_view_visit(current_user, visit):
        abort(404)
    return visit


def _own_visit(visit_id: int) -> Reg44Visit:
    """The visit, for its own visitor only: 404 outside the user's homes, 403 for someone else's."""
    visit = _visit_or_404(visit_id)
    if not policy.can_edit_visit(current_user, visit):
        abort(403)
    return visit


def _in_words(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _refused(error: ServiceError):
    if isinstance(error, service.NotAllowed):
        abort(403)


def _turned_back(visit: Reg44Visit, message: str, page: str = "visits.visit_detail"):
    """Back to the visit (or, with `page`, its report), saying why this cannot be done now."""
    flash(message, "error")
    return redirect(url_for(page, visit_id=visit.id), code=303)


bp.add_app_template_filter(london_clock)  # '14:05' in Europe/London
bp.add_app_template_filter(deadline)  # 'by end of Thu 31 Dec 2026'; 'by Mon 7 Dec 2026, 14:05'


@bp.app_template_filter("long_date_plus")
def long_date_plus(value, days: int) -> str:
    """The London date of an instant plus a number of days, in words ('Mon 7 Dec 2026')."""
    return long_day(london_date(value) + timedelta(days=days))


@bp.app_template_filter("paragraphs")
def paragraphs(text: str | None) -> Markup:
    """Plain text as GOV.UK paragraphs: a blank line starts a paragraph, a newline is a line break."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")) if b.strip()]
    return Markup("").join(
        Markup('<p class="govuk-body">{}</p>').format(Markup("<br>").join(block.split("\n"))) for block in blocks)


@bp.app_context_processor
def reg44_labels():
    return {"reg44_recipients": service.RECIPIENTS, "reg44_methods": service.METHODS}


# ---------------------------------------------------------------- dashboard, registers, workload

@bp.route("/")
@roles_required(*NOT_HOME_STAFF)
def index():
    """This month's Reg 44 position of the user's homes, 25 homes a page (searchable by name or
    URN); a visitor's own month across all their homes above them."""
    now = utcnow()
    q = request.args.get("q", "").strip()[:SEARCH_MAX]
    homes, page = queries.homes_page(current_user, q)
    # The visit rule, read once for both (when either needs it: homes to show, or a visitor's month).
    rule = queries.visit_rule() if homes or current_user.role == Role.REG44_VISITOR else None
    summaries = queries.home_summaries(current_user, homes, now, rule=rule)
    return render_template("visits/index.html", summaries=summaries,
                           workload=queries.visitor_workload(current_user, now, rule=rule),
                           page=page, q=q, now=now, title="Regulation 44 visits")


@bp.route("/workload")
@roles_required(*VISITOR, *CHECKERS)
def workload():
    now = utcnow()
    title = "Your workload" if current_user.role == Role.REG44_VISITOR else "Reg 44 visitors' workload"
    rows, page = queries.workload_page(current_user, now)
    return render_template("visits/workload.html", rows=rows, page=page, now=now, title=title)


@bp.route("/homes/<int:home_id>")
@roles_required(*NOT_HOME_STAFF)
def register(home_id: int):
    home = home_or_404(home_id)
    now = utcnow()
    rows = queries.register(home, current_user, now)
    # Only the planned visits are shown above the register: not the whole month's summary.
    planned = queries.planned_visits_seen_by(current_user, home)
    return render_template("visits/register.html", home=home, rows=rows, planned=planned, now=now,
                           title=f"Regulation 44 register: {home.name}")


# ---------------------------------------------------------------- planning and recording

@bp.route("/homes/<int:home_id>/plan", methods=["GET", "POST"])
@roles_required(*VISITOR)
def plan_visit(home_id: int):
    home = home_or_404(home_id)
    form = PlanVisitForm()
    if form.validate_on_submit():
        planned_for = form.planned_for.data
        assert planned_for is not None  # a required field: set once the form validates
        visit = saved_result(form, lambda: service.plan_visit(
            home=home, visitor=current_user, planned_for=planned_for,
            announced=form.announced.data == "announced"), on_refusal=_refused)
        if visit is not None:
            assert visit.planned_for is not None  # a planned visit has its date
            kind = "announced" if visit.announced else "unannounced"
            flash(f"Your {kind} visit to {home.name} on {long_day(visit.planned_for)} is planned", "success")
            return redirect(url_for("visits.visit_detail", visit_id=visit.id), code=303)
    return render_template("visits/plan.html", form=form, home=home, visit=None,
                           title=f"Plan a visit to {home.name}")


@bp.route("/visits/<int:visit_id>/plan", methods=["GET", "POST"])
@roles_required(*VISITOR)
def move_visit(visit_id: int):
    visit = _own_visit(visit_id)
    if visit.status != VisitStatus.PLANNED:
        return _turned_back(visit, "This visit has been recorded, so its plan can no longer be changed")
    form = PlanVisitForm(data={"planned_for": visit.planned_for,
                               "announced": "announced" if visit.announced else "unannounced"})
    if form.validate_on_submit():
        planned_for = form.planned_for.data
        assert planned_for is not None  # a required field: set once the form validates
        if saved(form, lambda: service.move_visit(visit, by=current_user, planned_for=planned_for,
                                                  announced=form.announced.data == "announced"),
                 on_refusal=_refused):
            flash("The plan has been changed", "success")
            return redirect(url_for("visits.visit_detail", visit_id=visit.id), code=303)
    return render_template("visits/plan.html", form=form, home=visit.home, visit=visit,
                           title=f"Change the planned visit to {visit.home.name}")


def _details(form: RecordVisitForm) -> service.VisitDetails:
    assert form.visited_on.data is not None  # a required field: set once the form validates
    return service.VisitDetails(
        visited_on=form.visited_on.data, arrived_at=form.arrived_at.data, left_at=form.left_at.data,
        announced=form.announced.data == "announced",
        spoke_children=form.spoke_children.data or 0, spoke_parents=form.spoke_parents.data or 0,
        spoke_staff=form.spoke_staff.data or 0, spoke_professionals=form.spoke_professionals.data or 0,
        spoke_roles=form.spoke_roles.data, records_inspected=form.records_inspected.data, notes=form.notes.data,
        other_plan=form.other_plan.data or None, other_plan_date=form.other_plan_date.data)


def _other_plans(home, visit: Reg44Visit | None) -> list[Reg44Visit]:
    """The home's other planned visits the visitor may see (the question is asked when one shares the month)."""
    return [v for v in queries.planned_visits(home, besides=visit) if policy.can_view_visit(current_user, v)]


def _record(form: RecordVisitForm, visit: Reg44Visit | None, home):
    recorded = saved_result(form, lambda: service.record_visit(visit, by=current_user, home=home,
                                                               details=_details(form)), on_refusal=_refused)
    if recorded is None:
        return None
    assert recorded.visited_on is not None  # a recorded visit has its date
    flash(f"Your visit to {recorded.home.name} on {long_day(recorded.visited_on)} has been recorded. "
          "Now write the report.", "success")
    return redirect(url_for("visits.visit_detail", visit_id=recorded.id), code=303)


@bp.route("/homes/<int:home_id>/record", methods=["GET", "POST"])
@roles_required(*VISITOR)
def record_new_visit(home_id: int):
    """Record a visit that was not planned in the app beforehand."""
    home = home_or_404(home_id)
    form = RecordVisitForm(data={"announced": "unannounced"})
    if form.validate_on_submit():
        done = _record(form, None, home)
        if done is not None:
            return done
    return render_template("visits/record.html", form=form, home=home, visit=None, other_plans=_other_plans(home, None),
                           title=f"Record a visit to {home.name}")


@bp.route("/visits/<int:visit_id>/record", methods=["GET", "POST"])
@roles_required(*VISITOR)
def record_visit(visit_id: int):
    visit = _own_visit(visit_id)
    if visit.status != VisitStatus.PLANNED:
        return _turned_back(visit, "This visit has already been recorded")
    planned = visit.planned_for if visit.planned_for and visit.planned_for <= london_date(utcnow()) else None
    form = RecordVisitForm(data={"visited_on": planned,
                                 "announced": "announced" if visit.announced else "unannounced"})
    if form.validate_on_submit():
        done = _record(form, visit, visit.home)
        if done is not None:
            return done
    return render_template("visits/record.html", form=form, home=visit.home, visit=visit,
                           other_plans=_other_plans(visit.home, visit),
                           title=f"Record your visit to {visit.home.name}")


@bp.route("/visits/<int:visit_id>")
@roles_required(*NOT_HOME_STAFF)
def visit_detail(visit_id: int):
    """The visit. Other areas (pre-visit feedback, action plans) add sections via visits/_extras.html."""
    visit = _visit_or_404(visit_id)
    now = utcnow()
    deadlines = [(o, queries.state_of(o, now)) for o in queries.visit_obligations(visit, current_user)]
    return render_template("visits/visit_detail.html", visit=visit, deadlines=deadlines, now=now,
                           can_edit=policy.can_edit_visit(current_user, visit),
                           report_status=queries.report_status_label(visit),
                           submitted=queries.latest_submitted(visit), draft=queries.current_draft(visit),
                           title=f"Reg 44 visit to {visit.home.name}")


# ---------------------------------------------------------------- the report

def _draft_form(visit, draft, **kwargs):
    recs = list(draft.recommendations) if draft is not None else []
    if request.method != "POST":
        data = {f"rec_{r.id}_text": r.text for r in recs}
        data.update({f"rec_{r.id}_days": r.consider_within_days for r in recs})
        if draft is not None:
            data.update({name: getattr(draft, name) for name in service.EDITABLE_FIELDS})
        kwargs["data"] = data
    return report_form_for(recs, **kwargs), recs


def _render_draft(visit, draft, form, recs, status=200):
    return render_template("visits/report_form.html", visit=visit, draft=draft, form=form, recs=recs,
                           previous=queries.latest_submitted(visit),
                           title=f"Reg 44 report: {visit.home.name}"), status


@bp.route("/visits/<int:visit_id>/report")
@roles_required(*NOT_HOME_STAFF)
def report(visit_id: int):
    """The report: its visitor's draft (to write) or the latest submitted version (to read)."""
    visit = _visit_or_404(visit_id)
    draft = queries.current_draft(visit)
    editable = (policy.can_edit_visit(current_user, visit) and visit.status == VisitStatus.RECORDED
                and (draft is not None or not visit.reports))
    if editable:
        form, recs = _draft_form(visit, draft)
        return _render_draft(visit, draft, form, recs)
    latest = queries.latest_submitted(visit)
    if latest is None:
        return render_template("visits/report_none.html", visit=visit, draft=draft,
                               title=f"Reg 44 report: {visit.home.name}")
    return _render_report(visit, latest)


def _render_report(visit, version):
    entries = queries.distributions(visit)
    return render_template(
        "visits/report.html", visit=visit, report=version, latest=queries.latest_submitted(visit),
        draft=queries.current_draft(visit), distributions=entries,
        recorded_by=queries.recorded_by_names(entries), can_edit=policy.can_edit_visit(current_user, visit),
        can_check=policy.can_check(current_user),
        can_distribute=policy.can_distribute(current_user, visit),
        versions=[r for r in visit.reports if policy.can_read_report(current_user, visit, r)],
        title=f"Reg 44 report: {visit.home.name}, version {version.version}")


@bp.route("/visits/<int:visit_id>/report", methods=["POST"])
@roles_required(*VISITOR)
def save_report(visit_id: int):
    """The plain form (no JavaScript needed): save, add or remove a recommendation, or submit."""
    visit = _own_visit(visit_id)
    if visit.status != VisitStatus.RECORDED:
        return _turned_back(visit, "Record the visit before writing its report")
    draft = queries.current_draft(visit)
    if draft is None and visit.reports:
        return _turned_back(visit, "This report has been submitted and is locked. To change it, start a correction.",
                            page="visits.report")
    action = request.form.get("action", "save")
    remove = request.form.get("remove", type=int)
    form, recs = _draft_form(visit, draft, adding=action == "add")
    if not form.validate_on_submit():
        return _render_draft(visit, draft, form, recs)
    try:
        draft = service.save_draft(
            visit, by=current_user, fields={name: form[name].data for name in service.EDITABLE_FIELDS},
            recommendations={r.id: (form[f"rec_{r.id}_text"].data or "", form[f"rec_{r.id}_days"].data)
                             for r in recs})
        if remove:
            service.remove_recommendation(visit, by=current_user, recommendation_id=remove)
            flash("The recommendation has been removed", "success")
            return redirect(url_for("visits.report", visit_id=visit.id, _anchor="recommendations"), code=303)
        if action == "add":
            rec = service.add_recommendation(visit, by=current_user, text=form.new_text.data,
                                             consider_within_days=form.new_days.data)
            flash(f"Recommendation {rec.number} has been added", "success")
            return redirect(url_for("visits.report", visit_id=visit.id, _anchor="recommendations"), code=303)
        if action == "submit":
            problems = service.submission_problems(draft)
            if problems:
                for name, message in problems:
                    form[name].errors = list(form[name].errors) + [message]
                return _render_draft(visit, draft, form, list(draft.recommendations))
            # Saved; check the answers before the report locks (GOV.UK "check answers").
            return redirect(url_for("visits.check_answers", visit_id=visit.id), code=303)
    except ServiceError as error:
        _refused(error)
        apply_service_error(form, error)
        draft = queries.current_draft(visit)
        return _render_draft(visit, draft, form, list(draft.recommendations) if draft else [])
    flash("Your draft has been saved", "success")
    return redirect(url_for("visits.report", visit_id=visit.id), code=303)


@bp.route("/visits/<int:visit_id>/report/submit", methods=["GET", "POST"])
@roles_required(*VISITOR)
def check_answers(visit_id: int):
    """Check your answers: the draft as it will be locked, with links to change each part."""
    visit = _own_visit(visit_id)
    draft = queries.current_draft(visit)
    if visit.status != VisitStatus.RECORDED or draft is None:
        return redirect(url_for("visits.report", visit_id=visit.id), code=303)
    problems = service.submission_problems(draft)
    if problems:
        flash("The report is not ready to submit: " + "; ".join(message for _, message in problems), "error")
        return redirect(url_for("visits.report", visit_id=visit.id), code=303)
    form = SubmitReportForm()
    if form.validate_on_submit():
        try:
            submitted = service.submit_report(visit, by=current_user)
        except ServiceError as error:
            _refused(error)
            flash(error.message, "error")
            return redirect(url_for("visits.report", visit_id=visit.id), code=303)
        flash(f"Version {submitted.version} of the report has been submitted. It can no longer be changed.",
              "success")
        return redirect(url_for("visits.report", visit_id=visit.id), code=303)
    return render_template("visits/check_answers.html", visit=visit, draft=draft, form=form,
                           previous=queries.latest_submitted(visit),
                           title=f"Check your report before you submit it: {visit.home.name}")


@bp.route("/visits/<int:visit_id>/report/autosave", methods=["POST"])
@roles_required(*VISITOR)
def autosave_report(visit_id: int):
    """htmx: save the draft as it is typed; answers with the small "Saved at 14:05" status."""
    visit = _own_visit(visit_id)
    message, saved_at = None, None
    if visit.status != VisitStatus.RECORDED:
        message = "Record the visit before writing its report. Not saved."
    elif queries.current_draft(visit) is None and visit.reports:
        message = "This report has been submitted and is locked. Not saved."
    else:
        fields = {name: request.form.get(name) for name in service.EDITABLE_FIELDS if name in request.form}
        recs: dict[int, list] = {}
        for key, value in request.form.items():
            match = _REC_FIELD.match(key)
            if not match:
                continue
            entry = recs.setdefault(int(match.group(1)), [None, None])
            if match.group(2) == "text":
                entry[0] = value
            else:
                entry[1] = int(value) if value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 18 else None
        try:
            draft = service.save_draft(visit, by=current_user, fields=fields,
                                       recommendations={k: tuple(v) for k, v in recs.items()})
            saved_at = draft.updated_at
        except ServiceError as error:
            _refused(error)
            message = f"{error.message} Not saved."
    response = make_response(render_template("visits/_autosave_status.html", message=message,
                                              saved_at=saved_at))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/visits/<int:visit_id>/report/correction", methods=["GET", "POST"])
@roles_required(*VISITOR)
def correct_report(visit_id: int):
    visit = _own_visit(visit_id)
    latest = queries.latest_submitted(visit)
    if latest is None or queries.current_draft(visit) is not None:
        return redirect(url_for("visits.report", visit_id=visit.id), code=303)
    form = CorrectionForm()
    if form.validate_on_submit():
        draft = saved_result(form, lambda: service.start_correction(visit, by=current_user, reason=form.reason.data),
                             on_refusal=_refused)
        if draft is not None:
            flash(f"Version {draft.version} is a draft copy of version {latest.version}. "
                  "Make your corrections, then submit it.", "success")
            return redirect(url_for("visits.report", visit_id=visit.id), code=303)
    return render_template("visits/correction.html", form=form, visit=visit, latest=latest,
                           title="Correct the report")


def _version_or_404(visit, version: int):
    found = queries.report_version(visit, version)
    if found is None or not policy.can_read_report(current_user, visit, found):
        abort(404)
    return found


@bp.route("/visits/<int:visit_id>/report/v<int:version>")
@roles_required(*NOT_HOME_STAFF)
def report_version(visit_id: int, version: int):
    visit = _visit_or_404(visit_id)
    found = _version_or_404(visit, version)
    if not found.is_locked:
        return redirect(url_for("visits.report", visit_id=visit.id), code=303)
    return _render_report(visit, found)


def _document(visit, found, *, pdf: bool) -> str:
    return render_template("visits/report_print.html", visit=visit, report=found, pdf=pdf,
                           distributions=[d for d in queries.distributions(visit) if d.report_id == found.id],
                           generated_at=utcnow(), title=f"Reg 44 report: {visit.home.name}, version {found.version}")


@bp.route("/visits/<int:visit_id>/report/v<int:version>/print")
@roles_required(*NOT_HOME_STAFF)
def report_print(visit_id: int, version: int):
    """A print-friendly page: the report alone, no navigation."""
    visit = _visit_or_404(visit_id)
    return _document(visit, _version_or_404(visit, version), pdf=False)


@bp.route("/visits/<int:visit_id>/report/v<int:version>/pdf")
@roles_required(*NOT_HOME_STAFF)
def report_pdf(visit_id: int, version: int):
    """The same document as the print page, as a PDF (for Ofsted and other recipients)."""
    from homes_qa.reg44.pdf import html_to_pdf
    visit = _visit_or_404(visit_id)
    found = _version_or_404(visit, version)
    assert current_app.static_folder is not None  # the app has its static folder
    try:
        body = html_to_pdf(_document(visit, found, pdf=True), static_folder=current_app.static_folder)
    except OSError:
        # WeasyPrint's system libraries (Pango) are missing on this server: say so, offer print.
        current_app.logger.exception("PDF rendering unavailable")
        flash("The PDF cannot be made on this server at the moment. Use \"Print\" and "
              "your browser's 'Save as PDF' instead.", "error")
        return redirect(url_for("visits.report_version", visit_id=visit.id, version=found.version), code=303)
    when = visit.visited_on or london_date(utcnow())  # the PDF's file name
    slug = re.sub(r"[^a-z0-9]+", "-", visit.home.name.lower()).strip("-")
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="reg44-report-{slug}-{when.isoformat()}-v{found.version}.pdf"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- checking and sending

@bp.route("/visits/<int:visit_id>/report/check", methods=["GET", "POST"])
@roles_required(*CHECKERS)
def check_report(visit_id: int):
    visit = _visit_or_404(visit_id)
    latest = queries.latest_submitted(visit)
    if latest is None:
        return _turned_back(visit, "The report has not been submitted yet", page="visits.report")
    if latest.checked_at is not None:
        return _turned_back(visit, f"Version {latest.version} has already been checked and sent", page="visits.report")
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            service.check_and_send(latest, by=current_user)
        except ServiceError as error:
            _refused(error)
            flash(error.message, "error")
        else:
            flash("The report has been recorded as checked and sent to senior managers", "success")
        return redirect(url_for("visits.report", visit_id=visit.id), code=303)
    return render_template("visits/check.html", visit=visit, report=latest, form=form,
                           title="Check and send the report")


@bp.route("/visits/<int:visit_id>/report/return", methods=["GET", "POST"])
@roles_required(*CHECKERS)
def return_report(visit_id: int):
    """The service manager sends the latest submitted version back to the visitor for factual corrections."""
    visit = _visit_or_404(visit_id)
    latest = queries.latest_submitted(visit)
    if latest is None:
        return _turned_back(visit, "The report has not been submitted yet", page="visits.report")
    if latest.checked_at is not None:
        return _turned_back(visit, f"Version {latest.version} has already been checked and sent", page="visits.report")
    if queries.current_draft(visit) is not None:
        return _turned_back(visit, "A corrected version of this report is already being written",
                            page="visits.report")
    form = ReturnForm()
    if form.validate_on_submit():
        draft = saved_result(form, lambda: service.return_for_corrections(latest, by=current_user,
                                                                          reason=form.reason.data),
                             on_refusal=_refused)
        if draft is not None:
            flash(f"Version {latest.version} has been returned to {visit.visitor.name} for corrections. "
                  f"Their corrected version will be version {draft.version}.", "success")
            return redirect(url_for("visits.report", visit_id=visit.id), code=303)
    return render_template("visits/return.html", form=form, visit=visit, report=latest,
                           title="Return the report for corrections")


@bp.route("/visits/<int:visit_id>/report/sent", methods=["GET", "POST"])
@roles_required(*VISITOR, *CHECKERS)
def record_distribution(visit_id: int):
    visit = _visit_or_404(visit_id)
    if not policy.can_distribute(current_user, visit):
        abort(403)
    latest = queries.latest_submitted(visit)
    if latest is None:
        return _turned_back(visit, "The report has not been submitted yet", page="visits.report")
    form = DistributionForm(data={"sent_on": london_date(utcnow())} if request.method == "GET" else None)
    if form.validate_on_submit():
        sent_on = form.sent_on.data
        assert sent_on is not None  # a required field: set once the form validates
        entries = saved_result(form, lambda: service.record_distribution(
            latest, by=current_user, recipients=list(form.recipients.data or []), detail=form.detail.data,
            method=form.method.data, sent_on=sent_on), on_refusal=_refused)
        if entries is not None:
            names = [service.RECIPIENTS[entry.recipient] for entry in entries]
            flash(f"Sending to {_in_words(names)} has been recorded", "success")
            return redirect(url_for("visits.report", visit_id=visit.id, _anchor="distribution"), code=303)
    return render_template("visits/distribution.html", form=form, visit=visit, report=latest,
                           title="Record where the report was sent")


# ---------------------------------------------------------------- reg 44(2)(b): children's case records

@bp.route("/visits/<int:visit_id>/case-records", methods=["GET", "POST"])
@roles_required(*VISITOR)
def case_records(visit_id: int):
    """The visitor lists, per child (initials or a reference), consent to read their case records."""
    visit = _own_visit(visit_id)
    if visit.status != VisitStatus.RECORDED:
        return _turned_back(visit, "Record the visit before recording whose case records you looked at")
    form = CaseRecordsForm()
    if form.validate_on_submit():
        given = set(form.consent_from.data or [])
        entry = saved_result(form, lambda: service.record_case_records(
            visit, by=current_user, child_ref=form.child_ref.data or "", child_consented="child" in given,
            authority_consented="authority" in given, records_seen=form.records_seen.data == "yes"),
            on_refusal=_refused)
        if entry is not None:
            flash(f"{entry.child_ref} has been added", "success")
            return redirect(url_for("visits.case_records", visit_id=visit.id), code=303)
    return render_template("visits/case_records.html", visit=visit, form=form, confirm=ConfirmForm(),
                           locked=queries.latest_submitted(visit) is not None,
                           title=f"Children's case records: visit to {visit.home.name}")


@bp.route("/visits/<int:visit_id>/case-records/<int:consent_id>/remove", methods=["POST"])
@roles_required(*VISITOR)
def remove_case_records(visit_id: int, consent_id: int):
    visit = _own_visit(visit_id)
    if not any(c.id == consent_id for c in visit.case_record_consents):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.remove_case_records(visit, by=current_user, consent_id=consent_id)
    except ServiceError as error:
        _refused(error)
        return _turned_back(visit, error.message, "visits.case_records")
    flash("The entry has been removed", "success")
    return redirect(url_for("visits.case_records", visit_id=visit.id), code=303)
