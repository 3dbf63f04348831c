"""Monthly audits of a home: start, answer (saved as given; resumes), grade, check your answers
and submit (locks). Another home's audit is 404."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from homes_qa.audits import policy, queries, service
from homes_qa.audits.forms import PRIORITY_LABELS, answers_form, grades_form, question_form
from homes_qa.audits.models import ANSWER_LABELS, GRADE_LABELS, Grade, HomeAudit
from homes_qa.audits.templates import latest_templates
from homes_qa.core.calendar import london_date
from homes_qa.extensions import db
from homes_qa.spine.access import home_or_404, roles_required
from homes_qa.spine.timestamps import utcnow
from homes_qa.web.forms import ConfirmForm, saved, saved_result
from homes_qa.web.templating import is_htmx

bp = Blueprint("audits", __name__)


def _formdata():
    return request.form if request.method == "POST" else None


def _editable_or_redirect(audit: HomeAudit, *, answering: bool = False):
    if not queries.is_draft(audit):
        flash("This audit is submitted and can no longer be changed", "info")
        return redirect(url_for("audits.check", audit_id=audit.id), code=303)
    allowed = policy.can_answer if answering else policy.can_conduct
    if not allowed(current_user, audit.template_code):
        abort(403)
    return None


@bp.route("/homes/<int:home_id>/audits")
@roles_required(*policy.READERS)
def index(home_id: int):
    home = home_or_404(home_id)
    templates = [(t, policy.can_conduct(current_user, t.code)) for t in latest_templates()]
    return render_template("audits/index.html", home=home, templates=templates, audits=queries.audits_for(home, current_user),
                           grades=GRADE_LABELS, confirm=ConfirmForm(), title=f"Audits for {home.name}")


@bp.route("/homes/<int:home_id>/audits/<template_code>/start", methods=["POST"])
@roles_required(*policy.CONDUCTORS)
def start(home_id: int, template_code: str):
    home = home_or_404(home_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    audit = saved_result(form, lambda: service.start_audit(home, template_code, by=current_user))
    if audit is None:
        flash(form.form_errors[0], "info")
        return redirect(url_for("audits.index", home_id=home.id), code=303)
    return redirect(url_for("audits.answers", audit_id=audit.id), code=303)


@bp.route("/audits/<int:audit_id>/reaudit", methods=["POST"])
@roles_required(*policy.CONDUCTORS)
def reaudit(audit_id: int):
    original = queries.audit_or_404(audit_id, current_user)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if queries.is_draft(original) or original.overall_grade not in (Grade.INADEQUATE, Grade.REQUIRES_IMPROVEMENT):
        abort(404)
    audit = saved_result(form, lambda: service.start_audit(original.home, original.template_code, by=current_user,
                                                           reaudit_of=original))
    if audit is None:
        flash(form.form_errors[0], "info")
        return redirect(url_for("audits.check", audit_id=original.id), code=303)
    return redirect(url_for("audits.answers", audit_id=audit.id), code=303)


def _given(form, audit: HomeAudit, only: str | None = None) -> dict[str, service.GivenAnswer]:
    given = {}
    for question in audit.questions:
        code = question["code"]
        if only is not None and code != only:
            continue
        owner = form[f"owner_{code}"].data
        given[code] = service.GivenAnswer(
            answer=form[f"answer_{code}"].data or None, comment=form[f"comment_{code}"].data or "",
            action=form[f"action_{code}"].data or "", owner_id=int(owner) if owner and owner.isascii() and owner.isdigit() and len(owner) <= 18 else None,
            due_on=form[f"due_{code}"].data, priority=form[f"priority_{code}"].data or None)
    return given


@bp.route("/audits/<int:audit_id>", methods=["GET", "POST"])
@roles_required(*policy.READERS)
def answers(audit_id: int):
    audit = queries.audit_or_404(audit_id, current_user)
    if request.method == "POST":
        locked = _editable_or_redirect(audit, answering=True)
        if locked is not None:
            return locked
    elif not queries.is_draft(audit) or not policy.can_answer(current_user, audit.template_code):
        return redirect(url_for("audits.check", audit_id=audit.id), code=303)  # read it there
    people = queries.home_people(audit.home_id)
    form = answers_form(audit, people, _formdata())
    if form.validate_on_submit() and saved(form, lambda: service.save_answers(
            audit, _given(form, audit), by=current_user)):
        flash("Your answers have been saved", "success")
        if not policy.can_conduct(current_user, audit.template_code):  # home staff: the manager grades
            return redirect(url_for("audits.check", audit_id=audit.id), code=303)
        return redirect(url_for("audits.grade", audit_id=audit.id), code=303)
    return render_template("audits/answers.html", audit=audit, home=audit.home, form=form,
                           answered=_answered(audit), total=len(audit.questions), title=audit.title)


def _answered(audit: HomeAudit) -> int:
    return sum(1 for a in audit.answers if a.answer)


@bp.route("/audits/<int:audit_id>/questions/<code>", methods=["POST"])
@roles_required(*policy.ANSWERERS)
def save_question(audit_id: int, code: str):
    """Save one question's answer as given. htmx (the checklist posts a question when it changes):
    answers with the question re-rendered (its errors by the fields) and the progress count out of
    band. Without JavaScript (a plain post here) it saves and goes back to the checklist."""
    audit = queries.audit_or_404(audit_id, current_user)
    if is_htmx() and not queries.is_draft(audit):
        return "", 204, {"HX-Redirect": url_for("audits.check", audit_id=audit.id)}
    locked = _editable_or_redirect(audit, answering=True)
    if locked is not None:
        return locked
    form = question_form(audit, code, queries.home_people(audit.home_id), request.form)
    if form is None:
        abort(404)
    valid = form.validate_on_submit()
    due = form[f"due_{code}"]
    parts = [part.strip() for part in request.form.getlist(f"due_{code}")]
    if is_htmx() and due.errors and any(parts) and not all(parts):
        due.errors = []  # a date still being typed (day given, month not yet): no error, and not saved yet
        valid = not any(field.errors for field in form)
    ok = valid and saved(form, lambda: service.save_answers(
        audit, _given(form, audit, only=code), by=current_user))
    if not is_htmx():
        if ok:
            flash("Your answer has been saved", "success")
            return redirect(url_for("audits.answers", audit_id=audit.id) + f"#question-{code}", code=303)
        # Without JavaScript the checklist's own form saves; a plain post here that is refused says why.
        problems = [message for errors in form.errors.values() for message in errors if isinstance(message, str)]
        flash(f"Your answer was not saved: {problems[0] if problems else 'try again'}", "error")
        return redirect(url_for("audits.answers", audit_id=audit.id) + f"#question-{code}", code=303)
    number, section_title = next((n, s["title"]) for s in audit.sections
                                 for n, q in enumerate(s["questions"], start=1) if q["code"] == code)
    response = make_response(render_template(
        "audits/_question.html", audit=audit, form=form, question=next(q for q in audit.questions
                                                                       if q["code"] == code),
        number=number, section_title=section_title, oob=True, answered=_answered(audit),
        total=len(audit.questions), saved_message="Saved" if ok else None))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/audits/<int:audit_id>/grade", methods=["GET", "POST"])
@roles_required(*policy.CONDUCTORS)
def grade(audit_id: int):
    audit = queries.audit_or_404(audit_id, current_user)
    locked = _editable_or_redirect(audit)
    if locked is not None:
        return locked
    form = grades_form(audit, _formdata())
    if form.validate_on_submit() and saved(form, lambda: service.save_grades(
            audit, sections={s["code"]: (form[f"grade_{s['code']}"].data or None,
                                         form[f"evidence_{s['code']}"].data or "") for s in audit.sections},
            overall=(form.overall_grade.data or None, form.overall_evidence.data or ""),
            learning_points=[form.learning_1.data or "", form.learning_2.data or "", form.learning_3.data or ""],
            by=current_user)):
        flash("The grades have been saved", "success")
        return redirect(url_for("audits.check", audit_id=audit.id), code=303)
    return render_template("audits/grade.html", audit=audit, home=audit.home, form=form,
                           title=f"Grade the {audit.title.lower()}")


@bp.route("/audits/<int:audit_id>/check", methods=["GET", "POST"])
@roles_required(*policy.READERS)
def check(audit_id: int):
    audit = queries.audit_or_404(audit_id, current_user)
    form = ConfirmForm()
    if request.method == "POST":
        locked = _editable_or_redirect(audit)
        if locked is not None:
            return locked
        if form.validate_on_submit() and saved(form, lambda: service.submit(audit, by=current_user)):
            flash(f"The {audit.title.lower()} is submitted and locked", "success")
            return redirect(url_for("audits.check", audit_id=audit.id), code=303)
    draft = queries.is_draft(audit)
    owners = {u.id: u.name for u in queries.home_people(audit.home_id)}
    owners.update({f.owner_id: f.owner.name for f in audit.findings})
    reaudit_of = db.session.get(HomeAudit, audit.reaudit_of_id) if audit.reaudit_of_id is not None else None
    return render_template(
        "audits/check.html", audit=audit, home=audit.home, form=form, draft=draft,
        missing=service.missing(audit, london_date(utcnow())) if draft else [],
        answers={a.question_code: a for a in audit.answers}, answer_labels=ANSWER_LABELS, grades=GRADE_LABELS,
        priorities=PRIORITY_LABELS, owners=owners, reaudit_of=reaudit_of,
        may_conduct=policy.can_conduct(current_user, audit.template_code),
        may_answer=policy.can_answer(current_user, audit.template_code),
        may_reaudit=(not draft and audit.overall_grade in (Grade.INADEQUATE, Grade.REQUIRES_IMPROVEMENT)
                     and policy.can_conduct(current_user, audit.template_code)),
        title=("Check your answers" if draft else audit.title))

