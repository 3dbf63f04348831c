"""Ofsted inspections: a home's inspections and monitoring cadence, record an inspection, add
requirements and recommendations (actions), complete and reopen actions, record and read
monitoring reviews. Home-scoped: another home's record is 404."""
from __future__ import annotations

from dataclasses import replace
from io import BytesIO
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from homes_qa.core import inspections as core
from homes_qa.core import qa_reviews as qa_core
from homes_qa.core.calendar import london_date
from homes_qa.core.filetypes import DOCUMENT_KINDS
from homes_qa.core.roles import role_label
from homes_qa.extensions import talisman
from homes_qa.inspections import policy, queries, service
from homes_qa.inspections.forms import (
    RAG_CHOICES,
    ActionNoteForm,
    AgreePlanForm,
    CommissionReviewForm,
    CompleteItemForm,
    CompleteReviewForm,
    EscalateForm,
    FindingsForm,
    InspectionForm,
    ItemForm,
    QpagActionForm,
    ReopenItemForm,
    ReportForm,
    ReviewActionForm,
    review_form,
)
from homes_qa.inspections.models import Inspection, InspectionItem, QaReview
from homes_qa.spine.access import can_see_home, home_or_404, roles_required, visible_home_choices
from homes_qa.spine.paging import requested_page
from homes_qa.spine.timestamps import utcnow
from homes_qa.web.csv_export import csv_response
from homes_qa.web.forms import saved, saved_result
from homes_qa.web.home_filter import HomeFilter, choose_home_href, home_filter
from homes_qa.web.templating import is_htmx

bp = Blueprint("inspections", __name__)


def _common() -> dict:
    return {"grade_labels": core.GRADE_LABELS, "judgements": core.JUDGEMENTS,
            "type_labels": {t.code: t.label for t in core.INSPECTION_TYPES},
            "can_edit": policy.can_edit(current_user.role), "can_review": policy.can_review(current_user.role)}


def _inspection_url(inspection: Inspection) -> str:
    return url_for("inspections.detail", inspection_id=inspection.id)


@bp.route("/homes/<int:home_id>/inspections")
@roles_required(*policy.READERS)
def index(home_id: int):
    home = home_or_404(home_id)
    inspections = queries.inspections_for(home.id)
    return render_template("inspections/index.html", home=home, inspections=inspections,
                           summary=queries.home_summary(home.id, utcnow(), inspections), reviews=queries.reviews_for(home.id),
                           open_items=queries.open_items(home.id), title=f"Ofsted inspections for {home.name}",
                           **_common())


@bp.route("/homes/<int:home_id>/inspections/new", methods=["GET", "POST"])
@roles_required(*policy.EDITORS)
def new(home_id: int):
    home = home_or_404(home_id)
    form = InspectionForm()
    if form.validate_on_submit():
        inspection = saved_result(form, lambda: service.record_inspection(
            home, inspection_type=form.inspection_type.data, started_on=form.started_on.data,
            ended_on=form.ended_on.data, confirm_limiting=bool(form.confirm_limiting.data),
            grades={core.OVERALL: form.overall.data, core.HELPED_PROTECTED: form.helped_protected.data,
                    core.LEADERSHIP: form.leadership.data},
            enforcement=service.Enforcement(
                form.compliance_notice_served_on.data, form.compliance_notice_complete_by.data,
                form.restriction_served_on.data, form.restriction_ends_on.data),
            summary=form.summary.data or "", by=current_user))
        if inspection is not None:
            flash("The inspection is recorded. Add its requirements and recommendations below.", "success")
            return redirect(_inspection_url(inspection), code=303)
    return render_template("inspections/new.html", home=home, form=form, title="Record an Ofsted inspection",
                           **_common())


@bp.route("/inspections/<int:inspection_id>")
@roles_required(*policy.READERS)
def detail(inspection_id: int):
    inspection = policy.inspection_or_404(inspection_id)
    return render_template("inspections/detail.html", inspection=inspection, home=inspection.home,
                           follow_up=(core.compliance_notice_follow_up(inspection.compliance_notice_complete_by)
                                      if inspection.compliance_notice_complete_by else None),
                           title=f"{inspection.home.name}: Ofsted inspection", **_common())


