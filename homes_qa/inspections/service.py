"""Inspection writes: record an inspection, its requirements and recommendations (each an
action with an owner and a due date), complete and reopen actions, record monitoring reviews.

Every write ends by `sync_monitoring`, which turns the home's current outcome into the Head of
QA's monitoring-review obligations through the pure `core.inspections.cadence_for` (seed 002
§7.1): weekly after inadequate or a compliance notice, fortnightly after requires improvement,
by the compliance dates for good or outstanding with requirements; none once every action is
completed. A review obligation that no longer fits the outcome is withdrawn (closed as waived,
with the reason), so the sweep stops alerting on it.

Obligations per action: `action_complete` by its due date, and for a requirement
`ofsted_requirement_compliance` by its compliance date; keys carry the reopen count, so a
reopened action gets new obligations and the met ones stay in the record.
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from werkzeug.utils import secure_filename

from homes_qa.core import filetypes
from homes_qa.core import inspections as core
from homes_qa.core import qa_reviews as qa_core
from homes_qa.core.calendar import london_date, london_day_end
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.inspections import queries
from homes_qa.inspections.models import (
    ActionFile,
    ActionNote,
    ActionStatus,
    Inspection,
    InspectionItem,
    ItemKind,
    MonitoringReview,
    QaReview,
    QaReviewAction,
    QaReviewHome,
    QaReviewStatus,
    QpagAction,
    Rag,
    ReviewProgress,
)
from homes_qa.inspections.policy import (
    EDITORS,
    QA_ASSIGNEES,
    QA_COMMISSIONERS,
    QA_PLANNERS,
    QPAG_CHAIR,
    QPAG_EDITORS,
    REVIEWERS,
    can_record_findings,
)
from homes_qa.spine import uploads
from homes_qa.spine.access import can_see_home, is_assigned
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import Assignment, Home, User
from homes_qa.spine.signals import assignment_made
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError, transactional

MAX_TEXT = 5000
MAX_REGULATION = 120
MAX_VISIT_DAYS = 31  # an inspection or visit lasting longer is a typing mistake
HISTORY_YEARS = 10  # how far back an inspection may be recorded
AHEAD_YEARS = 2  # how far ahead a compliance or due date may be


def _require(by: User, roles: tuple[str, ...], what: str) -> None:
    if by.role not in roles:
        raise ServiceError(f"You cannot {what}")


def _text(value: str | None, field: str, missing: str, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if not text:
        raise ServiceError(missing, field)
    if len(text) > limit:
        raise ServiceError(f"This must be {limit} characters or fewer", field)
    return text


def _ahead_limit(day: date) -> date:
    return day + timedelta(days=365 * AHEAD_YEARS)


# --------------------------------------------------------------------------- inspections

@dataclass(frozen=True)
class Enforcement:
    compliance_notice_served_on: date | None = None
    compliance_notice_complete_by: date | None = None
    restriction_served_on: date | None = None
    restriction_ends_on: date | None = None


def _check_enforcement(e: Enforcement, started_on: date, today: date) -> None:
    if (e.compliance_notice_served_on is None) != (e.compliance_notice_complete_by is None):
        field = "compliance_notice_complete_by" if e.compliance_notice_complete_by is None \
            else "compliance_notice_served_on"
        raise ServiceError("Enter both the date the compliance notice was served and the date it must be "
                           "complied with", field)
    if e.compliance_notice_served_on is not None and e.compliance_notice_complete_by is not None:
        if e.compliance_notice_served_on < started_on:
            raise ServiceError("The compliance notice cannot be served before the inspection started",
                               "compliance_notice_served_on")
        if e.compliance_notice_served_on > today:
            raise ServiceError("The date the compliance notice was served must be today or in the past",
                               "compliance_notice_served_on")
        if e.compliance_notice_complete_by <= e.compliance_notice_served_on:
            raise ServiceError("The compliance date must be after the date the notice was served",
                               "compliance_notice_complete_by")
        if e.compliance_notice_complete_by > _ahead_limit(e.compliance_notice_served_on):
            raise ServiceError(f"The compliance date must be within {AHEAD_YEARS} years of the notice",
                               "compliance_notice_complete_by")
    if e.restriction_served_on is None and e.restriction_ends_on is not None:
        raise ServiceError("Enter the date the restriction of accommodation notice was served",
                           "restriction_served_on")
    if e.restriction_served_on is not None:
        if e.restriction_served_on < started_on:
            raise ServiceError("The restriction of accommodation cannot be served before the inspection started",
                               "restriction_served_on")
        if e.restriction_served_on > today:
            raise ServiceError("The date the restriction was served must be today or in the past",
                               "restriction_served_on")
        if e.restriction_ends_on is not None and e.restriction_ends_on <= e.restriction_served_on:
            raise ServiceError("The restriction must end after the date it was served", "restriction_ends_on")
        if e.restriction_ends_on is not None and e.restriction_ends_on > _ahead_limit(e.restriction_served_on):
            raise ServiceError(f"The restriction's end must be within {AHEAD_YEARS} years of the notice",
                               "restriction_ends_on")


@transactional
def record_inspection(home: Home, *, inspection_type: str | None, started_on: date | None, ended_on: date | None,
                      grades: dict[str, str | None], confirm_limiting: bool, enforcement: Enforcement,
                      summary: str, by: User, now: datetime | None = None) -> Inspection:
    """Refuses a type outside the data list, judgements outside the scale or that the type does
    not give (a monitoring visit with full-inspection judgements), impossible dates; asks for
    confirmation when the overall grade breaks SCCIF's limiting judgements."""
    now = now or utcnow()
    _require(by, EDITORS, "record an inspection")
    today = london_date(now)
    kind = core.inspection_type(inspection_type or "")
    if kind is None:
        raise ServiceError("Select the type of inspection", "inspection_type")
    if started_on is None:
        raise ServiceError("Enter the date the inspection started", "started_on")
    if ended_on is None:
        raise ServiceError("Enter the date the inspection ended", "ended_on")
    if ended_on > today:
        raise ServiceError("The date the inspection ended must be today or in the past", "ended_on")
    if ended_on < started_on:
        raise ServiceError("The inspection cannot end before it started", "ended_on")
    if (ended_on - started_on).days >= MAX_VISIT_DAYS:
        raise ServiceError(f"An inspection lasts less than {MAX_VISIT_DAYS} days: check the dates", "started_on")
    if started_on < date(today.year - HISTORY_YEARS, 1, 1):
        raise ServiceError(f"Only inspections in the last {HISTORY_YEARS} years can be recorded", "started_on")
    check = core.check_judgements(kind.code, grades)
    if check.errors:
        field, message = next(iter(check.errors.items()))
        raise ServiceError(message, field)
    if check.warnings and not confirm_limiting:
        raise ServiceError(" ".join(check.warnings) + " Check the report, then confirm these are the judgements "
                           "Ofsted published.", "confirm_limiting")
    _check_enforcement(enforcement, started_on, today)
    if len(summary or "") > MAX_TEXT:
        raise ServiceError(f"This must be {MAX_TEXT} characters or fewer", "summary")
    inspection = Inspection(
        home_id=home.id, inspection_type=kind.code, started_on=started_on, ended_on=ended_on,
        overall=grades.get(core.OVERALL) or None, helped_protected=grades.get(core.HELPED_PROTECTED) or None,
        leadership=grades.get(core.LEADERSHIP) or None, limiting_confirmed=bool(check.warnings),
        compliance_notice_served_on=enforcement.compliance_notice_served_on,
        compliance_notice_complete_by=enforcement.compliance_notice_complete_by,
        restriction_served_on=enforcement.restriction_served_on, restriction_ends_on=enforcement.restriction_ends_on,
        summary=(summary or "").strip(), recorded_by_id=by.id, created_at=now)
    db.session.add(inspection)
    db.session.flush()
    sync_monitoring(home, now=now)
    return inspection


