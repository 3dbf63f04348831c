"""Forms for Regulation 44 visits and reports (GOV.UK widgets declared on the fields)."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from homes_qa.reg44.models import Opinion
from homes_qa.reg44.service import MAX_CHILD_REF, MAX_CONSIDER_DAYS, METHODS, OTHER_PLAN_CHOICES, RECIPIENTS
from homes_qa.web.forms import GovDateField, WholeNumberField

ANNOUNCED_CHOICES = [("announced", "Announced"), ("unannounced", "Unannounced")]
OPINION_CHOICES = list(Opinion.LABELS.items())
_TIME = re.compile(r"^\s*([01]?\d|2[0-3])\s*[:.]\s*([0-5]\d)\s*$")


class ClockField(StringField):
    """A 24-hour time like 09:30 (also accepts 9.30); data is normalised to "HH:MM"."""

    def __init__(self, label=None, validators=None, *, missing_message: str, **kwargs):
        super().__init__(label, validators, widget=GovTextInput(), **kwargs)
        self.missing_message = missing_message

    def process_formdata(self, valuelist):
        self.raw_data = valuelist
        text = (valuelist[0] if valuelist else "") or ""
        self.data = text.strip()

    def pre_validate(self, form):
        if not self.data:
            raise ValidationError(self.missing_message)
        match = _TIME.match(self.data)
        if match is None:
            raise ValidationError(f"{self.label.text} must be a 24-hour time, like 09:30 or 14:05")
        self.data = f"{int(match.group(1)):02d}:{match.group(2)}"


class PlanVisitForm(FlaskForm):
    planned_for = GovDateField("Date of the visit", missing_message="Enter the date of the planned visit",
                               invalid_message="The date of the visit must be a real date, like 12 11 2026",
                               description="For example, 12 11 2026")
    announced = RadioField("Will the visit be announced?", choices=ANNOUNCED_CHOICES, widget=GovRadioInput(),
                           validators=[InputRequired(message="Select whether the visit will be announced")])
    submit = SubmitField("Save the plan", widget=GovSubmitInput())


def _count_field(label: str) -> WholeNumberField:
    return WholeNumberField(label, widget=GovTextInput(), default=0,
                            invalid_message=f"{label} must be a whole number, like 2",
                            validators=[Optional(), NumberRange(min=0, max=500,
                                                                message=f"{label} must be between 0 and 500")])


class RecordVisitForm(FlaskForm):
    visited_on = GovDateField("Date of the visit", missing_message="Enter the date of the visit",
                              invalid_message="The date of the visit must be a real date, like 2 11 2026",
                              description="For example, 2 11 2026")
    arrived_at = ClockField("Time you arrived", missing_message="Enter the time you arrived",
                            description="24-hour clock, for example 09:30")
    left_at = ClockField("Time you left", missing_message="Enter the time you left",
                         description="24-hour clock, for example 13:15")
    announced = RadioField("Was the visit announced?", choices=ANNOUNCED_CHOICES, widget=GovRadioInput(),
                           validators=[InputRequired(message="Select whether the visit was announced")])
    spoke_children = _count_field("Children")
    spoke_parents = _count_field("Parents or family")
    spoke_staff = _count_field("Staff")
    spoke_professionals = _count_field("Professionals")
    spoke_roles = TextAreaField("Roles of the people you spoke to", widget=GovTextArea(), validators=[
        Length(max=2000, message="Roles must be 2000 characters or fewer")],
        description="Roles only, like 'deputy manager, night care worker, social worker'. "
                    "Do not write children's names.")
    records_inspected = TextAreaField("Records inspected", widget=GovTextArea(), validators=[
        Length(max=5000, message="Records inspected must be 5000 characters or fewer")],
        description="For example, the complaints log, restraint records, medication records")
    notes = TextAreaField("Notes made on site", widget=GovTextArea(), validators=[
        Length(max=20000, message="Notes must be 20000 characters or fewer")],
        description="Your working notes; the report is written separately. Do not write children's names.")
    other_plan = RadioField("What should happen to the visit planned for that month?",
                            choices=list(OTHER_PLAN_CHOICES.items()), widget=GovRadioInput(),
                            validators=[Optional()], validate_choice=False)
    other_plan_date = GovDateField("New date for the planned visit", description="For example, 2 12 2026",
                                   invalid_message="The new date must be a real date, like 2 12 2026")
    submit = SubmitField("Record the visit", widget=GovSubmitInput())


class ReportForm(FlaskForm):
    """The draft report. Recommendation fields are added per draft by `report_form_for`."""

    safeguarded_opinion = RadioField(
        "In your opinion, are children effectively safeguarded?", choices=OPINION_CHOICES,
        widget=GovRadioInput(), validators=[Optional()], validate_choice=False)
    safeguarded_narrative = TextAreaField("Reasons for your opinion on safeguarding", widget=GovTextArea(),
                                          validators=[Length(max=20000, message="Must be 20000 characters or fewer")])
    wellbeing_opinion = RadioField(
        "In your opinion, does the conduct of the home promote children's well-being?",
        choices=OPINION_CHOICES, widget=GovRadioInput(), validators=[Optional()], validate_choice=False)
    wellbeing_narrative = TextAreaField("Reasons for your opinion on well-being", widget=GovTextArea(),
                                        validators=[Length(max=20000, message="Must be 20000 characters or fewer")])
    previous_progress = TextAreaField(
        "Progress against the previous visit's recommendations", widget=GovTextArea(),
        validators=[Length(max=20000, message="Must be 20000 characters or fewer")])
    findings = TextAreaField("Findings", widget=GovTextArea(),
                             validators=[Length(max=20000, message="Findings must be 20000 characters or fewer")])
    def validate_safeguarded_opinion(self, field):
        if field.data and field.data not in Opinion.LABELS:
            raise ValidationError("Select whether children are effectively safeguarded")

    def validate_wellbeing_opinion(self, field):
        if field.data and field.data not in Opinion.LABELS:
            raise ValidationError("Select whether the conduct of the home promotes children's well-being")


def report_form_for(recommendations, *, adding: bool = False, **kwargs) -> ReportForm:
    """A ReportForm with a text and days field per recommendation of the draft, then "add one"."""

    class DraftReportForm(ReportForm):
        pass

    for rec in recommendations:
        setattr(DraftReportForm, f"rec_{rec.id}_text", TextAreaField(
            f"Recommendation {rec.number}", widget=GovTextArea(),
            validators=[Length(max=20000, message="A recommendation must be 20000 characters or fewer")]))
        setattr(DraftReportForm, f"rec_{rec.id}_days", WholeNumberField(
            f"Days for the registered person to consider recommendation {rec.number}", widget=GovTextInput(),
            invalid_message="The number of days must be a whole number, like 28",
            validators=[InputRequired(message=f"Enter the number of days for recommendation {rec.number}"),
                        NumberRange(min=1, max=MAX_CONSIDER_DAYS,
                                    message=f"The number of days must be between 1 and {MAX_CONSIDER_DAYS}")]))
    new_text_validators = [Length(max=20000, message="A recommendation must be 20000 characters or fewer")]
    new_days_validators = [Optional(), NumberRange(
        min=1, max=MAX_CONSIDER_DAYS, message=f"The number of days must be between 1 and {MAX_CONSIDER_DAYS}")]
    if adding:
        new_text_validators.insert(0, InputRequired(message="Enter the recommendation"))
        new_days_validators[0] = InputRequired(
            message="Enter the number of days the registered person has to consider it")
    DraftReportForm.new_text = TextAreaField("New recommendation", widget=GovTextArea(),
                                             validators=new_text_validators)
    DraftReportForm.new_days = WholeNumberField(
        "Days for the registered person to consider it", widget=GovTextInput(),
        invalid_message="The number of days must be a whole number, like 28", validators=new_days_validators)
    # Last, in page order (the error summary follows the order fields are made).
    DraftReportForm.conflict_of_interest = TextAreaField(
        "Conflict of interest found after the visit", widget=GovTextArea(),
        validators=[Length(max=5000, message="Must be 5000 characters or fewer")],
        description="Leave blank if there is none. Regulation 44(6) requires you to disclose one.")
    return DraftReportForm(**kwargs)


class CorrectionForm(FlaskForm):
    reason = TextAreaField("Why does the report need correcting?", widget=GovTextArea(), validators=[
        InputRequired(message="Enter the reason for the correction"),
        Length(max=2000, message="The reason must be 2000 characters or fewer")],
        description="This is kept with the new version and shown to everyone who reads it.")
    submit = SubmitField("Start a corrected version", widget=GovSubmitInput())


class DistributionForm(FlaskForm):
    """One sending of the report: every recipient it went to, how and when (date defaults to today)."""

    recipients = SelectMultipleField(
        "Who was the report sent to?", choices=list(RECIPIENTS.items()), widget=GovCheckboxesInput(),
        description="Select all that apply.",
        validators=[InputRequired(message="Select who the report was sent to")],
        validate_choice=False)
    detail = StringField("Details (optional)", widget=GovTextInput(), validators=[
        Length(max=200, message="Details must be 200 characters or fewer")],
        description="For example, the placing authority's name or the person's role")
    method = RadioField("How was it sent?", choices=list(METHODS.items()), widget=GovRadioInput(),
                        validators=[InputRequired(message="Select how it was sent")])
    sent_on = GovDateField("Date sent", missing_message="Enter the date it was sent",
                           invalid_message="The date sent must be a real date, like 20 11 2026",
                           description="For example, 20 11 2026")
    submit = SubmitField("Record it", widget=GovSubmitInput())

    def validate_recipients(self, field):
        if any(value not in RECIPIENTS for value in field.data or []):
            raise ValidationError("Select who the report was sent to from the list")


class ReturnForm(FlaskForm):
    reason = TextAreaField("What needs correcting?", widget=GovTextArea(), validators=[
        InputRequired(message="Enter what needs correcting"),
        Length(max=2000, message="What needs correcting must be 2000 characters or fewer")],
        description="Factual corrections only: the visitor's opinions and findings are theirs. "
                    "This is kept with the new version and shown to everyone who reads it.")
    submit = SubmitField("Return the report to the visitor", widget=GovSubmitInput())


class SubmitReportForm(FlaskForm):
    submit = SubmitField("Submit the report", widget=GovSubmitInput())


CONSENT_FROM = {"child": "The child", "authority": "The placing authority"}


class CaseRecordsForm(FlaskForm):
    """Reg 44(2)(b): one child's case records: who consented, and whether the visitor looked at them."""

    child_ref = StringField("Child's initials or reference", widget=GovTextInput(), validators=[
        InputRequired(message="Enter the child's initials or reference"),
        Length(max=MAX_CHILD_REF, message=f"Initials or reference must be {MAX_CHILD_REF} characters or fewer")],
        description="Not the child's name. For example, AB or the home's own reference")
    consent_from = SelectMultipleField(
        "Who consented to you looking at the child's case records?", choices=list(CONSENT_FROM.items()),
        widget=GovCheckboxesInput(), description="Select all that apply. Leave both unticked if no one consented.",
        validate_choice=False)
    records_seen = RadioField("Did you look at the child's case records?", choices=[("yes", "Yes"), ("no", "No")],
                              widget=GovRadioInput(),
                              validators=[InputRequired(message="Select whether you looked at the case records")])
    submit = SubmitField("Add", widget=GovSubmitInput())

    def validate_consent_from(self, field):
        if any(value not in CONSENT_FROM for value in field.data or []):
            raise ValidationError("Select who consented from the list")
