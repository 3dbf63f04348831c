"""Forms for the QPAG monthly report: the month to draft, the commentary, a correction's reason."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import Length

from homes_qa.qpag_report.service import MAX_COMMENTARY, MAX_REASON
from homes_qa.web.forms import WholeNumberField

MONTHS = [("", "Select a month")] + [(str(n), name) for n, name in enumerate(
    ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"), start=1)]
_LIMIT = Length(max=MAX_COMMENTARY, message=f"This must be {MAX_COMMENTARY} characters or fewer")


def _month_number(value: object) -> int | None:
    """A month's number from the form, None for anything else (the service says "Select the month")."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 2 else None


class NewReportForm(FlaskForm):
    month = SelectField("Month", choices=MONTHS, coerce=_month_number, validate_choice=False, widget=GovSelect())
    year = WholeNumberField("Year", widget=GovTextInput(), description="For example, 2026",
                            invalid_message="The year must be a whole number, like 2026",
                            too_big_message="The year must be a real year, like 2026")
    submit = SubmitField("Draft the report", widget=GovSubmitInput())


class CommentaryForm(FlaskForm):
    reviews = TextAreaField("Commentary on the reviews and dip samples", widget=GovTextArea(), validators=[_LIMIT],
                            description="Themes, what was learned, and what should change.")
    reg44 = TextAreaField("Summary of particularly good or adverse findings", widget=GovTextArea(),
                          validators=[_LIMIT], description="What QPAG should know from this month's visits.")
    kpis = TextAreaField("Review of the key performance indicators", widget=GovTextArea(), validators=[_LIMIT],
                         description="Trends, exceptions and what is being done about them.")
    escalations = TextAreaField("Commentary on the escalations", widget=GovTextArea(), validators=[_LIMIT],
                                description="Why work was escalated and what happened next.")
    surveys = TextAreaField("Analysis of the surveys", widget=GovTextArea(), validators=[_LIMIT],
                            description="What young people and professionals told us, and the response.")
    submit = SubmitField("Save", widget=GovSubmitInput())


class CorrectionForm(FlaskForm):
    reason = TextAreaField("Why does the report need correcting?", widget=GovTextArea(),
                           validators=[Length(max=MAX_REASON, message=f"The reason must be {MAX_REASON} "
                                                                      "characters or fewer")])
    submit = SubmitField("Start a corrected version", widget=GovSubmitInput())
