"""Forms for the Regulation 45 review."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from homes_qa.reg45.service import MAX_NARRATIVE
from homes_qa.web.forms import GovDateField

_LIMIT = Length(max=MAX_NARRATIVE, message=f"This must be {MAX_NARRATIVE} characters or fewer")


class StartReviewForm(FlaskForm):
    period_start = GovDateField("Start of the period", description="For example, 1 6 2026",
                                missing_message="Enter the start of the period",
                                invalid_message="The start of the period must be a real date, like 1 6 2026")
    period_end = GovDateField("End of the period", description="For example, 30 11 2026",
                              missing_message="Enter the end of the period",
                              invalid_message="The end of the period must be a real date, like 30 11 2026")
    submit = SubmitField("Start the review", widget=GovSubmitInput())


class NarrativeForm(FlaskForm):
    quality_of_care = TextAreaField("Your view of the quality of care", widget=GovTextArea(), validators=[_LIMIT],
                                    description="How well the home safeguards children and promotes their "
                                                "well-being, with the evidence for your view.")
    improvements = TextAreaField("Improvements needed", widget=GovTextArea(), validators=[_LIMIT],
                                 description="What the home will do to improve the quality of care, and by when.")
    children_views = TextAreaField("Children's views", widget=GovTextArea(), validators=[_LIMIT],
                                   description="What children (and their families and professionals) told you, "
                                               "and what you did about it.")
    submit = SubmitField("Save", widget=GovSubmitInput())


class CompleteReviewForm(FlaskForm):
    completed_on = GovDateField("Date the review was completed", description="For example, 30 11 2026",
                                missing_message="Enter the date the review was completed",
                                invalid_message="The date it was completed must be a real date, like 30 11 2026")
    submit = SubmitField("Mark as completed", widget=GovSubmitInput())


class SentToOfstedForm(FlaskForm):
    sent_on = GovDateField("Date it was sent to Ofsted", description="For example, 4 12 2026",
                           missing_message="Enter the date the review was sent to Ofsted",
                           invalid_message="The date it was sent must be a real date, like 4 12 2026")
    submit = SubmitField("Save", widget=GovSubmitInput())
