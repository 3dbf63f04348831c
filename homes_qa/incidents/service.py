"""Incident writes: record an event (its obligations follow from its type and the notifiable
decision), record each notification (discharges that recipient's obligation), waive one (service
manager, with a reason), close the event (only when nothing required is left open; then locked).

Times are typed as London wall-clock times; `core.localtime` turns them into instants and
refuses the spring-forward gap, and asks which is meant in the autumn overlap.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from homes_qa.core.calendar import london_date, london_day_end, london_day_start
from homes_qa.core.incidents import (
    CASE_REVIEW_RULE,
    CHOOSABLE_TRIGGERS,
    CP_OUTCOME_RULE,
    EVENT_TYPES,
    FROM_EVENT_TRIGGERS,
    HMCI,
    MAX_TYPE_RULES,
    NTK_SERVICE_MANAGER,
    PARAGRAPHS,
    SAR,
    SAR_EXTENSION_MONTHS,
    SAR_RULE,
    event_type,
    required_rules,
)
from homes_qa.core.localtime import AmbiguousLocalTime, LocalTimeError, london_to_utc
from homes_qa.core.roles import Role
from homes_qa.core.timing import Timing, due_at
from homes_qa.extensions import db
from homes_qa.incidents import policy
from homes_qa.incidents.models import (
    Incident,
    IncidentCaseReview,
    IncidentCorrection,
    IncidentEventType,
    IncidentNotification,
    IncidentStatus,
    NotificationMethod,
    SafeguardingSummary,
    SummaryRead,
    SummaryStatus,
)
from homes_qa.incidents.queries import (
    case_review_key,
    case_review_obligation,
    choosable_rules,
    extra_types,
    obligations_for,
    open_obligation,
    open_signal,
    summary_for,
    week_figures,
    week_start_of,
)
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import ObligationStatus
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError, transactional

MAX_TEXT = 5000
MAX_SHORT = 200
MIN_REASON = 10
# An event is recorded within a year of the manager becoming aware of it (a bound, not a rule).
MAX_AWARE_AGE = timedelta(days=366)
_CHILD = re.compile(r"^[A-Za-z0-9./-]{1,12}$")


def _instant(day: date | None, at: time | None, occurrence: str | None, field: str, what: str) -> datetime:
    if day is None:
        raise ServiceError(f"Enter the date {what}", f"{field}_on")
    if at is None:
        raise ServiceError(f"Enter the time {what}, like 14:30", f"{field}_time")
    try:
        return london_to_utc(day, at, occurrence or None)
    except AmbiguousLocalTime as error:
        raise ServiceError(str(error), f"{field}_occurrence") from None
    except LocalTimeError as error:
        raise ServiceError(str(error), f"{field}_time") from None


def _text(value: str | None, field: str, missing: str, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(missing, field)
    if len(value) > limit:
        raise ServiceError(f"This must be {limit} characters or fewer", field)
    return value


def _children(value: str | None) -> str:
    value = (value or "").strip()
    if len(value) > MAX_SHORT:
        raise ServiceError(f"This must be {MAX_SHORT} characters or fewer", "children")
    tokens = [token.strip() for token in value.split(",") if token.strip()]
    if any(not _CHILD.match(token) for token in tokens):
        raise ServiceError("Enter each child by initials or reference only (like AB or C-1042), separated by "
                           "commas; do not enter names", "children")
    return ", ".join(tokens)


@transactional
def record_incident(home: Home, *, type_code: str, occurred_on: date | None, occurred_time: time | None,
                    occurred_occurrence: str | None = None, aware_on: date | None, aware_time: time | None,
                    aware_occurrence: str | None = None, children: str | None, what_happened: str | None,
                    action_taken: str | None, notifiable: bool | None, paragraph: str | None,
                    ico_reportable: bool | None = None, signal_id: int | None = None, by: User,
                    now: datetime | None = None) -> Incident:
    """Record the event and make one obligation per recipient (or step) it needs.

    `signal_id`: the safeguarding concern (spine.signals) this event was recorded from; the event
    meets its review obligation.
    """
    now = now or utcnow()
    if not policy.can_record(by):
        raise ServiceError("Only the registered manager records incidents")
    try:
        kind = event_type(type_code, extra_types())
    except KeyError:
        raise ServiceError("Select the type of event", "type_code") from None
    occurred_at = _instant(occurred_on, occurred_time, occurred_occurrence, "occurred", "it happened")
    aware_at = _instant(aware_on, aware_time, aware_occurrence, "aware", "you became aware")
    if occurred_at > now:
        raise ServiceError("The time it happened must be now or in the past", "occurred_time")
    if aware_at > now:
        raise ServiceError("The time you became aware must be now or in the past", "aware_time")
    if aware_at < occurred_at:
        raise ServiceError("You cannot have become aware before it happened: check both times", "aware_time")
    if aware_at < now - MAX_AWARE_AGE:
        raise ServiceError("Record an event within a year of becoming aware of it", "aware_on")
    children = _children(children)
    what_happened = _text(what_happened, "what_happened", "Enter what happened")
    action_taken = _text(action_taken, "action_taken", "Enter what was done")
    if notifiable is None:
        raise ServiceError("Select whether this is notifiable under Regulation 40", "notifiable")
    if notifiable:
        if not paragraph or paragraph not in PARAGRAPHS:
            raise ServiceError("Select the paragraph of Regulation 40 it is notifiable under", "paragraph")
        if kind.paragraph and paragraph != kind.paragraph:
            raise ServiceError(f"This type of event is notifiable under regulation {kind.paragraph}; "
                               "choose that paragraph, or record another type", "paragraph")
    else:
        if kind.paragraph:
            raise ServiceError(f"This type of event is always notifiable under regulation {kind.paragraph}",
                               "notifiable")
        paragraph = None
    if kind.code == "data_breach":
        if ico_reportable is None:
            raise ServiceError("Select whether the breach must be reported to the ICO", "ico_reportable")
    else:
        ico_reportable = None
    incident = Incident(home_id=home.id, type_code=kind.code, occurred_at=occurred_at, aware_at=aware_at,
                        children=children, what_happened=what_happened, action_taken=action_taken,
                        notifiable=notifiable, paragraph=paragraph, ico_reportable=ico_reportable,
                        status=IncidentStatus.OPEN, recorded_by_id=by.id, created_at=now,
                        type_name=kind.label if kind.custom else None)
    db.session.add(incident)
    db.session.flush()
    start = occurred_at if kind.counts_from_event else aware_at
    label = f"{kind.label}, {start:%d %b %Y} (incident {incident.id})"
    codes = required_rules(kind, notifiable=notifiable, paragraph=paragraph, ico_reportable=bool(ico_reportable))
    for code in codes:
        obligations.obligation_for_event(code, home, start, key=incident.obligation_key, subject=incident,
                                         label=label)
    if NTK_SERVICE_MANAGER in codes:  # a need-to-know: QA is asked for a case review (seed 004)
        obligations.obligation_for_event(CASE_REVIEW_RULE, home, now, key=case_review_key(incident),
                                         subject=incident, label=label)
    signal = open_signal(home.id, signal_id)
    if signal is not None:
        obligations.discharge(signal, record=incident, met_at=now)
    return incident


def _counts_from_event(incident: Incident) -> bool:
    try:
        return event_type(incident.type_code).counts_from_event
    except KeyError:  # the organisation's own type (kept even if since switched off)
        found = db.session.scalar(select(IncidentEventType).where(IncidentEventType.code == incident.type_code))
        return bool(found and found.counts_from_event)


def _require_open(incident: Incident) -> None:
    if not incident.is_open:
        raise ServiceError("This event is closed and can no longer be changed")


@transactional
def record_notification(incident: Incident, *, rule_code: str, recipient: str | None, notified_on: date | None,
                        notified_time: time | None, notified_occurrence: str | None = None,
                        method: str | None, reference: str | None, late_reason: str | None, by: User,
                        now: datetime | None = None) -> IncidentNotification:
    """Who was told, when and how: discharges that recipient's obligation (late needs a reason)."""
    now = now or utcnow()
    if not policy.can_record(by):
        raise ServiceError("Only the registered manager records notifications")
    _require_open(incident)
    obligation = open_obligation(incident, rule_code)
    if obligation is None:
        raise ServiceError("Select who was told (one still waiting for a notification)", "rule_code")
    recipient = _text(recipient, "recipient", "Enter who was told (a name, role or organisation)", MAX_SHORT)
    notified_at = _instant(notified_on, notified_time, notified_occurrence, "notified", "they were told")
    if notified_at > now:
        raise ServiceError("The time they were told must be now or in the past", "notified_time")
    start = incident.occurred_at if _counts_from_event(incident) else incident.aware_at
    if notified_at < start:
        raise ServiceError("They cannot have been told before the event was known: check the time",
                           "notified_time")
    if method not in set(NotificationMethod):
        raise ServiceError("Select how they were told", "method")
    reference = (reference or "").strip()
    if len(reference) > MAX_SHORT:
        raise ServiceError(f"This must be {MAX_SHORT} characters or fewer", "reference")
    if incident.two_stage and rule_code == HMCI and not reference:
        raise ServiceError("Enter Ofsted's reference: the outcome, notified later, must quote it", "reference")
    if rule_code == CP_OUTCOME_RULE:
        first = ofsted_reference(incident)
        if reference != first:
            raise ServiceError(f"Quote Ofsted's reference from the first notification: {first}", "reference")
    late_reason = (late_reason or "").strip()
    if notified_at > obligation.due_at:
        if len(late_reason) < MIN_REASON:
            raise ServiceError("This was after the deadline: give the reason it was late, in at least "
                               f"{MIN_REASON} characters", "late_reason")
        if len(late_reason) > MAX_TEXT:
            raise ServiceError(f"This must be {MAX_TEXT} characters or fewer", "late_reason")
    else:
        late_reason = ""
    notification = IncidentNotification(
        incident_id=incident.id, home_id=incident.home_id, rule_code=rule_code, obligation_id=obligation.id,
        recipient=recipient, notified_at=notified_at, method=method, reference=reference,
        late_reason=late_reason, recorded_by_id=by.id, created_at=now)
    db.session.add(notification)
    db.session.flush()
    obligations.discharge(obligation, record=notification, met_at=notified_at)
    return notification


