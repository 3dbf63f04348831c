"""The audit trail in words: field labels, London times, before → after, names instead of ids.

    readable(events) -> {event id: [(label, field, before, after), ...]}   (two queries at most)
    record_type_label("Reg44Report") -> "Reg 44 report"
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from homes_qa.core.formats import london_datetime, long_day
from homes_qa.extensions import db
from homes_qa.reg44.models import Opinion
from homes_qa.spine.audit.models import AuditEvent
from homes_qa.spine.people.models import Home, User

RECORD_TYPES = {
    "Reg44Visit": "Reg 44 visit", "Reg44Report": "Reg 44 report", "Reg44Recommendation": "Reg 44 recommendation",
    "Distribution": "Reg 44 report sending", "FeedbackRequest": "Feedback link",
    "FeedbackResponse": "Feedback answers", "User": "Person",
}
LABELS = {
    "safeguarded_opinion": "Opinion: children effectively safeguarded",
    "safeguarded_narrative": "Reasons: safeguarding",
    "wellbeing_opinion": "Opinion: conduct of the home promotes well-being",
    "wellbeing_narrative": "Reasons: well-being",
    "conflict_of_interest": "Conflict of interest",
    "correction_reason": "Reason for the correction",
    "consider_within_days": "Days to consider it",
    "recipient_detail": "Recipient details",
    "sent_on": "Date sent",
    "visited_on": "Date of the visit",
    "planned_for": "Planned for",
    "arrived_at": "Arrived", "left_at": "Left",
    "spoke_children": "Children spoken to", "spoke_parents": "Parents or family spoken to",
    "spoke_staff": "Staff spoken to", "spoke_professionals": "Professionals spoken to",
    "spoke_roles": "Roles of the people spoken to",
    "due_at": "Due", "met_at": "Met", "waived_reason": "Reason for waiving",
    "ofsted_urn": "Ofsted URN",
}
_PEOPLE = re.compile(r"^(.*_by|author|visitor|user|actor)_id$")
_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(\+00:00|Z)$")
_DAY = re.compile(r"^\d{4}-\d\d-\d\d$")
EMPTY = "(empty)"


def record_type_label(name: str) -> str:
    if name in RECORD_TYPES:
        return RECORD_TYPES[name]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()
    return words[:1].upper() + words[1:]


def field_label(name: str) -> str:
    if name in LABELS:
        return LABELS[name]
    match = _PEOPLE.match(name)
    if match:
        name = match.group(1).replace("_by", " by") if match.group(1).endswith("_by") else match.group(1)
    elif name == "home_id":
        name = "home"
    words = name.replace("_", " ")
    return words[:1].upper() + words[1:]


def _value(field: str, value: Any, users: dict[int, str], homes: dict[int, str]) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int) and _PEOPLE.match(field):
        return users.get(value, f"person {value}")
    if isinstance(value, int) and field == "home_id":
        return homes.get(value, f"home {value}")
    if field.endswith("_opinion") and value in Opinion.LABELS:
        return str(Opinion.LABELS[value])
    if isinstance(value, str) and _INSTANT.match(value):
        return london_datetime(datetime.fromisoformat(value.replace("Z", "+00:00")))
    if isinstance(value, str) and _DAY.match(value):
        return long_day(date.fromisoformat(value))
    if field == "status" and isinstance(value, str):
        words = value.replace("_", " ")
        return words[:1].upper() + words[1:]
    return str(value)


def readable(events: Sequence[AuditEvent]) -> dict[int, list[tuple[str, str, str, str]]]:
    """Each event's changes as (label, field, before, after) in words; people and homes by name."""
    user_ids: set[int] = set()
    home_ids: set[int] = set()
    for event in events:
        for field, values in (event.changes or {}).items():
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, int) and not isinstance(value, bool):
                    if _PEOPLE.match(field):
                        user_ids.add(value)
                    elif field == "home_id":
                        home_ids.add(value)
    users: dict[int, str] = {}
    homes: dict[int, str] = {}
    if user_ids:
        users = {row.id: row.name for row in db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))}
    if home_ids:
        homes = {row.id: row.name for row in db.session.execute(select(Home.id, Home.name).where(Home.id.in_(home_ids)))}
    rows: dict[int, list[tuple[str, str, str, str]]] = {}
    for event in events:
        rows[event.id] = []
        for field, values in (event.changes or {}).items():
            before, after = values if isinstance(values, list) and len(values) == 2 else (None, values)
            rows[event.id].append((field_label(field), field, _value(field, before, users, homes),
                                   _value(field, after, users, homes)))
    return rows
