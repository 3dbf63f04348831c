"""London wall-clock time typed into a form → the UTC instant it names.

On the spring-forward Sunday (last Sunday of March) London's clocks jump from 01:00 to 02:00,
so 01:00–01:59 does not exist; on the autumn Sunday (last Sunday of October) they go back from
02:00 to 01:00, so 01:00–01:59 happens twice (first BST, then GMT). A form must refuse the first
and ask which is meant for the second: guessing would move a deadline by an hour.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from homes_qa.core.calendar import LONDON

EARLIER = "earlier"  # the first 01:30 of the autumn Sunday: British Summer Time (UTC+1)
LATER = "later"  # the second 01:30: Greenwich Mean Time (UTC+0)
OCCURRENCES = (EARLIER, LATER)


class LocalTimeError(ValueError):
    """A local time that names no single instant; the message is written for the user."""


class NonexistentLocalTime(LocalTimeError):
    pass


class AmbiguousLocalTime(LocalTimeError):
    pass


def _round_trips(naive: datetime, fold: int) -> bool:
    local = naive.replace(tzinfo=LONDON, fold=fold)
    return local.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) == naive


def london_to_utc(day: date, at: time, occurrence: str | None = None) -> datetime:
    """The UTC instant of `at` on `day` in London.

    Raises `NonexistentLocalTime` in the spring gap and `AmbiguousLocalTime` in the autumn
    overlap unless `occurrence` ("earlier" or "later") says which of the two is meant.
    `occurrence` is ignored for times that happen once.
    """
    if occurrence is not None and occurrence not in OCCURRENCES:
        raise ValueError(f"occurrence must be one of {OCCURRENCES}, not {occurrence!r}")
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    first, second = _round_trips(naive, 0), _round_trips(naive, 1)
    if not first and not second:
        raise NonexistentLocalTime(
            f"{at:%H:%M} on {day.day} {day:%B %Y} did not happen in the UK: the clocks went forward "
            f"an hour at 01:00. Enter the time as the clocks showed it (for example {at.hour + 1:02d}:{at:%M})")
    offsets = {naive.replace(tzinfo=LONDON, fold=f).utcoffset() for f in (0, 1)}
    if len(offsets) == 2:
        if occurrence is None:
            raise AmbiguousLocalTime(
                f"{at:%H:%M} on {day.day} {day:%B %Y} happened twice in the UK: the clocks went back "
                f"an hour at 02:00. Say whether it was the first {at:%H:%M} (British Summer Time) "
                f"or the second (Greenwich Mean Time)")
        return naive.replace(tzinfo=LONDON, fold=0 if occurrence == EARLIER else 1).astimezone(UTC)
    return naive.replace(tzinfo=LONDON).astimezone(UTC)


def is_ambiguous(day: date, at: time) -> bool:
    """True if `at` on `day` happens twice in London (the autumn overlap)."""
    try:
        london_to_utc(day, at)
    except AmbiguousLocalTime:
        return True
    except NonexistentLocalTime:
        return False
    return False


def _span_words(seconds: int) -> str:
    minutes = seconds // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if not days and (minutes or not hours):
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def time_left_words(due: datetime, now: datetime) -> str:
    """"5 hours 12 minutes left" or "Overdue by 3 hours": elapsed time, to the minute (days when long)."""
    seconds = int((due - now).total_seconds())
    if seconds >= 0:
        return f"{_span_words(seconds)} left"
    return f"Overdue by {_span_words(-seconds)}"
