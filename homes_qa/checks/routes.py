"""The certificate register (per home and across homes), certificate evidence, and the
Schedule 4 fire log. Home-scoped: another home's register, entry or file is 404."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from homes_qa.checks import policy, queries, service
from homes_qa.checks.forms import (
    AlarmTestForm,
    AppliesForm,
    CertificateForm,
    CheckTypeForm,
    DrillForm,
    EvidenceForm,
    LightingForm,
)
from homes_qa.checks.models import CertificateEntry, CheckType, FireLogKind
from homes_qa.core.filetypes import KINDS
from homes_qa.spine.access import home_or_404, roles_required
from homes_qa.spine.timestamps import utcnow
from homes_qa.web.csv_export import csv_response
from homes_qa.web.forms import saved, saved_result

bp = Blueprint("checks", __name__)


def _ensure_types() -> list[CheckType]:
    """The check types; the defaults are added on first use (as the rule table is)."""
    types = queries.check_types()
    if queries.defaults_missing(types):
        service.sync_types()
        types = queries.check_types()
    return types


def _upload(field) -> service.Upload | None:
    """The file a form sent, read at most one byte past the limit (the service refuses more)."""
    data = field.data
    if not isinstance(data, FileStorage) or not data.filename:
        return None
    try:
        return service.Upload(data.filename, data.stream.read(service.MAX_UPLOAD_BYTES + 1))
    finally:
        data.close()  # a large upload is spooled to a temporary file: let it go now


_TOO_LARGE = "checks.upload_too_large"


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """A request over the app-wide limit (MAX_CONTENT_LENGTH) is refused before its form can be
    read: back to the form it came from (303), which shows the file field's own message."""
    args = request.view_args or {}
    if request.endpoint == "checks.record":
        session[_TOO_LARGE] = request.path
        return redirect(url_for("checks.record", **args), code=303)
    if request.endpoint == "checks.add_evidence":
        session[_TOO_LARGE] = request.path
        return redirect(url_for("checks.entry", **args), code=303)
    return render_template("errors/400.html", title="The file is too large", error=error), 413


def _refused_as_too_large(form, posted_to: str) -> None:
    """After upload_too_large: the message by the file field (and in the error summary)."""
    if session.get(_TOO_LARGE) == posted_to:
        session.pop(_TOO_LARGE)
        form.evidence.errors = [f"The selected file must be smaller than {service.MAX_UPLOAD_LABEL}"]


# ---------------------------------------------------------------- the register of a home

@bp.route("/homes/<int:home_id>/register")
@roles_required(*policy.READERS)
def register(home_id: int):
    home = home_or_404(home_id)
    _ensure_types()
    return render_template("checks/register.html", home=home, register=queries.home_register(home, utcnow()),
                           labels=queries.LABELS, may_record=current_user.role in policy.RECORDERS,
                           may_set=current_user.role in policy.APPLICABILITY, title="Certificate register")


@bp.route("/homes/<int:home_id>/register/<type_code>")
@roles_required(*policy.READERS)
def check_history(home_id: int, type_code: str):
    home = home_or_404(home_id)
    _ensure_types()
    check_type = queries.check_type_or_404(type_code)
    row = next(r for r in queries.home_register(home, utcnow()).rows if r.check_type.id == check_type.id)
    return render_template("checks/history.html", home=home, row=row, labels=queries.LABELS,
                           entries=queries.entries_for(home, check_type),
                           may_record=current_user.role in policy.RECORDERS,
                           may_set=current_user.role in policy.APPLICABILITY, title=check_type.title)


