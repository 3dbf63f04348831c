"""Pure pieces of the exceptions views and exports: RAG of a cell, area names, CSV cells.

No Flask, no SQLAlchemy: values in, values out (tested in tests/core/test_core_exceptions.py).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from homes_qa.core.calendar import to_london, to_utc
from homes_qa.core.catalogue import AREAS
from homes_qa.core.drift import MAX_DUE_SOON_DAYS

# How each rule area reads as a column heading; an area added later without a label here
# still shows, named from its code.
AREA_LABELS = {
    "reg44": "Reg 44",
    "notifications": "Notifications",
    "health_safety": "Health and safety",
    "fire": "Fire",
    "gdpr": "GDPR",
    "statutory_checks": "Statutory checks",
    "ofsted_monitoring": "Ofsted actions and monitoring",
    "actions": "Action plans",
    "qpag": "QPAG",
    "kpi": "KPIs",
    "feedback": "Feedback",
    "reg45": "Reg 45",
    "safeguarding": "Safeguarding",
    "dip_sampling": "Dip sampling",
    "qa_reviews": "QA reviews",
    "data_protection": "Data protection",
}

ESCALATED = "escalated"
OVERDUE = "overdue"
DUE_SOON = "due_soon"
UPCOMING = "upcoming"
STATUSES = (ESCALATED, OVERDUE, DUE_SOON)
STATUS_LABELS = {ESCALATED: "Escalated", OVERDUE: "Overdue", DUE_SOON: "Due soon", UPCOMING: "Upcoming"}

RED = "red"
AMBER = "amber"
GREEN = "green"
RAG_LABELS = {RED: "Red", AMBER: "Amber", GREEN: "Green"}


def area_label(area: str) -> str:
    return AREA_LABELS.get(area, area.replace("_", " ").capitalize())


def ordered_areas(areas: Iterable[str]) -> list[str]:
    """The catalogue's order first, then any area it does not know, alphabetically."""
    known = set(areas)
    return [a for a in AREAS if a in known] + sorted(known - set(AREAS))


@dataclass
class Cell:
    escalated: int = 0
    overdue: int = 0
    due_soon: int = 0

    def add(self, status: str, count: int) -> None:
        if status == ESCALATED:
            self.escalated += count
        elif status == OVERDUE:
            self.overdue += count
        elif status == DUE_SOON:
            self.due_soon += count

    @property
    def rag(self) -> str:
        if self.escalated or self.overdue:
            return RED
        return AMBER if self.due_soon else GREEN

    @property
    def total(self) -> int:
        return self.escalated + self.overdue + self.due_soon

    @property
    def text(self) -> str:
        """The cell in words: "1 escalated, 2 overdue", or "On track"."""
        parts = [f"{n} {word}" for n, word in ((self.escalated, "escalated"), (self.overdue, "overdue"),
                                                (self.due_soon, "due soon")) if n]
        return ", ".join(parts) if parts else "On track"

    def rank(self) -> tuple[int, int, int]:
        """Sort key: most escalated first, then overdue, then due soon."""
        return (-self.escalated, -self.overdue, -self.due_soon)


def due_soon_threshold(now: datetime, due_soon_days: int) -> datetime:
    """An open obligation with `due_soon_days` is due soon once its due time is before this
    instant: `due_soon_days` London calendar days after `now` (drift.alert_times, turned round)."""
    if due_soon_days < 0:
        raise ValueError("due_soon_days must be 0 or more")
    # the same cap drift.alert_times applies, so a corrupt snapshot cannot overflow the calendar
    return to_utc(to_london(now) + timedelta(days=min(due_soon_days, MAX_DUE_SOON_DAYS)))


# ---------------------------------------------------------------- CSV

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """One value as an Excel-safe CSV cell: ISO dates and times (UTC with offset), booleans as
    yes/no, and any text Excel or LibreOffice would run as a formula prefixed with '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return to_utc(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_rows(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterable[list[str]]:
    yield list(header)
    for row in rows:
        yield [csv_cell(value) for value in row]
