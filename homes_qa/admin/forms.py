from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Regexp

from homes_qa.core.roles import ROLE_LABELS
from homes_qa.spine.people.models import HomeStatus
from homes_qa.spine.people.passwords import MIN_LENGTH
from homes_qa.web.forms import Name, WholeNumberField, single_line

ROLE_CHOICES = [(key, label) for key, label in ROLE_LABELS.items()]


class UserForm(FlaskForm):
    name = StringField("Full name", widget=GovTextInput(), filters=[single_line], validators=[
        InputRequired(message="Enter the person's full name"), Name("Enter the person's full name"),
        Length(max=120, message="Full name must be 120 characters or fewer")])
    email = EmailField("Email address", widget=GovTextInput(), filters=[single_line], validators=[
        InputRequired(message="Enter an email address"),
        Email(message="Enter an email address in the correct format, like name@example.org",
              check_deliverability=False),
        Length(max=254, message="Email address must be 254 characters or fewer")])
    role = RadioField("Role", choices=ROLE_CHOICES, widget=GovRadioInput(),
                      validators=[InputRequired(message="Select a role")])
    submit = SubmitField("Save user", widget=GovSubmitInput())


class NewUserForm(UserForm):
    password = PasswordField("Temporary password", widget=GovPasswordInput(), validators=[
        InputRequired(message="Enter a temporary password"),
        Length(min=MIN_LENGTH, max=200, message=f"Password must be {MIN_LENGTH} characters or more")])


class HomeForm(FlaskForm):
    name = StringField("Name of the home", widget=GovTextInput(), filters=[single_line], validators=[
        InputRequired(message="Enter the name of the home"), Name("Enter the name of the home"),
        Length(max=120, message="Name must be 120 characters or fewer")])
    ofsted_urn = StringField("Ofsted unique reference number (URN)", widget=GovTextInput(),
                             filters=[single_line], validators=[
        InputRequired(message="Enter the Ofsted URN"),
        Regexp(r"^\s*[A-Za-z0-9]{6,10}\s*$", message="Ofsted URN must be 6 to 10 letters or numbers, like SC123456")])
    address = TextAreaField("Address", widget=GovTextArea(), validators=[
        InputRequired(message="Enter the address"),
        Length(max=400, message="Address must be 400 characters or fewer")])
    registered_places = WholeNumberField("Registered places", widget=GovTextInput(),
                                         invalid_message="Registered places must be a whole number, like 4", validators=[
        InputRequired(message="Enter the number of registered places"),
        NumberRange(min=1, max=50, message="Registered places must be between 1 and 50")])
    status = RadioField("Status", choices=list(HomeStatus.LABELS.items()), default=HomeStatus.OPEN,
                        widget=GovRadioInput(), validators=[InputRequired(message="Select a status")])
    submit = SubmitField("Save home", widget=GovSubmitInput())


def _person_id(value) -> int:
    """The chosen person's id; the empty first option ("Select a person") is 0."""
    return 0 if value in ("", None) else int(value)


class AssignmentForm(FlaskForm):
    # A required select's first option must have an empty value (HTML; the Nu checker says so).
    user_id = SelectField("Person", coerce=_person_id, widget=GovSelect(),
                          validators=[InputRequired(message="Select a person to assign")])
    submit = SubmitField("Assign to this home", widget=GovSubmitInput())


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField("New temporary password", widget=GovPasswordInput(), validators=[
        InputRequired(message="Enter a new temporary password"),
        Length(min=MIN_LENGTH, max=200, message=f"Password must be {MIN_LENGTH} characters or more")])
    submit = SubmitField("Set password", widget=GovSubmitInput())


class DeclarationForm(FlaskForm):
    """Reg 43: the administrator declares a Reg 44 visitor's independence of the home."""

    independent = BooleanField("I confirm this person is independent of the home", widget=GovCheckboxInput())
    note = TextAreaField("Note (optional)", widget=GovTextArea(), validators=[
        Length(max=1000, message="Note must be 1000 characters or fewer")],
        description="For example, how you checked, or a past connection with the home and why it does not matter")
    submit = SubmitField("Assign to this home", widget=GovSubmitInput())
