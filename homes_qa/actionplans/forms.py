"""Forms for the Reg 44 action plan: one accept/decline answer per recommendation."""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, SubmitField, TextAreaField

from homes_qa.actionplans.models import DECISIONS
from homes_qa.actionplans.service import Proposal, check_proposal
from homes_qa.web.forms import GovDateField

DECISION_CHOICES = list(DECISIONS.items())


class ActionPlanForm(FlaskForm):
    """Fields per recommendation are added by `action_plan_form` (named `<field>_<rec id>`)."""

    submit = SubmitField("Submit action plan for approval", widget=GovSubmitInput())
    recommendation_ids: list[int] = []
    today: date

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for rec_id in self.recommendation_ids:
            proposal = self.proposal(rec_id)
            for name, message in check_proposal(proposal, self.today).items():
                field = self[f"{name}_{rec_id}"]
                if not field.errors:  # a date that could not be read keeps its own message
                    field.errors = list(field.errors) + [message]
                valid = False
        return valid

    def proposal(self, rec_id: int) -> Proposal:
        decision = self[f"decision_{rec_id}"].data
        return Proposal(
            recommendation_id=rec_id, decision=decision if decision in DECISIONS else None,
            action=self[f"action_{rec_id}"].data or "", owner=self[f"owner_{rec_id}"].data or "",
            due_on=self[f"due_on_{rec_id}"].data, decline_reason=self[f"decline_reason_{rec_id}"].data or "")

    def proposals(self) -> list[Proposal]:
        return [self.proposal(rec_id) for rec_id in self.recommendation_ids]


def action_plan_form(recommendations, responses: dict, today: date) -> ActionPlanForm:
    """A form with one set of fields per recommendation, filled from earlier answers."""

    class Form(ActionPlanForm):
        pass

    data = {}
    for rec in recommendations:
        setattr(Form, f"decision_{rec.id}", RadioField(
            f"Do you accept recommendation {rec.number}?", choices=DECISION_CHOICES, widget=GovRadioInput(),
            validate_choice=False))
        setattr(Form, f"action_{rec.id}", TextAreaField("What will you do?", widget=GovTextArea()))
        setattr(Form, f"owner_{rec.id}", StringField("Who will do it?", widget=GovTextInput(),
                                                     description="A name or a role, like 'Deputy manager'"))
        setattr(Form, f"due_on_{rec.id}", GovDateField(
            "When will it be done by?", description="For example, 27 3 2027",
            invalid_message="The due date must be a real date, like 27 3 2027"))
        setattr(Form, f"decline_reason_{rec.id}", TextAreaField("Why are you declining it?", widget=GovTextArea()))
        response = responses.get(rec.id)
        if response is not None:
            data.update({f"decision_{rec.id}": response.decision, f"action_{rec.id}": response.action,
                         f"owner_{rec.id}": response.owner, f"due_on_{rec.id}": response.due_on,
                         f"decline_reason_{rec.id}": response.decline_reason})
    form = Form(data=data)
    form.recommendation_ids = [rec.id for rec in recommendations]
    form.today = today
    return form


REVIEW_CHOICES = [("approve", "Approve the action plan"), ("return", "Return it to the manager for changes")]


class ReviewForm(FlaskForm):
    decision = RadioField("What do you want to do?", choices=REVIEW_CHOICES, widget=GovRadioInput(),
                          validate_choice=False)
    comments = TextAreaField("Comments", widget=GovTextArea(),
                             description="Required if you return the plan: say what needs to change.")
    submit = SubmitField("Save decision", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.decision.data not in dict(REVIEW_CHOICES):
            self.decision.errors = list(self.decision.errors) + ["Select whether to approve or return the plan"]
            valid = False
        elif self.decision.data == "return" and not (self.comments.data or "").strip():
            self.comments.errors = list(self.comments.errors) + ["Enter what the manager needs to change"]
            valid = False
        if len(self.comments.data or "") > 2000:
            self.comments.errors = list(self.comments.errors) + ["Comments must be 2000 characters or fewer"]
            valid = False
        return valid


class CompleteActionForm(FlaskForm):
    completed_on = GovDateField("Date the action was completed", description="For example, 27 3 2027",
                                missing_message="Enter the date the action was completed",
                                invalid_message="The date it was completed must be a real date, like 27 3 2027")
    submit = SubmitField("Mark as complete", widget=GovSubmitInput())


class DecideByForm(FlaskForm):
    decide_by = GovDateField("New decide-by date", description="For example, 27 3 2027",
                             missing_message="Enter the new decide-by date",
                             invalid_message="The new decide-by date must be a real date, like 27 3 2027")
    reason = TextAreaField("Why is the date moving?", widget=GovTextArea())
    submit = SubmitField("Change the decide-by date", widget=GovSubmitInput())