@bp.route("/homes/<int:home_id>/register/<type_code>/record", methods=["GET", "POST"])
@roles_required(*policy.RECORDERS)
def record(home_id: int, type_code: str):
    home = home_or_404(home_id)
    _ensure_types()
    check_type = queries.check_type_or_404(type_code)
    row = next(r for r in queries.home_register(home, utcnow()).rows if r.check_type.id == check_type.id)
    if not row.applies:
        flash(f"{check_type.title} does not apply at {home.name}", "info")
        return redirect(url_for("checks.register", home_id=home.id), code=303)
    form = CertificateForm()
    if request.method == "GET":
        _refused_as_too_large(form, request.path)
    if form.validate_on_submit():
        entry = saved_result(form, lambda: service.record_certificate(
            home, check_type, done_on=form.done_on.data, contractor=form.contractor.data or "",
            certificate_number=form.certificate_number.data or "", note=form.note.data or "",
            upload=_upload(form.evidence), by=current_user))
        if entry is not None:
            due = f"; next due {entry.next_due_on:%-d %B %Y}" if entry.next_due_on else ""
            flash(f"Recorded: {check_type.title} done on {entry.done_on:%-d %B %Y}{due}", "success")
            return redirect(url_for("checks.register", home_id=home.id) + f"#check-{check_type.code}", code=303)
    return render_template("checks/record.html", home=home, row=row, form=form, labels=queries.LABELS,
                           title=f"Record a {check_type.title.lower()}")


@bp.route("/homes/<int:home_id>/register/<type_code>/applies", methods=["GET", "POST"])
@roles_required(*policy.APPLICABILITY)
def applies(home_id: int, type_code: str):
    home = home_or_404(home_id)
    _ensure_types()
    check_type = queries.check_type_or_404(type_code)
    row = next(r for r in queries.home_register(home, utcnow()).rows if r.check_type.id == check_type.id)
    form = AppliesForm(data={"applies": "yes" if row.applies else "no", "reason": row.reason})
    if form.validate_on_submit() and saved(form, lambda: service.set_applies(
            home, check_type, applies={"yes": True, "no": False}.get(form.applies.data or ""),
            reason=form.reason.data or "", by=current_user)):
        flash(f"Saved: {check_type.title} {'applies' if form.applies.data == 'yes' else 'does not apply'} "
              f"at {home.name}", "success")
        return redirect(url_for("checks.register", home_id=home.id) + f"#check-{check_type.code}", code=303)
    return render_template("checks/applies.html", home=home, row=row, form=form,
                           title=f"Does the {check_type.title.lower()} apply?")


# ---------------------------------------------------------------- entries and their evidence

def _entry_page(entry: CertificateEntry, form: EvidenceForm):
    return render_template("checks/entry.html", entry=entry, home=entry.home, form=form, kinds=KINDS,
                           may_record=current_user.role in policy.RECORDERS, title=entry.check_type.title)


@bp.route("/certificates/<int:entry_id>")
@roles_required(*policy.READERS)
def entry(entry_id: int):
    certificate = queries.entry_or_404(entry_id, current_user)
    form = EvidenceForm()
    _refused_as_too_large(form, url_for("checks.add_evidence", entry_id=certificate.id))
    return _entry_page(certificate, form)


@bp.route("/certificates/<int:entry_id>/evidence", methods=["POST"])
@roles_required(*policy.RECORDERS)
def add_evidence(entry_id: int):
    certificate = queries.entry_or_404(entry_id, current_user)
    form = EvidenceForm()
    if form.validate_on_submit() and saved(form, lambda: service.add_evidence(
            certificate, upload=_upload(form.evidence), by=current_user)):
        flash("The file has been added to the certificate", "success")
        return redirect(url_for("checks.entry", entry_id=certificate.id), code=303)
    return _entry_page(certificate, form)


