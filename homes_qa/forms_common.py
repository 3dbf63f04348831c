"""Form helpers shared by the areas."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import IntegerField, SubmitField


class ConfirmForm(FlaskForm):
    """A bare form for a POST button: carries the CSRF token."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


def apply_service_error(form, error) -> None:
    """Put a service's refusal next to the field it concerns (or on the form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)


class WholeNumberField(IntegerField):
    """IntegerField with a GOV.UK-style message for text that is not a whole number."""

    def __init__(self, *args, invalid_message: str = "Enter a whole number", **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_message) from None
