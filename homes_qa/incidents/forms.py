"""Forms for incidents: the event, a notification made, a waiver."""
from __future__ import annotations

import re
from datetime import time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, ValidationError

from homes_qa.core.incidents import PARAGRAPHS, type_choices
from homes_qa.core.localtime import EARLIER, LATER
from homes_qa.incidents.models import METHOD_LABELS
from homes_qa.incidents.service import MAX_SHORT, MAX_TEXT
from homes_qa.web.forms import GovDateField

_TIME = re.compile(r"^\s*([01]?\d|2[0-3])\s*[:.]\s*([0-5]\d)\s*$")
_LONG = Length(max=MAX_TEXT, message=f"This must be {MAX_TEXT} characters or fewer")
_SHORT = Length(max=MAX_SHORT, message=f"This must be {MAX_SHORT} characters or fewer")
YES_NO = [("yes", "Yes"), ("no", "No")]
OCCURRENCE_CHOICES = [(EARLIER, "The first time (British Summer Time, before the clocks went back)"),
                      (LATER, "The second time (Greenwich Mean Time, after the clocks went back)")]


class TimeOfDayField(StringField):
    """A 24-hour London time like 14:30 (9.30 is accepted); `data` is a `time`, or None."""

    def __init__(self, label=None, validators=None, *, missing_message: str, **kwargs):
        super().__init__(label, validators, widget=GovTextInput(), **kwargs)
        self.missing_message = missing_message
        self.text = ""

    def process_formdata(self, valuelist):
        self.text = ((valuelist[0] if valuelist else "") or "").strip()
        self.data = None
        if not self.text:
            return
        match = _TIME.match(self.text)
        if match is None:
            raise ValueError(f"{self.label.text} must be a 24-hour time, like 09:30 or 14:05")
        self.data = time(int(match.group(1)), int(match.group(2)))

    def _value(self):
        if self.text:
            return self.text
        return self.data.strftime("%H:%M") if isinstance(self.data, time) else ""

    def post_validate(self, form, validation_stopped):
        if self.data is None and not self.errors:
            raise ValidationError(self.missing_message)


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class IncidentForm(FlaskForm):
    type_code = RadioField("What kind of event is it?", choices=type_choices(), widget=GovRadioInput(),
                           validate_choice=False)
    occurred_on = GovDateField("Date it happened", description="For example, 28 11 2026",
                               missing_message="Enter the date it happened",
                               invalid_message="The date it happened must be a real date, like 28 11 2026")
    occurred_time = TimeOfDayField("Time it happened", description="24-hour clock, UK time, like 14:30",
                                   missing_message="Enter the time it happened, like 14:30")
    occurred_occurrence = RadioField("Which 01:00 to 01:59 was it?", choices=OCCURRENCE_CHOICES,
                                     widget=GovRadioInput(), validate_choice=False)
    aware_on = GovDateField("Date you became aware", description="For example, 28 11 2026",
                            missing_message="Enter the date you became aware",
                            invalid_message="The date you became aware must be a real date, like 28 11 2026")
    aware_time = TimeOfDayField("Time you became aware", description="24-hour clock, UK time, like 15:10. "
                                "The clocks for telling people start here.",
                                missing_message="Enter the time you became aware, like 15:10")
    aware_occurrence = RadioField("Which 01:00 to 01:59 was it?", choices=OCCURRENCE_CHOICES,
                                  widget=GovRadioInput(), validate_choice=False)
    children = StringField("Children involved", widget=GovTextInput(), validators=[_SHORT],
                           description="Initials or reference numbers only, separated by commas (like AB, C-1042). "
                                       "Never names. Leave empty if no child was involved.")
    what_happened = TextAreaField("What happened", widget=GovTextArea(), validators=[_LONG])
    action_taken = TextAreaField("What was done", widget=GovTextArea(), validators=[_LONG],
                                 description="To keep children safe, and who was involved.")
    notifiable = RadioField("Is this notifiable to Ofsted under Regulation 40?", choices=YES_NO,
                            widget=GovRadioInput(), validate_choice=False,
                            description="Ofsted asks providers not to over-notify: only the events regulation 40 "
                                        "lists. Deaths, DBS referrals and the 40(4) events always are.")
    paragraph = SelectField("Under which paragraph?", widget=GovSelect(), validate_choice=False,
                            choices=[("", "Not notifiable")] + [(code, label) for code, (label, _) in PARAGRAPHS.items()])
    ico_reportable = RadioField("Personal data breaches only: must it be reported to the ICO?", choices=YES_NO,
                                widget=GovRadioInput(), validate_choice=False,
                                description="Report it when it is likely to result in a risk to people's rights "
                                            "and freedoms. Every breach is logged either way.")
    submit = SubmitField("Record the event", widget=GovSubmitInput())

    @property
    def notifiable_value(self) -> bool | None:
        return _yes_no(self.notifiable.data)

    @property
    def ico_value(self) -> bool | None:
        return _yes_no(self.ico_reportable.data)


