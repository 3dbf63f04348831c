"""London calendar: working days, month ends, and the end-of-day instant deadlines fall on.

Instants are stored as UTC-aware datetimes; anything expressed as a *day* (working days,
calendar days, month ends) is reckoned on the Europe/London local date, because that is
the calendar the homes and the regulations run on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

LONDON = ZoneInfo("Europe/London")

# A deadline given as a day is due at the last second of that day, London time. We use
# 23:59:59 (not midnight of the next day) so the due instant still falls on the named day
# when shown to a user; anything done up to and including that second is on time.
END_OF_DAY = time(23, 59, 59)


@lru_cache(maxsize=256)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales bank holidays from the `holidays` package (never a hand-written
    # list). Cached per year as a frozenset: immutable, so safe to share across threads,
    # unlike the package's auto-expanding dict.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(d: date) -> bool:
    """True if `d` is an England and Wales bank holiday (including observed substitutes)."""
    return d in _bank_holidays(d.year)


def is_working_day(d: date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return d.weekday() < 5 and not is_bank_holiday(d)


def working_days_after(day: date, n: int) -> date:
    """The Nth working day after `day` ("within N working days of X"); `day` itself never counts."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a whole number of working days, at least 1 (got {n!r})")
    return _working_days_after(day, n)


@lru_cache(maxsize=8192)
def _working_days_after(day: date, n: int) -> date:
    # Cached: every home's obligation of a rule falls due on the same day, so the sweep and the
    # lists that classify them count the same working days over and over (n checked above).
    d = day
    while n:
        d += timedelta(days=1)
        if is_working_day(d):
            n -= 1
    return d


def end_of_month(d: date) -> date:
    """The last calendar day of `d`'s month."""
    return d.replace(day=1) + relativedelta(months=1, days=-1)


def to_london(dt: datetime) -> datetime:
    """The same instant in London local time. Naive datetimes are refused: we can't guess."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got naive {dt!r}")
    return dt.astimezone(LONDON)


def london_date(dt: datetime) -> date:
    """The London calendar date on which the instant `dt` falls."""
    return to_london(dt).date()


def to_utc(dt: datetime) -> datetime:
    """The same instant as a UTC-aware datetime (the storage form)."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got naive {dt!r}")
    return dt.astimezone(UTC)


def london_day_start(d: date) -> datetime:
    """00:00 London on `d`, as UTC (midnight always exists: UK clocks change at 01:00 UTC)."""
    return datetime.combine(d, time(0, 0), tzinfo=LONDON).astimezone(UTC)


def london_day_end(d: date) -> datetime:
    """23:59:59 London on `d`, as UTC — the instant a deadline expressed as a day falls due."""
    return datetime.combine(d, END_OF_DAY, tzinfo=LONDON).astimezone(UTC)
