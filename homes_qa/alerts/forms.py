from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length

SECTIONS = ("mine", "homes")


class AcknowledgeForm(FlaskForm):
    """One per alert row; rendered by hand (govukTextarea) so each row's ids are unique."""

    note = TextAreaField("What is being done about it?", validators=[
        InputRequired(message="Enter a note saying what is being done"),
        Length(max=2000, message="The note must be 2000 characters or fewer")])
    section = HiddenField()

    @property
    def section_name(self) -> str:
        return self.section.data if self.section.data in SECTIONS else SECTIONS[0]
