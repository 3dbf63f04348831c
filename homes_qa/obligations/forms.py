
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from homes_qa.web.forms import GovDateField, today


class CompletionForm(FlaskForm):
    done_on = GovDateField("Date it was done", missing_message="Enter the date it was done",
                           invalid_message="The date it was done must be a real date, like 27 3 2026",
                           description="For example, 27 3 2026", latest=today,
                           range_message="The date it was done must be today or in the past")
    note = TextAreaField("Note (optional)", widget=GovTextArea(), validators=[
        Length(max=2000, message="The note must be 2000 characters or fewer")],
        description="For example, who did it, or anything found")
    submit = SubmitField("Save", widget=GovSubmitInput())


class WaiveForm(FlaskForm):
    reason = TextAreaField("Why is this not needed?", widget=GovTextArea(), validators=[
        InputRequired(message="Enter the reason for waiving"),
        Length(min=10, message="Give the reason for waiving, in at least 10 characters"),
        Length(max=2000, message="The reason must be 2000 characters or fewer")])
    submit = SubmitField("Waive it", widget=GovSubmitInput())
