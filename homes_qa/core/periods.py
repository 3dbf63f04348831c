"""The exceptions grid's period filter (issue 11): which due dates a chosen period covers.

A period is a half-open range of London calendar days [start, end): the grid and its items
show open obligations due in it. Presets are whole calendar months counted from today; a custom
range is two dates, both within MIN_DAY..MAX_DAY, the first not after the second, at most
MAX_SPAN_DAYS long. Pure: `today` is passed in.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

PERIODS: dict[str, str] = {
    "this_month": "Due this month",
    "last_month": "Due last month",
    "last_3_months": "Due in the last 3 months (this one included)",
    "custom": "Due between two dates",
}
MIN_DAY, MAX_DAY = date(2000, 1, 1), date(2100, 12, 31)
MAX_SPAN_DAYS = 366 * 5


@dataclass(frozen=True)
class Period:
    code: str
    start: date  # first day covered
    end: date  # the day after the last day covered

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)


def _month_start(day: date, back: int = 0) -> date:
    months = day.year * 12 + day.month - 1 - back
    return date(months // 12, months % 12 + 1, 1)


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def preset(code: str, today: date) -> Period:
    """The range of a preset period (not "custom")."""
    this_month = _month_start(today)
    if code == "this_month":
        return Period(code, this_month, _next_month(this_month))
    if code == "last_month":
        return Period(code, _month_start(today, 1), this_month)
    if code == "last_3_months":
        return Period(code, _month_start(today, 2), _next_month(this_month))
    raise ValueError(f"unknown period {code!r}")


def parse_day(text: str) -> date | None:
    """A date written as YYYY-MM-DD within MIN_DAY..MAX_DAY, else None."""
    text = text.strip()
    if len(text) != 10:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if MIN_DAY <= day <= MAX_DAY else None


def custom(start_text: str, end_text: str) -> tuple[Period | None, dict[str, str]]:
    """A custom range from two typed dates (the last one included), or the errors by field."""
    errors: dict[str, str] = {}
    start, end = parse_day(start_text), parse_day(end_text)
    if start is None:
        errors["from"] = "Enter the first date as year-month-day, like 2026-11-01, between 2000 and 2100"
    if end is None:
        errors["to"] = "Enter the last date as year-month-day, like 2026-11-30, between 2000 and 2100"
    if start is not None and end is not None:
        if end < start:
            errors["to"] = "The last date must be the same as or after the first date"
        elif (end - start).days >= MAX_SPAN_DAYS:
            errors["to"] = "Choose a range of at most 5 years"
    if errors or start is None or end is None:
        return None, errors
    return Period("custom", start, end + timedelta(days=1)), {}


def since_inspection(ended_on: date, today: date) -> Period:
    """Annex A's "since the last inspection": from the day after the inspection ended to today,
    both included (empty — start == end — when it ended today or is recorded ahead)."""
    start = ended_on + timedelta(days=1)
    end = max(start, today + timedelta(days=1))
    return Period("since_inspection", start, end)
