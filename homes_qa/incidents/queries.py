"""Incident reads: a home's incidents, one incident's obligations with their deadlines and state."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from homes_qa.core.drift import DriftState, classify
from homes_qa.core.incidents import CASE_REVIEW_RULE, CHOOSABLE_TRIGGERS, EventType
from homes_qa.core.localtime import time_left_words
from homes_qa.extensions import db
from homes_qa.incidents.models import (
    Incident,
    IncidentCaseReview,
    IncidentEventType,
    IncidentNotification,
    IncidentStatus,
    SafeguardingSummary,
    SummaryRead,
    SummaryStatus,
)
from homes_qa.spine.access import visible_home_ids_query
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.rules.models import Rule

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
    if obligation_id is None or not 0 < obligation_id < 2**63:  # beyond any id: none, not an overflow
        return None
    found = db.session.get(Obligation, obligation_id)
    if found is None or found.rule_code != SIGNAL_RULE or found.home_id != home_id or not found.is_open:
        return None
    return found


def obligations_for(incident: Incident) -> list[Obligation]:
    """The event's notifications and steps (its QA case review is QA's, not a notification)."""
    return list(db.session.scalars(select(Obligation).where(
        Obligation.subject_type == "Incident", Obligation.subject_id == incident.id,
        Obligation.home_id == incident.home_id, Obligation.rule_code != CASE_REVIEW_RULE)
        .order_by(Obligation.due_at, Obligation.id)))


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
            Obligation.home_id == home_id, Obligation.rule_code != CASE_REVIEW_RULE))
        names = {ObligationStatus.MET: "on_time", ObligationStatus.MET_LATE: "late",
                 ObligationStatus.WAIVED: "waived", ObligationStatus.OPEN: "open"}
        for status in statuses:
            counts[names[ObligationStatus(status)]] += 1
    return {"total": len(incidents), "by_type": dict(sorted(by_type.items())),
            "notifiable": sum(1 for i in incidents if i.notifiable), "notifications": counts}


# ---------------------------------------------------------------- the weekly safeguarding summary

def week_start_of(day: date) -> date:
    """The Monday of the London week (Monday to Sunday) that `day` falls in."""
    return day - timedelta(days=day.weekday())


def week_figures(manager: User, week_start: date, now: datetime) -> dict[str, Any]:
    """What the week's records say for the manager's homes: a draft's figures (frozen on submit).

    Bounded: homes, the week's incidents, their obligations, the week's late notifications,
    open LADO referrals and the week's safeguarding signals; six queries whatever the history.
    """
    from homes_qa.core.calendar import london_day_start
    from homes_qa.core.incidents import NEED_TO_KNOW
    from homes_qa.spine.signals import SIGNAL_RULE
    start, end = london_day_start(week_start), london_day_start(week_start + timedelta(days=7))
    home_ids = visible_home_ids_query(manager)
    homes = {home.id: home.name for home in db.session.scalars(
        select(Home).where(Home.id.in_(home_ids)).order_by(Home.name))}
    events = list(db.session.scalars(select(Incident).where(
        Incident.home_id.in_(home_ids), Incident.aware_at >= start, Incident.aware_at < end)
        .order_by(Incident.aware_at)))
    by_type: dict[str, int] = {}
    by_home_type: dict[tuple[str, str], int] = {}
    for event in events:
        by_type[event.type_label] = by_type.get(event.type_label, 0) + 1
        pair = (homes.get(event.home_id, ""), event.type_label)
        by_home_type[pair] = by_home_type.get(pair, 0) + 1
    due = list(db.session.scalars(select(Obligation).where(
        Obligation.subject_type == "Incident", Obligation.home_id.in_(home_ids),
        Obligation.rule_code != CASE_REVIEW_RULE, Obligation.due_at >= start, Obligation.due_at < end)))
    on_time = sum(1 for o in due if o.status == ObligationStatus.MET)
    late = sum(1 for o in due if o.status == ObligationStatus.MET_LATE)
    overdue = sum(1 for o in due if o.status == ObligationStatus.OPEN and o.due_at < now)
    waived = sum(1 for o in due if o.status == ObligationStatus.WAIVED)
    judged = on_time + late + overdue
    late_rows = db.session.execute(select(IncidentNotification, Incident).join(Incident).where(
        IncidentNotification.home_id.in_(home_ids), IncidentNotification.late_reason != "",
        IncidentNotification.notified_at >= start, IncidentNotification.notified_at < end)
        .order_by(IncidentNotification.notified_at)).all()
    lado_open = db.session.scalar(select(func.count(Incident.id)).where(
        Incident.home_id.in_(home_ids), Incident.type_code == "lado_allegation",
        Incident.status == IncidentStatus.OPEN)) or 0
    signals = db.session.scalar(select(func.count(Obligation.id)).where(
        Obligation.rule_code == SIGNAL_RULE, Obligation.home_id.in_(home_ids),
        Obligation.created_at >= start, Obligation.created_at < end)) or 0
    return {
        "homes": list(homes.values()),
        "events": len(events),
        "by_type": sorted(by_type.items()),
        "by_home_type": [[home, label, count] for (home, label), count in sorted(by_home_type.items())],
        "need_to_know": sum(1 for e in events if e.type_code == NEED_TO_KNOW),
        "restraint": sum(1 for e in events if e.type_code == "restraint"),
        "missing": sum(1 for e in events if e.type_code == "missing"),
        "complaints": sum(1 for e in events if e.type_code == "complaint"),
        "lado_open": lado_open,
        "signals": signals,
        "due": len(due), "on_time": on_time, "late": late, "overdue": overdue, "waived": waived,
        "on_time_percent": round(100 * on_time / judged) if judged else None,
        "late_notifications": [[homes.get(n.home_id, ""), i.type_label, n.recipient, n.late_reason]
                               for n, i in late_rows],
    }


def summary_for(manager_id: int, week_start: date) -> SafeguardingSummary | None:
    return db.session.scalar(select(SafeguardingSummary).where(
        SafeguardingSummary.manager_id == manager_id, SafeguardingSummary.week_start == week_start))


def summaries_of(manager: User) -> list[SafeguardingSummary]:
    """A manager's summaries, latest week first, with who has read each (two queries, not one
    more per summary listed: issue 13's bench found it)."""
    return list(db.session.scalars(select(SafeguardingSummary).where(SafeguardingSummary.manager_id == manager.id)
                                   .options(selectinload(SafeguardingSummary.reads))
                                   .order_by(SafeguardingSummary.week_start.desc()).limit(LIST_LIMIT)))


