"""core.periods: the grid's period filter."""
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from homes_qa.core.periods import MAX_DAY, MIN_DAY, Period, custom, parse_day, preset


def test_presets_are_whole_calendar_months_from_today():
    today = date(2026, 1, 15)
    assert preset("this_month", today) == Period("this_month", date(2026, 1, 1), date(2026, 2, 1))
    assert preset("last_month", today) == Period("last_month", date(2025, 12, 1), date(2026, 1, 1))
    assert preset("last_3_months", today) == Period("last_3_months", date(2025, 11, 1), date(2026, 2, 1))
    assert preset("this_month", date(2026, 12, 31)).end == date(2027, 1, 1)


def test_custom_ranges_include_their_last_day_and_are_bounded():
    period, errors = custom("2026-11-01", "2026-11-30")
    assert errors == {} and period == Period("custom", date(2026, 11, 1), date(2026, 12, 1))
    assert period.last == date(2026, 11, 30)
    assert custom("2026-11-30", "2026-11-01")[1] == {"to": "The last date must be the same as or after the first date"}
    assert set(custom("01/11/2026", "")[1]) == {"from", "to"}
    assert "to" in custom("2000-01-01", "2100-12-31")[1]  # longer than 5 years
    assert parse_day("1999-12-31") is None and parse_day("2101-01-01") is None and parse_day("2026-02-30") is None
    assert parse_day("+0002026-01-01") is None


@given(st.dates(min_value=MIN_DAY, max_value=MAX_DAY - timedelta(days=200)),
       st.sampled_from(["this_month", "last_month", "last_3_months"]))
def test_a_preset_is_a_non_empty_range_of_first_days_touching_today(today, code):
    period = preset(code, today)
    assert period.start.day == 1 and period.end.day == 1 and period.start < period.end
    if code == "last_month":
        assert period.end <= today
    else:
        assert period.start <= today < period.end


def test_since_the_last_inspection_runs_from_the_day_after_to_today():
    from homes_qa.core.periods import since_inspection
    period = since_inspection(date(2026, 3, 12), date(2026, 11, 4))
    assert (period.start, period.last) == (date(2026, 3, 13), date(2026, 11, 4))
    empty = since_inspection(date(2026, 11, 4), date(2026, 11, 4))
    assert empty.start == empty.end
