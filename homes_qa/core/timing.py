"""When something is due: the `Timing` value object, its validation, and due-time arithmetic.

Three families, matching domain.md ("Time arithmetic"):

- ``fixed``    a calendar cadence (every N weeks/months) anchored to a date; time is cut
               into [start, end) periods and each period's obligation is due at the end of
               its last day, London time. Monthly audits are fixed to the calendar month.
- ``floating`` N days/weeks/months after the last completion (certificates: gas, EICR…).
- event deadlines, counted from an event instant:
    ``elapsed_hours``        N elapsed hours (exact across DST; arithmetic in UTC)
    ``calendar_days``        end of the London day N days after the event's London day
    ``working_days``         end of the Nth working day after the event's London day
    ``end_of_month``         end of the last day of the event's London month
    ``calendar_months``      same date N months later (last day of the month if none)
    ``calendar_days_before`` end of the London day N days *before* the event (e.g. survey
                             evidence gathered ahead of a planned Reg 44 visit)
    ``target_date``          end of the London day of the date carried by the record itself
                             (an action's target date, an Ofsted requirement's compliance date)

A `Timing` validates itself on construction, so an invalid one cannot exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from homes_qa.core.calendar import end_of_month, london_date, london_day_end, to_utc, working_days_after

FIXED = "fixed"
FLOATING = "floating"
ELAPSED_HOURS = "elapsed_hours"
CALENDAR_DAYS = "calendar_days"
WORKING_DAYS = "working_days"
END_OF_MONTH = "end_of_month"
CALENDAR_MONTHS = "calendar_months"
CALENDAR_DAYS_BEFORE = "calendar_days_before"
TARGET_DATE = "target_date"

CADENCE_KINDS = (FIXED, FLOATING)
EVENT_KINDS = (
    ELAPSED_HOURS,
    CALENDAR_DAYS,
    WORKING_DAYS,
    END_OF_MONTH,
    CALENDAR_MONTHS,
    CALENDAR_DAYS_BEFORE,
    TARGET_DATE,
)
KINDS = CADENCE_KINDS + EVENT_KINDS

# Event kinds whose deadline is a count (the others take no amount).
_COUNTED_EVENT_KINDS = (ELAPSED_HOURS, CALENDAR_DAYS, WORKING_DAYS, CALENDAR_MONTHS, CALENDAR_DAYS_BEFORE)

UNITS_BY_KIND = {
    FIXED: ("weeks", "months"),
    FLOATING: ("days", "weeks", "months"),
}

# Defaults for fixed cadences: weeks run Monday–Sunday, months are calendar months.
DEFAULT_WEEK_ANCHOR = date(2026, 1, 5)  # a Monday
DEFAULT_MONTH_ANCHOR = date(2026, 1, 1)

_KIND_LABELS = {
    FIXED: "fixed calendar cadence",
    FLOATING: "floating cadence (from the last completion)",
    ELAPSED_HOURS: "hours after the event",
    CALENDAR_DAYS: "calendar days after the event",
    WORKING_DAYS: "working days after the event",
    END_OF_MONTH: "end of the month of the event",
    CALENDAR_MONTHS: "calendar months after the event",
    CALENDAR_DAYS_BEFORE: "calendar days before the event",
    TARGET_DATE: "the date set on the record",
}


class TimingError(ValueError):
    """A timing that cannot be used; the message is written for an administrator."""


@dataclass(frozen=True)
class Timing:
    kind: str
    amount: int | None = None
    unit: str | None = None
    anchor: date | None = None
    # Floating only: a completion this many months (or less) before the previous due date
    # keeps the anniversary (gas safety, reg 36: renew in the last 2 months, keep the date).
    anniversary_window_months: int | None = None

    def __post_init__(self) -> None:
        if self.kind == FIXED and self.anchor is None and self.unit in UNITS_BY_KIND[FIXED]:
            # Frozen dataclass: fill the default anchor in place before validating.
            default = DEFAULT_WEEK_ANCHOR if self.unit == "weeks" else DEFAULT_MONTH_ANCHOR
            object.__setattr__(self, "anchor", default)
        validate_timing(self)

    # -- families ---------------------------------------------------------------------
    @property
    def is_fixed(self) -> bool:
        return self.kind == FIXED

    @property
    def is_floating(self) -> bool:
        return self.kind == FLOATING

    @property
    def is_event(self) -> bool:
        return self.kind in EVENT_KINDS

    # -- JSON -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form; keys that do not apply to the kind are left out."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.amount is not None:
            out["amount"] = self.amount
        if self.unit is not None:
            out["unit"] = self.unit
        if self.anchor is not None:
            out["anchor"] = self.anchor.isoformat()
        if self.anniversary_window_months is not None:
            out["anniversary_window_months"] = self.anniversary_window_months
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Timing:
        """Inverse of `to_dict`; raises `TimingError` for anything malformed."""
        if not isinstance(data, Mapping):
            raise TimingError("A timing must be an object with at least a 'kind'.")
        unknown = set(data) - {"kind", "amount", "unit", "anchor", "anniversary_window_months"}
        if unknown:
            raise TimingError(f"Unknown timing field(s): {', '.join(sorted(unknown))}.")
        if "kind" not in data or data["kind"] in (None, ""):
            raise TimingError("A timing needs a kind (for example 'fixed' or 'working_days').")
        anchor = data.get("anchor")
        if isinstance(anchor, str):
            try:
                anchor = date.fromisoformat(anchor)
            except ValueError:
                raise TimingError(f"The anchor date {anchor!r} is not a date (use YYYY-MM-DD).") from None
        return cls(
            kind=data["kind"],
            amount=data.get("amount"),
            unit=data.get("unit"),
            anchor=anchor,
            anniversary_window_months=data.get("anniversary_window_months"),
        )

    # -- words --------------------------------------------------------------------------
    def describe(self) -> str:
        """How the UI states the rule, e.g. "Monthly (fixed to the calendar month)"."""
        n = self.amount
        if self.kind == FIXED:
            assert self.anchor is not None and n is not None
            if self.unit == "weeks":
                name = {1: "Weekly", 2: "Fortnightly"}.get(n, f"Every {n} weeks")
                return f"{name} (fixed, weeks starting {self.anchor.strftime('%A')})"
            name = {1: "Monthly", 2: "Every other month", 3: "Quarterly", 12: "Yearly"}.get(
                n, f"Every {n} months"
            )
            if self.anchor.day == 1:
                fixed_to = "the calendar month" if n == 1 else "the calendar"
            else:
                fixed_to = f"the {_ordinal(self.anchor.day)} of the month"
            return f"{name} (fixed to {fixed_to})"
        if self.kind == FLOATING:
            span = _span(n, self.unit)
            text = f"Every {span} from the last completion"
            if self.anniversary_window_months:
                text += (
                    f" (done in the last {_plural(self.anniversary_window_months, 'month')}"
                    " before it is due keeps the anniversary)"
                )
            return text
        if self.kind == ELAPSED_HOURS:
            return f"Within {_plural(n, 'hour')}"
        if self.kind == CALENDAR_DAYS:
            return f"Within {_plural(n, 'calendar day')} of the event"
        if self.kind == WORKING_DAYS:
            return f"Within {_plural(n, 'working day')} of the event"
        if self.kind == END_OF_MONTH:
            return "By the end of the month of the event"
        if self.kind == CALENDAR_MONTHS:
            return f"Within {_plural(n, 'calendar month')} of the event"
        if self.kind == CALENDAR_DAYS_BEFORE:
            return f"{_plural(n, 'calendar day')} before the event"
        return "By the date set on the record"


@dataclass(frozen=True)
class Period:
    """One window of a fixed cadence: `start`..`end` inclusive London dates, and a stable key."""

    start: date
    end: date
    key: str


# --------------------------------------------------------------------------- validation


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_timing(timing: Timing) -> None:
    """Raise `TimingError` with a plain-English reason if `timing` cannot be used."""
    kind = timing.kind
    if kind not in KINDS:
        raise TimingError(f"Unknown timing kind {kind!r}; choose one of: {', '.join(KINDS)}.")
    label = _KIND_LABELS[kind]

    needs_amount = kind in CADENCE_KINDS or kind in _COUNTED_EVENT_KINDS
    if needs_amount:
        if timing.amount is None:
            raise TimingError(f"A {label} needs a number (how many).")
        if not _is_int(timing.amount):
            raise TimingError(f"The number for a {label} must be a whole number, not {timing.amount!r}.")
        if timing.amount <= 0:
            raise TimingError(f"The number for a {label} must be at least 1 (got {timing.amount}).")
    elif timing.amount is not None:
        raise TimingError(f"'{label}' takes no number; leave it empty.")

    if kind in CADENCE_KINDS:
        allowed = UNITS_BY_KIND[kind]
        if timing.unit is None:
            raise TimingError(f"A {label} needs a unit ({', '.join(allowed)}).")
        if timing.unit not in allowed:
            raise TimingError(f"Unknown unit {timing.unit!r} for a {label}; choose one of: {', '.join(allowed)}.")
    elif timing.unit is not None:
        raise TimingError(f"'{label}' takes no unit; leave it empty.")

    if kind == FIXED:
        if not isinstance(timing.anchor, date) or isinstance(timing.anchor, datetime):
            raise TimingError("A fixed cadence needs an anchor date (a plain date, YYYY-MM-DD).")
    elif timing.anchor is not None:
        raise TimingError("Only a fixed cadence takes an anchor date.")

    window = timing.anniversary_window_months
    if window is not None:
        if kind != FLOATING or timing.unit != "months":
            raise TimingError("Only a floating cadence counted in months can keep its anniversary.")
        if not _is_int(window) or window <= 0:
            raise TimingError(f"The anniversary window must be a whole number of months, at least 1 (got {window!r}).")
        assert timing.amount is not None  # a floating cadence was checked for its number above
        if window >= timing.amount:
            raise TimingError("The anniversary window must be shorter than the interval itself.")


# --------------------------------------------------------------------------- event deadlines


def due_after_event(timing: Timing, event_at: datetime) -> datetime:
    """The UTC instant an obligation triggered by the event at `event_at` falls due.

    For a floating cadence the event is the last completion (or whatever starts the cycle).
    Fixed cadences have no event: use `period_containing` and `due_for_period`.
    """
    if timing.kind == FIXED:
        raise TimingError("A fixed cadence is due per period, not after an event.")
    if timing.kind == FLOATING:
        return next_due_floating(timing, event_at)
    n = timing.amount
    if timing.kind == ELAPSED_HOURS:
        assert n is not None  # validated: every counted kind has a number
        # Elapsed time: add in UTC so a DST change neither adds nor removes an hour.
        return to_utc(event_at) + timedelta(hours=n)
    day = london_date(event_at)
    if timing.kind == CALENDAR_DAYS:
        assert n is not None
        return london_day_end(day + timedelta(days=n))
    if timing.kind == WORKING_DAYS:
        assert n is not None
        return london_day_end(working_days_after(day, n))
    if timing.kind == END_OF_MONTH:
        return london_day_end(end_of_month(day))
    if timing.kind == CALENDAR_MONTHS:
        assert n is not None
        # relativedelta clamps to the month's last day: 31 Jan + 1 month = 28/29 Feb (ICO rule).
        return london_day_end(day + relativedelta(months=n))
    if timing.kind == CALENDAR_DAYS_BEFORE:
        assert n is not None
        return london_day_end(day - timedelta(days=n))
    return london_day_end(day)  # TARGET_DATE: the record's own date


# --------------------------------------------------------------------------- floating


def next_due_floating(
    timing: Timing, last_completed_at: datetime, previous_due_at: datetime | None = None
) -> datetime:
    """Due instant of the next occurrence of a floating cadence after a completion.

    `previous_due_at` matters only with an anniversary window: a completion inside the
    window before the previous due date counts from that due date, not from the completion.
    """
    if timing.kind != FLOATING:
        raise TimingError("next_due_floating needs a floating cadence.")
    base = london_date(last_completed_at)
    window = timing.anniversary_window_months
    if window and previous_due_at is not None:
        previous_day = london_date(previous_due_at)
        if previous_day - relativedelta(months=window) <= base <= previous_day:
            base = previous_day
    assert timing.amount is not None
    assert timing.unit is not None
    return london_day_end(_add(base, timing.amount, timing.unit))


def _add(day: date, n: int, unit: str) -> date:
    if unit == "days":
        return day + timedelta(days=n)
    if unit == "weeks":
        return day + timedelta(weeks=n)
    return day + relativedelta(months=n)  # same date, or the month's last day if none


# --------------------------------------------------------------------------- fixed periods


def _boundary(timing: Timing, k: int) -> date:
    # Start of period k, always computed from the anchor (never by chaining periods), so
    # a cadence anchored on the 31st returns to the 31st after February instead of drifting.
    assert timing.anchor is not None and timing.amount is not None
    if timing.unit == "weeks":
        return timing.anchor + timedelta(weeks=timing.amount * k)
    return timing.anchor + relativedelta(months=timing.amount * k)


def _index_of(timing: Timing, d: date) -> int:
    anchor, n = timing.anchor, timing.amount
    assert anchor is not None and n is not None
    if timing.unit == "weeks":
        return (d - anchor).days // (7 * n)
    k = ((d.year - anchor.year) * 12 + d.month - anchor.month) // n
    # The month-count estimate can be one off around clamped month ends; settle it.
    while _boundary(timing, k) > d:
        k -= 1
    while _boundary(timing, k + 1) <= d:
        k += 1
    return k


def _period(timing: Timing, k: int) -> Period:
    start = _boundary(timing, k)
    end = _boundary(timing, k + 1) - timedelta(days=1)
    return Period(start=start, end=end, key=_period_key(timing, start, end))


def _period_key(timing: Timing, start: date, end: date) -> str:
    # Keys are unique within one timing: each period has a distinct start date, and each
    # readable form below is derived from that start alone.
    if timing.unit == "weeks":
        if timing.amount == 1 and start.weekday() == 0:
            year, week, _ = start.isocalendar()
            return f"{year}-W{week:02d}"
        return start.isoformat()
    if start.day == 1:
        if timing.amount == 1:
            return f"{start:%Y-%m}"
        return f"{start:%Y-%m}..{end:%Y-%m}"
    return start.isoformat()


def _as_day(at: date | datetime) -> date:
    if isinstance(at, datetime):
        return london_date(at)
    return at


def period_containing(timing: Timing, at: date | datetime) -> Period:
    """The period of a fixed cadence that contains `at` (an instant, or a London date)."""
    if timing.kind != FIXED:
        raise TimingError("Only a fixed cadence has periods.")
    return _period(timing, _index_of(timing, _as_day(at)))


def periods_between(timing: Timing, start_at: date | datetime, end_at: date | datetime) -> list[Period]:
    """Every period overlapping the London dates from `start_at` to `end_at` inclusive, in order."""
    if timing.kind != FIXED:
        raise TimingError("Only a fixed cadence has periods.")
    first, last = _as_day(start_at), _as_day(end_at)
    if last < first:
        return []
    return [_period(timing, k) for k in range(_index_of(timing, first), _index_of(timing, last) + 1)]


def due_for_period(period: Period) -> datetime:
    """A period's obligation is due at the end of its last day, London time (as UTC)."""
    return london_day_end(period.end)


def due_at(timing: Timing, at: datetime) -> datetime:
    """One entry point for any timing: a fixed cadence gives the due time of the period
    containing `at`; every other kind counts from `at` as the event (or last completion)."""
    if timing.kind == FIXED:
        return due_for_period(period_containing(timing, at))
    return due_after_event(timing, at)


# --------------------------------------------------------------------------- words


def _plural(n: int | None, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _span(n: int | None, unit: str | None) -> str:
    if unit == "months" and n and n % 12 == 0:
        return _plural(n // 12, "year") if n > 12 else "year"
    if n == 1:
        return unit.rstrip("s") if unit else ""
    return f"{n} {unit}"


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


__all__ = [
    "CADENCE_KINDS",
    "EVENT_KINDS",
    "KINDS",
    "Period",
    "Timing",
    "TimingError",
    "due_after_event",
    "due_at",
    "due_for_period",
    "next_due_floating",
    "period_containing",
    "periods_between",
    "validate_timing",
]