# --------------------------------------------------------------------------- requirements and recommendations

def _make_action_obligations(item: InspectionItem, home: Home, now: datetime) -> None:
    label = f"Ofsted {item.kind} {item.id}: {item.action[:80]}"
    obligations.obligation_for_event(queries.ACTION_RULE, home, now, key=queries.item_key(item, queries.ACTION_RULE),
                                     subject=item, label=label, target=item.due_on)
    if item.kind == ItemKind.REQUIREMENT and item.compliance_date is not None:
        obligations.obligation_for_event(
            queries.REQUIREMENT_RULE, home, now, key=queries.item_key(item, queries.REQUIREMENT_RULE),
            subject=item, label=f"requirement {item.id} ({item.regulation})", target=item.compliance_date)


@transactional
def add_item(inspection: Inspection, *, kind: str | None, text: str, regulation: str, compliance_date: date | None,
             action: str, owner_id: int | None, due_on: date | None, by: User,
             now: datetime | None = None) -> InspectionItem:
    """A requirement (the regulation it cites, its compliance date) or a recommendation, with
    the action that answers it: what, who (a person assigned to the home) and by when."""
    now = now or utcnow()
    _require(by, EDITORS, "add requirements or recommendations")
    if kind not in (ItemKind.REQUIREMENT, ItemKind.RECOMMENDATION):
        raise ServiceError("Select whether this is a requirement or a recommendation", "kind")
    text = _text(text, "text", f"Enter the {kind} as Ofsted wrote it")
    regulation = (regulation or "").strip()
    if kind == ItemKind.REQUIREMENT:
        regulation = _text(regulation, "regulation", "Enter the regulation the requirement cites", MAX_REGULATION)
        if compliance_date is None:
            raise ServiceError("Enter the requirement's compliance date", "compliance_date")
        if compliance_date < inspection.started_on:
            raise ServiceError("The compliance date cannot be before the inspection "
                               f"(it started on {inspection.started_on:%d %B %Y})", "compliance_date")
        if compliance_date > _ahead_limit(inspection.ended_on):
            raise ServiceError(f"The compliance date must be within {AHEAD_YEARS} years of the inspection",
                               "compliance_date")
    else:
        if compliance_date is not None:
            raise ServiceError("A recommendation has no compliance date: leave it empty, or record a requirement",
                               "compliance_date")
        if len(regulation) > MAX_REGULATION:
            raise ServiceError(f"This must be {MAX_REGULATION} characters or fewer", "regulation")
    action = _text(action, "action", "Enter what will be done")
    if owner_id is None:
        raise ServiceError("Select who owns the action", "owner_id")
    owner = db.session.get(User, owner_id)
    if owner is None or not owner.active or not is_assigned(owner, inspection.home_id):
        raise ServiceError("The owner must be someone assigned to this home", "owner_id")
    if due_on is None:
        raise ServiceError("Enter the date the action is due", "due_on")
    if due_on < inspection.started_on:
        raise ServiceError("The action cannot be due before the inspection", "due_on")
    if compliance_date is not None and due_on > compliance_date:
        raise ServiceError("The action must be due on or before the requirement's compliance date", "due_on")
    if due_on > _ahead_limit(inspection.ended_on):
        raise ServiceError(f"The due date must be within {AHEAD_YEARS} years of the inspection", "due_on")
    item = InspectionItem(inspection_id=inspection.id, home_id=inspection.home_id, kind=kind, text=text,
                          regulation=regulation, compliance_date=compliance_date, action=action, owner_id=owner.id,
                          due_on=due_on, status=ActionStatus.OPEN)
    db.session.add(item)
    db.session.flush()
    home = inspection.home
    _make_action_obligations(item, home, now)
    sync_monitoring(home, now=now)
    return item


