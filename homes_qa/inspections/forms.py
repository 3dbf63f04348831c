"""Forms for inspections, their actions and monitoring reviews (GOV.UK widgets).

Choices are not validated here (`validate_choice=False`): the service refuses values off the
scale or the list, with its own message by the field.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length

from homes_qa.core.inspections import (
    HELPED_PROTECTED,
    INSPECTION_TYPES,
    JUDGEMENTS,
    LEADERSHIP,
    OVERALL,
    grade_choices,
)
from homes_qa.core.qa_reviews import REVIEW_KINDS
from homes_qa.inspections.models import ItemKind, Rag
from homes_qa.inspections.service import FILE_TYPES_LABEL, MAX_AREA, MAX_FILE_LABEL, MAX_REGULATION, MAX_TEXT
from homes_qa.web.forms import GovDateField

_LIMIT = Length(max=MAX_TEXT, message=f"This must be {MAX_TEXT} characters or fewer")


def _date(label: str, example: str, *, required: str | None = None) -> GovDateField:
    return GovDateField(label, description=f"For example, {example}", missing_message=required,
                        invalid_message=f"{label} must be a real date, like {example}")


class InspectionForm(FlaskForm):
    inspection_type = RadioField("Type of inspection", choices=[(t.code, t.label) for t in INSPECTION_TYPES],
                                 widget=GovRadioInput(), validate_choice=False)
    started_on = _date("Date the inspection started", "17 11 2026", required="Enter the date the inspection started")
    ended_on = _date("Date the inspection ended", "18 11 2026", required="Enter the date the inspection ended")
    overall = SelectField(JUDGEMENTS[OVERALL], choices=grade_choices(), widget=GovSelect(), validate_choice=False,
                          description="Leave as 'No judgement' for a monitoring visit.")
    helped_protected = SelectField(JUDGEMENTS[HELPED_PROTECTED], choices=grade_choices(), widget=GovSelect(),
                                   validate_choice=False, description="Full inspections only.")
    leadership = SelectField(JUDGEMENTS[LEADERSHIP], choices=grade_choices(), widget=GovSelect(),
                             validate_choice=False, description="Full inspections only.")
    confirm_limiting = BooleanField("I have checked the report: these are the judgements Ofsted published",
                                    widget=GovCheckboxInput())
    compliance_notice_served_on = _date("Date the compliance notice was served", "18 11 2026")
    compliance_notice_complete_by = _date("Date the compliance notice must be complied with", "18 12 2026")
    restriction_served_on = _date("Date the restriction of accommodation notice was served", "18 11 2026")
    restriction_ends_on = _date("Date the restriction ends", "18 2 2027")
    summary = TextAreaField("Summary of the findings (optional)", widget=GovTextArea(), validators=[_LIMIT])
    submit = SubmitField("Record the inspection", widget=GovSubmitInput())


class ItemForm(FlaskForm):
    kind = RadioField("Is this a requirement or a recommendation?", widget=GovRadioInput(), validate_choice=False,
                      choices=[(ItemKind.REQUIREMENT.value, "Requirement (cites a regulation, has a compliance date)"),
                               (ItemKind.RECOMMENDATION.value, "Recommendation")])
    text = TextAreaField("What Ofsted wrote", widget=GovTextArea(), validators=[_LIMIT])
    regulation = StringField("Regulation it cites", widget=GovTextInput(),
                             description="Requirements only, for example 'Regulation 12 (the protection of "
                                         "children standard)'",
                             validators=[Length(max=MAX_REGULATION,
                                                message=f"This must be {MAX_REGULATION} characters or fewer")])
    compliance_date = _date("Compliance date", "15 1 2027")
    action = TextAreaField("What will be done", widget=GovTextArea(), validators=[_LIMIT])
    owner_id = SelectField("Who owns the action", widget=GovSelect(), validate_choice=False, coerce=str,
                           description="Someone assigned to this home")
    due_on = _date("Date the action is due", "8 1 2027", required="Enter the date the action is due")
    submit = SubmitField("Add", widget=GovSubmitInput())


class CompleteItemForm(FlaskForm):
    completed_on = _date("Date the action was completed", "4 12 2026",
                         required="Enter the date the action was completed")
    submit = SubmitField("Mark as completed", widget=GovSubmitInput())


class ReopenItemForm(FlaskForm):
    reason = TextAreaField("Why is the action being reopened?", widget=GovTextArea(), validators=[_LIMIT])
    due_on = _date("New date the action is due", "8 1 2027", required="Enter the new date the action is due")
    submit = SubmitField("Reopen the action", widget=GovSubmitInput())


RAG_CHOICES = [(Rag.RED.value, "Red: not on track"), (Rag.AMBER.value, "Amber: some progress"),
               (Rag.GREEN.value, "Green: on track or done")]


class ReviewForm(FlaskForm):
    """Fields per open action are added by `review_form` (`rag_<id>`, `narrative_<id>`)."""

    reviewed_on = _date("Date of the review", "4 12 2026", required="Enter the date of the review")
    next_steps = TextAreaField("Next steps", widget=GovTextArea(), validators=[_LIMIT])
    submit = SubmitField("Record the review", widget=GovSubmitInput())
    item_ids: list[int] = []


def review_form(items, **kwargs) -> ReviewForm:
    class Form(ReviewForm):
        pass

    for item in items:
        setattr(Form, f"rag_{item.id}", RadioField("Progress", choices=RAG_CHOICES, widget=GovRadioInput(),
                                                   validate_choice=False))
        setattr(Form, f"narrative_{item.id}", TextAreaField("What has been done, and the evidence",
                                                            widget=GovTextArea(), validators=[_LIMIT]))
    form = Form(**kwargs)
    form.item_ids = [item.id for item in items]
    return form


class QpagActionForm(FlaskForm):
    home_id = SelectField("Home", widget=GovSelect(), validate_choice=False, coerce=str,
                          description="Leave as 'The whole service' for an action that is not about one home")
    meeting_on = _date("Date of the QPAG meeting", "10 11 2026", required="Enter the date of the QPAG meeting "
                                                                          "that agreed the action")
    text = TextAreaField("Action agreed", widget=GovTextArea(), validators=[_LIMIT])
    owner_id = SelectField("Who owns the action", widget=GovSelect(), validate_choice=False, coerce=str)
    due_on = _date("Date it will be done by", "8 1 2027", required="Enter the date QPAG agreed it will be done by")
    submit = SubmitField("Add to the tracker", widget=GovSubmitInput())


class EscalateForm(FlaskForm):
    escalated_on = _date("Date it was escalated to CSLT", "4 12 2026",
                         required="Enter the date it was escalated to CSLT")
    note = TextAreaField("What was escalated, and why", widget=GovTextArea(), validators=[_LIMIT])
    submit = SubmitField("Record the escalation", widget=GovSubmitInput())


class ActionNoteForm(FlaskForm):
    text = TextAreaField("Progress or evidence", widget=GovTextArea(),
                         description="What has been done, and where the evidence is kept (a file, a record, a meeting)",
                         validators=[Length(max=2000, message="The note must be 2000 characters or fewer")])
    evidence = FileField("Attach a file (optional)", widget=GovFileInput(),
                         description=f"{FILE_TYPES_LABEL[:1].upper()}{FILE_TYPES_LABEL[1:]}, smaller than {MAX_FILE_LABEL}")
    submit = SubmitField("Add the note", widget=GovSubmitInput())


class ReportForm(FlaskForm):
    report = FileField("Ofsted's report (PDF)", widget=GovFileInput())
    submit = SubmitField("Attach the report", widget=GovSubmitInput())


# ---------------------------------------------------------------- QA reviews

class CommissionReviewForm(FlaskForm):
    kind = RadioField("Kind of review", widget=GovRadioInput(), validate_choice=False,
                      choices=[(k.code, k.label) for k in REVIEW_KINDS])
    area = StringField("Area of the service or theme", widget=GovTextInput(),
                       description="For a dip sample the area to sample, for a thematic review the theme, "
                                   "for a full audit why it is needed (a new manager, concerns)",
                       validators=[Length(max=MAX_AREA, message=f"This must be {MAX_AREA} characters or fewer")])
    home_ids = SelectMultipleField("Homes", widget=GovCheckboxesInput(), validate_choice=False, coerce=str)
    assignee_id = SelectField("Who will carry it out", widget=GovSelect(), validate_choice=False, coerce=str)
    due_on = _date("Date it is due", "31 1 2027", required="Enter the date the review is due")
    submit = SubmitField("Commission the review", widget=GovSubmitInput())


class FindingsForm(FlaskForm):
    rag = RadioField("Rating", widget=GovRadioInput(), validate_choice=False,
                     choices=[(r.value, r.value.capitalize()) for r in Rag])
    findings = TextAreaField("Findings", widget=GovTextArea(), validators=[_LIMIT])
    submit = SubmitField("Save the findings", widget=GovSubmitInput())


class CompleteReviewForm(FlaskForm):
    completed_on = _date("Date the review was completed", "4 12 2026",
                         required="Enter the date the review was completed")
    summary = TextAreaField("Summary for QPAG (optional)", widget=GovTextArea(), validators=[_LIMIT])
    submit = SubmitField("Complete the review", widget=GovSubmitInput())


class ReviewActionForm(FlaskForm):
    home_id = SelectField("Home", widget=GovSelect(), validate_choice=False, coerce=str)
    text = TextAreaField("Action", widget=GovTextArea(), validators=[_LIMIT])
    owner_id = SelectField("Who owns the action", widget=GovSelect(), validate_choice=False, coerce=str)
    due_on = _date("Date it is due", "8 1 2027", required="Enter the date the action is due")
    submit = SubmitField("Add to the action plan", widget=GovSubmitInput())


class AgreePlanForm(FlaskForm):
    agreed_on = _date("Date of the QPAG meeting that agreed the plan", "10 12 2026",
                      required="Enter the date of the QPAG meeting that agreed the plan")
    submit = SubmitField("Record QPAG's agreement", widget=GovSubmitInput())
