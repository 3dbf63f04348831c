"""Questionnaires (young people, professionals) and the form that makes links."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from homes_qa.feedback.models import FeedbackAudience
from homes_qa.feedback.questions import PROFESSIONAL_QUESTIONS, YOUNG_PERSON_QUESTIONS
from homes_qa.feedback.service import (
    DEFAULT_EXPIRY_DAYS,
    MAX_LINKS_AT_ONCE,
    MAX_TEXT,
)
from homes_qa.web.forms import WholeNumberField

_TEXT_LIMIT = Length(max=MAX_TEXT, message=f"Your answer must be {MAX_TEXT} characters or fewer")
_Q = {q.key: q for q in YOUNG_PERSON_QUESTIONS + PROFESSIONAL_QUESTIONS}


def _choice(key: str, message: str) -> RadioField:
    question = _Q[key]
    return RadioField(question.text, choices=list(question.choices), widget=GovRadioInput(),
                      validators=[InputRequired(message=message)], validate_choice=False,
                      description=question.hint or "")


def _text(key: str) -> TextAreaField:
    question = _Q[key]
    return TextAreaField(question.text, widget=GovTextArea(), validators=[_TEXT_LIMIT],
                         description=question.hint or "")


class _Answers(FlaskForm):
    """Choices are checked by hand so a missing answer reads 'Select…', not 'Not a valid choice'."""

    audience: str
    share_name = RadioField("Do you want to put your name on your answers?",
                            choices=[("yes", "Yes"), ("no", "No, keep my answers anonymous")],
                            widget=GovRadioInput(), validate_choice=False)
    respondent = StringField("Your name", widget=GovTextInput(), validators=[
        Length(max=120, message="Your name must be 120 characters or fewer")])
    share_name_message = "Select whether you want to put your name on your answers"
    respondent_message = "Enter your name, or choose to keep your answers anonymous"

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field, RadioField) and field.data and field.choices \
                    and field.data not in dict(field.choices) and not field.errors:
                field.errors = list(field.errors) + ["Select one of the options"]
                valid = False
        if self.share_name.data not in ("yes", "no"):
            self.share_name.errors = list(self.share_name.errors) + [self.share_name_message]
            valid = False
        elif self.share_name.data == "yes" and not (self.respondent.data or "").strip() and not self.respondent.errors:
            self.respondent.errors = list(self.respondent.errors) + [self.respondent_message]
            valid = False
        return valid

    @property
    def anonymous(self) -> bool:
        return self.share_name.data != "yes"

    def answers(self) -> dict:
        keys = [q.key for q in (YOUNG_PERSON_QUESTIONS if self.audience == FeedbackAudience.YOUNG_PERSON
                                else PROFESSIONAL_QUESTIONS)]
        return {key: (self[key].data or "") for key in keys}


class YoungPersonForm(_Answers):
    audience = FeedbackAudience.YOUNG_PERSON
    feel_safe = _choice("feel_safe", "Choose yes, mostly or no")
    good = _text("good")
    better = _text("better")
    tell_visitor = _text("tell_visitor")
    submit = SubmitField("Send my answers", widget=GovSubmitInput())


class StaffEntryForm(YoungPersonForm):
    """Staff type in a young person's answers for them (same questions, staff wording for the name)."""

    share_name = RadioField("Does the young person want their name on their answers?",
                            choices=[("yes", "Yes"), ("no", "No, keep their answers anonymous")],
                            widget=GovRadioInput(), validate_choice=False)
    respondent = StringField("The young person's name, or initials", widget=GovTextInput(), validators=[
        Length(max=120, message="The name must be 120 characters or fewer")])
    share_name_message = "Select whether the young person wants their name on their answers"
    respondent_message = "Enter the young person's name or initials, or choose to keep their answers anonymous"
    submit = SubmitField("Save their answers", widget=GovSubmitInput())


class ProfessionalForm(_Answers):
    audience = FeedbackAudience.PROFESSIONAL
    role = SelectField(_Q["role"].text, choices=[("", "Choose your role")] + list(_Q["role"].choices),
                       widget=GovSelect(), validate_choice=False,
                       validators=[InputRequired(message="Choose your role")])
    communication = _choice("communication", "Choose good, adequate or poor")
    communication_comments = _text("communication_comments")
    child_helped = _choice("child_helped", "Choose well, partly or not well")
    child_helped_comments = _text("child_helped_comments")
    concerns = _text("concerns")
    submit = SubmitField("Send my answers", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.role.data and self.role.data not in dict(_Q["role"].choices) and not self.role.errors:
            self.role.errors = list(self.role.errors) + ["Choose your role"]
            valid = False
        return valid


def form_for(audience: str) -> _Answers:
    return YoungPersonForm() if audience == FeedbackAudience.YOUNG_PERSON else ProfessionalForm()


class NewLinksForm(FlaskForm):
    audience = RadioField("Who are the links for?", choices=list(FeedbackAudience.LABELS.items()),
                          widget=GovRadioInput(), validate_choice=False)
    label = StringField("Your reference for these links (optional)", widget=GovTextInput(), validators=[
        Length(max=150, message="Your reference must be 150 characters or fewer")],
        description="Only staff see this. Use a role or initials, like 'Social worker for J', not a child's full name.")
    count = WholeNumberField("How many links do you need?", widget=GovTextInput(), default=1,
                             invalid_message="The number of links must be a whole number, like 3",
                             validators=[InputRequired(message="Enter how many links you need"),
                                         NumberRange(min=1, max=MAX_LINKS_AT_ONCE,
                                                     message=f"The number of links must be between 1 and {MAX_LINKS_AT_ONCE}")],
                             description=f"Each link can be used once and stops working after {DEFAULT_EXPIRY_DAYS} days.")
    submit = SubmitField("Create links", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.audience.data not in FeedbackAudience.LABELS:
            self.audience.errors = list(self.audience.errors) + ["Select who the links are for"]
            valid = False
        return valid


class NoneReceivedForm(FlaskForm):
    audience = RadioField("Whose feedback did not come?", choices=list(FeedbackAudience.LABELS.items()),
                          widget=GovRadioInput(),
                          validators=[InputRequired(message="Select whose feedback did not come")])
    reason = TextAreaField("Why did no feedback come?", widget=GovTextArea(), validators=[
        InputRequired(message="Enter why no feedback came"),
        Length(min=10, message="Enter why no feedback came, in at least 10 characters"),
        Length(max=2000, message="The reason must be 2000 characters or fewer")],
        description="For example, the links went to three young people and none answered before the visit.")
    submit = SubmitField("Record that no feedback came", widget=GovSubmitInput())