def _completion_date(is_open: bool, completed_on: date | None, now: datetime) -> date:
    """The date an open action was completed: given, and not in the future."""
    if not is_open:
        raise ServiceError("This action is already completed")
    if completed_on is None:
        raise ServiceError("Enter the date the action was completed", "completed_on")
    if completed_on > london_date(now):
        raise ServiceError("The date it was completed must be today or in the past", "completed_on")
    return completed_on


@transactional
def complete_item(item: InspectionItem, *, completed_on: date | None, by: User,
                  now: datetime | None = None) -> InspectionItem:
    now = now or utcnow()
    _require(by, EDITORS, "complete actions")
    completed_on = _completion_date(item.is_open, completed_on, now)
    if completed_on < item.inspection.started_on:
        raise ServiceError("The action cannot be completed before the inspection", "completed_on")
    item.status = ActionStatus.COMPLETED
    item.completed_on = completed_on
    db.session.flush()
    met_at = min(london_day_end(completed_on), now)
    for rule_code in (queries.ACTION_RULE, queries.REQUIREMENT_RULE):
        obligation = queries.item_obligation(item, rule_code)
        if obligation is not None:
            obligations.discharge(obligation, record=item, met_at=met_at)
    sync_monitoring(item.inspection.home, now=now)
    return item


@transactional
def reopen_item(item: InspectionItem, *, due_on: date | None, reason: str, by: User,
                now: datetime | None = None) -> InspectionItem:
    """A completed action turned out not to be done: open again with a new due date (new
    obligations; the monitoring cadence restarts if it had stopped)."""
    now = now or utcnow()
    _require(by, EDITORS, "reopen actions")
    if item.is_open:
        raise ServiceError("This action is still open")
    reason = _text(reason, "reason", "Enter why the action is being reopened")
    today = london_date(now)
    if due_on is None:
        raise ServiceError("Enter the new date the action is due", "due_on")
    if due_on < today:
        raise ServiceError("The new due date must be today or later", "due_on")
    if due_on > _ahead_limit(today):
        raise ServiceError(f"The due date must be within {AHEAD_YEARS} years", "due_on")
    item.status = ActionStatus.OPEN
    item.completed_on = None
    item.due_on = due_on
    item.times_reopened += 1
    item.action = f"{item.action}\n\nReopened on {today:%d %B %Y}: {reason}"[:MAX_TEXT * 2]
    db.session.flush()
    home = item.inspection.home
    _make_action_obligations(item, home, now)
    sync_monitoring(home, now=now)
    return item


