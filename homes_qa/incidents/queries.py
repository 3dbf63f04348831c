"""Incident reads: a home's incidents, one incident's obligations with their deadlines and state."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from homes_qa.core.drift import DriftState, classify
from homes_qa.core.localtime import time_left_words
from homes_qa.extensions import db
from homes_qa.incidents.models import Incident, IncidentNotification
from homes_qa.spine.access import visible_home_ids_query
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import User

LIST_LIMIT = 200


def incidents_for_home(home_id: int) -> list[Incident]:
    return list(db.session.scalars(select(Incident).where(Incident.home_id == home_id)
                                   .order_by(Incident.aware_at.desc(), Incident.id.desc()).limit(LIST_LIMIT)))


def incidents_for(user: User) -> list[Incident]:
    """The latest incidents in every home the user may see (one query, homes loaded with them)."""
    return list(db.session.scalars(
        select(Incident).where(Incident.home_id.in_(visible_home_ids_query(user)))
        .options(selectinload(Incident.home))
        .order_by(Incident.status, Incident.aware_at.desc(), Incident.id.desc()).limit(LIST_LIMIT)))


def open_signals_for(user: User) -> list[Obligation]:
    """Safeguarding concerns (spine.signals) still to review in the user's homes, oldest first."""
    from homes_qa.spine.signals import SIGNAL_RULE
    return list(db.session.scalars(
        select(Obligation).where(Obligation.rule_code == SIGNAL_RULE, Obligation.status == ObligationStatus.OPEN,
                                 Obligation.home_id.in_(visible_home_ids_query(user)))
        .options(selectinload(Obligation.home)).order_by(Obligation.due_at).limit(LIST_LIMIT)))


def open_signal(home_id: int, obligation_id: int | None) -> Obligation | None:
    from homes_qa.spine.signals import SIGNAL_RULE
    if obligation_id is None:
        return None
    found = db.session.get(Obligation, obligation_id)
    if found is None or found.rule_code != SIGNAL_RULE or found.home_id != home_id or not found.is_open:
        return None
    return found


def obligations_for(incident: Incident) -> list[Obligation]:
    return list(db.session.scalars(select(Obligation).where(
        Obligation.subject_type == "Incident", Obligation.subject_id == incident.id,
        Obligation.home_id == incident.home_id).order_by(Obligation.due_at, Obligation.id)))


def open_obligation(incident: Incident, rule_code: str) -> Obligation | None:
    for obligation in obligations_for(incident):
        if obligation.rule_code == rule_code and obligation.status == ObligationStatus.OPEN:
            return obligation
    return None


@dataclass(frozen=True)
class Deadline:
    """One recipient (or step) of an incident: its deadline, where it stands, what discharged it."""

    obligation: Obligation
    title: str
    state: DriftState
    time_left: str
    notification: IncidentNotification | None

    @property
    def is_open(self) -> bool:
        return self.obligation.is_open


def deadlines(incident: Incident, now: datetime) -> list[Deadline]:
    notifications = {n.obligation_id: n for n in incident.notifications}
    rows = []
    for obligation in obligations_for(incident):
        state = classify(obligation.due_at, now, obligation.ladder_value, obligation.due_soon_days,
                         met_at=obligation.met_at, waived=obligation.status == ObligationStatus.WAIVED,
                         due_soon_hours=obligation.due_soon_hours)
        rows.append(Deadline(obligation, obligation.rule.title, state,
                             time_left_words(obligation.due_at, now) if obligation.is_open else "",
                             notifications.get(obligation.id)))
    return rows


def evidence_for_period(home_id: int, start: datetime, end: datetime) -> dict:
    """For the Reg 45 review: the period's events by type and how timely their notifications were.

    Plain counts (JSON-friendly, for the review's evidence snapshot); two queries.
    """
    incidents = list(db.session.scalars(select(Incident).where(
        Incident.home_id == home_id, Incident.aware_at >= start, Incident.aware_at <= end)))
    by_type: dict[str, int] = {}
    for incident in incidents:
        by_type[incident.type_label] = by_type.get(incident.type_label, 0) + 1
    counts = {"on_time": 0, "late": 0, "waived": 0, "open": 0}
    if incidents:
        statuses = db.session.scalars(select(Obligation.status).where(
            Obligation.subject_type == "Incident", Obligation.subject_id.in_([i.id for i in incidents]),
            Obligation.home_id == home_id))
        names = {ObligationStatus.MET: "on_time", ObligationStatus.MET_LATE: "late",
                 ObligationStatus.WAIVED: "waived", ObligationStatus.OPEN: "open"}
        for status in statuses:
            counts[names[ObligationStatus(status)]] += 1
    return {"total": len(incidents), "by_type": dict(sorted(by_type.items())),
            "notifiable": sum(1 for i in incidents if i.notifiable), "notifications": counts}
