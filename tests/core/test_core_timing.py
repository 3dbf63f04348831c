import json
from datetime import date, timedelta

import pytest

from homes_qa.core.timing import (
    Period,
    Timing,
    TimingError,
    due_after_event,
    due_at,
    due_for_period,
    next_due_floating,
    period_containing,
    periods_between,
)
from tests.core.core_helpers import london, utc

MONTHLY = Timing("fixed", 1, "months")
WEEKLY = Timing("fixed", 1, "weeks")


# ------------------------------------------------------------------ event deadlines


def test_24_hours_across_spring_forward_is_24_elapsed_hours():
    # Last Sunday of March 2026 is 29 March; clocks go 01:00 GMT -> 02:00 BST.
    event = london(2026, 3, 29, 0, 30)
    due = due_after_event(Timing("elapsed_hours", 24), event)
    assert due - event == timedelta(hours=24)
    assert due == london(2026, 3, 30, 1, 30)  # domain.md: 24 h after 00:30 is 01:30 local
    assert due.tzinfo is not None and due.utcoffset() == timedelta(0)


def test_24_hours_across_autumn_change_is_24_elapsed_hours():
    # Last Sunday of October 2026 is 25 October; clocks go 02:00 BST -> 01:00 GMT.
    event = london(2026, 10, 25, 0, 30)
    due = due_after_event(Timing("elapsed_hours", 24), event)
    assert due - event == timedelta(hours=24)
    assert due == london(2026, 10, 25, 23, 30)  # the day has 25 hours


def test_72_hours_over_a_weekend_and_the_clock_change():
    event = london(2026, 10, 23, 12, 0)  # Friday, BST
    assert due_after_event(Timing("elapsed_hours", 72), event) == london(2026, 10, 26, 11, 0)


def test_calendar_days_counts_from_the_london_day_of_the_event():
    # 23:30 UTC on 30 June is 00:30 BST on 1 July: the London day is 1 July.
    assert due_after_event(Timing("calendar_days", 14), utc(2026, 6, 30, 23, 30)) == london(2026, 7, 15, 23, 59, 59)


def test_working_days_over_christmas_and_new_year():
    assert due_after_event(Timing("working_days", 22), london(2026, 12, 1, 10)) == london(2027, 1, 5, 23, 59, 59)


def test_working_days_over_easter_2027():
    assert due_after_event(Timing("working_days", 22), london(2027, 3, 1, 10)) == london(2027, 4, 2, 23, 59, 59)


@pytest.mark.parametrize(
    "event, expected",
    [
        (london(2026, 1, 31, 9), london(2026, 2, 28, 23, 59, 59)),
        (london(2028, 1, 31, 9), london(2028, 2, 29, 23, 59, 59)),
        (london(2026, 3, 31, 9), london(2026, 4, 30, 23, 59, 59)),
        (london(2026, 3, 29, 9), london(2026, 4, 29, 23, 59, 59)),
        (london(2026, 12, 15, 9), london(2027, 1, 15, 23, 59, 59)),
    ],
)
def test_calendar_month_is_same_date_next_month_or_last_day(event, expected):
    assert due_after_event(Timing("calendar_months", 1), event) == expected


def test_end_of_month_of_the_event():
    assert due_after_event(Timing("end_of_month"), london(2026, 2, 3, 9)) == london(2026, 2, 28, 23, 59, 59)
    assert due_after_event(Timing("end_of_month"), london(2027, 1, 31, 23, 0)) == london(2027, 1, 31, 23, 59, 59)


def test_days_before_and_target_date():
    assert due_after_event(Timing("calendar_days_before", 7), london(2027, 1, 5, 10)) == london(2026, 12, 29, 23, 59, 59)
    assert due_after_event(Timing("target_date"), london(2027, 3, 26)) == london(2027, 3, 26, 23, 59, 59)


def test_fixed_cadence_has_no_event_deadline():
    with pytest.raises(TimingError):
        due_after_event(MONTHLY, london(2026, 1, 1))


# ------------------------------------------------------------------ floating


@pytest.mark.parametrize(
    "timing, completed, expected",
    [
        (Timing("floating", 12, "months"), london(2026, 2, 28, 15), london(2027, 2, 28, 23, 59, 59)),
        (Timing("floating", 60, "months"), london(2024, 2, 29, 15), london(2029, 2, 28, 23, 59, 59)),
        (Timing("floating", 6, "months"), london(2026, 8, 31, 15), london(2027, 2, 28, 23, 59, 59)),
        (Timing("floating", 2, "weeks"), london(2026, 12, 18, 15), london(2027, 1, 1, 23, 59, 59)),
        (Timing("floating", 10, "days"), london(2026, 12, 25, 15), london(2027, 1, 4, 23, 59, 59)),
    ],
)
def test_floating_next_due(timing, completed, expected):
    assert next_due_floating(timing, completed) == expected
    assert due_after_event(timing, completed) == expected


