"""core.formats: the one way the app writes London dates and times."""
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from homes_qa.core import calendar, formats
from homes_qa.core.formats import london_clock, london_datetime, long_date, long_day
from tests.core.core_helpers import london, utc


def test_one_london_zone():
    assert formats.LONDON is calendar.LONDON
    assert str(formats.LONDON) == "Europe/London"


def test_gmt_instant():
    """December: London is on GMT, the wall clock reads as UTC."""
    instant = utc(2026, 12, 7, 14, 5)
    assert london_datetime(instant) == "Mon 7 Dec 2026, 14:05"
    assert london_clock(instant) == "14:05"
    assert long_date(instant) == "Mon 7 Dec 2026"


def test_bst_instant():
    """July: London is on BST (UTC+1), an hour ahead."""
    instant = utc(2026, 7, 1, 11, 30)
    assert london_datetime(instant) == "Wed 1 Jul 2026, 12:30"
    assert london_clock(instant) == "12:30"
    assert long_date(instant) == "Wed 1 Jul 2026"


def test_instant_late_in_the_utc_day_is_the_next_london_day_in_summer():
    instant = utc(2026, 6, 30, 23, 30)  # 00:30 BST on Wed 1 Jul
    assert london_datetime(instant) == "Wed 1 Jul 2026, 00:30"
    assert long_date(instant) == "Wed 1 Jul 2026"


def test_any_zone_is_written_on_the_london_clock():
    new_york = timezone(timedelta(hours=-5))
    assert london_datetime(datetime(2026, 11, 30, 18, 59, tzinfo=new_york)) == "Mon 30 Nov 2026, 23:59"
    assert london_datetime(london(2026, 12, 7, 9, 0)) == "Mon 7 Dec 2026, 09:00"


def test_across_the_spring_change():
    """Clocks go forward at 01:00 UTC on Sun 29 Mar 2026: 00:59 GMT, then 02:00 BST."""
    assert london_datetime(utc(2026, 3, 29, 0, 59)) == "Sun 29 Mar 2026, 00:59"
    assert london_datetime(utc(2026, 3, 29, 1, 0)) == "Sun 29 Mar 2026, 02:00"


def test_days_have_no_leading_zero_and_dates_are_taken_as_they_are():
    assert long_day(date(2026, 11, 2)) == "Mon 2 Nov 2026"
    assert long_date(date(2026, 11, 2)) == "Mon 2 Nov 2026"
    assert long_day(date(2027, 1, 31)) == "Sun 31 Jan 2027"


def test_none_is_empty():
    assert london_datetime(None) == ""
    assert london_clock(None) == ""
    assert long_date(None) == ""
    assert long_day(None) == ""


@pytest.mark.parametrize("write", [london_datetime, london_clock, long_date])
def test_naive_datetimes_refused(write):
    with pytest.raises(ValueError, match="naive"):
        write(datetime(2026, 12, 7, 14, 5))


def test_a_day_deadline_reads_by_end_of_its_day():
    from homes_qa.core.calendar import london_day_end
    from homes_qa.core.formats import deadline
    assert deadline(london_day_end(date(2026, 12, 31))) == "by end of Thu 31 Dec 2026"
    assert deadline(london_day_end(date(2027, 6, 30))) == "by end of Wed 30 Jun 2027"  # BST
    assert deadline(datetime(2026, 12, 7, 14, 5, tzinfo=UTC)) == "by Mon 7 Dec 2026, 14:05"
    assert deadline(None) == ""
