"""QPAG monthly report pages: the reports by month, draft a month, write the commentary, draft
the facts again, finalise (locks), correct (a new version), print and PDF (one template)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from homes_qa.core import qpag as core
from homes_qa.core.calendar import london_date
from homes_qa.core.qpag import SURVEY_MONTHS, SURVEY_MONTHS_SOURCE
from homes_qa.qpag_report import policy, queries, service
from homes_qa.qpag_report.forms import CommentaryForm, CorrectionForm, NewReportForm
from homes_qa.qpag_report.models import SECTIONS, QpagReport
from homes_qa.spine.access import roles_required
from homes_qa.spine.timestamps import utcnow
from homes_qa.web.forms import ConfirmForm, saved, saved_result

bp = Blueprint("qpag_report", __name__)


def _report_url(report: QpagReport) -> str:
    return url_for("qpag_report.report", qpag_report_id=report.id)


def _locked(report: QpagReport):
    flash("This report is final and can no longer be changed. To change it, make a correction.", "info")
    return redirect(_report_url(report), code=303)


def _context(report: QpagReport) -> dict[str, Any]:
    headings = dict(SECTIONS)
    obligation = queries.obligation_for(report)
    return {"report": report, "facts": report.facts or {}, "sections": [
        (code, headings[code]) for code in service.sections_of(report)],
        "month_label": f"{report.month:%B %Y}", "status_labels": queries.STATUS_LABELS,
        "versions": queries.versions(report.month), "latest": queries.latest(report.month),
        "obligation": obligation, "can_write": policy.can_write(current_user.role),
        "survey_months": [f"{core.month_of(2000, m).first:%B}" for m in SURVEY_MONTHS]}


@bp.route("/qpag-reports")
@roles_required(*policy.READERS)
def index():
    return render_template("qpag_report/index.html", months=queries.reports_by_month(),
                           status_labels=queries.STATUS_LABELS, can_write=policy.can_write(current_user.role),
                           survey_months=[f"{core.month_of(2000, m).first:%B}" for m in SURVEY_MONTHS],
                           survey_source=SURVEY_MONTHS_SOURCE, title="QPAG monthly reports")


@bp.route("/qpag-reports/new", methods=["GET", "POST"])
@roles_required(*policy.AUTHORS)
def new():
    last = core.previous_month(london_date(utcnow()))
    form = NewReportForm(data={"month": last.first.month, "year": last.first.year})
    if form.validate_on_submit():
        report = saved_result(form, lambda: service.start_draft(year=form.year.data, month=form.month.data,
                                                                by=current_user))
        if report is not None:
            flash(f"The report for {report.month:%B %Y} has been drafted from the month's records. "
                  "Write the commentary for each section.", "success")
            return redirect(url_for("qpag_report.edit", qpag_report_id=report.id), code=303)
    return render_template("qpag_report/new.html", form=form, title="Draft a QPAG report")


@bp.route("/qpag-reports/<int:qpag_report_id>")
@roles_required(*policy.READERS)
def report(qpag_report_id: int):
    found = policy.report_or_404(qpag_report_id)
    return render_template("qpag_report/report.html", confirm=ConfirmForm(),
                           title=f"QPAG report for {found.month:%B %Y}", **_context(found))


@bp.route("/qpag-reports/<int:qpag_report_id>/edit", methods=["GET", "POST"])
@roles_required(*policy.AUTHORS)
def edit(qpag_report_id: int):
    found = policy.report_or_404(qpag_report_id)
    if not found.is_draft:
        return _locked(found)
    form = CommentaryForm(data={code: found.commentary(code) for code, _ in SECTIONS})
    if form.validate_on_submit() and saved(form, lambda: service.save_commentary(
            found, by=current_user, **{code: getattr(form, code).data for code, _ in SECTIONS})):
        flash("The report has been saved", "success")
        return redirect(_report_url(found), code=303)
    return render_template("qpag_report/edit.html", form=form, title=f"Write the QPAG report for {found.month:%B %Y}",
                           **_context(found))


@bp.route("/qpag-reports/<int:qpag_report_id>/redraft", methods=["POST"])
@roles_required(*policy.AUTHORS)
def redraft(qpag_report_id: int):
    found = policy.report_or_404(qpag_report_id)
    if not found.is_draft:
        return _locked(found)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.redraft_facts(found, by=current_user)
    flash("The facts have been drafted again from the latest records. Your commentary is unchanged.", "success")
    return redirect(_report_url(found), code=303)


@bp.route("/qpag-reports/<int:qpag_report_id>/finalise", methods=["GET", "POST"])
@roles_required(*policy.AUTHORS)
def finalise(qpag_report_id: int):
    found = policy.report_or_404(qpag_report_id)
    if not found.is_draft:
        return _locked(found)
    form = ConfirmForm()
    if form.validate_on_submit() and saved(form, lambda: service.finalise(found, by=current_user)):
        flash(f"The report for {found.month:%B %Y} is final and locked", "success")
        return redirect(_report_url(found), code=303)
    missing = [(code, service.REQUIRED[code]) for code in service.sections_of(found)
               if not found.commentary(code).strip()]
    return render_template("qpag_report/finalise.html", form=form, missing=missing,
                           title=f"Finalise the QPAG report for {found.month:%B %Y}", **_context(found))


@bp.route("/qpag-reports/<int:qpag_report_id>/correct", methods=["GET", "POST"])
@roles_required(*policy.AUTHORS)
def correct(qpag_report_id: int):
    found = policy.report_or_404(qpag_report_id)
    if found.is_draft or queries.latest(found.month) is not found:
        flash("Only the latest final version can be corrected", "info")
        return redirect(_report_url(found), code=303)
    form = CorrectionForm()
    if form.validate_on_submit():
        version = saved_result(form, lambda: service.correct(found, reason=form.reason.data, by=current_user))
        if version is not None:
            flash(f"Version {version.version} is a draft: correct it, then finalise it", "success")
            return redirect(url_for("qpag_report.edit", qpag_report_id=version.id), code=303)
    return render_template("qpag_report/correct.html", form=form,
                           title=f"Correct the QPAG report for {found.month:%B %Y}", **_context(found))


def _document(found: QpagReport, *, pdf: bool) -> str:
    return render_template("qpag_report/print.html", pdf=pdf, generated_at=utcnow(),
                           title=f"QPAG report for {found.month:%B %Y}, version {found.version}", **_context(found))


@bp.route("/qpag-reports/<int:qpag_report_id>/print")
@roles_required(*policy.READERS)
def print_report(qpag_report_id: int):
    """The report alone, no navigation: to print, or save as PDF from the browser."""
    return _document(policy.report_or_404(qpag_report_id), pdf=False)


@bp.route("/qpag-reports/<int:qpag_report_id>/pdf")
@roles_required(*policy.READERS)
def pdf(qpag_report_id: int):
    """The print page's document as a PDF (WeasyPrint, no fetching: homes_qa.reg44.pdf)."""
    from homes_qa.reg44.pdf import html_to_pdf
    found = policy.report_or_404(qpag_report_id)
    assert current_app.static_folder is not None  # the app has its static folder
    try:
        body = html_to_pdf(_document(found, pdf=True), static_folder=current_app.static_folder)
    except OSError:
        current_app.logger.exception("PDF rendering unavailable")
        flash("The PDF cannot be made on this server at the moment. Use \"Printable version\" and "
              "your browser's 'Save as PDF' instead.", "error")
        return redirect(_report_url(found), code=303)
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="qpag-report-{found.month:%Y-%m}-v{found.version}.pdf"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_filter("qpag_iso_date")
def qpag_iso_date(value: str | None) -> str:
    """A date stored as ISO text in the facts, in words."""
    from datetime import date, datetime

    from homes_qa.core.formats import london_datetime, long_date
    if not value:
        return ""
    try:
        return london_datetime(datetime.fromisoformat(value)) if "T" in value else long_date(date.fromisoformat(value))
    except ValueError:
        return value




# ---------------------------------------------------------------- table rows of the facts

@bp.app_template_filter("qpag_escalation_row")
def qpag_escalation_row(alert: dict[str, Any]) -> list[dict[str, str]]:
    return [{"text": alert.get("home", "")}, {"text": alert.get("title", "")},
            {"text": alert.get("to", "") + ("" if alert.get("still_open") else " (since met)")},
            {"text": qpag_iso_date(alert.get("reached_at"))}]


@bp.app_template_filter("qpag_cslt_row")
def qpag_cslt_row(action: dict[str, Any]) -> list[dict[str, str]]:
    note = f" ({action['note']})" if action.get("note") else ""
    return [{"text": action.get("home", "")}, {"text": action.get("text", "") + note},
            {"text": qpag_iso_date(action.get("due_on"))}, {"text": qpag_iso_date(action.get("escalated_on"))}]


@bp.app_template_filter("qpag_survey_row")
def qpag_survey_row(row: dict[str, Any]) -> list[dict[str, str]]:
    return [{"text": row.get("home", "")}, {"text": str(row.get("young_people", 0)), "format": "numeric"},
            {"text": str(row.get("professionals", 0)), "format": "numeric"}]
