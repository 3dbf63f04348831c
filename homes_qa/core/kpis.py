"""Monthly KPI arithmetic and trend charts: pure, no Flask, no SQLAlchemy.

The entered measures are Ofsted's Annex A (../shared/domain.md: admissions, leavers, residents,
restraint incidents and children involved, missing episodes, complaints, notifications …) plus
what seed 002 §6/§7.1 asks the monthly KPI review to look at (placement durations, staff
retention, compliments, safeguarding concerns).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    hint: str
    maximum: int
    derived_from: str | None = None  # how the app's own logs count it, if they do


MEASURES: tuple[Measure, ...] = (
    Measure("children_resident", "Children living at the home at the end of the month",
            "Occupancy: no more than the home's registered places", 50),
    Measure("admissions", "Admissions", "Children who moved in during the month", 50),
    Measure("leavers", "Leavers", "Children who moved out during the month", 50),
    Measure("average_placement_days", "Average placement length of leavers, in days",
            "Enter 0 if no child left", 9999),
    Measure("staff_at_start", "Staff in post at the start of the month", "Everyone employed at the home", 500),
    Measure("staff_leavers", "Staff who left during the month", "Of those in post at the start", 500),
    Measure("compliments", "Compliments", "Received during the month", 999),
    Measure("complaints", "Complaints", "Received during the month", 999, "complaints recorded under Incidents"),
    Measure("safeguarding_concerns", "Safeguarding concerns", "Raised during the month", 999,
            "allegations, LADO referrals, child protection enquiries and exploitation concerns under Incidents"),
    Measure("restraint_incidents", "Restraint incidents", "Physical interventions during the month", 999,
            "restraints recorded under Incidents"),
    Measure("restraint_children", "Children involved in restraint", "Different children, not incidents", 50,
            "different children named in those restraints"),
    Measure("missing_episodes", "Missing episodes", "Each time a child was missing from the home", 999,
            "missing episodes recorded under Incidents"),
)
MEASURE_CODES = tuple(m.code for m in MEASURES)

# Incident types (core/incidents.py codes) that count as each derived measure.
SAFEGUARDING_TYPES = ("reg40_exploitation", "reg40_allegation", "reg40_child_protection", "lado_allegation")
DERIVED_TYPES: dict[str, tuple[str, ...]] = {
    "complaints": ("complaint",),
    "safeguarding_concerns": SAFEGUARDING_TYPES,
    "restraint_incidents": ("restraint",),
    "missing_episodes": ("missing",),
}

_SEPARATORS = re.compile(r"[,;/\n]+|\band\b", re.IGNORECASE)


def children_named(texts: Iterable[str]) -> int:
    """Different children among incidents' "children" fields (initials or references,
    separated by commas, semicolons, slashes or "and"), case and spaces ignored."""
    seen: set[str] = set()
    for text in texts:
        for part in _SEPARATORS.split(text or ""):
            key = re.sub(r"[\s.]+", "", part).upper()
            if key:
                seen.add(key)
    return len(seen)


def staff_retention_percent(at_start: int, leavers: int) -> int | None:
    """Staff in post at the start who were still in post at the end, as a whole percentage."""
    if at_start <= 0:
        return None
    return round(100 * max(at_start - leavers, 0) / at_start)


def occupancy_percent(children: int, places: int) -> int | None:
    if places <= 0:
        return None
    return round(100 * children / places)


def consecutive_misses(missed: Sequence[bool]) -> int:
    """How many of the most recent deadlines in a row were missed (oldest first in `missed`)."""
    count = 0
    for value in reversed(missed):
        if not value:
            break
        count += 1
    return count


def months_ending(last_year: int, last_month: int, count: int) -> list[tuple[int, int]]:
    """`count` (year, month) pairs, oldest first, ending with the given month."""
    months = []
    year, month = last_year, last_month
    for _ in range(count):
        months.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def svg_path(values: Sequence[float | None], *, width: float, height: float,
             maximum: float | None = None, pad: float = 0.0) -> str:
    """An SVG path ("M x y L x y …") through a series drawn left to right across `width`,
    zero at the bottom of `height` and `maximum` (default the series' largest) at the top.

    A missing value (None) breaks the line: the next point starts a new "M". Coordinates are
    rounded to one decimal place. An empty or all-missing series is "".
    """
    points = [v for v in values if v is not None]
    if not points:
        return ""
    top = maximum if maximum is not None else max(points)
    if top <= 0:
        top = 1.0
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    step = inner_w / (len(values) - 1) if len(values) > 1 else 0.0
    parts: list[str] = []
    pen_down = False
    for index, value in enumerate(values):
        if value is None:
            pen_down = False
            continue
        x = pad + (step * index if len(values) > 1 else inner_w / 2)
        y = pad + inner_h - inner_h * min(max(value, 0.0), top) / top
        parts.append(f"{'L' if pen_down else 'M'}{_n(x)} {_n(y)}")
        pen_down = True
    return " ".join(parts)


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