# --------------------------------------------------------------------------- monitoring reviews

@dataclass(frozen=True)
class Progress:
    item_id: int
    rag: str | None
    narrative: str


@transactional
def record_review(home: Home, *, reviewed_on: date | None, progress: list[Progress], next_steps: str, by: User,
                  now: datetime | None = None) -> MonitoringReview:
    """Progress (RAG and narrative) on every open action, and next steps; discharges the
    review that is due (the earliest open one) and sets the next by the cadence."""
    now = now or utcnow()
    _require(by, REVIEWERS, "record monitoring reviews")
    open_items = {item.id: item for item in queries.open_items(home.id)}
    if not open_items:
        raise ServiceError("There are no open actions to review")
    if reviewed_on is None:
        raise ServiceError("Enter the date of the review", "reviewed_on")
    if reviewed_on > london_date(now):
        raise ServiceError("The date of the review must be today or in the past", "reviewed_on")
    earliest = min(item.inspection.started_on for item in open_items.values())
    if reviewed_on < earliest:
        raise ServiceError("The review cannot be before the inspection whose actions it reviews", "reviewed_on")
    given = {p.item_id: p for p in progress}
    rows = []
    for item_id in open_items:
        entry = given.get(item_id)
        if entry is None or entry.rag not in tuple(Rag):
            raise ServiceError("Select red, amber or green for this action", f"rag_{item_id}")
        narrative = _text(entry.narrative, f"narrative_{item_id}", "Enter the progress on this action")
        rows.append(ReviewProgress(item_id=item_id, home_id=home.id, rag=entry.rag, narrative=narrative))
    next_steps = _text(next_steps, "next_steps", "Enter the next steps")
    due = queries.open_review_obligations(home.id)
    review = MonitoringReview(home_id=home.id, reviewed_on=reviewed_on, next_steps=next_steps,
                              obligation_id=due[0].id if due else None, reviewed_by_id=by.id, created_at=now,
                              progress=rows)
    db.session.add(review)
    db.session.flush()
    reviewed_at = min(london_day_end(reviewed_on), now)
    if due:
        obligations.discharge(due[0], record=review, met_at=reviewed_at)
    sync_monitoring(home, now=now, anchor=reviewed_at)
    return review


# --------------------------------------------------------------------------- the cadence

@transactional
def sync_monitoring(home: Home, *, now: datetime, anchor: datetime | None = None) -> core.Cadence:
    """Make the home's open review obligations match what `cadence_for` says now.

    Keeps an open review that still fits; withdraws one that does not (the outcome changed, or
    the last action closed); makes the next one when none is open, floating from `anchor` (the
    review just recorded) or from `now` (the cadence starts or restarts).
    """
    timings = queries.cadence_timings()
    cadence = core.cadence_for(queries.outcome_of(home.id), now=now, anchor=anchor,
                               reviewed_through=queries.reviewed_through(home.id),
                               weekly=timings["weekly"], fortnightly=timings["fortnightly"])
    keep = None
    for obligation in queries.open_review_obligations(home.id):
        fits = obligation.rule_code == cadence.rule_code and (
            cadence.kind != core.BY_COMPLIANCE_DATES or obligation.due_at == cadence.next_due)
        if fits and keep is None:
            keep = obligation
            continue
        obligation.status = ObligationStatus.WAIVED
        obligation.waived_reason = f"No longer due: {cadence.reason}"
    if keep is None and cadence.rule_code is not None and cadence.next_due is not None:
        count = queries.review_obligation_count(home.id, cadence.rule_code)
        key = f"monitoring:{london_date(cadence.next_due).isoformat()}:{count + 1}"
        label = f"review due by {london_date(cadence.next_due):%d %b %Y}"
        if cadence.kind == core.BY_COMPLIANCE_DATES:
            obligations.obligation_for_event(cadence.rule_code, home, now, key=key, label=label,
                                             target=london_date(cadence.next_due))
        else:
            obligations.obligation_for_event(cadence.rule_code, home, anchor or now, key=key, label=label)
    return cadence