@transactional
def waive_notification(incident: Incident, *, rule_code: str, reason: str | None, by: User) -> None:
    """A service manager or above decides a required notification is not needed, with the reason."""
    if not policy.can_waive(by):
        raise ServiceError("Only a service manager or head of service can waive a notification")
    _require_open(incident)
    obligation = open_obligation(incident, rule_code)
    if obligation is None:
        raise ServiceError("Select the notification that is not needed", "rule_code")
    reason = (reason or "").strip()
    if len(reason) > MAX_TEXT:
        raise ServiceError(f"This must be {MAX_TEXT} characters or fewer", "reason")
    obligations.waive(obligation, reason=reason, by=by)


def ofsted_reference(incident: Incident) -> str | None:
    """The reference Ofsted gave the first-stage notification, once it is recorded."""
    for notification in incident.notifications:
        if notification.rule_code == HMCI:
            return notification.reference
    return None


@transactional
def record_outcome(incident: Incident, *, outcome_on: date | None, outcome_time: time | None,
                   outcome_occurrence: str | None = None, outcome: str | None, by: User,
                   now: datetime | None = None) -> Incident:
    """Reg 40(4)(d) second stage: the enquiry's outcome is known; Ofsted must be told, quoting its reference."""
    now = now or utcnow()
    if not policy.can_record(by):
        raise ServiceError("Only the registered manager records the outcome")
    _require_open(incident)
    if not incident.two_stage:
        raise ServiceError("Only a child protection enquiry (Regulation 40(4)(d)) has a second stage")
    if incident.outcome_known_at is not None:
        raise ServiceError("The outcome has already been recorded")
    if not ofsted_reference(incident):
        raise ServiceError("Record the first notification to Ofsted, with its reference, before the outcome")
    known_at = _instant(outcome_on, outcome_time, outcome_occurrence, "outcome", "the outcome became known")
    if known_at > now:
        raise ServiceError("The time the outcome became known must be now or in the past", "outcome_time")
    if known_at < incident.aware_at:
        raise ServiceError("The outcome cannot be known before the enquiry: check the time", "outcome_time")
    incident.outcome = _text(outcome, "outcome", "Enter the outcome of the enquiry")
    incident.outcome_known_at = known_at
    obligations.obligation_for_event(CP_OUTCOME_RULE, incident.home, known_at, key=incident.obligation_key,
                                     subject=incident, label=f"outcome of incident {incident.id}")
    return incident


