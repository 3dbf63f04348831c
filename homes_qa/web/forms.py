"""Form helpers shared by the areas."""
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSubmitInput
from wtforms import DateField, IntegerField, SubmitField
from wtforms.validators import NumberRange, StopValidation, ValidationError

from homes_qa.core.calendar import london_date
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError

T = TypeVar("T")


# C0 and C1 control characters (NUL, ESC, DEL…): never meant in a single-line field.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\v\f\r\u2028\u2029\x85]+")
# Bidirectional embeddings, overrides and isolates: they make a name display as other text.
BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def single_line(value: object) -> object:
    """Filter for a single-line text field: control characters removed (tabs and line breaks
    become a space) and the ends trimmed."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", value)).strip()


class Name:
    """Validator for a name (of a person, of a home): not only spaces, no text-direction controls.

    Use with the `single_line` filter; `missing_message` is the field's "Enter …" message.
    """

    def __init__(self, missing_message: str):
        self.missing_message = missing_message

    def __call__(self, form, field) -> None:
        if not isinstance(field.data, str) or not field.data.strip():
            raise StopValidation(self.missing_message)
        if BIDI_CONTROLS.search(field.data):
            raise ValidationError(f"{field.label.text} must not contain characters that change the "
                                  "direction of text")


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


def saved_result(form, action: Callable[[], T], *,
                 on_refusal: Callable[[ServiceError], object] | None = None) -> T | None:
    """Run a submitted form's service call and return what it returns.

    If the service refuses (a ServiceError), `on_refusal` sees the error first (it may abort,
    e.g. 403), then the message is put by its field and None is returned, so the page shows
    the form again. For services that return their record; for the others use `saved`.
    """
    try:
        return action()
    except ServiceError as error:
        if on_refusal is not None:
            on_refusal(error)
        apply_service_error(form, error)
        return None


def saved(form, action: Callable[[], object], *,
          on_refusal: Callable[[ServiceError], object] | None = None) -> bool:
    """Run a submitted form's service call: True if it went through, False (message on the form) if refused."""
    def run() -> bool:
        action()
        return True
    return saved_result(form, run, on_refusal=on_refusal) is not None


class WholeNumberField(IntegerField):
    """IntegerField with a GOV.UK-style message for text that is not a whole number."""

    MAX_DIGITS = 9  # no whole number in this service needs more; 10^30 and 2^63 are typos

    def __init__(self, *args, invalid_message: str = "Enter a whole number",
                 too_big_message: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message
        self.too_big_message = too_big_message

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        text = valuelist[0].strip()
        digits = text[1:] if text[:1] in "+-" else text
        if not (digits.isascii() and digits.isdigit()):
            raise ValueError(self.invalid_message)
        if len(digits.lstrip("0")) > self.MAX_DIGITS:
            ranges = [v.message for v in self.validators if isinstance(v, NumberRange) and v.message]
            raise ValueError(self.too_big_message or (ranges[0] if ranges else
                                                      f"{self.label.text} must be a smaller number"))
        self.data = int(text)


def today() -> date:
    """Today's date in London: a bound for fields that are past-only or future-only."""
    return london_date(utcnow())


DateBound = date | Callable[[], date]


def _written(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


class GovDateField(DateField):
    """Day, month and year boxes (GOV.UK date input) with GOV.UK messages.

    Keeps the three raw values so a refused date is shown back as typed. With
    `missing_message` the date is required; without it an empty date is allowed.

    Every date is bounded: by default 1 January 1900 to 31 December 2100 (a date outside is a
    typo, and date arithmetic on 9999 overflows). A field that must be stricter passes
    `earliest`/`latest` (a date, or a callable such as `today` for past-only or future-only
    fields) and, optionally, `range_message`.
    """

    EARLIEST = date(1900, 1, 1)
    LATEST = date(2100, 12, 31)

    def __init__(self, label=None, validators=None, *, invalid_message: str,
                 missing_message: str | None = None, earliest: DateBound | None = None,
                 latest: DateBound | None = None, range_message: str | None = None, **kwargs):
        super().__init__(label, validators, format="%d %m %Y", widget=GovDateInput(), **kwargs)
        self.type = "DateField"  # error_list() links the summary to the day box
        self.missing_message = missing_message
        self.invalid_message = invalid_message
        self.earliest, self.latest, self.range_message = earliest, latest, range_message

    def bounds(self) -> tuple[date, date]:
        def resolve(bound: DateBound | None, default: date) -> date:
            value = bound() if callable(bound) else bound
            return default if value is None else min(max(value, self.EARLIEST), self.LATEST)
        return resolve(self.earliest, self.EARLIEST), resolve(self.latest, self.LATEST)

    def _out_of_range(self, earliest: date, latest: date) -> str:
        if self.range_message:
            return self.range_message
        label = self.label.text
        now = today()
        if latest == now and self.latest is not None:
            return f"{label} must be today or in the past"
        if earliest == now and self.earliest is not None:
            return f"{label} must be today or in the future"
        return f"{label} must be between {_written(earliest)} and {_written(latest)}"

    def process_formdata(self, valuelist):
        parts = [(value or "").strip() for value in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        if not any(parts):
            return  # post_validate reports it if the date is required
        if not all(parts):
            missing = [name for name, value in zip(("a day", "a month", "a year"), parts) if not value]
            raise ValueError(f"{self.label.text} must include {' and '.join(missing)}")
        if not all(part.isascii() and part.isdigit() and len(part) <= 4 for part in parts):
            raise ValueError(self.invalid_message)
        try:
            # a calendar date with no time of day, so no zone applies
            parsed = datetime.strptime(" ".join(parts), "%d %m %Y").date()  # noqa: DTZ007
        except ValueError:
            raise ValueError(self.invalid_message) from None
        if parsed.year < 1900:  # two-digit years and typos, not real dates in this service
            raise ValueError(self.invalid_message)
        earliest, latest = self.bounds()
        if not earliest <= parsed <= latest:
            raise ValueError(self._out_of_range(earliest, latest))
        self.data = parsed

    def post_validate(self, form, validation_stopped):
        if self.missing_message and self.data is None and not self.errors:
            raise ValidationError(self.missing_message)
