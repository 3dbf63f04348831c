"""How the app writes London dates and times: pages, e-mails, the calendar feed and commands.

The one source of these formats. Instants are shown on the Europe/London wall clock (GMT or
BST as the date requires); naive datetimes are refused, as in core.calendar.

    london_datetime(instant)   'Mon 7 Dec 2026, 14:05'
    london_clock(instant)      '14:05'
    long_date(date or instant) 'Mon 7 Dec 2026' (an instant: its London date)
    long_day(date)             'Mon 7 Dec 2026'
    deadline(instant)          'by end of Thu 31 Dec 2026' (a day deadline, due 23:59:59 London)
                               or 'by Mon 7 Dec 2026, 14:05' (an hours deadline)

Each gives '' for None.

    without_home(title, home_name)  an obligation's title without its ' — <home>' part, for a page
                                    that already names the home (issue 12)
"""
from __future__ import annotations

from datetime import date, datetime

from homes_qa.core.calendar import LONDON, to_london

__all__ = ["LONDON", "deadline", "london_clock", "london_datetime", "long_date", "long_day", "without_home"]


def london_datetime(value: datetime | None) -> str:
    """'Mon 7 Dec 2026, 14:05' in Europe/London."""
    if value is None:
        return ""
    local = to_london(value)
    return f"{long_day(local.date())}, {local:%H:%M}"


def london_clock(value: datetime | None) -> str:
    """'14:05' in Europe/London."""
    if value is None:
        return ""
    return f"{to_london(value):%H:%M}"


def long_day(d: date | None) -> str:
    """'Mon 7 Dec 2026': a calendar date, as it is."""
    if d is None:
        return ""
    return f"{d:%a} {d.day} {d:%b %Y}"


def long_date(value: date | datetime | None) -> str:
    """'Mon 7 Dec 2026': a date, or the London date of an instant."""
    if isinstance(value, datetime):
        value = to_london(value).date()
    return long_day(value)


def deadline(value: datetime | None) -> str:
    """When something is due, in words: a day deadline (23:59:59 London) as 'by end of' its day."""
    if value is None:
        return ""
    local = to_london(value)
    if (local.hour, local.minute, local.second) == (23, 59, 59):
        return f"by end of {long_day(local.date())}"
    return f"by {long_day(local.date())}, {local:%H:%M}"


TITLE_SEPARATOR = " — "


def without_home(title: str, home_name: str | None) -> str:
    """'Gas safety check — Alder House — 2026' on Alder House's own page: 'Gas safety check — 2026'.

    Obligation titles are '<rule> — <home or Whole service> — <period>'; only a whole part equal to
    the home's name is dropped, so a rule or period that merely contains the name is kept, and a
    title that does not name this home is returned as it is.
    """
    if not home_name:
        return title
    parts = title.split(TITLE_SEPARATOR)
    if len(parts) < 2 or home_name not in parts[1:]:
        return title
    index = parts.index(home_name, 1)
    return TITLE_SEPARATOR.join(parts[:index] + parts[index + 1:])
