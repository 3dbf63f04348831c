"""Exceptions forms: a home's monthly KPI entry, one bounded whole number per measure."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import SubmitField
from wtforms.validators import InputRequired, NumberRange

from homes_qa.core.kpis import MEASURES
from homes_qa.web.forms import WholeNumberField


class MonthlyKpiForm(FlaskForm):
    submit = SubmitField("Save the month's KPIs", widget=GovSubmitInput())


for _measure in MEASURES:
    setattr(MonthlyKpiForm, _measure.code, WholeNumberField(
        _measure.label, description=_measure.hint, widget=GovTextInput(),
        invalid_message=f"{_measure.label} must be a whole number, like 2",
        validators=[InputRequired(message=f"Enter the number of {_measure.label.lower()}"),
                    NumberRange(min=0, max=_measure.maximum,
                                message=f"{_measure.label} must be between 0 and {_measure.maximum}")]))


def measure_values(form: MonthlyKpiForm) -> dict[str, int]:
    return {m.code: getattr(form, m.code).data for m in MEASURES}
