"""London local time → UTC, including both 2027 clock changes."""
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homes_qa.core.calendar import LONDON
from homes_qa.core.localtime import (
    EARLIER,
    LATER,
    AmbiguousLocalTime,
    NonexistentLocalTime,
    is_ambiguous,
    london_to_utc,
)

SPRING_2027 = date(2027, 3, 28)
AUTUMN_2027 = date(2027, 10, 31)


def test_winter_time_is_utc():
    assert london_to_utc(date(2027, 1, 15), time(9, 30)) == datetime(2027, 1, 15, 9, 30, tzinfo=UTC)


def test_summer_time_is_an_hour_ahead_of_utc():
    assert london_to_utc(date(2027, 7, 1), time(9, 30)) == datetime(2027, 7, 1, 8, 30, tzinfo=UTC)


def test_spring_forward_gap_is_refused_with_a_clear_message():
    with pytest.raises(NonexistentLocalTime, match="did not happen"):
        london_to_utc(SPRING_2027, time(1, 30))


def test_spring_forward_gap_refused_even_when_an_occurrence_is_given():
    with pytest.raises(NonexistentLocalTime):
        london_to_utc(SPRING_2027, time(1, 0), EARLIER)


def test_spring_forward_either_side_of_the_gap():
    assert london_to_utc(SPRING_2027, time(0, 59)) == datetime(2027, 3, 28, 0, 59, tzinfo=UTC)
    assert london_to_utc(SPRING_2027, time(2, 0)) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


def test_autumn_overlap_needs_an_answer():
    with pytest.raises(AmbiguousLocalTime, match="happened twice"):
        london_to_utc(AUTUMN_2027, time(1, 30))


def test_autumn_overlap_earlier_is_summer_time_later_is_greenwich():
    assert london_to_utc(AUTUMN_2027, time(1, 30), EARLIER) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert london_to_utc(AUTUMN_2027, time(1, 30), LATER) == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)


def test_autumn_either_side_of_the_overlap_is_unambiguous():
    assert london_to_utc(AUTUMN_2027, time(0, 59)) == datetime(2027, 10, 30, 23, 59, tzinfo=UTC)
    assert london_to_utc(AUTUMN_2027, time(2, 0)) == datetime(2027, 10, 31, 2, 0, tzinfo=UTC)


def test_is_ambiguous_only_in_the_overlap():
    assert is_ambiguous(AUTUMN_2027, time(1, 0))
    assert not is_ambiguous(AUTUMN_2027, time(2, 0))
    assert not is_ambiguous(SPRING_2027, time(1, 30))


def test_an_unknown_occurrence_is_a_programming_error():
    with pytest.raises(ValueError, match="occurrence"):
        london_to_utc(AUTUMN_2027, time(1, 30), "middle")


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31)))
def test_every_instant_round_trips_through_its_london_wall_clock(naive_utc):
    instant = naive_utc.replace(tzinfo=UTC, second=0, microsecond=0)
    local = instant.astimezone(LONDON)
    occurrence = LATER if local.fold else EARLIER
    assert london_to_utc(local.date(), local.time(), occurrence) == instant
    assert london_to_utc(local.date(), local.time(), occurrence) - instant == timedelta(0)