def test_gas_safety_keeps_the_anniversary_inside_the_two_month_window():
    gas = Timing("floating", 12, "months", anniversary_window_months=2)
    previous_due = london(2027, 1, 15, 23, 59, 59)
    # Done six weeks early: the anniversary stays 15 January.
    assert next_due_floating(gas, london(2026, 12, 1, 10), previous_due) == london(2028, 1, 15, 23, 59, 59)
    # Exactly two months early still counts.
    assert next_due_floating(gas, london(2026, 11, 15, 10), previous_due) == london(2028, 1, 15, 23, 59, 59)
    # Earlier than that resets to the completion date.
    assert next_due_floating(gas, london(2026, 11, 10, 10), previous_due) == london(2027, 11, 10, 23, 59, 59)
    # Done late: floats from the completion.
    assert next_due_floating(gas, london(2027, 2, 1, 10), previous_due) == london(2028, 2, 1, 23, 59, 59)
    # No previous due date (first certificate): floats from the completion.
    assert next_due_floating(gas, london(2026, 12, 1, 10)) == london(2027, 12, 1, 23, 59, 59)


# ------------------------------------------------------------------ fixed periods


def test_calendar_month_period_and_key():
    p = period_containing(MONTHLY, london(2026, 11, 15, 10))
    assert p == Period(date(2026, 11, 1), date(2026, 11, 30), "2026-11")
    assert due_for_period(p) == london(2026, 11, 30, 23, 59, 59)


def test_instant_is_placed_by_its_london_date():
    # 23:30 UTC on 31 October 2026 is 23:30 GMT: still October. 23:30 UTC on 30 April is 00:30 BST 1 May.
    assert period_containing(MONTHLY, utc(2026, 10, 31, 23, 30)).key == "2026-10"
    assert period_containing(MONTHLY, utc(2026, 4, 30, 23, 30)).key == "2026-05"


def test_weekly_periods_run_monday_to_sunday_with_iso_week_keys():
    p = period_containing(WEEKLY, london(2026, 11, 25, 10))
    assert p == Period(date(2026, 11, 23), date(2026, 11, 29), "2026-W48")
    assert period_containing(WEEKLY, london(2026, 12, 28)).key == "2026-W53"
    assert period_containing(WEEKLY, london(2027, 1, 4)).key == "2027-W01"


def test_fortnightly_uses_start_date_keys():
    fortnightly = Timing("fixed", 2, "weeks")
    p = period_containing(fortnightly, london(2026, 1, 20))
    assert p == Period(date(2026, 1, 19), date(2026, 2, 1), "2026-01-19")
    # Before the anchor too.
    assert period_containing(fortnightly, london(2025, 12, 25)).start == date(2025, 12, 22)


def test_multi_month_periods():
    half_year = Timing("fixed", 6, "months")
    p = period_containing(half_year, london(2026, 11, 23))
    assert p == Period(date(2026, 7, 1), date(2026, 12, 31), "2026-07..2026-12")
    bimonthly = Timing("fixed", 2, "months")
    assert period_containing(bimonthly, london(2025, 12, 31)).key == "2025-11..2025-12"


def test_monthly_anchored_on_the_31st_never_drifts():
    t = Timing("fixed", 1, "months", date(2026, 1, 31))
    starts = [p.start for p in periods_between(t, date(2026, 1, 31), date(2026, 6, 15))]
    assert starts == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]
    # Boundaries land on the last day of the shorter months and go back to the 31st after.
    feb = period_containing(t, date(2026, 3, 1))
    assert (feb.start, feb.end) == (date(2026, 2, 28), date(2026, 3, 30))
    assert period_containing(t, date(2027, 1, 31)).start == date(2027, 1, 31)


def test_periods_between_spans_the_year_end():
    ps = periods_between(MONTHLY, london(2026, 11, 15), london(2027, 2, 3))
    assert [p.key for p in ps] == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert [due_for_period(p) for p in ps][-1] == london(2027, 2, 28, 23, 59, 59)
    assert periods_between(MONTHLY, london(2027, 1, 1), london(2026, 1, 1)) == []