class NotificationForm(FlaskForm):
    rule_code = RadioField("Who was told, or which step was done?", widget=GovRadioInput(), validate_choice=False)
    recipient = StringField("Name, role or organisation", widget=GovTextInput(), validators=[_SHORT],
                            description="For example, Ofsted, or J Patel (service manager)")
    notified_on = GovDateField("Date", description="For example, 28 11 2026", missing_message="Enter the date",
                               invalid_message="The date must be a real date, like 28 11 2026")
    notified_time = TimeOfDayField("Time", description="24-hour clock, UK time, like 16:45",
                                   missing_message="Enter the time, like 16:45")
    notified_occurrence = RadioField("Which 01:00 to 01:59 was it?", choices=OCCURRENCE_CHOICES,
                                     widget=GovRadioInput(), validate_choice=False)
    method = RadioField("How?", choices=[(k.value, v) for k, v in METHOD_LABELS.items()], widget=GovRadioInput(),
                        validate_choice=False)
    reference = StringField("Reference (optional)", widget=GovTextInput(), validators=[_SHORT],
                            description="For example, Ofsted's notification reference")
    late_reason = TextAreaField("If this was after the deadline: why was it late?", widget=GovTextArea(),
                                validators=[_LONG])
    submit = SubmitField("Record the notification", widget=GovSubmitInput())


class OutcomeForm(FlaskForm):
    outcome_on = GovDateField("Date the outcome became known", description="For example, 28 11 2026",
                              missing_message="Enter the date the outcome became known",
                              invalid_message="The date must be a real date, like 28 11 2026")
    outcome_time = TimeOfDayField("Time the outcome became known", description="24-hour clock, UK time, like 11:20",
                                  missing_message="Enter the time, like 11:20")
    outcome_occurrence = RadioField("Which 01:00 to 01:59 was it?", choices=OCCURRENCE_CHOICES,
                                    widget=GovRadioInput(), validate_choice=False)
    outcome = TextAreaField("Outcome of the enquiry", widget=GovTextArea(), validators=[_LONG])
    submit = SubmitField("Record the outcome", widget=GovSubmitInput())


class ExtendForm(FlaskForm):
    reason = TextAreaField("Why is the request complex?", widget=GovTextArea(), validators=[_LONG])
    submit = SubmitField("Extend by two months", widget=GovSubmitInput())


class WaiveForm(FlaskForm):
    rule_code = RadioField("Which notification is not needed?", widget=GovRadioInput(), validate_choice=False)
    reason = TextAreaField("Why is this notification not needed?", widget=GovTextArea(), validators=[_LONG])
    submit = SubmitField("Waive this notification", widget=GovSubmitInput())


class SummaryForm(FlaskForm):
    """The service manager's narrative of the week; the figures come from the records."""

    themes = TextAreaField("Themes of the week", widget=GovTextArea(), validators=[_LONG])
    learning = TextAreaField("Learning", widget=GovTextArea(), validators=[_LONG])
    actions = TextAreaField("Actions taken and outcomes (optional)", widget=GovTextArea(), validators=[_LONG])
    save = SubmitField("Save as draft", widget=GovSubmitInput())
    submit = SubmitField("Submit the summary", widget=GovSubmitInput())


class CorrectionForm(FlaskForm):
    """A correction of the account: a new version; the reason is required."""

    children = StringField("Children involved", widget=GovTextInput(), validators=[_SHORT],
                           description="Initials or reference numbers only, separated by commas (like AB, C-1042).")
    what_happened = TextAreaField("What happened", widget=GovTextArea(), validators=[_LONG])
    action_taken = TextAreaField("What was done", widget=GovTextArea(), validators=[_LONG])
    reason = TextAreaField("Reason for the correction", widget=GovTextArea(), validators=[_LONG])
    submit = SubmitField("Save the correction", widget=GovSubmitInput())


class CaseReviewForm(FlaskForm):
    """QA's case review of a need-to-know (seed 004): a case file audit's findings and learning."""

    reviewed_on = GovDateField("Date of the review", description="For example, 28 11 2026",
                               missing_message="Enter the date of the review",
                               invalid_message="The date of the review must be a real date, like 28 11 2026")
    findings = TextAreaField("Findings", widget=GovTextArea(), validators=[_LONG],
                             description="What the case file audit of the child found: practice outcomes.")
    learning = TextAreaField("Learning", widget=GovTextArea(), validators=[_LONG],
                             description="What the home and the service should learn, or say there was none.")
    submit = SubmitField("Record the case review", widget=GovSubmitInput())


class EventTypeForm(FlaskForm):
    """An administrator's own event type: it appears on the record-an-event form."""

    label = StringField("Name of the event type", widget=GovTextInput(),
                        validators=[Length(max=120, message="The name must be 120 characters or fewer")],
                        description="As managers will see it, for example: Self-harm requiring hospital treatment")
    notifiable_default = RadioField("Is it usually notifiable to Ofsted under Regulation 40?", choices=YES_NO,
                                    widget=GovRadioInput(), validate_choice=False,
                                    description="The manager still decides for each event, and chooses the "
                                                "paragraph; this sets the usual answer.")
    rules = SelectMultipleField("Who must be told, or which steps are needed, by when", widget=GovCheckboxesInput(),
                                validate_choice=False, coerce=str,
                                description="Chosen from the rules table; each starts one deadline when the "
                                            "event is recorded. Choose none if it is only logged.")
    source = TextAreaField("Source or reason", widget=GovTextArea(),
                           validators=[Length(max=1000, message="This must be 1000 characters or fewer")],
                           description="The regulation, local procedure or decision this type comes from.")
    submit = SubmitField("Add the event type", widget=GovSubmitInput())

    @property
    def notifiable_value(self) -> bool | None:
        return _yes_no(self.notifiable_default.data)