def submitted_summaries(reader: User) -> list[tuple[SafeguardingSummary, bool]]:
    """Every submitted summary, latest week first, with whether `reader` has read it (two queries)."""
    rows = list(db.session.scalars(
        select(SafeguardingSummary).where(SafeguardingSummary.status == SummaryStatus.SUBMITTED)
        .options(selectinload(SafeguardingSummary.manager))
        .order_by(SafeguardingSummary.week_start.desc(), SafeguardingSummary.id).limit(LIST_LIMIT)))
    read = set(db.session.scalars(select(SummaryRead.summary_id).where(
        SummaryRead.reader_id == reader.id, SummaryRead.summary_id.in_([s.id for s in rows]))))
    return [(summary, summary.id in read) for summary in rows]


# ---------------------------------------------------------------- event types the organisation adds

def organisation_types(*, include_inactive: bool = False) -> list[IncidentEventType]:
    stmt = select(IncidentEventType).order_by(IncidentEventType.label)
    if not include_inactive:
        stmt = stmt.where(IncidentEventType.active.is_(True))
    return list(db.session.scalars(stmt.limit(LIST_LIMIT)))


def extra_types() -> list[EventType]:
    """The organisation's active types, as the core's EventType (one query)."""
    return [row.as_event_type() for row in organisation_types()]


def choosable_rules() -> list[Rule]:
    """The incident rules an organisation's type may start (active, counted from the event or awareness)."""
    from homes_qa.spine.rules.service import rule_by_code
    rule_by_code(CASE_REVIEW_RULE)  # the rules table is filled from the catalogue on first use
    return list(db.session.scalars(select(Rule).where(
        Rule.trigger.in_(CHOOSABLE_TRIGGERS), Rule.active.is_(True), Rule.code.like("incident_%"))
        .order_by(Rule.area, Rule.title)))


# ---------------------------------------------------------------- QA case review after a need-to-know

@dataclass(frozen=True)
class CaseReviewState:
    """The event's QA case review: its obligation (when one is owed) and the review once recorded."""

    obligation: Obligation | None
    review: IncidentCaseReview | None
    state: DriftState | None
    time_left: str


def case_review_key(incident: Incident) -> str:
    return f"case-review:{incident.id}"


def case_review_obligation(incident: Incident) -> Obligation | None:
    return db.session.scalar(select(Obligation).where(
        Obligation.rule_code == CASE_REVIEW_RULE, Obligation.home_id == incident.home_id,
        Obligation.period_key == case_review_key(incident)))


def case_review_state(incident: Incident, now: datetime) -> CaseReviewState:
    obligation = case_review_obligation(incident)
    review = db.session.scalar(select(IncidentCaseReview).where(IncidentCaseReview.incident_id == incident.id))
    state = None
    if obligation is not None:
        state = classify(obligation.due_at, now, obligation.ladder_value, obligation.due_soon_days,
                         met_at=obligation.met_at, waived=obligation.status == ObligationStatus.WAIVED,
                         due_soon_hours=obligation.due_soon_hours)
    return CaseReviewState(obligation, review, state,
                           time_left_words(obligation.due_at, now) if obligation and obligation.is_open else "")


def case_reviews_due(user: User) -> list[Obligation]:
    """Open QA case reviews in the user's homes, soonest due first."""
    return list(db.session.scalars(
        select(Obligation).where(Obligation.rule_code == CASE_REVIEW_RULE, Obligation.status == ObligationStatus.OPEN,
                                 Obligation.home_id.in_(visible_home_ids_query(user)))
        .options(selectinload(Obligation.home)).order_by(Obligation.due_at).limit(LIST_LIMIT)))
