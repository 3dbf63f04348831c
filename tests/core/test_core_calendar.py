from datetime import date, timedelta

import pytest

from homes_qa.core.calendar import (
    end_of_month,
    is_bank_holiday,
    is_working_day,
    london_date,
    london_day_end,
    london_day_start,
    to_london,
    working_days_after,
)
from tests.core.core_helpers import london, utc


@pytest.mark.parametrize(
    "d",
    [
        date(2026, 12, 25),  # Christmas Day, Friday
        date(2026, 12, 28),  # Boxing Day (observed): 26 Dec 2026 is a Saturday
        date(2027, 1, 1),  # New Year's Day
        date(2027, 3, 26),  # Good Friday 2027
        date(2027, 3, 29),  # Easter Monday 2027
        date(2026, 8, 31),  # Late Summer bank holiday
    ],
)
def test_bank_holidays_are_not_working_days(d):
    assert is_bank_holiday(d)
    assert not is_working_day(d)


def test_the_substituted_saturday_is_listed_and_is_not_a_working_day():
    # `holidays` lists Boxing Day on the Saturday itself as well as the observed Monday.
    assert is_bank_holiday(date(2026, 12, 26))
    assert not is_working_day(date(2026, 12, 26))


@pytest.mark.parametrize("d", [date(2026, 12, 24), date(2026, 12, 29), date(2027, 1, 4), date(2027, 3, 25), date(2027, 3, 30)])
def test_ordinary_weekdays_are_working_days(d):
    assert is_working_day(d)


@pytest.mark.parametrize(
    "day, n, expected",
    [
        (date(2026, 12, 24), 1, date(2026, 12, 29)),  # over Christmas, weekend, observed Boxing Day
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # over New Year's Day and the weekend
        (date(2027, 3, 25), 1, date(2027, 3, 30)),  # over Easter 2027
        (date(2027, 3, 25), 2, date(2027, 3, 31)),
        (date(2026, 11, 20), 1, date(2026, 11, 23)),  # Friday -> Monday
        (date(2026, 11, 21), 1, date(2026, 11, 23)),  # Saturday: its own day never counts
        (date(2026, 11, 23), 5, date(2026, 11, 30)),
        (date(2026, 12, 1), 22, date(2027, 1, 5)),  # the Reg 44 22-working-day rule over Christmas
    ],
)
def test_working_days_after(day, n, expected):
    assert working_days_after(day, n) == expected


@pytest.mark.parametrize("n", [0, -1, 1.5, True])
def test_working_days_after_rejects_non_positive_or_non_integer(n):
    with pytest.raises(ValueError):
        working_days_after(date(2026, 1, 1), n)


@pytest.mark.parametrize(
    "d, expected",
    [
        (date(2026, 1, 31), date(2026, 1, 31)),
        (date(2026, 2, 10), date(2026, 2, 28)),
        (date(2028, 2, 1), date(2028, 2, 29)),
        (date(2026, 4, 30), date(2026, 4, 30)),
        (date(2026, 12, 5), date(2026, 12, 31)),
    ],
)
def test_end_of_month(d, expected):
    assert end_of_month(d) == expected


def test_london_day_end_in_winter_and_summer():
    assert london_day_end(date(2026, 12, 25)) == utc(2026, 12, 25, 23, 59, 59)
    assert london_day_end(date(2026, 7, 1)) == utc(2026, 7, 1, 22, 59, 59)  # BST
    # Clock-change days themselves.
    assert london_day_end(date(2026, 3, 29)) == utc(2026, 3, 29, 22, 59, 59)
    assert london_day_end(date(2026, 10, 25)) == utc(2026, 10, 25, 23, 59, 59)
    assert london_day_end(date(2026, 7, 1)).utcoffset() == timedelta(0)


def test_london_day_start():
    assert london_day_start(date(2026, 7, 1)) == utc(2026, 6, 30, 23, 0)


def test_london_date_of_an_instant_near_midnight():
    assert london_date(utc(2026, 6, 30, 23, 30)) == date(2026, 7, 1)  # 00:30 BST
    assert london_date(utc(2026, 12, 31, 23, 30)) == date(2026, 12, 31)


def test_naive_datetimes_are_refused():
    from datetime import datetime

    with pytest.raises(ValueError):
        to_london(datetime(2026, 1, 1, 12))


def test_to_london():
    assert to_london(utc(2026, 7, 1, 12)) == london(2026, 7, 1, 13)
