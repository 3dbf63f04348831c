from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSelect, GovSubmitInput, GovTextInput
from markupsafe import Markup
from wtforms import BooleanField, Field, SelectField, SubmitField
from wtforms.validators import InputRequired

from homes_qa.core.roles import ROLE_LABELS
from homes_qa.spine.rules.service import MAX_LADDER_DAYS
from homes_qa.web.forms import WholeNumberField

LADDER_ROWS = 4
ROLE_CHOICES = [("", "No step")] + list(ROLE_LABELS.items())


class GroupErrors(Field):
    """Carries an error about a group of fields (the timing, the ladder); renders nothing.

    Its id names the fieldset the error summary links to.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, widget=lambda field, **kw: Markup(""), **kwargs)

    def process_formdata(self, valuelist):
        self.data = None


class RuleForm(FlaskForm):
    timing = GroupErrors("Timing")
    kind = SelectField("How it is timed", widget=GovSelect(), validate_choice=False,
                       validators=[InputRequired(message="Select how it is timed")])
    amount = WholeNumberField("Number (N)", widget=GovTextInput(),
                              invalid_message="The number must be a whole number, like 12",
                              too_big_message="The number is too big: a timing is ten years or less")
    unit = SelectField("Unit", widget=GovSelect(), validate_choice=False)
    due_soon_days = WholeNumberField("Days of warning before it is due", widget=GovTextInput(),
                                     invalid_message="Days of warning must be a whole number, like 7",
                                     too_big_message="Days of warning must be a whole number from 0 to 90",
                                     validators=[InputRequired(message="Enter the days of warning")])
    ladder = GroupErrors("Escalation")
    step1_role = SelectField("Level 1: who hears", widget=GovSelect(), validate_choice=False, choices=ROLE_CHOICES)
    step1_days = WholeNumberField("Level 1: working days after due", widget=GovTextInput(),
                                  invalid_message="Level 1: working days must be a whole number, like 2",
                                  too_big_message=f"Level 1: working days after due must be {MAX_LADDER_DAYS} or fewer")
    step2_role = SelectField("Level 2: who hears", widget=GovSelect(), validate_choice=False, choices=ROLE_CHOICES)
    step2_days = WholeNumberField("Level 2: working days after due", widget=GovTextInput(),
                                  invalid_message="Level 2: working days must be a whole number, like 2",
                                  too_big_message=f"Level 2: working days after due must be {MAX_LADDER_DAYS} or fewer")
    step3_role = SelectField("Level 3: who hears", widget=GovSelect(), validate_choice=False, choices=ROLE_CHOICES)
    step3_days = WholeNumberField("Level 3: working days after due", widget=GovTextInput(),
                                  invalid_message="Level 3: working days must be a whole number, like 2",
                                  too_big_message=f"Level 3: working days after due must be {MAX_LADDER_DAYS} or fewer")
    step4_role = SelectField("Level 4: who hears", widget=GovSelect(), validate_choice=False, choices=ROLE_CHOICES)
    step4_days = WholeNumberField("Level 4: working days after due", widget=GovTextInput(),
                                  invalid_message="Level 4: working days must be a whole number, like 2",
                                  too_big_message=f"Level 4: working days after due must be {MAX_LADDER_DAYS} or fewer")
    active = BooleanField("This rule is in use", widget=GovCheckboxInput())
    submit = SubmitField("Save rule", widget=GovSubmitInput())


def step_fields(form: RuleForm):
    """(level, role field, days field) for each ladder row."""
    return [(n, form[f"step{n}_role"], form[f"step{n}_days"]) for n in range(1, LADDER_ROWS + 1)]
