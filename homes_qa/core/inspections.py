"""Ofsted inspections, pure: the grade scale, inspection types as data, SCCIF's limiting
judgements, the local monitoring cadence (seed 002 §7.1) and Ofsted's own return dates.

No Flask, no SQLAlchemy; `now` (or today) is always passed in.

Sources: SCCIF §4.1 (one four-point scale, three judgements, limiting judgements), SCCIF §8
and §20 and the consultation outcome (full inspections, assurance inspections with a single
judgement, monitoring visits; after a compliance notice Ofsted aims to visit the day after its
completion date), SCCIF (RI or inadequate homes inspected at least twice per inspection year,
1 April to 31 March), seed 002 §7.1 (QA monitoring review after Ofsted), all as in
../shared/domain.md.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from homes_qa.core.calendar import london_day_end
from homes_qa.core.timing import Timing, next_due_floating

# ---------------------------------------------------------------- the scale (SCCIF §4.1)

OUTSTANDING = "outstanding"
GOOD = "good"
REQUIRES_IMPROVEMENT = "requires_improvement"
INADEQUATE = "inadequate"

# Best first: a grade's index is its rank (a bigger index is a worse grade).
GRADES: tuple[str, ...] = (OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT, INADEQUATE)
GRADE_LABELS: dict[str, str] = {
    OUTSTANDING: "Outstanding",
    GOOD: "Good",
    REQUIRES_IMPROVEMENT: "Requires improvement to be good",
    INADEQUATE: "Inadequate",
}

OVERALL = "overall"
HELPED_PROTECTED = "helped_protected"
LEADERSHIP = "leadership"
JUDGEMENTS: dict[str, str] = {
    OVERALL: "Overall experiences and progress of children and young people",
    HELPED_PROTECTED: "How well children and young people are helped and protected",
    LEADERSHIP: "The effectiveness of leaders and managers",
}


def worse(a: str, b: str) -> bool:
    """True if grade `a` is worse than grade `b`."""
    return GRADES.index(a) > GRADES.index(b)


# ---------------------------------------------------------------- inspection types, as data

@dataclass(frozen=True)
class InspectionType:
    code: str
    label: str
    judgements: tuple[str, ...]  # which of JUDGEMENTS this type gives (none for a monitoring visit)
    source: str
    notes: str = ""


INSPECTION_TYPES: tuple[InspectionType, ...] = (
    InspectionType("full", "Full inspection", (OVERALL, HELPED_PROTECTED, LEADERSHIP),
                   "SCCIF §4.1, §8", "Up to 2 days, unannounced; all three judgements."),
    InspectionType("assurance", "Assurance inspection", (OVERALL,),
                   "SCCIF consultation outcome (replaces the 1-day interim) [verify]",
                   "A single judgement, recorded here as the overall judgement."),
    InspectionType("monitoring_visit", "Monitoring visit", (),
                   "SCCIF §20", "No judgements; may be as often as weekly, and the day after a "
                   "compliance notice's completion date."),
)


def inspection_type(code: str) -> InspectionType | None:
    return next((t for t in INSPECTION_TYPES if t.code == code), None)


def is_judged_type(code: str) -> bool:
    """Full and assurance inspections give judgements and count towards 'twice a year';
    monitoring visits do not."""
    kind = inspection_type(code)
    return kind is not None and bool(kind.judgements)


# ---------------------------------------------------------------- checking the judgements

@dataclass(frozen=True)
class JudgementCheck:
    errors: dict[str, str]  # field -> message: refused
    warnings: tuple[str, ...]  # SCCIF's limiting judgements: shown, and the user confirms

    @property
    def ok(self) -> bool:
        return not self.errors


def check_judgements(type_code: str, grades: dict[str, str | None]) -> JudgementCheck:
    """Refuse grades off the scale, missing ones, and judgements the type does not give;
    warn when the overall grade breaks SCCIF's limiting judgements (§4.1):
    helped and protected inadequate → overall inadequate; leadership inadequate → overall no
    better than requires improvement."""
    kind = inspection_type(type_code)
    if kind is None:
        return JudgementCheck({"inspection_type": "Select the type of inspection"}, ())
    errors: dict[str, str] = {}
    for judgement, label in JUDGEMENTS.items():
        grade = grades.get(judgement) or None
        if grade is not None and grade not in GRADES:
            errors[judgement] = f"{label}: choose one of the four grades"
        elif judgement in kind.judgements and grade is None:
            errors[judgement] = f"Select the grade for: {label.lower()}"
        elif judgement not in kind.judgements and grade is not None:
            errors[judgement] = (f"A {kind.label.lower()} does not give the judgement "
                                 f"'{label.lower()}': leave it empty")
    if errors:
        return JudgementCheck(errors, ())
    warnings: list[str] = []
    overall = grades.get(OVERALL)
    helped = grades.get(HELPED_PROTECTED)
    leadership = grades.get(LEADERSHIP)
    if overall and helped == INADEQUATE and overall != INADEQUATE:
        warnings.append("How well children are helped and protected is inadequate, so under SCCIF the overall "
                        "judgement is inadequate too, not "
                        f"{GRADE_LABELS[overall].lower()}.")
    if overall and leadership == INADEQUATE and not worse(overall, GOOD):
        warnings.append("The effectiveness of leaders and managers is inadequate, so under SCCIF the overall "
                        "judgement is no better than requires improvement to be good, not "
                        f"{GRADE_LABELS[overall].lower()}.")
    return JudgementCheck({}, tuple(warnings))


# ---------------------------------------------------------------- the monitoring cadence (seed 002 §7.1)

WEEKLY = "weekly"
FORTNIGHTLY = "fortnightly"
BY_COMPLIANCE_DATES = "by_compliance_dates"
NONE = "none"

# The rule (in core/catalogue.py) each cadence's review obligations come from.
CADENCE_RULES: dict[str, str] = {
    WEEKLY: "ofsted_monitoring_review_inadequate",
    FORTNIGHTLY: "ofsted_monitoring_review_ri",
    BY_COMPLIANCE_DATES: "ofsted_monitoring_review_good",
}


@dataclass(frozen=True)
class Outcome:
    """What the home's inspections currently say, as the cadence needs it."""

    overall: str | None  # the latest judged inspection's overall grade (None: never judged)
    compliance_notice: bool  # a compliance notice on the current inspection cycle
    open_actions: int  # actions of requirements and recommendations not yet completed
    open_requirement_dates: tuple[date, ...] = ()  # compliance dates of requirements with open actions