@bp.route("/inspections/<int:inspection_id>/items/new", methods=["GET", "POST"])
@roles_required(*policy.EDITORS)
def add_item(inspection_id: int):
    inspection = policy.inspection_or_404(inspection_id)
    form = ItemForm()
    form.owner_id.choices = [("", "Choose someone")] + [
        (str(u.id), f"{u.name} ({role_label(u.role)})")
        for u in queries.assigned_people(inspection.home_id)]
    if form.validate_on_submit():
        owner = form.owner_id.data
        if saved(form, lambda: service.add_item(
                inspection, kind=form.kind.data, text=form.text.data or "", regulation=form.regulation.data or "",
                compliance_date=form.compliance_date.data, action=form.action.data or "",
                owner_id=int(owner) if owner and owner.isascii() and owner.isdigit() and len(owner) <= 18 else None, due_on=form.due_on.data,
                by=current_user)):
            flash("Added. It is on the home's action list with its deadline.", "success")
            return redirect(_inspection_url(inspection), code=303)
    return render_template("inspections/item_form.html", inspection=inspection, home=inspection.home, form=form,
                           title="Add a requirement or recommendation", **_common())


def _item_page(item: InspectionItem, form, template: str, title: str):
    return render_template(template, item=item, inspection=item.inspection, home=item.inspection.home, form=form,
                           title=title, **_common())


@bp.route("/inspection-actions/<int:inspection_item_id>/complete", methods=["GET", "POST"])
@roles_required(*policy.EDITORS)
def complete_item(inspection_item_id: int):
    item = policy.item_or_404(inspection_item_id)
    if not item.is_open:
        flash("This action is already completed", "info")
        return redirect(_inspection_url(item.inspection), code=303)
    form = CompleteItemForm(data=None if request.method == "POST" else {"completed_on": london_date(utcnow())})
    if form.validate_on_submit() and saved(
            form, lambda: service.complete_item(item, completed_on=form.completed_on.data, by=current_user)):
        flash("The action is completed", "success")
        return redirect(_inspection_url(item.inspection), code=303)
    return _item_page(item, form, "inspections/complete.html", "Complete the action")


@bp.route("/inspection-actions/<int:inspection_item_id>/reopen", methods=["GET", "POST"])
@roles_required(*policy.EDITORS)
def reopen_item(inspection_item_id: int):
    item = policy.item_or_404(inspection_item_id)
    if item.is_open:
        flash("This action is still open", "info")
        return redirect(_inspection_url(item.inspection), code=303)
    form = ReopenItemForm()
    if form.validate_on_submit() and saved(form, lambda: service.reopen_item(
            item, due_on=form.due_on.data, reason=form.reason.data or "", by=current_user)):
        flash("The action is open again", "success")
        return redirect(_inspection_url(item.inspection), code=303)
    return _item_page(item, form, "inspections/reopen.html", "Reopen the action")


@bp.route("/homes/<int:home_id>/monitoring-reviews/new", methods=["GET", "POST"])
@roles_required(*policy.REVIEWERS)
def new_review(home_id: int):
    home = home_or_404(home_id)
    items = queries.open_items(home.id)
    if not items:
        flash("There are no open actions to review", "info")
        return redirect(url_for("inspections.index", home_id=home.id), code=303)
    form = review_form(items, data=None if request.method == "POST" else {"reviewed_on": london_date(utcnow())})
    if form.validate_on_submit():
        progress = [service.Progress(item.id, form[f"rag_{item.id}"].data, form[f"narrative_{item.id}"].data or "")
                    for item in items]
        review = saved_result(form, lambda: service.record_review(
            home, reviewed_on=form.reviewed_on.data, progress=progress, next_steps=form.next_steps.data or "",
            by=current_user))
        if review is not None:
            flash("The monitoring review is recorded", "success")
            return redirect(url_for("inspections.review", monitoring_review_id=review.id), code=303)
    summary = queries.home_summary(home.id, utcnow())
    return render_template("inspections/review_form.html", home=home, form=form, items=items, summary=summary,
                           title="Record a monitoring review", **_common())