# --------------------------------------------------------------------------- QPAG action tracker (seed 002 §8)

@transactional
def add_qpag_action(*, home: Home | None, meeting_on: date | None, text: str, owner_id: int | None,
                    due_on: date | None, by: User, now: datetime | None = None) -> QpagAction:
    """An improvement action QPAG agreed (§8.7): its obligation falls due on the agreed date."""
    now = now or utcnow()
    _require(by, QPAG_EDITORS, "record QPAG actions")
    today = london_date(now)
    if meeting_on is None:
        raise ServiceError("Enter the date of the QPAG meeting that agreed the action", "meeting_on")
    if meeting_on > today:
        raise ServiceError("The date of the meeting must be today or in the past", "meeting_on")
    if meeting_on < today - timedelta(days=366):
        raise ServiceError("The meeting must be in the last 12 months", "meeting_on")
    text = _text(text, "text", "Enter the action QPAG agreed")
    owners = {u.id: u for u in queries.qpag_owner_choices(home.id if home else None)}
    if owner_id is None or owner_id not in owners:
        raise ServiceError("Select who owns the action: a service manager, the head of service, or someone "
                           "assigned to the home", "owner_id")
    if due_on is None:
        raise ServiceError("Enter the date QPAG agreed it will be done by", "due_on")
    if due_on <= meeting_on:
        raise ServiceError("The action must be due after the meeting that agreed it", "due_on")
    if due_on > _ahead_limit(meeting_on):
        raise ServiceError(f"The due date must be within {AHEAD_YEARS} years of the meeting", "due_on")
    action = QpagAction(home_id=home.id if home else None, meeting_on=meeting_on, text=text, owner_id=owner_id,
                        due_on=due_on, status=ActionStatus.OPEN, created_by_id=by.id, created_at=now)
    db.session.add(action)
    db.session.flush()
    obligations.obligation_for_event(queries.QPAG_RULE, home, now, key=f"qpag-action:{action.id}", subject=action,
                                     label=text[:80], target=due_on)
    return action


@transactional
def complete_qpag_action(action: QpagAction, *, completed_on: date | None, by: User,
                         now: datetime | None = None) -> QpagAction:
    now = now or utcnow()
    _require(by, QPAG_EDITORS, "complete QPAG actions")
    completed_on = _completion_date(action.is_open, completed_on, now)
    if completed_on < action.meeting_on:
        raise ServiceError("The action cannot be completed before QPAG agreed it", "completed_on")
    action.status = ActionStatus.COMPLETED
    action.completed_on = completed_on
    db.session.flush()
    obligation = queries.qpag_obligation(action)
    if obligation is not None:
        obligations.discharge(obligation, record=action, met_at=min(london_day_end(completed_on), now))
    return action


@transactional
def escalate_qpag_action(action: QpagAction, *, escalated_on: date | None, note: str, by: User,
                         now: datetime | None = None) -> QpagAction:
    """The chair escalates an action not completed in the time QPAG agreed to CSLT (§8.8)."""
    now = now or utcnow()
    _require(by, QPAG_CHAIR, "escalate QPAG actions: the chair of QPAG does")
    today = london_date(now)
    if not queries.due_for_escalation(action, today):
        raise ServiceError("Only an open action past the date QPAG agreed, not yet escalated, can be escalated")
    if escalated_on is None:
        raise ServiceError("Enter the date it was escalated to CSLT", "escalated_on")
    if escalated_on > today:
        raise ServiceError("The date it was escalated must be today or in the past", "escalated_on")
    if escalated_on <= action.due_on:
        raise ServiceError("An action is escalated after the date QPAG agreed it would be done by", "escalated_on")
    action.escalated_on = escalated_on
    action.escalation_note = _text(note, "note", "Enter what was escalated to CSLT, and why")
    action.escalated_by_id = by.id
    return action


# --------------------------------------------------------------------------- the report file

REPORT_MAX_BYTES = 8 * 1024 * 1024


@transactional
def attach_report(inspection: Inspection, *, filename: str, data: bytes, storage: Path, by: User) -> Inspection:
    """Keep Ofsted's published report (a PDF, at most 8 MB) with the inspection; a new one
    replaces the old (the old file stays on disk: the audit trail names it)."""
    _require(by, EDITORS, "attach the report")
    name = secure_filename(filename or "")
    if not data:
        raise ServiceError("Choose the report file", "report")
    if len(data) > REPORT_MAX_BYTES:
        raise ServiceError(f"The file must be smaller than {REPORT_MAX_BYTES // (1024 * 1024)} MB", "report")
    if not data.startswith(b"%PDF-") or not name.lower().endswith(".pdf"):
        raise ServiceError("The report must be a PDF", "report")
    stored_as = f"{uuid.uuid4().hex}.pdf"
    storage.mkdir(parents=True, exist_ok=True)
    (storage / stored_as).write_bytes(data)
    inspection.report_filename = name[:200]
    inspection.report_stored_as = stored_as
    inspection.report_size = len(data)
    return inspection