@bp.route("/evidence/<int:evidence_id>")
@roles_required(*policy.READERS)
def evidence(evidence_id: int):
    """The stored file, only as a download: never rendered inline, never sniffed by the browser."""
    item = queries.evidence_or_404(evidence_id, current_user)
    path = service.upload_path(item)
    if not path.is_file():
        abort(404)
    kind = KINDS[item.kind]
    # Read whole (at most the upload limit), so no file handle outlives the request.
    response = Response(path.read_bytes(), mimetype=kind.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=item.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- the cross-home register

@bp.route("/register")
@roles_required(*policy.CROSS_HOME)
def cross_home():
    _ensure_types()
    registers = queries.cross_home_registers(current_user, utcnow())
    return render_template("checks/cross_home.html", registers=registers, labels=queries.LABELS,
                           title="Certificate register: all homes")


@bp.route("/register/types/new", methods=["GET", "POST"])
@roles_required(*policy.TYPE_EDITORS)
def new_type():
    _ensure_types()
    form = CheckTypeForm()
    if form.validate_on_submit():
        added = saved_result(form, lambda: service.add_check_type(
            title=form.title.data or "", interval_months=form.interval_months.data, source=form.source.data or "",
            applies_by_default=bool(form.applies_by_default.data), applies_hint=form.applies_hint.data or "",
            by=current_user))
        if added is not None:
            flash(f"Added the check: {added.title}", "success")
            return redirect(url_for("checks.cross_home"), code=303)
    return render_template("checks/new_type.html", form=form, types=queries.check_types(),
                           title="Add a type of check")


# ---------------------------------------------------------------- the fire log

FORMS = {FireLogKind.ALARM_TEST: AlarmTestForm, FireLogKind.DRILL: DrillForm,
         FireLogKind.EMERGENCY_LIGHTING: LightingForm}
SLUGS = {"alarm-test": FireLogKind.ALARM_TEST, "drill": FireLogKind.DRILL,
         "emergency-lighting": FireLogKind.EMERGENCY_LIGHTING}


@bp.route("/homes/<int:home_id>/fire-log")
@roles_required(*policy.READERS)
def fire_log(home_id: int):
    home = home_or_404(home_id)
    now = utcnow()
    return render_template("checks/fire_log.html", home=home, entries=queries.fire_log(home, now),
                           due=queries.fire_log_due(home, now), kinds=queries.KIND_TITLES,
                           may_log=current_user.role in policy.FIRE_LOGGERS, title="Fire log")


@bp.route("/homes/<int:home_id>/fire-log/print")
@roles_required(*policy.READERS)
def fire_log_print(home_id: int):
    home = home_or_404(home_id)
    now = utcnow()
    return render_template("checks/fire_log_print.html", home=home, entries=queries.fire_log(home, now),
                           kinds=queries.KIND_TITLES, printed_at=now, title=f"Fire log — {home.name}")


@bp.route("/homes/<int:home_id>/fire-log/<kind>/new", methods=["GET", "POST"])
@roles_required(*policy.FIRE_LOGGERS)
def log_fire(home_id: int, kind: str):
    home = home_or_404(home_id)
    if kind not in SLUGS:
        abort(404)
    log_kind = SLUGS[kind]
    form = FORMS[log_kind]()
    if form.validate_on_submit():
        extra = {name: getattr(form, name).data for name in ("call_point", "participants", "conditions",
                                                             "evacuation_seconds") if hasattr(form, name)}
        if saved(form, lambda: service.log_fire_entry(
                home, kind=log_kind, done_on=form.done_on.data, result=form.result.data,
                deficiencies=form.deficiencies.data or "", remedy=form.remedy.data or "", by=current_user,
                **extra)):
            flash(f"Recorded in the fire log: {queries.KIND_TITLES[log_kind].lower()}", "success")
            return redirect(url_for("checks.fire_log", home_id=home.id), code=303)
    return render_template("checks/log_fire.html", home=home, form=form, kind=log_kind,
                           kind_title=queries.KIND_TITLES[log_kind], title=f"Log a {queries.KIND_TITLES[log_kind].lower()}")


# ---------------------------------------------------------------- CSV export (issue 11)

REGISTER_COLUMNS = ("home", "ofsted_urn", "check", "applies", "not_applicable_reason", "status", "last_done",
                    "next_due", "contractor", "certificate_number", "rule_code")


@bp.route("/register/export.csv")
@roles_required(*policy.READERS)
def export_register():
    """The certificate register of every open home the user sees, one row per home and check,
    Excel-friendly and formula-safe (web/csv_export.py)."""
    _ensure_types()
    now = utcnow()

    def rows():
        for register in queries.cross_home_registers(current_user, now):
            for row in register.rows:
                entry = row.entry
                due = row.obligation.due_at if row.obligation is not None else None
                yield [register.home.name, register.home.ofsted_urn, row.check_type.title, row.applies,
                       row.reason, queries.LABELS.get(row.status, row.status), row.last_done, due,
                       entry.contractor if entry else None, entry.certificate_number if entry else None,
                       row.check_type.rule_code]
    return csv_response("certificate-register", REGISTER_COLUMNS, rows())
