"""The QPAG monthly report's calendar: pure, no Flask, no SQLAlchemy, `today` passed in.

Seed 002 §8.2: for each (monthly) QPAG meeting the service managers prepare a joint report on
the past month: thematic reviews, Reg 44 visits with particularly good or adverse findings, the
KPI review. §8.3–8.4: every six months it also carries the young people's and the
professionals' survey analysis. The six-monthly surveys run in half-years January–June and
July–December (rules `young_people_survey_6m`, `professional_survey_6m`), so the analysis goes
in the report for the half-year's last month: June and December (`SURVEY_MONTHS`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

SEED = "Seed 002_ab3e3b0f66cfcef1.txt"

# The months whose report includes the survey analysis of the half-year ending with them.
SURVEY_MONTHS: tuple[int, ...] = (6, 12)
SURVEY_MONTHS_SOURCE = (f"{SEED} §8.3–8.4 (every six months: young people's and professionals' surveys); "
                        "the half-years of rules young_people_survey_6m and professional_survey_6m")

EARLIEST_MONTH = date(2000, 1, 1)  # no report about a month before the service kept records here


class MonthError(ValueError):
    """A month a report cannot be written for; the message says why, `field` which input."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Month:
    first: date
    last: date

    @property
    def label(self) -> str:
        return f"{self.first:%B %Y}"

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}"


def month_of(year: int, month: int) -> Month:
    first = date(year, month, 1)
    return Month(first, first + relativedelta(months=1) - relativedelta(days=1))


def checked_month(year: int | None, month: int | None, today: date) -> Month:
    """The month a report may be drafted for: January 2000 to the current month (a month not
    yet begun has nothing to report; a later year is refused outright)."""
    if month is None or not 1 <= month <= 12:
        raise MonthError("Select the month", "month")
    if year is None:
        raise MonthError("Enter the year", "year")
    if year < EARLIEST_MONTH.year:
        raise MonthError(f"The year must be {EARLIEST_MONTH.year} or later", "year")
    if year > today.year + 1:
        raise MonthError(f"The year must be {today.year + 1} or earlier", "year")
    chosen = month_of(year, month)
    if chosen.first > today:
        raise MonthError("The month must have begun: choose this month or an earlier one", "month")
    return chosen


def previous_month(today: date) -> Month:
    last = today.replace(day=1) - relativedelta(days=1)
    return month_of(last.year, last.month)


def survey_period(month: Month) -> Month | None:
    """The half-year whose survey analysis the month's report carries, or None."""
    if month.first.month not in SURVEY_MONTHS:
        return None
    start = month.first - relativedelta(months=5)
    return Month(start, month.last)


def meeting_month(month: Month) -> Month:
    """The month of the QPAG meeting that receives the report on `month` (the next one, §8.2
    "carried out in the past month"): its `qpag_report_monthly` obligation is the one met."""
    following = month.first + relativedelta(months=1)
    return month_of(following.year, following.month)


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole > 0 else None
