"""The QPAG report's calendar (core/qpag.py): months that may be reported on, the survey
half-years (June and December), and the meeting month whose obligation a report meets."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homes_qa.core.qpag import (
    EARLIEST_MONTH,
    SURVEY_MONTHS,
    MonthError,
    checked_month,
    meeting_month,
    month_of,
    percent,
    previous_month,
    survey_period,
)

TODAY = date(2026, 11, 4)
days = st.dates(min_value=date(2000, 2, 1), max_value=date(2099, 12, 31))


def test_month_bounds():
    assert month_of(2024, 2).last == date(2024, 2, 29)
    assert month_of(2026, 12).last == date(2026, 12, 31)
    assert month_of(2026, 11).label == "November 2026" and month_of(2026, 1).key == "2026-01"


@pytest.mark.parametrize(("year", "month", "field", "message"), [
    (1999, 12, "year", "The year must be 2000 or later"),
    (2028, 1, "year", "The year must be 2027 or earlier"),
    (2027, 1, "month", "The month must have begun: choose this month or an earlier one"),
    (2026, 12, "month", "The month must have begun: choose this month or an earlier one"),
    (2026, 13, "month", "Select the month"),
    (2026, 0, "month", "Select the month"),
    (2026, None, "month", "Select the month"),
    (None, 5, "year", "Enter the year"),
])
def test_months_refused(year, month, field, message):
    with pytest.raises(MonthError) as refused:
        checked_month(year, month, TODAY)
    assert (refused.value.field, refused.value.message) == (field, message)


def test_months_allowed():
    assert checked_month(2026, 11, TODAY) == month_of(2026, 11)  # this month, under way
    assert checked_month(2000, 1, TODAY).first == EARLIEST_MONTH


@given(days)
def test_last_month_is_always_allowed_and_before_today(today):
    last = previous_month(today)
    assert checked_month(last.first.year, last.first.month, today) == last
    assert last.last == today.replace(day=1) - timedelta(days=1)


@given(days)
def test_meeting_month_follows_the_report_month(day):
    month = month_of(day.year, day.month)
    meeting = meeting_month(month)
    assert meeting.first == month.last + timedelta(days=1)


@given(st.integers(2000, 2100), st.integers(1, 12))
def test_surveys_in_june_and_december_over_the_half_year(year, number):
    month = month_of(year, number)
    period = survey_period(month)
    if number not in SURVEY_MONTHS:
        assert period is None
        return
    assert period is not None and period.last == month.last
    assert period.first == date(year, 1 if number == 6 else 7, 1)


def test_percent():
    assert percent(1, 2) == 50 and percent(0, 0) is None and percent(2, 3) == 67