@dataclass(frozen=True)
class Cadence:
    kind: str
    rule_code: str | None
    next_due: datetime | None
    reason: str


def cadence_for(outcome: Outcome, *, now: datetime, weekly: Timing, fortnightly: Timing,
                anchor: datetime | None = None, reviewed_through: date | None = None) -> Cadence:
    """The Head of QA's next monitoring review after Ofsted (seed 002 §7.1).

    - no open actions: no reviews (the cadence stops when the last action closes);
    - inadequate overall, or a compliance notice: every week until actions are completed;
    - requires improvement: every two weeks until actions are completed;
    - good or outstanding with requirements: by the requirements' compliance dates, in turn —
      the earliest open compliance date after `reviewed_through` (the last one reviewed);
    - good or outstanding with only recommendations, or never judged: none.
    Weekly and fortnightly float from `anchor`: the last review, or the moment the cadence
    started or restarted (default `now`). Their intervals are the rules' timings, passed in, so
    an administrator's edit applies.
    """
    if outcome.open_actions <= 0:
        return Cadence(NONE, None, None, "All actions are completed: no monitoring reviews are due.")
    start = anchor if anchor is not None else now
    if outcome.overall == INADEQUATE or outcome.compliance_notice:
        why = "a compliance notice" if outcome.compliance_notice and outcome.overall != INADEQUATE \
            else "an overall judgement of inadequate"
        return Cadence(WEEKLY, CADENCE_RULES[WEEKLY], next_due_floating(weekly, start),
                       f"After {why}: a review every week until all actions are completed.")
    if outcome.overall == REQUIRES_IMPROVEMENT:
        return Cadence(FORTNIGHTLY, CADENCE_RULES[FORTNIGHTLY], next_due_floating(fortnightly, start),
                       "After requires improvement: a review every two weeks until all actions are completed.")
    if outcome.overall in (GOOD, OUTSTANDING) and outcome.open_requirement_dates:
        upcoming = sorted(d for d in outcome.open_requirement_dates
                          if reviewed_through is None or d > reviewed_through)
        if upcoming:
            return Cadence(BY_COMPLIANCE_DATES, CADENCE_RULES[BY_COMPLIANCE_DATES], london_day_end(upcoming[0]),
                           "Good or outstanding with requirements: a review by each requirement's compliance date.")
        return Cadence(NONE, None, None, "Every open requirement's compliance date has had its review; the "
                                         "requirements themselves are overdue on their own deadlines.")
    return Cadence(NONE, None, None, "No monitoring reviews are due for this outcome.")


# ---------------------------------------------------------------- Ofsted's own return

@dataclass(frozen=True)
class InspectionWindow:
    year_start: date  # 1 April
    year_end: date  # 31 March
    inspections_this_year: int
    text: str


def inspection_year(day: date) -> tuple[date, date]:
    """The inspection year (1 April – 31 March) containing the day."""
    start_year = day.year if day >= date(day.year, 4, 1) else day.year - 1
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


def next_inspection_window(overall: str | None, inspection_dates: Iterable[date], *,
                           today: date) -> InspectionWindow | None:
    """RI or inadequate homes are inspected at least twice per inspection year (SCCIF).

    Counts this inspection year's inspections (pass the dates of judged ones: monitoring visits
    are not inspections); if fewer than
    two, the next is expected by 31 March; if two already, in the next inspection year.
    None for good and outstanding homes (and homes never judged).
    """
    if overall not in (REQUIRES_IMPROVEMENT, INADEQUATE):
        return None
    start, end = inspection_year(today)
    count = sum(1 for d in inspection_dates if start <= d <= end)
    if count >= 2:
        start, end = date(start.year + 1, 4, 1), date(end.year + 1, 3, 31)
        text = ("Inspected twice this inspection year: the next inspection is expected between "
                f"{_day(start)} and {_day(end)}.")
    else:
        text = (f"Inspected {count} of at least 2 times this inspection year: another inspection is expected "
                f"by {_day(end)}.")
    return InspectionWindow(start, end, count, text)


def compliance_notice_follow_up(completion_date: date) -> date:
    """Ofsted aims to visit the day after a compliance notice's completion date (SCCIF §20)."""
    return completion_date + timedelta(days=1)


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def grade_choices() -> Sequence[tuple[str, str]]:
    return [("", "No judgement"), *GRADE_LABELS.items()]