def test_due_at_dispatches_on_kind():
    assert due_at(MONTHLY, london(2026, 2, 10)) == london(2026, 2, 28, 23, 59, 59)
    assert due_at(Timing("working_days", 1), london(2026, 12, 24, 16)) == london(2026, 12, 29, 23, 59, 59)


def test_periods_refused_for_non_fixed():
    with pytest.raises(TimingError):
        period_containing(Timing("floating", 1, "months"), london(2026, 1, 1))


# ------------------------------------------------------------------ validation and JSON


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        (dict(kind="fixed", amount=0, unit="months"), "at least 1"),
        (dict(kind="fixed", amount=-2, unit="weeks"), "at least 1"),
        (dict(kind="floating", amount=1, unit="fortnights"), "Unknown unit"),
        (dict(kind="fixed", amount=1, unit="days"), "Unknown unit"),
        (dict(kind="fixed", amount=1), "needs a unit"),
        (dict(kind="fixed", unit="months"), "needs a number"),
        (dict(kind="floating", amount=1.5, unit="months"), "whole number"),
        (dict(kind="working_days"), "needs a number"),
        (dict(kind="working_days", amount=0), "at least 1"),
        (dict(kind="elapsed_hours", amount=True), "whole number"),
        (dict(kind="end_of_month", amount=3), "takes no number"),
        (dict(kind="calendar_days", amount=3, unit="days"), "takes no unit"),
        (dict(kind="floating", amount=3, unit="months", anchor=date(2026, 1, 1)), "Only a fixed cadence"),
        (dict(kind="sometimes"), "Unknown timing kind"),
        (dict(kind="floating", amount=12, unit="weeks", anniversary_window_months=2), "counted in months"),
        (dict(kind="floating", amount=12, unit="months", anniversary_window_months=12), "shorter"),
    ],
)
def test_validation_rejects_bad_timings_with_a_clear_message(kwargs, fragment):
    with pytest.raises(TimingError, match=fragment):
        Timing(**kwargs)


def test_timing_error_is_a_value_error():
    assert issubclass(TimingError, ValueError)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": ""},
        {"kind": "fixed", "amount": 1, "unit": "months", "anchor": "2026-13-01"},
        {"kind": "fixed", "amount": 1, "unit": "months", "every": 1},
        [],
    ],
)
def test_from_dict_rejects_malformed(data):
    with pytest.raises(TimingError):
        Timing.from_dict(data)


def test_to_dict_shape_and_round_trip():
    t = Timing("fixed", 1, "months")
    assert t.to_dict() == {"kind": "fixed", "amount": 1, "unit": "months", "anchor": "2026-01-01"}
    assert Timing("fixed", 1, "weeks").anchor == date(2026, 1, 5)
    assert Timing("working_days", 22).to_dict() == {"kind": "working_days", "amount": 22}
    assert Timing("end_of_month").to_dict() == {"kind": "end_of_month"}
    gas = Timing("floating", 12, "months", anniversary_window_months=2)
    for timing in (t, gas, Timing("elapsed_hours", 24), Timing("fixed", 1, "months", date(2026, 1, 31))):
        assert Timing.from_dict(json.loads(json.dumps(timing.to_dict()))) == timing


@pytest.mark.parametrize(
    "timing, text",
    [
        (Timing("fixed", 1, "months"), "Monthly (fixed to the calendar month)"),
        (Timing("fixed", 1, "weeks"), "Weekly (fixed, weeks starting Monday)"),
        (Timing("fixed", 2, "weeks"), "Fortnightly (fixed, weeks starting Monday)"),
        (Timing("fixed", 3, "months"), "Quarterly (fixed to the calendar)"),
        (Timing("fixed", 1, "months", date(2026, 1, 31)), "Monthly (fixed to the 31st of the month)"),
        (Timing("working_days", 22), "Within 22 working days of the event"),
        (Timing("working_days", 1), "Within 1 working day of the event"),
        (Timing("elapsed_hours", 24), "Within 24 hours"),
        (Timing("calendar_days", 14), "Within 14 calendar days of the event"),
        (Timing("calendar_months", 1), "Within 1 calendar month of the event"),
        (Timing("end_of_month"), "By the end of the month of the event"),
        (Timing("floating", 12, "months"), "Every year from the last completion"),
        (Timing("floating", 60, "months"), "Every 5 years from the last completion"),
        (Timing("floating", 2, "weeks"), "Every 2 weeks from the last completion"),
        (Timing("calendar_days_before", 7), "7 calendar days before the event"),
        (Timing("target_date"), "By the date set on the record"),
    ],
)
def test_describe(timing, text):
    assert timing.describe() == text