# --------------------------------------------------------------------------- QA reviews (seed 002 §7.1, §8.5)

MAX_AREA = 200
MAX_REVIEW_HOMES = 200
QA_REVIEW_AHEAD_DAYS = 366  # a review is due within a year of being commissioned


@transactional
def commission_review(*, kind: str | None, area: str, home_ids: list[int], assignee_id: int | None,
                      due_on: date | None, by: User, now: datetime | None = None) -> QaReview:
    """The QA lead commissions a dip sample, thematic review or full audit: one `qa_review_complete`
    obligation per home, due on `due_on`. A dip sample meets the period's dip-sample request
    (§8.5)."""
    now = now or utcnow()
    _require(by, QA_COMMISSIONERS, "commission QA reviews: the QA lead (head of service) does")
    today = london_date(now)
    review_kind = qa_core.review_kind(kind or "")
    if review_kind is None:
        raise ServiceError("Select the kind of review", "kind")
    area = _text(area, "area", review_kind.missing_area, MAX_AREA)
    unique = sorted(set(home_ids))
    if not unique:
        raise ServiceError("Select at least one home", "home_ids")
    if len(unique) > MAX_REVIEW_HOMES:
        raise ServiceError(f"Select at most {MAX_REVIEW_HOMES} homes", "home_ids")
    homes = [db.session.get(Home, home_id) for home_id in unique]
    if any(home is None or not can_see_home(by, home.id) for home in homes):
        raise ServiceError("Select homes from the list", "home_ids")
    assignee = db.session.get(User, assignee_id) if assignee_id is not None else None
    if assignee is None or not assignee.active or assignee.role not in QA_ASSIGNEES:
        raise ServiceError("Select who will carry out the review: a service manager or the QA lead", "assignee_id")
    if due_on is None:
        raise ServiceError("Enter the date the review is due", "due_on")
    if due_on < today:
        raise ServiceError("The due date must be today or later", "due_on")
    if due_on > today + timedelta(days=QA_REVIEW_AHEAD_DAYS):
        raise ServiceError("The review must be due within a year", "due_on")
    review = QaReview(kind=review_kind.code, area=area, assignee_id=assignee.id, due_on=due_on,
                      status=QaReviewStatus.COMMISSIONED, commissioned_by_id=by.id, created_at=now,
                      homes=[QaReviewHome(home_id=home.id) for home in homes if home is not None])
    db.session.add(review)
    db.session.flush()
    for home in homes:
        assert home is not None
        obligations.obligation_for_event(queries.QA_REVIEW_RULE, home, now, key=queries.qa_review_key(review),
                                         subject=review, label=f"{review_kind.label}: {area}"[:120], target=due_on)
    if review_kind.code == qa_core.DIP_SAMPLE:
        request = obligations.obligation_for_period(queries.DIP_SAMPLE_RULE, None, today)
        if request is not None:
            obligations.discharge(request, record=review, met_at=now)
    if review_kind.code == qa_core.FULL_AUDIT:  # meets the new-manager prompts of the homes it covers
        for prompt in queries.full_audit_prompts([home.id for home in homes if home is not None]):
            obligations.discharge(prompt, record=review, met_at=now)
    return review


@transactional
def record_findings(review: QaReview, home_id: int, *, rag: str | None, findings: str, by: User) -> QaReviewHome:
    """The assignee's findings for one home of the review: red, amber or green, and the narrative."""
    if not can_record_findings(by, review):
        raise ServiceError("Only the person the review is assigned to records its findings")
    if not review.is_open:
        raise ServiceError("This review is completed: its findings are locked")
    row = next((h for h in review.homes if h.home_id == home_id), None)
    if row is None:
        raise ServiceError("This home is not part of the review")
    if rag not in tuple(Rag):
        raise ServiceError("Select red, amber or green", "rag")
    row.rag = rag
    row.findings = _text(findings, "findings", "Enter the findings for this home")
    row.recorded_by_id = by.id
    return row


