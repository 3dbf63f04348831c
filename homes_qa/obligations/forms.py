from datetime import datetime

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSubmitInput, GovTextArea
from wtforms import DateField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError


class GovDateField(DateField):
    """Day, month and year boxes (GovDateInput) with GOV.UK error messages.

    Always keeps three raw values so the widget can re-render whatever was typed.
    """

    def __init__(self, label=None, validators=None, *, missing_message: str, invalid_message: str, **kwargs):
        super().__init__(label, validators, format="%d %m %Y", widget=GovDateInput(), **kwargs)
        self.type = "DateField"  # error_list() links the summary to the day box of a DateField
        self.missing_message = missing_message
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        parts = [(value or "").strip() for value in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        if not any(parts):
            return  # reported by post_validate as missing
        if not all(parts):
            missing = [name for name, value in zip(("a day", "a month", "a year"), parts) if not value]
            raise ValueError(f"{self.label.text} must include {' and '.join(missing)}")
        try:
            self.data = datetime.strptime(" ".join(parts), self.format[0]).date()
        except ValueError:
            raise ValueError(self.invalid_message) from None
        if self.data.year < 1900:
            self.data = None
            raise ValueError(self.invalid_message)

    def post_validate(self, form, validation_stopped):
        if self.data is None and not self.errors:
            raise ValidationError(self.missing_message)


class CompletionForm(FlaskForm):
    done_on = GovDateField("Date it was done", missing_message="Enter the date it was done",
                           invalid_message="The date it was done must be a real date, like 27 3 2026",
                           description="For example, 27 3 2026")
    note = TextAreaField("Note (optional)", widget=GovTextArea(), validators=[
        Length(max=2000, message="The note must be 2000 characters or fewer")],
        description="For example, who did it, the certificate number, or anything found")
    submit = SubmitField("Save", widget=GovSubmitInput())


class WaiveForm(FlaskForm):
    reason = TextAreaField("Why is this not needed?", widget=GovTextArea(), validators=[
        InputRequired(message="Enter the reason for waiving"),
        Length(min=10, message="Give the reason for waiving, in at least 10 characters"),
        Length(max=2000, message="The reason must be 2000 characters or fewer")])
    submit = SubmitField("Waive it", widget=GovSubmitInput())
