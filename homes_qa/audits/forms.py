"""Forms for monthly audits: built from the audit's own questions (the template version it uses)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from homes_qa.audits.models import ANSWER_LABELS, GRADE_LABELS, HomeAudit, Priority
from homes_qa.audits.service import MAX_TEXT
from homes_qa.spine.people.models import User
from homes_qa.web.forms import GovDateField

_LIMIT = Length(max=MAX_TEXT, message=f"This must be {MAX_TEXT} characters or fewer")
PRIORITY_LABELS = {Priority.HIGH: "High", Priority.MEDIUM: "Medium", Priority.LOW: "Low"}


def answers_form(audit: HomeAudit, people: list[User], formdata=None) -> FlaskForm:
    """One radio group, comment and (for a "no") action fields per question."""
    class AnswersForm(FlaskForm):
        submit = SubmitField("Save and continue", widget=GovSubmitInput())

    owners = _owners(people)
    for number, question in enumerate(audit.questions, start=1):
        _add_question(AnswersForm, number, question, owners)
    return AnswersForm(formdata=formdata, data=_saved_data(audit))


def question_form(audit: HomeAudit, code: str, people: list[User], formdata=None) -> FlaskForm | None:
    """The fields of one question only (the htmx save of one answer); None if it is not the audit's."""
    class QuestionForm(FlaskForm):
        pass

    for number, question in enumerate(audit.questions, start=1):
        if question["code"] == code:
            _add_question(QuestionForm, number, question, _owners(people))
            return QuestionForm(formdata=formdata, data=_saved_data(audit, code))
    return None


def _owners(people: list[User]) -> list[tuple[str, str]]:
    return [("", "Choose the owner")] + [(str(p.id), f"{p.name} ({p.role_label})") for p in people]


def _add_question(cls: type, number: int, question: dict, owners: list[tuple[str, str]]) -> None:
    code = question["code"]
    setattr(cls, f"answer_{code}", RadioField(
        f"{number}. {question['text']}", widget=GovRadioInput(), validators=[Optional()],
        choices=list(ANSWER_LABELS.items()), description=f"Source: {question['source']}"))
    setattr(cls, f"comment_{code}", TextAreaField(
        "What you found" + (" and the evidence you saw" if question["needs_evidence"] else ""),
        widget=GovTextArea(), validators=[_LIMIT]))
    setattr(cls, f"action_{code}", TextAreaField("If no: the action", widget=GovTextArea(), validators=[_LIMIT]))
    setattr(cls, f"owner_{code}", SelectField("If no: who owns the action", widget=GovSelect(),
                                              choices=owners, validators=[Optional()]))
    setattr(cls, f"due_{code}", GovDateField(
        "If no: due by", invalid_message="The due date must be a real date, like 27 3 2027",
        description="For example, 27 3 2027"))
    setattr(cls, f"priority_{code}", RadioField(
        "If no: priority", widget=GovRadioInput(), validators=[Optional()], choices=list(PRIORITY_LABELS.items())))


def _saved_data(audit: HomeAudit, only: str | None = None) -> dict:
    data = {}
    for row in audit.answers:
        code = row.question_code
        if only is not None and code != only:
            continue
        data.update({f"answer_{code}": row.answer, f"comment_{code}": row.comment, f"action_{code}": row.action,
                     f"owner_{code}": str(row.owner_id) if row.owner_id else "", f"due_{code}": row.due_on,
                     f"priority_{code}": row.priority})
    return data


def grades_form(audit: HomeAudit, formdata=None) -> FlaskForm:
    class GradesForm(FlaskForm):
        overall_grade = RadioField("Overall grade", widget=GovRadioInput(), validators=[Optional()],
                                   choices=list(GRADE_LABELS.items()))
        overall_evidence = TextAreaField("Evidence for the overall grade", widget=GovTextArea(), validators=[_LIMIT])
        learning_1 = TextAreaField("Learning point 1 (optional)", widget=GovTextArea(),
                                   validators=[Length(max=500, message="Each learning point must be 500 characters "
                                                                       "or fewer")])
        learning_2 = TextAreaField("Learning point 2 (optional)", widget=GovTextArea(),
                                   validators=[Length(max=500, message="Each learning point must be 500 characters "
                                                                       "or fewer")])
        learning_3 = TextAreaField("Learning point 3 (optional)", widget=GovTextArea(),
                                   validators=[Length(max=500, message="Each learning point must be 500 characters "
                                                                       "or fewer")])
        submit = SubmitField("Save and continue", widget=GovSubmitInput())

    for section in audit.sections:
        code = section["code"]
        setattr(GradesForm, f"grade_{code}", RadioField(f"Grade for {section['title'].lower()}",
                                                        widget=GovRadioInput(), validators=[Optional()],
                                                        choices=list(GRADE_LABELS.items())))
        setattr(GradesForm, f"evidence_{code}", TextAreaField(f"Evidence for the {section['title'].lower()} grade",
                                                              widget=GovTextArea(), validators=[_LIMIT]))
    data = {"overall_grade": audit.overall_grade, "overall_evidence": audit.overall_evidence}
    for number, point in enumerate(audit.learning_points or [], start=1):
        data[f"learning_{number}"] = point
    for code, grade in (audit.section_grades or {}).items():
        data[f"grade_{code}"] = grade.get("grade")
        data[f"evidence_{code}"] = grade.get("evidence", "")
    return GradesForm(formdata=formdata, data=data)