@transactional
def complete_review(review: QaReview, *, completed_on: date | None, summary: str, by: User,
                    now: datetime | None = None) -> QaReview:
    """Every home has its findings: the review is completed and its obligations are met."""
    now = now or utcnow()
    if not can_record_findings(by, review):
        raise ServiceError("Only the person the review is assigned to completes it")
    if not review.is_open:
        raise ServiceError("This review is already completed")
    missing = [h.home.name for h in review.homes if not h.has_findings]
    if missing:
        raise ServiceError("Record the findings for every home first: " + ", ".join(missing), "completed_on")
    if completed_on is None:
        raise ServiceError("Enter the date the review was completed", "completed_on")
    if completed_on > london_date(now):
        raise ServiceError("The date it was completed must be today or in the past", "completed_on")
    if completed_on < london_date(review.created_at):
        raise ServiceError("The review cannot be completed before it was commissioned", "completed_on")
    if len(summary or "") > MAX_TEXT:
        raise ServiceError(f"This must be {MAX_TEXT} characters or fewer", "summary")
    review.status = QaReviewStatus.COMPLETED
    review.completed_on = completed_on
    review.summary = (summary or "").strip()
    db.session.flush()
    met_at = min(london_day_end(completed_on), now)
    for row in review.homes:
        obligation = queries.qa_review_obligation(review, row.home_id)
        if obligation is not None:
            obligations.discharge(obligation, record=review, met_at=met_at)
    return review


@transactional
def propose_review_action(review: QaReview, *, home_id: int | None, text: str, owner_id: int | None,
                          due_on: date | None, by: User, now: datetime | None = None) -> QaReviewAction:
    """The service manager proposes an action of the review's plan (after its findings, before QPAG agrees)."""
    now = now or utcnow()
    _require(by, QA_PLANNERS, "propose a review's action plan")
    if review.is_open:
        raise ServiceError("Complete the review before proposing its action plan")
    if review.plan_agreed_on is not None:
        raise ServiceError("QPAG has agreed this action plan: it is locked")
    if home_id not in {h.home_id for h in review.homes}:
        raise ServiceError("Select a home the review covered", "home_id")
    text = _text(text, "text", "Enter the action")
    owner = db.session.get(User, owner_id) if owner_id is not None else None
    if owner is None or not owner.active or not is_assigned(owner, home_id):
        raise ServiceError("The owner must be someone assigned to the home", "owner_id")
    today = london_date(now)
    if due_on is None:
        raise ServiceError("Enter the date the action is due", "due_on")
    if due_on < today:
        raise ServiceError("The due date must be today or later", "due_on")
    if due_on > _ahead_limit(today):
        raise ServiceError(f"The due date must be within {AHEAD_YEARS} years", "due_on")
    action = QaReviewAction(review_id=review.id, home_id=home_id, text=text, owner_id=owner.id, due_on=due_on,
                            status=ActionStatus.OPEN, proposed_by_id=by.id)
    db.session.add(action)
    return action


@transactional
def agree_review_plan(review: QaReview, *, agreed_on: date | None, by: User,
                      now: datetime | None = None) -> QaReview:
    """QPAG agreed the action plan (who recorded it and the meeting date are kept): each action
    becomes an `action_complete` obligation and joins the combined action list."""
    now = now or utcnow()
    _require(by, QPAG_EDITORS, "record what QPAG agreed")
    if review.plan_agreed_on is not None:
        raise ServiceError("QPAG has already agreed this action plan")
    if not review.actions:
        raise ServiceError("The action plan has no actions yet", "agreed_on")
    today = london_date(now)
    if agreed_on is None:
        raise ServiceError("Enter the date of the QPAG meeting that agreed the plan", "agreed_on")
    if agreed_on > today:
        raise ServiceError("The date of the meeting must be today or in the past", "agreed_on")
    if review.completed_on is not None and agreed_on < review.completed_on:
        raise ServiceError("QPAG cannot agree the plan before the review was completed", "agreed_on")
    review.plan_agreed_on = agreed_on
    review.plan_agreed_by_id = by.id
    db.session.flush()
    for action in review.actions:
        obligations.obligation_for_event(queries.ACTION_RULE, action.home, now, key=queries.qa_action_key(action),
                                         subject=action, label=f"QA review action {action.id}: {action.text[:80]}",
                                         target=action.due_on)
    return review