@bp.route("/monitoring-reviews/<int:monitoring_review_id>")
@roles_required(*policy.READERS)
def review(monitoring_review_id: int):
    review = policy.review_or_404(monitoring_review_id)
    return render_template("inspections/review.html", review=review, home=review.home,
                           rag_labels=dict(RAG_CHOICES), title="Monitoring review", **_common())


def _action_filters() -> tuple[queries.ActionFilters, HomeFilter]:
    """The action list's filters from the query string (a home outside the person's scope is
    404), the home decided by the typed part of its name when one was typed."""
    filters = queries.ActionFilters.from_args(request.args)
    if filters.home is not None and not can_see_home(current_user, filters.home):
        abort(404)
    picker = home_filter(current_user, filters.home, request.args.get("home_name"))
    return replace(filters, home=picker.home), picker


@bp.route("/actions")
@roles_required(*policy.READERS)
def actions():
    """The combined action list: every source's actions per home or across homes, filtered by
    a shareable query string (htmx swaps the results and pushes the URL)."""
    filters, picker = _action_filters()
    now = utcnow()
    # A page at a time (issue 13: a county's open actions were 500 rows on one page).
    page = queries.action_page(current_user, filters, now, requested_page())
    template = "inspections/_actions_results.html" if is_htmx() else "inspections/actions.html"
    kept = filters.args()
    return render_template(template, page=page, rows=page.rows, filters=filters, page_args=kept,
                           today=london_date(now), picker=picker, oob=is_htmx(),
                           choose_home=choose_home_href("inspections.actions", kept),
                           sources=queries.ACTION_SOURCES, statuses=queries.ACTION_STATUSES, title="Action list",
                           show_qpag=current_user.role in policy.QPAG_READERS,
                           show_audits=queries.sees_audit_actions(current_user))


def _action_detail_or_404(source: str, action_id: int) -> queries.ActionDetail:
    detail = queries.action_detail(current_user, source, action_id)
    if detail is None:
        abort(404)
    return detail


def _action_page(detail: queries.ActionDetail, form: ActionNoteForm):
    return render_template("inspections/action.html", detail=detail, history=queries.action_history(detail),
                           form=form, sources=queries.ACTION_SOURCES, today=london_date(utcnow()), kinds=DOCUMENT_KINDS,
                           limit=queries.ACTION_HISTORY_LIMIT, title="Action: history and evidence")


def _note_file(field) -> service.NoteFile | None:
    """The file the note form sent, read at most one byte past the limit (the service refuses more)."""
    data = field.data
    if not isinstance(data, FileStorage) or not data.filename:
        return None
    try:
        return service.NoteFile(data.filename, data.stream.read(service.MAX_FILE_BYTES + 1))
    finally:
        data.close()  # a large upload is spooled to a temporary file: let it go now


_TOO_LARGE = "inspections.note_file_too_large"
FILE_POLICY = "default-src 'none'; sandbox"  # a stored file is a download: nothing in it may run


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """A request over the app-wide limit (MAX_CONTENT_LENGTH) is refused before its form can be
    read: a note's file goes back to the action's page (303), which shows the file field's message."""
    if request.endpoint == "inspections.action_note":
        session[_TOO_LARGE] = request.path
        return redirect(url_for("inspections.action", **(request.view_args or {})), code=303)
    return render_template("errors/400.html", title="The file is too large", error=error), 413


@bp.route("/actions/<source>/<int:action_id>")
@roles_required(*policy.READERS)
def action(source: str, action_id: int):
    """One action of the combined list: where it comes from, its notes and evidence (a form to add
    one), and its history from the audit trail (who, when, before → after)."""
    detail = _action_detail_or_404(source, action_id)
    form = ActionNoteForm()
    if session.get(_TOO_LARGE) == url_for("inspections.action_note", source=source, action_id=action_id):
        session.pop(_TOO_LARGE)
        form.evidence.errors = [f"The selected file must be smaller than {service.MAX_FILE_LABEL}"]
    return _action_page(detail, form)


