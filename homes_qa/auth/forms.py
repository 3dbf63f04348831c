from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from homes_qa.spine.people.passwords import MIN_LENGTH


class SignInForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(), validators=[
        InputRequired(message="Enter your email address"),
        Email(message="Enter an email address in the correct format, like name@example.org",
              check_deliverability=False)])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[InputRequired(message="Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", widget=GovPasswordInput(),
                                     validators=[InputRequired(message="Enter your current password")])
    new_password = PasswordField("New password", widget=GovPasswordInput(), validators=[
        InputRequired(message="Enter a new password"),
        Length(min=MIN_LENGTH, max=200, message=f"New password must be {MIN_LENGTH} characters or more")])
    confirm_password = PasswordField("Confirm new password", widget=GovPasswordInput(), validators=[
        InputRequired(message="Confirm your new password"),
        EqualTo("new_password", message="The passwords do not match")])
    submit = SubmitField("Change password", widget=GovSubmitInput())
