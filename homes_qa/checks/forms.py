"""Forms for the certificate register and the fire log (GOV.UK widgets)."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from homes_qa.checks.models import DrillConditions, FireLogResult
from homes_qa.checks.service import (
    MAX_CALL_POINT,
    MAX_CERTIFICATE_NUMBER,
    MAX_CONTRACTOR,
    MAX_EVACUATION_SECONDS,
    MAX_INTERVAL_MONTHS,
    MAX_TEXT,
    MAX_UPLOAD_LABEL,
)
from homes_qa.web.forms import GovDateField, WholeNumberField


def _limit(n: int, what: str) -> Length:
    return Length(max=n, message=f"{what} must be {n} characters or fewer")


_EVIDENCE_HINT = f"A PDF, JPEG or PNG, smaller than {MAX_UPLOAD_LABEL}"


class CertificateForm(FlaskForm):
    done_on = GovDateField("Date done", missing_message="Enter the date it was done",
                           invalid_message="The date it was done must be a real date, like 27 3 2026",
                           description="The date on the certificate. For example, 27 3 2026")
    contractor = StringField("Contractor or competent person", widget=GovTextInput(), validators=[
        InputRequired(message="Enter who did the check (the contractor or competent person)"),
        _limit(MAX_CONTRACTOR, "The contractor")],
        description="For example, the Gas Safe registered engineer's company")
    certificate_number = StringField("Certificate number (optional)", widget=GovTextInput(),
                                     validators=[_limit(MAX_CERTIFICATE_NUMBER, "The certificate number")])
    note = TextAreaField("Note (optional)", widget=GovTextArea(), validators=[_limit(MAX_TEXT, "The note")],
                         description="For example, anything the certificate says needs attention")
    evidence = FileField("Certificate file (optional)", widget=GovFileInput(), description=_EVIDENCE_HINT)
    submit = SubmitField("Save", widget=GovSubmitInput())


class EvidenceForm(FlaskForm):
    evidence = FileField("Certificate file", widget=GovFileInput(), description=_EVIDENCE_HINT)
    submit = SubmitField("Upload", widget=GovSubmitInput())


class AppliesForm(FlaskForm):
    applies = RadioField("Does this check apply at the home?", widget=GovRadioInput(),
                         choices=[("yes", "Yes"), ("no", "No")],
                         validators=[InputRequired(message="Select whether this check applies at the home")])
    reason = TextAreaField("Why not? (needed if it does not apply)", widget=GovTextArea(),
                           validators=[_limit(500, "The reason")], description="For example, no gas supply")
    submit = SubmitField("Save", widget=GovSubmitInput())


class CheckTypeForm(FlaskForm):
    title = StringField("Name of the check", widget=GovTextInput(), validators=[
        InputRequired(message="Enter the name of the check"), _limit(150, "The name")])
    interval_months = WholeNumberField("How often, in months", widget=GovTextInput(),
                                       invalid_message=f"How often must be a whole number of months from 1 to "
                                                       f"{MAX_INTERVAL_MONTHS}",
                                       description="The next one falls due this long after the date done")
    source = StringField("Where the interval comes from", widget=GovTextInput(), validators=[
        InputRequired(message="Enter where the interval comes from (a regulation, standard or guidance)"),
        _limit(500, "The source")], description="For example, a regulation, a British Standard or HSE guidance")
    applies_by_default = BooleanField("Applies to every home unless a home says otherwise",
                                      widget=GovCheckboxInput(), default=True)
    applies_hint = StringField("When it applies (optional)", widget=GovTextInput(), validators=[
        _limit(500, "This")], description="For example, only where the home has a lift")
    submit = SubmitField("Add the check", widget=GovSubmitInput())


_RESULTS = [(FireLogResult.SATISFACTORY.value, "Satisfactory"), (FireLogResult.FAULTS.value, "Faults found")]
_DATE: dict[str, Any] = dict(missing_message="Enter the date of the test",
             invalid_message="The date of the test must be a real date, like 27 3 2026",
             description="For example, 27 3 2026")


class _FireLogForm(FlaskForm):
    done_on = GovDateField("Date", **_DATE)
    result = RadioField("Result", widget=GovRadioInput(), choices=_RESULTS,
                        validators=[InputRequired(message="Select the result")])
    deficiencies = TextAreaField("Faults or problems found (if any)", widget=GovTextArea(),
                                 validators=[_limit(MAX_TEXT, "The faults or problems")])
    remedy = TextAreaField("Steps taken to remedy them", widget=GovTextArea(),
                           validators=[_limit(MAX_TEXT, "The steps taken")])
    submit = SubmitField("Save", widget=GovSubmitInput())


class AlarmTestForm(_FireLogForm):
    call_point = StringField("Call point tested", widget=GovTextInput(), validators=[
        InputRequired(message="Enter which call point was tested"), _limit(MAX_CALL_POINT, "The call point")],
        description="Use a different call point each week (BS 5839-1). For example, CP3 kitchen")


class LightingForm(_FireLogForm):
    pass


class DrillForm(_FireLogForm):
    conditions = RadioField("When was the drill?", widget=GovRadioInput(),
                            choices=[(DrillConditions.DAY.value, "Day"), (DrillConditions.NIGHT.value,
                                                                          "Night-time conditions")],
                            validators=[InputRequired(message="Select whether the drill was by day or at night")])
    evacuation_seconds = WholeNumberField("Time to evacuate, in seconds", widget=GovTextInput(),
                                          invalid_message=f"Time to evacuate must be a whole number of seconds "
                                                          f"from 1 to {MAX_EVACUATION_SECONDS}")
    participants = TextAreaField("Who took part", widget=GovTextArea(), validators=[
        InputRequired(message="Enter who took part in the drill"), _limit(MAX_TEXT, "Who took part")],
        description="Staff and young people (first names or initials)")