@bp.route("/actions/<source>/<int:action_id>/notes", methods=["POST"])
@roles_required(*policy.EDITORS)
def action_note(source: str, action_id: int):
    """Add a progress note or the evidence of completion to the action, with a file if one is attached."""
    detail = _action_detail_or_404(source, action_id)
    form = ActionNoteForm()
    if form.validate_on_submit() and saved(form, lambda: service.add_action_note(
            detail, text=form.text.data or "", upload=_note_file(form.evidence), by=current_user)):
        flash("The note is added to the action.", "success")
        return redirect(url_for("inspections.action", source=source, action_id=action_id), code=303)
    return _action_page(detail, form), 422  # refused: the messages by the fields, nothing saved


@bp.route("/actions/<source>/<int:action_id>/files/<int:action_file_id>")
@talisman(content_security_policy=FILE_POLICY)  # not the pages' policy: a sandbox, nothing may run
@roles_required(*policy.READERS)
def action_file(source: str, action_id: int, action_file_id: int):
    """A note's evidence file, only as a download, to those who may see the action (else 404):
    never rendered inline, never sniffed by the browser."""
    detail = _action_detail_or_404(source, action_id)
    item = queries.action_file_of(detail, action_file_id)
    if item is None:
        abort(404)
    path = service.action_file_path(item)
    if not path.is_file():
        abort(404)
    kind = DOCUMENT_KINDS[item.kind]
    # Read whole (at most the upload limit), so no file handle outlives the request.
    response = Response(path.read_bytes(), content_type=kind.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=item.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- QPAG action tracker (seed 002 §8.7–8.8)

@bp.route("/qpag")
@roles_required(*policy.QPAG_READERS)
def qpag():
    status = request.args.get("status", "open")
    status = status if status in queries.ACTION_STATUSES else "open"
    now = utcnow()
    return render_template("inspections/qpag.html", actions=queries.qpag_actions(current_user, status=status),
                           status=status, statuses=queries.ACTION_STATUSES, today=london_date(now),
                           due_for_escalation=queries.due_for_escalation,
                           can_add=current_user.role in policy.QPAG_EDITORS,
                           is_chair=current_user.role in policy.QPAG_CHAIR, title="QPAG action tracker")


def _to_int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else None


@bp.route("/qpag/actions/new", methods=["GET", "POST"])
@roles_required(*policy.QPAG_EDITORS)
def qpag_new():
    form = QpagActionForm()
    homes = visible_home_choices(current_user)
    form.home_id.choices = [("", "The whole service")] + [(str(i), name) for i, name in homes]
    home_id = _to_int(form.home_id.data) if request.method == "POST" else None
    if home_id is not None and not can_see_home(current_user, home_id):
        abort(404)
    form.owner_id.choices = [("", "Choose someone")] + [
        (str(u.id), f"{u.name} ({role_label(u.role)})") for u in queries.qpag_owner_options(current_user)]
    if form.validate_on_submit():
        home = home_or_404(home_id) if home_id is not None else None
        if saved(form, lambda: service.add_qpag_action(
                home=home, meeting_on=form.meeting_on.data, text=form.text.data or "",
                owner_id=_to_int(form.owner_id.data), due_on=form.due_on.data, by=current_user)):
            flash("The action is on the QPAG tracker", "success")
            return redirect(url_for("inspections.qpag"), code=303)
    return render_template("inspections/qpag_form.html", form=form, title="Add a QPAG action", **_common())


@bp.route("/qpag/actions/<int:qpag_action_id>/complete", methods=["GET", "POST"])
@roles_required(*policy.QPAG_EDITORS)
def qpag_complete(qpag_action_id: int):
    action = policy.qpag_action_or_404(qpag_action_id)
    if not action.is_open:
        flash("This action is already completed", "info")
        return redirect(url_for("inspections.qpag"), code=303)
    form = CompleteItemForm(data=None if request.method == "POST" else {"completed_on": london_date(utcnow())})
    if form.validate_on_submit() and saved(
            form, lambda: service.complete_qpag_action(action, completed_on=form.completed_on.data, by=current_user)):
        flash("The QPAG action is completed", "success")
        return redirect(url_for("inspections.qpag"), code=303)
    return render_template("inspections/qpag_complete.html", form=form, action=action,
                           title="Complete the QPAG action")


@bp.route("/qpag/actions/<int:qpag_action_id>/escalate", methods=["GET", "POST"])
@roles_required(*policy.QPAG_CHAIR)
def qpag_escalate(qpag_action_id: int):
    action = policy.qpag_action_or_404(qpag_action_id)
    if not queries.due_for_escalation(action, london_date(utcnow())):
        flash("Only an open action past the date QPAG agreed, not yet escalated, can be escalated", "info")
        return redirect(url_for("inspections.qpag"), code=303)
    form = EscalateForm(data=None if request.method == "POST" else {"escalated_on": london_date(utcnow())})
    if form.validate_on_submit() and saved(form, lambda: service.escalate_qpag_action(
            action, escalated_on=form.escalated_on.data, note=form.note.data or "", by=current_user)):
        flash("The escalation to CSLT is recorded", "success")
        return redirect(url_for("inspections.qpag"), code=303)
    return render_template("inspections/qpag_escalate.html", form=form, action=action,
                           title="Escalate the action to CSLT")


# ---------------------------------------------------------------- the report file

def _report_storage() -> Path:
    return Path(current_app.instance_path) / "uploads" / "inspections"


@bp.route("/inspections/<int:inspection_id>/report", methods=["GET", "POST"])
@roles_required(*policy.EDITORS)
def attach_report(inspection_id: int):
    inspection = policy.inspection_or_404(inspection_id)
    form = ReportForm()
    if form.validate_on_submit():
        upload = form.report.data
        data = upload.read(service.REPORT_MAX_BYTES + 1) if upload else b""
        if saved(form, lambda: service.attach_report(inspection, filename=getattr(upload, "filename", "") or "",
                                                     data=data, storage=_report_storage(), by=current_user)):
            flash("The report is attached", "success")
            return redirect(_inspection_url(inspection), code=303)
    return render_template("inspections/report_form.html", inspection=inspection, home=inspection.home, form=form,
                           title="Attach Ofsted's report", **_common())


@bp.route("/inspections/<int:inspection_id>/report.pdf")
@roles_required(*policy.READERS)
def report_file(inspection_id: int):
    inspection = policy.inspection_or_404(inspection_id)
    if not inspection.report_stored_as:
        abort(404)
    path = _report_storage() / inspection.report_stored_as
    if not path.is_file():
        abort(404)
    # Read whole (at most REPORT_MAX_BYTES): no file handle outlives the request.
    return send_file(BytesIO(path.read_bytes()), mimetype="application/pdf", as_attachment=True,
                     download_name=inspection.report_filename or "ofsted-report.pdf")


# ---------------------------------------------------------------- CSV export of the action list (issue 11)

ACTION_COLUMNS = ("source", "home", "action", "owner", "due_on", "completed_on", "status", "overdue")


@bp.route("/actions/export.csv")
@roles_required(*policy.READERS)
def export_actions():
    """The action list as CSV, with the page's filters and every row (no page limit)."""
    filters, _ = _action_filters()
    now = utcnow()
    today = london_date(now)
    rows = queries.combined_actions(current_user, filters, now)
    return csv_response("actions", ACTION_COLUMNS, (
        [queries.ACTION_SOURCES[row.source], row.home_name, row.text, row.owner, row.due_on, row.completed_on,
         "Waived" if row.waived else "Open" if row.is_open else "Completed", row.overdue_on(today)] for row in rows))


# ---------------------------------------------------------------- QA reviews: dip samples, thematic reviews, full audits

def _qa_common() -> dict:
    return {"kind_labels": {k.code: k.label for k in qa_core.REVIEW_KINDS}, "rag_labels": qa_core.FINDING_RAGS,
            "is_commissioner": current_user.role in policy.QA_COMMISSIONERS}


def _qa_review_url(review: QaReview) -> str:
    return url_for("inspections.qa_review", qa_review_id=review.id)


@bp.route("/qa-reviews")
@roles_required(*policy.QA_REVIEW_READERS)
def qa_reviews():
    return render_template("inspections/qa_reviews.html", reviews=queries.qa_reviews(current_user),
                           prompts=queries.qa_review_prompts(current_user), prompt_kind=queries.prompt_kind,
                           today=london_date(utcnow()),
                           title="Dip samples, thematic reviews and full audits", **_qa_common())


@bp.route("/qa-reviews/new", methods=["GET", "POST"])
@roles_required(*policy.QA_COMMISSIONERS)
def qa_review_new():
    form = CommissionReviewForm()
    form.home_ids.choices = [(str(i), name) for i, name in visible_home_choices(current_user)]
    form.assignee_id.choices = [("", "Choose someone")] + [
        (str(u.id), f"{u.name} ({role_label(u.role)})") for u in queries.qa_assignee_choices()]
    if request.method == "GET":
        form.kind.data = form.kind.data or request.args.get("kind")
        home = _to_int(request.args.get("home"))
        if home is not None:
            form.home_ids.data = [str(home)]
    if form.validate_on_submit():
        home_ids = [i for i in (_to_int(v) for v in form.home_ids.data or []) if i is not None]
        review = saved_result(form, lambda: service.commission_review(
            kind=form.kind.data, area=form.area.data or "", home_ids=home_ids,
            assignee_id=_to_int(form.assignee_id.data), due_on=form.due_on.data, by=current_user))
        if review is not None:
            flash("The review is commissioned: the person carrying it out has it as a deadline for each home.",
                  "success")
            return redirect(_qa_review_url(review), code=303)
    return render_template("inspections/qa_review_new.html", form=form, title="Commission a review", **_qa_common())


@bp.route("/qa-reviews/<int:qa_review_id>")
@roles_required(*policy.QA_REVIEW_READERS)
def qa_review(qa_review_id: int):
    review = policy.qa_review_or_404(qa_review_id)
    return render_template("inspections/qa_review.html", review=review,
                           can_record=policy.can_record_findings(current_user, review),
                           can_plan=current_user.role in policy.QA_PLANNERS,
                           can_agree=current_user.role in policy.QPAG_EDITORS,
                           can_complete_actions=policy.can_edit(current_user.role),
                           agree_form=AgreePlanForm(formdata=None), today=london_date(utcnow()),
                           title=f"{_qa_common()['kind_labels'].get(review.kind, 'Review')}: {review.area}",
                           **_qa_common())


def _require_recorder(review: QaReview) -> None:
    if not policy.can_record_findings(current_user, review):
        abort(403)


@bp.route("/qa-reviews/<int:qa_review_id>/homes/<int:home_id>/findings", methods=["GET", "POST"])
@roles_required(*policy.QA_ASSIGNEES)
def qa_review_findings(qa_review_id: int, home_id: int):
    review = policy.qa_review_or_404(qa_review_id)
    home = home_or_404(home_id)
    row = next((h for h in review.homes if h.home_id == home.id), None)
    if row is None:
        abort(404)
    _require_recorder(review)
    if not review.is_open:
        return redirect(_qa_review_url(review), code=303)
    form = FindingsForm(data={"rag": row.rag, "findings": row.findings} if request.method == "GET" else None)
    if form.validate_on_submit() and saved(form, lambda: service.record_findings(
            review, home.id, rag=form.rag.data, findings=form.findings.data or "", by=current_user)):
        flash(f"Findings for {home.name} saved", "success")
        return redirect(_qa_review_url(review), code=303)
    return render_template("inspections/qa_findings.html", review=review, home=home, form=form,
                           title=f"Findings for {home.name}", **_qa_common())


@bp.route("/qa-reviews/<int:qa_review_id>/complete", methods=["GET", "POST"])
@roles_required(*policy.QA_ASSIGNEES)
def qa_review_complete(qa_review_id: int):
    review = policy.qa_review_or_404(qa_review_id)
    _require_recorder(review)
    if not review.is_open:
        return redirect(_qa_review_url(review), code=303)
    form = CompleteReviewForm()
    if request.method == "GET":
        form.completed_on.data = london_date(utcnow())
    if form.validate_on_submit() and saved(form, lambda: service.complete_review(
            review, completed_on=form.completed_on.data, summary=form.summary.data or "", by=current_user)):
        flash("The review is completed. The service manager can now propose its action plan.", "success")
        return redirect(_qa_review_url(review), code=303)
    return render_template("inspections/qa_complete.html", review=review, form=form, title="Complete the review",
                           **_qa_common())


@bp.route("/qa-reviews/<int:qa_review_id>/actions/new", methods=["GET", "POST"])
@roles_required(*policy.QA_PLANNERS)
def qa_review_action_new(qa_review_id: int):
    review = policy.qa_review_or_404(qa_review_id)
    if review.is_open or review.plan_agreed_on is not None:
        return redirect(_qa_review_url(review), code=303)
    visible = [h for h in review.homes if can_see_home(current_user, h.home_id)]
    form = ReviewActionForm()
    form.home_id.choices = [(str(h.home_id), h.home.name) for h in visible]
    owners: dict[int, str] = {}
    for h in visible:
        for u in queries.assigned_people(h.home_id):
            owners[u.id] = f"{u.name} ({role_label(u.role)}, {h.home.name})"
    form.owner_id.choices = [("", "Choose someone")] + [(str(i), label) for i, label in owners.items()]
    if form.validate_on_submit():
        home_id = _to_int(form.home_id.data)
        if home_id is not None and not can_see_home(current_user, home_id):
            abort(404)
        if saved(form, lambda: service.propose_review_action(
                review, home_id=home_id, text=form.text.data or "", owner_id=_to_int(form.owner_id.data),
                due_on=form.due_on.data, by=current_user)):
            flash("The action is in the proposed plan", "success")
            return redirect(_qa_review_url(review), code=303)
    return render_template("inspections/qa_action_form.html", review=review, form=form,
                           title="Add an action to the plan", **_qa_common())


@bp.route("/qa-reviews/<int:qa_review_id>/agree", methods=["GET", "POST"])
@roles_required(*policy.QPAG_EDITORS)
def qa_review_agree(qa_review_id: int):
    review = policy.qa_review_or_404(qa_review_id)
    if review.plan_agreed_on is not None:
        return redirect(_qa_review_url(review), code=303)
    form = AgreePlanForm()
    if form.validate_on_submit() and saved(form, lambda: service.agree_review_plan(
            review, agreed_on=form.agreed_on.data, by=current_user)):
        flash("QPAG's agreement is recorded: the actions are on the action list with their deadlines.", "success")
        return redirect(_qa_review_url(review), code=303)
    return render_template("inspections/qa_agree.html", review=review, form=form,
                           title="Record QPAG's agreement", **_qa_common())


@bp.route("/qa-review-actions/<int:qa_review_action_id>/complete", methods=["GET", "POST"])
@roles_required(*policy.EDITORS)
def qa_review_action_complete(qa_review_action_id: int):
    action = policy.qa_review_action_or_404(qa_review_action_id)
    review = action.review
    # Back to the action list (registered managers own actions but do not read the review itself)
    back = url_for("inspections.actions", home=action.home_id, source="qa_review")
    if not action.is_open or review.plan_agreed_on is None:
        return redirect(back, code=303)
    form = CompleteItemForm()
    if form.validate_on_submit() and saved(form, lambda: service.complete_review_action(
            action, completed_on=form.completed_on.data, by=current_user)):
        flash("The action is completed", "success")
        return redirect(back, code=303)
    return render_template("inspections/qa_action_complete.html", action=action, review=review, form=form, back=back,
                           title="Complete a QA review action", **_qa_common())