@transactional
def extend_sar(incident: Incident, *, reason: str | None, by: User, now: datetime | None = None) -> Incident:
    """A complex subject access request: the month becomes three (art. 12(3)), once, with the reason.

    Allowed while the first month runs (the requester must be told within it).
    """
    now = now or utcnow()
    if not policy.can_record(by) and not policy.can_waive(by):
        raise ServiceError("You cannot extend this request")
    _require_open(incident)
    if incident.type_code != SAR:
        raise ServiceError("Only a subject access request can be extended")
    if incident.extended_reason:
        raise ServiceError("This request has already been extended")
    obligation = open_obligation(incident, SAR_RULE)
    if obligation is None:
        raise ServiceError("This request has already been answered")
    if now > obligation.due_at:
        raise ServiceError("The first month has passed: an extension must be decided within it")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ServiceError(f"Give the reason the request is complex, in at least {MIN_REASON} characters", "reason")
    if len(reason) > MAX_TEXT:
        raise ServiceError(f"This must be {MAX_TEXT} characters or fewer", "reason")
    timing = obligation.rule.timing_value
    months = (timing.amount or 1) + SAR_EXTENSION_MONTHS
    obligations.move_due(obligation, due_at(Timing(timing.kind, months), incident.aware_at))
    incident.extended_reason = reason
    return incident