@transactional
def complete_review_action(action: QaReviewAction, *, completed_on: date | None, by: User,
                           now: datetime | None = None) -> QaReviewAction:
    now = now or utcnow()
    _require(by, EDITORS, "complete actions")
    if action.review.plan_agreed_on is None:
        raise ServiceError("QPAG has not agreed this action plan yet")
    completed_on = _completion_date(action.is_open, completed_on, now)
    if completed_on < action.review.plan_agreed_on:
        raise ServiceError("The action cannot be completed before QPAG agreed it", "completed_on")
    action.status = ActionStatus.COMPLETED
    action.completed_on = completed_on
    db.session.flush()
    obligation = queries.qa_action_obligation(action)
    if obligation is not None:
        obligations.discharge(obligation, record=action, met_at=min(london_day_end(completed_on), now))
    return action


# --------------------------------------------------------------------------- full audit on a new manager (seed 002 §7.1)

@transactional
def prompt_full_audit(assignment: Assignment, *, now: datetime | None = None) -> Obligation | None:
    """A registered manager assigned to a home that has, or had, another registered manager: the
    QA lead is prompted to commission a full audit of the home (rule `full_audit_new_manager`).
    The first manager of a new home prompts nothing; nor does anyone who is not a manager.
    Keyed by home and manager, so assigning the same manager again prompts once."""
    now = now or utcnow()
    user, home = assignment.user, assignment.home
    if user.role != Role.REGISTERED_MANAGER or not queries.had_other_manager(home.id, user.id):
        return None
    return obligations.obligation_for_event(queries.FULL_AUDIT_RULE, home, now, key=queries.full_audit_key(user),
                                            subject=assignment, label=f"new registered manager {user.name}"[:120])


def _on_assignment(assignment: Assignment, **_: object) -> None:
    prompt_full_audit(assignment)


assignment_made.connect(_on_assignment)


# --------------------------------------------------------------------------- notes and evidence on any action

MAX_NOTE = 2000
# An evidence file on a note: the certificate register's limit (5 MB, under the 10 MB request limit).
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILE_LABEL = "5 MB"
FILE_TYPES_LABEL = "a PDF, JPEG, PNG, Word or Excel document, CSV or text file"
UPLOAD_AREA = "actions"  # instance/uploads/actions/


@dataclass(frozen=True)
class NoteFile:
    """A file as the browser sent it: its name (kept only as a label) and its bytes (read at
    most one byte past the limit)."""

    filename: str
    data: bytes


def _check_file(upload: NoteFile | None, field: str) -> filetypes.FileKind | None:
    """Refuse a file that is empty, too big, or not one of the evidence kinds by its content."""
    if upload is None:
        return None
    if not upload.data:
        raise ServiceError("The selected file is empty", field)
    if len(upload.data) > MAX_FILE_BYTES:
        raise ServiceError(f"The selected file must be smaller than {MAX_FILE_LABEL}", field)
    kind = filetypes.sniff_document(upload.data, upload.filename)
    if kind is None:
        raise ServiceError(f"The selected file must be {FILE_TYPES_LABEL} (its contents are checked, "
                           "not its name)", field)
    return kind


def action_file_path(item: ActionFile) -> Path:
    return uploads.folder(UPLOAD_AREA) / item.stored_name


@transactional
def add_action_note(detail: queries.ActionDetail, *, text: str, by: User, upload: NoteFile | None = None,
                    now: datetime | None = None) -> ActionNote:
    """A progress note or the evidence of completion (what was done, where the evidence is kept)
    on one action of the combined list, with a file as evidence if one is given. `detail` comes
    from queries.action_detail for this user (home scope and the source's readers are checked
    there); here, who may write. The file is judged by its content and stored under a generated
    name; a refused file saves nothing, and a rolled-back note leaves no file behind."""
    now = now or utcnow()
    if not detail.may_add_note:
        raise ServiceError("You can read this action's notes but not add one")
    body = _text(text, "text", "Enter the note: the progress made or the evidence", MAX_NOTE)
    kind = _check_file(upload, "evidence")
    note = ActionNote(source=detail.source, action_id=detail.record.id, home_id=detail.home_id,
                      text=body, recorded_by_id=by.id, recorded_at=now)
    db.session.add(note)
    if upload is not None and kind is not None:
        stored_name = uploads.generated_name(kind.extension)
        item = ActionFile(note=note, home_id=detail.home_id, stored_name=stored_name, kind=kind.code,
                          original_name=uploads.display_name(upload.filename, f"evidence.{kind.extension}"),
                          size_bytes=len(upload.data), sha256=hashlib.sha256(upload.data).hexdigest(),
                          uploaded_by_id=by.id, uploaded_at=now)
        db.session.add(item)
        db.session.flush()  # the rows (and their audit events) first: a refused insert writes no file
        uploads.write_with_transaction(uploads.folder(UPLOAD_AREA) / stored_name, upload.data)
    return note
