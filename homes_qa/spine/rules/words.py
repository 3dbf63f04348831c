"""Rules in words for the rules pages: areas, triggers, timing kinds and escalation ladders."""
from __future__ import annotations

from typing import Any

from homes_qa.core import timing as t
from homes_qa.core.catalogue import AREAS, TRIGGERS
from homes_qa.core.escalation import ladder_from_list
from homes_qa.core.roles import ROLE_LABELS
from homes_qa.spine.rules.models import Rule

AREA_LABELS = {
    "reg44": "Regulation 44 visits",
    "notifications": "Notifications",
    "health_safety": "Health and safety",
    "fire": "Fire safety",
    "gdpr": "GDPR",
    "statutory_checks": "Statutory checks",
    "ofsted_monitoring": "After an Ofsted inspection",
    "actions": "Actions",
    "qpag": "QPAG",
    "kpi": "Key performance indicators",
    "feedback": "Feedback and surveys",
    "reg45": "Regulation 45 reviews",
    "safeguarding": "Safeguarding",
    "dip_sampling": "Dip sampling",
    "qa_reviews": "QA reviews",
    "data_protection": "Data protection",
}

KIND_LABELS = {
    t.FIXED: "Fixed calendar cadence (every N weeks or months)",
    t.FLOATING: "Every N days, weeks or months after it was last done",
    t.ELAPSED_HOURS: "N hours after the event",
    t.CALENDAR_DAYS: "N calendar days after the event",
    t.WORKING_DAYS: "N working days after the event",
    t.END_OF_MONTH: "By the end of the month of the event",
    t.CALENDAR_MONTHS: "N calendar months after the event",
    t.CALENDAR_DAYS_BEFORE: "N calendar days before the event",
    t.TARGET_DATE: "The date set on the record",
}

UNIT_LABELS = {"days": "Days", "weeks": "Weeks", "months": "Months"}


def area_label(area: str) -> str:
    return AREA_LABELS.get(area, area.replace("_", " ").capitalize())


def area_order(area: str) -> int:
    return AREAS.index(area) if area in AREAS else len(AREAS)


def trigger_words(trigger: str) -> str:
    return TRIGGERS.get(trigger, trigger.replace("_", " "))


def ladder_words(ladder: list[dict[str, Any]]) -> str:
    """"Registered manager at due time → Service manager after 2 working days → Head of … after 5"."""
    parts, counted = [], False
    for step in ladder_from_list(ladder):
        who = ROLE_LABELS.get(step.role, step.role)
        days = step.after
        if days == 0:
            parts.append(f"{who} at due time")
        elif step.after_hours is not None:
            parts.append(f"{who} {days} hour{'s' if days != 1 else ''} after")
        elif not counted:
            parts.append(f"{who} after {days} working day{'s' if days != 1 else ''}")
            counted = True
        else:
            parts.append(f"{who} after {days}")
    return " → ".join(parts)


def kinds_for(rule: Rule) -> tuple[str, ...]:
    """The timing kinds that fit what starts the rule (services.rules.update_rule checks too)."""
    if rule.trigger == "calendar":
        return (t.FIXED,)
    if rule.trigger == "last_completed":
        return (t.FLOATING,)
    if rule.timing.get("kind") == t.TARGET_DATE:
        return (t.TARGET_DATE,)  # the record carries its own date (an action, a requirement)
    return tuple(kind for kind in t.EVENT_KINDS if kind != t.TARGET_DATE) + (t.FLOATING,)


def units_for(kinds: tuple[str, ...]) -> tuple[str, ...]:
    units: list[str] = []
    for kind in kinds:
        for unit in t.UNITS_BY_KIND.get(kind, ()):
            if unit not in units:
                units.append(unit)
    return tuple(sorted(units, key=list(UNIT_LABELS).index))
