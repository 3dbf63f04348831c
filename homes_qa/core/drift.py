"""Drift: where an obligation stands at `now`, and which alert levels are due.

Levels: 0 = due soon, 1 = overdue (responsible role), 2.. = escalated up the ladder.
A level is *reached* once `now` is strictly later than its threshold instant:
  level 0  `due_soon_days` calendar days (London wall clock) before the due time
  level 1  the due time itself
  level k  the end of the London day that is `after_working_days` working days after
           the due date (counted with `working_days_after`, so weekends and bank
           holidays don't escalate anything); for an hour clock's ladder (`after_hours`),
           that many elapsed hours after the due instant (weekends and holidays count)
With `due_soon_hours` (hour clocks), level 0 is that many elapsed hours before the due
instant instead of `due_soon_days` days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from homes_qa.core.calendar import london_date, london_day_end, to_london, to_utc, working_days_after
from homes_qa.core.escalation import EscalationStep, validate_ladder

UPCOMING = "upcoming"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
ESCALATED = "escalated"
MET = "met"
MET_LATE = "met_late"
WAIVED = "waived"

# Exactly the words the UI shows (design.md, "Interface").
LABELS = {
    UPCOMING: "Upcoming",
    DUE_SOON: "Due soon",
    OVERDUE: "Overdue",
    ESCALATED: "Escalated",
    MET: "Met",
    MET_LATE: "Met late",
    WAIVED: "Waived",
}

DUE_SOON_LEVEL = 0
OVERDUE_LEVEL = 1

# Rules are edited within ten years (spine.rules.service), but an obligation keeps the ladder it
# was created with: a snapshot from before the bounds (10^30, 2^63 working days) must not overflow
# the calendar, nor count working days for ever. A level further off than this is never reached;
# a warning longer than this starts this long before the due time.
MAX_WORKING_DAYS = 5220  # twenty years of working days
MAX_DUE_SOON_DAYS = 7320  # twenty years


@dataclass(frozen=True)
class DriftState:
    status: str
    level: int | None  # None when closed (met, waived) or not yet due soon
    label: str
    role: str | None = None  # who holds it at this level (ladder role), when open and alerting


def _check_due_soon_days(due_soon_days: int) -> None:
    if isinstance(due_soon_days, bool) or not isinstance(due_soon_days, int) or due_soon_days < 0:
        raise ValueError(f"due_soon_days must be a whole number of days, 0 or more (got {due_soon_days!r})")


def _check_due_soon_hours(due_soon_hours: int | None) -> None:
    if due_soon_hours is None:
        return
    if isinstance(due_soon_hours, bool) or not isinstance(due_soon_hours, int) or due_soon_hours < 0:
        raise ValueError(f"due_soon_hours must be a whole number of hours, 0 or more (got {due_soon_hours!r})")


def alert_times(
    due_at: datetime, ladder: Sequence[EscalationStep], due_soon_days: int = 7,
    due_soon_hours: int | None = None,
) -> dict[int, datetime]:
    """Per level, the UTC instant after which that level is reached (0 omitted if the warning is 0)."""
    validate_ladder(ladder)
    _check_due_soon_days(due_soon_days)
    _check_due_soon_hours(due_soon_hours)
    due_utc = to_utc(due_at)
    times: dict[int, datetime] = {}
    if due_soon_hours is not None:
        if due_soon_hours:
            times[DUE_SOON_LEVEL] = due_utc - timedelta(hours=due_soon_hours)  # elapsed hours
    elif due_soon_days:
        # Wall-clock subtraction in London, so "7 days before" is the same clock time.
        try:
            times[DUE_SOON_LEVEL] = to_utc(to_london(due_at) - timedelta(days=min(due_soon_days,
                                                                                  MAX_DUE_SOON_DAYS)))
        except OverflowError:  # a due time near year 1: warned of from the start
            times[DUE_SOON_LEVEL] = datetime.min.replace(tzinfo=due_utc.tzinfo)
    due_day = london_date(due_at)
    for step in ladder:
        if step.after_hours is not None:
            try:
                times[step.level] = due_utc + timedelta(hours=step.after_hours)
            except OverflowError:  # past the end of the calendar: never reached
                continue
        elif step.after_working_days == 0:
            times[step.level] = due_utc
        elif step.after_working_days is not None and step.after_working_days <= MAX_WORKING_DAYS:
            try:
                times[step.level] = london_day_end(working_days_after(due_day, step.after_working_days))
            except OverflowError:  # past the end of the calendar: never reached
                continue
    return times


def alerts_due(
    due_at: datetime, now: datetime, ladder: Sequence[EscalationStep], due_soon_days: int = 7,
    due_soon_hours: int | None = None,
) -> list[int]:
    """Levels that should have been raised by `now`, ascending (the sweep inserts each once).

    All reached levels are returned, including lower ones skipped over (an obligation first
    seen long overdue yields [0, 1, 2, …]); the caller decides whether to notify each.
    """
    now_utc = to_utc(now)
    times = alert_times(due_at, ladder, due_soon_days, due_soon_hours)
    return sorted(level for level, at in times.items() if now_utc > at)


def next_alert_after(times: dict[int, datetime], now: datetime) -> datetime | None:
    """The instant after which the next level not yet reached at `now` is reached, or None.

    A sweep at `now` raises every level with `now > at`; until a later sweep's `now` passes
    the returned instant, no further level can be reached, so the obligation need not be
    looked at again (the sweep stores this, and selects only obligations it has passed).
    """
    now_utc = to_utc(now)
    later = [at for at in times.values() if at >= now_utc]
    return min(later) if later else None


def classify(
    due_at: datetime,
    now: datetime,
    ladder: Sequence[EscalationStep],
    due_soon_days: int = 7,
    met_at: datetime | None = None,
    waived: bool = False,
    due_soon_hours: int | None = None,
) -> DriftState:
    """Where one obligation stands at `now`. Waived wins over met; met ignores `now`."""
    if waived:
        return DriftState(WAIVED, None, LABELS[WAIVED])
    if met_at is not None:
        status = MET_LATE if to_utc(met_at) > to_utc(due_at) else MET
        return DriftState(status, None, LABELS[status])
    reached = alerts_due(due_at, now, ladder, due_soon_days, due_soon_hours)
    if not reached:
        return DriftState(UPCOMING, None, LABELS[UPCOMING])
    level = reached[-1]
    if level == DUE_SOON_LEVEL:
        return DriftState(DUE_SOON, level, LABELS[DUE_SOON], ladder[0].role)
    status = OVERDUE if level == OVERDUE_LEVEL else ESCALATED
    return DriftState(status, level, LABELS[status], ladder[level - 1].role)