@transactional
def close_incident(incident: Incident, *, by: User, now: datetime | None = None) -> Incident:
    """Close (and lock) the event once every required notification is recorded or waived."""
    now = now or utcnow()
    if not policy.can_close(by):
        raise ServiceError("You cannot close this event")
    _require_open(incident)
    waiting = [o.rule.title for o in obligations_for(incident) if o.status == ObligationStatus.OPEN]
    if incident.two_stage and incident.outcome_known_at is None:
        waiting.append("the outcome of the child protection enquiry (second stage)")
    if waiting:
        raise ServiceError("The event cannot be closed until every required notification is recorded or "
                           f"waived. Still waiting: {'; '.join(waiting)}")
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = now
    incident.closed_by_id = by.id
    return incident


# ---------------------------------------------------------------- the weekly safeguarding summary

SUMMARY_RULE = "safeguarding_monitoring_weekly"  # seed 002 §7.1, in core/catalogue.py
MAX_SUMMARY_AGE_WEEKS = 53  # a summary is written for a week in the last year (a bound, not a rule)


def summary_key(manager: User, week_start: date) -> str:
    return f"summary:{manager.id}:{week_start.isoformat()}"


def _summary_obligation(manager: User, week_start: date):
    """The manager's own obligation for the week, from the weekly rule (due at the week's end)."""
    return obligations.obligation_for_event(
        SUMMARY_RULE, None, london_day_start(week_start), key=summary_key(manager, week_start),
        subject=manager, label=f"{manager.name}, week of {week_start:%d %b %Y}")


@transactional
def ensure_weekly_summaries(now: datetime) -> int:
    """One obligation per active service manager for the current week (the sweep calls this)."""
    week_start = week_start_of(london_date(now))
    made = 0
    for manager in db.session.scalars(select(User).where(User.role == Role.SERVICE_MANAGER,
                                                         User.active.is_(True))):
        if obligations.find(SUMMARY_RULE, None, summary_key(manager, week_start)) is None:
            made += _summary_obligation(manager, week_start) is not None
    return made


def check_week(week_start: date, now: datetime) -> None:
    if week_start.weekday() != 0:
        raise ServiceError("A week starts on a Monday", "week")
    this_week = week_start_of(london_date(now))
    if week_start > this_week:
        raise ServiceError("You cannot write the summary of a week that has not started", "week")
    if week_start < this_week - timedelta(weeks=MAX_SUMMARY_AGE_WEEKS):
        raise ServiceError("A summary is written for a week in the last year", "week")


def _summary_text(value: str | None, field: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise ServiceError(f"This must be {MAX_TEXT} characters or fewer", field)
    return value


@transactional
def save_summary(manager: User, week_start: date, *, themes: str | None, learning: str | None,
                 actions: str | None, submit: bool = False, now: datetime | None = None) -> SafeguardingSummary:
    """Save the manager's narrative for the week; `submit` freezes the figures, locks it and
    discharges the manager's obligation for the week."""
    now = now or utcnow()
    if manager.role not in policy.SUMMARY_WRITERS:
        raise ServiceError("Only a service manager writes a weekly safeguarding summary")
    check_week(week_start, now)
    summary = summary_for(manager.id, week_start)
    if summary is not None and summary.is_submitted:
        raise ServiceError("This summary has been submitted and can no longer be changed")
    texts = {"themes": _summary_text(themes, "themes"), "learning": _summary_text(learning, "learning"),
             "actions": _summary_text(actions, "actions")}
    if summary is None:
        summary = SafeguardingSummary(manager_id=manager.id, week_start=week_start,
                                      status=SummaryStatus.DRAFT)
        db.session.add(summary)
    summary.themes, summary.learning, summary.actions = texts["themes"], texts["learning"], texts["actions"]
    if not submit:
        return summary
    if not summary.themes:
        raise ServiceError("Enter the themes of the week", "themes")
    if not summary.learning:
        raise ServiceError("Enter the learning, or say there was none", "learning")
    summary.figures = week_figures(manager, week_start, now)
    summary.status = SummaryStatus.SUBMITTED
    summary.submitted_at = now
    db.session.flush()
    obligation = _summary_obligation(manager, week_start)
    if obligation is not None:
        obligations.discharge(obligation, record=summary, met_at=now)
    _discharge_service_week(week_start, summary, now)
    return summary


def _discharge_service_week(week_start: date, summary: SafeguardingSummary, now: datetime) -> None:
    """The service's weekly update (the rule's organisation-wide obligation) is met when every
    active service manager has submitted theirs."""
    managers = set(db.session.scalars(select(User.id).where(User.role == Role.SERVICE_MANAGER,
                                                            User.active.is_(True))))
    done = set(db.session.scalars(select(SafeguardingSummary.manager_id).where(
        SafeguardingSummary.week_start == week_start, SafeguardingSummary.status == SummaryStatus.SUBMITTED)))
    if managers <= done:
        week = obligations.obligation_for_period(SUMMARY_RULE, None, week_start)
        if week is not None:
            obligations.discharge(week, record=summary, met_at=now)


@transactional
def mark_summary_read(summary: SafeguardingSummary, *, by: User, now: datetime | None = None) -> SummaryRead:
    """The head of service has read it (once per reader; reading again changes nothing)."""
    if by.role not in policy.SUMMARY_MARKERS:
        raise ServiceError("Only the head of service marks a summary as read")
    if not summary.is_submitted:
        raise ServiceError("Only a submitted summary can be read")
    existing = next((read for read in summary.reads if read.reader_id == by.id), None)
    if existing is not None:
        return existing
    read = SummaryRead(summary=summary, reader_id=by.id, read_at=now or utcnow())
    db.session.add(read)
    return read


@transactional
def correct_incident(incident: Incident, *, children: str | None, what_happened: str | None,
                     action_taken: str | None, reason: str | None, by: User) -> IncidentCorrection:
    """A correction of the account (open or closed): a new version with its reason; the event as
    recorded and every earlier version stay as they were."""
    if by.role not in policy.CORRECTORS:
        raise ServiceError("Only the registered manager or above corrects an event")
    reason_text = _text(reason, "reason", "Enter the reason for the correction")
    if len(reason_text) < MIN_REASON:
        raise ServiceError(f"Give the reason in at least {MIN_REASON} characters", "reason")
    current = incident.corrections[-1] if incident.corrections else incident
    correction = IncidentCorrection(
        incident_id=incident.id, home_id=incident.home_id, version=len(incident.corrections) + 2,
        children=_children(children), what_happened=_text(what_happened, "what_happened", "Enter what happened"),
        action_taken=_text(action_taken, "action_taken", "Enter what was done"), reason=reason_text,
        corrected_by_id=by.id)
    if (correction.children, correction.what_happened, correction.action_taken) == (
            current.children, current.what_happened, current.action_taken):
        raise ServiceError("Nothing has changed: change the account, or go back", "what_happened")
    incident.corrections.append(correction)
    db.session.add(correction)
    return correction


# ---------------------------------------------------------------- QA case review after a need-to-know

@transactional
def record_case_review(incident: Incident, *, reviewed_on: date | None, findings: str | None,
                       learning: str | None, by: User, now: datetime | None = None) -> IncidentCaseReview:
    """QA's case review of a need-to-know (seed 004): findings and learning; meets its obligation.

    Allowed on a closed event too (closing is about notifications; the review follows them).
    """
    now = now or utcnow()
    if not policy.can_review(by):
        raise ServiceError("Only the head of service (QA lead) records a case review")
    obligation = case_review_obligation(incident)
    if obligation is None:
        raise ServiceError("This event is not a need-to-know: no case review is asked for")
    if not obligation.is_open:
        raise ServiceError("The case review of this event has already been recorded or waived")
    if reviewed_on is None:
        raise ServiceError("Enter the date of the review", "reviewed_on")
    if reviewed_on > london_date(now):
        raise ServiceError("The date of the review must be today or in the past", "reviewed_on")
    if reviewed_on < london_date(incident.created_at):
        raise ServiceError("The review cannot be before the event was recorded "
                           f"({london_date(incident.created_at):%d %m %Y})", "reviewed_on")
    review = IncidentCaseReview(
        incident_id=incident.id, home_id=incident.home_id, reviewed_on=reviewed_on,
        findings=_text(findings, "findings", "Enter the findings of the review"),
        learning=_text(learning, "learning", "Enter the learning, or say there was none"),
        reviewed_by_id=by.id, created_at=now)
    db.session.add(review)
    db.session.flush()
    obligations.discharge(obligation, record=review, met_at=min(london_day_end(reviewed_on), now))
    return review


# ---------------------------------------------------------------- event types the organisation adds

MAX_TYPE_LABEL = 120
_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(label: str) -> str:
    return "org_" + (_SLUG.sub("_", label.lower()).strip("_")[:50] or "type")


@transactional
def add_event_type(*, label: str | None, notifiable_default: bool | None, rules: list[str] | None,
                   source: str | None, by: User) -> IncidentEventType:
    """An administrator adds an event type: its name, whether it is usually notifiable under
    Regulation 40, the incident rules (recipients and steps) it needs, and its source or reason."""
    if not policy.can_manage_types(by):
        raise ServiceError("Only an administrator adds event types")
    label = _text(label, "label", "Enter the name of the event type", MAX_TYPE_LABEL)
    if len(label) < 3:
        raise ServiceError("The name must be at least 3 characters", "label")
    taken = {kind.label.casefold() for kind in EVENT_TYPES} | {
        name.casefold() for name in db.session.scalars(select(IncidentEventType.label))}
    if label.casefold() in taken:
        raise ServiceError("There is already an event type with this name", "label")
    if notifiable_default is None:
        raise ServiceError("Select whether this type is usually notifiable under Regulation 40", "notifiable_default")
    chosen = list(dict.fromkeys(rules or []))
    choosable_rules()  # the rules table filled from the catalogue
    if len(chosen) > MAX_TYPE_RULES:
        raise ServiceError(f"Choose {MAX_TYPE_RULES} rules or fewer", "rules")
    found = {rule.code: rule for rule in db.session.scalars(select(Rule).where(Rule.code.in_(chosen)))} if chosen else {}
    if any(code not in found or found[code].trigger not in CHOOSABLE_TRIGGERS or not found[code].active
           or not code.startswith("incident_") for code in chosen):
        raise ServiceError("Choose only from the notification rules listed", "rules")
    source = _text(source, "source", "Enter the source or reason for this type (for example, a local "
                   "procedure or a regulation)", 1000)
    code = _slug(label)
    base, n = code, 2
    while db.session.scalar(select(IncidentEventType.id).where(IncidentEventType.code == code)) is not None:
        code, n = f"{base}_{n}", n + 1
    kind = IncidentEventType(code=code, label=label, notifiable_default=notifiable_default, rules=chosen,
                             counts_from_event=any(found[c].trigger in FROM_EVENT_TRIGGERS for c in chosen),
                             source=source, active=True, created_by_id=by.id)
    db.session.add(kind)
    return kind


@transactional
def set_event_type_active(kind: IncidentEventType, *, active: bool, by: User) -> IncidentEventType:
    """Switch an organisation's type off (no longer offered; its events keep their name) or on again."""
    if not policy.can_manage_types(by):
        raise ServiceError("Only an administrator changes event types")
    kind.active = active
    return kind
