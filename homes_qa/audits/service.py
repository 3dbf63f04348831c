"""Writes for monthly audits: start from the template's latest version, save answers as given,
grade, submit (locks; findings become actions, each an escalating obligation; the month's
audit obligation is discharged; inadequate schedules a re-audit; a re-audit that keeps or
lowers the grade escalates, seed 004)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from homes_qa.audits import policy
from homes_qa.audits.models import (
    Answer,
    AuditAnswer,
    AuditFinding,
    AuditStatus,
    Grade,
    HomeAudit,
    Priority,
)
from homes_qa.audits.templates import latest
from homes_qa.core.calendar import london_date
from homes_qa.extensions import db
from homes_qa.spine.access import is_assigned
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError, transactional

MAX_TEXT = 2000
MAX_LEARNING_POINTS = 3
MAX_ACTION_DAYS = 366
GRADE_ORDER = [Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE]


@dataclass(frozen=True)
class GivenAnswer:
    answer: str | None
    comment: str = ""
    action: str = ""
    owner_id: int | None = None
    due_on: date | None = None
    priority: str | None = None


@transactional
def start_audit(home: Home, template_code: str, *, by: User, now: datetime | None = None,
                reaudit_of: HomeAudit | None = None) -> HomeAudit:
    now = now or utcnow()
    template = latest(template_code)
    if template is None:
        raise ServiceError("There is no such audit")
    if by.role not in template.conducted_by:
        raise ServiceError(f"The {template.title.lower()} is done by someone else")
    period = f"{london_date(now):%Y-%m}"
    draft = db.session.scalar(select(HomeAudit).where(
        HomeAudit.home_id == home.id, HomeAudit.template_code == template.code,
        HomeAudit.status == AuditStatus.DRAFT))
    if draft is not None:
        raise ServiceError(f"There is already a {template.title.lower()} in progress for this home")
    audit = HomeAudit(home_id=home.id, template_code=template.code, template_version=template.version,
                      title=template.title, sections=template.to_snapshot(), period_key=period,
                      reaudit_of_id=reaudit_of.id if reaudit_of is not None else None, started_by_id=by.id)
    db.session.add(audit)
    return audit


def _check_draft(audit: HomeAudit, by: User, *, answering: bool = False) -> None:
    template = latest(audit.template_code)
    if audit.status != AuditStatus.DRAFT:
        raise ServiceError("This audit is submitted and can no longer be changed")
    allowed = policy.can_answer(by, audit.template_code) if answering else policy.can_conduct(by, audit.template_code)
    if template is None or not allowed:
        raise ServiceError("You cannot change this audit")


@transactional
def save_answers(audit: HomeAudit, given: dict[str, GivenAnswer], *, by: User, now: datetime | None = None) -> None:
    """Keep each answer as given (an incomplete audit saves too); bounds are checked here."""
    now = now or utcnow()
    _check_draft(audit, by, answering=True)
    codes = {q["code"] for q in audit.questions}
    existing = {a.question_code: a for a in audit.answers}
    for code, item in given.items():
        if code not in codes:
            continue
        if item.answer not in (None, *tuple(Answer)):
            raise ServiceError("Answer yes, no or not applicable", f"answer_{code}")
        for text, name in ((item.comment, "comment"), (item.action, "action")):
            if len(text or "") > MAX_TEXT:
                raise ServiceError(f"This must be {MAX_TEXT} characters or fewer", f"{name}_{code}")
        if item.priority not in (None, "", *tuple(Priority)):
            raise ServiceError("Select a priority", f"priority_{code}")
        if item.owner_id is not None:
            owner = db.session.get(User, item.owner_id)
            if owner is None or owner.role not in policy.OWNERS or not is_assigned(owner, audit.home_id):
                raise ServiceError("Choose the owner from the home's people", f"owner_{code}")
        if item.due_on is not None and not (london_date(now) <= item.due_on
                                            <= london_date(now) + timedelta(days=MAX_ACTION_DAYS)):
            raise ServiceError("The action's due date must be today or later, and within a year", f"due_{code}")
        row = existing.get(code)
        if row is None:
            row = AuditAnswer(audit=audit, home_id=audit.home_id, question_code=code)
            db.session.add(row)
        row.answer = item.answer
        row.comment = (item.comment or "").strip()
        row.action = (item.action or "").strip()
        row.owner_id = item.owner_id
        row.due_on = item.due_on
        row.priority = item.priority or None


@transactional
def save_grades(audit: HomeAudit, *, sections: dict[str, tuple[str | None, str]], overall: tuple[str | None, str],
                learning_points: list[str], by: User) -> None:
    _check_draft(audit, by)
    allowed = (None, "", *tuple(Grade))
    grades = {}
    for section in audit.sections:
        grade, evidence = sections.get(section["code"], (None, ""))
        if grade not in allowed:
            raise ServiceError("Select a grade", f"grade_{section['code']}")
        if len(evidence or "") > MAX_TEXT:
            raise ServiceError(f"The evidence must be {MAX_TEXT} characters or fewer", f"evidence_{section['code']}")
        grades[section["code"]] = {"grade": grade or None, "evidence": (evidence or "").strip()}
    grade, evidence = overall
    if grade not in allowed:
        raise ServiceError("Select a grade", "overall_grade")
    if len(evidence or "") > MAX_TEXT:
        raise ServiceError(f"The evidence must be {MAX_TEXT} characters or fewer", "overall_evidence")
    points = [p.strip() for p in learning_points if p and p.strip()]
    if len(points) > MAX_LEARNING_POINTS:
        raise ServiceError("Record at most three learning points", "learning_1")
    if any(len(p) > 500 for p in points):
        raise ServiceError("Each learning point must be 500 characters or fewer", "learning_1")
    audit.section_grades = grades
    audit.overall_grade = grade or None
    audit.overall_evidence = (evidence or "").strip()
    audit.learning_points = points


def missing(audit: HomeAudit, today: date) -> list[tuple[str, str]]:
    """What stops the audit being submitted: (anchor, message), in the order of the audit."""
    answers = {a.question_code: a for a in audit.answers}
    problems = []
    for number, question in enumerate(audit.questions, start=1):
        code = question["code"]
        row = answers.get(code)
        label = f"Question {number}"
        if row is None or row.answer is None:
            problems.append((f"answer_{code}", f"{label}: answer yes, no or not applicable"))
            continue
        if row.answer == Answer.NO:
            if not row.comment:
                problems.append((f"comment_{code}", f"{label}: say what was found (a “no” needs a comment)"))
            if not row.action:
                problems.append((f"action_{code}", f"{label}: enter the action for the “no”"))
            if row.owner_id is None:
                problems.append((f"owner_{code}", f"{label}: choose who owns the action"))
            if row.due_on is None or row.due_on < today:
                problems.append((f"due_{code}", f"{label}: give the action a due date, today or later"))
            if not row.priority:
                problems.append((f"priority_{code}", f"{label}: choose the action's priority"))
        elif row.answer == Answer.YES and question["needs_evidence"] and not row.comment:
            problems.append((f"comment_{code}", f"{label}: say what evidence you saw"))
    for section in audit.sections:
        grade = (audit.section_grades or {}).get(section["code"], {})
        if not grade.get("grade"):
            problems.append((f"grade_{section['code']}", f"{section['title']}: choose a grade"))
        elif not grade.get("evidence"):
            problems.append((f"evidence_{section['code']}", f"{section['title']}: give the evidence for the grade"))
    if not audit.overall_grade:
        problems.append(("overall_grade", "Overall: choose a grade"))
    elif not audit.overall_evidence:
        problems.append(("overall_evidence", "Overall: give the evidence for the grade"))
    return problems


def _worse_or_same(new: str, old: str | None) -> bool:
    return old is not None and GRADE_ORDER.index(Grade(new)) >= GRADE_ORDER.index(Grade(old))


@transactional
def submit(audit: HomeAudit, *, by: User, now: datetime | None = None) -> HomeAudit:
    now = now or utcnow()
    _check_draft(audit, by)
    problems = missing(audit, london_date(now))
    if problems:
        raise ServiceError(f"The audit is not complete: {len(problems)} "
                           f"{'thing is' if len(problems) == 1 else 'things are'} missing")
    home = audit.home
    audit.status = AuditStatus.SUBMITTED
    audit.submitted_at = now
    questions = {q["code"]: q["text"] for q in audit.questions}
    for row in audit.answers:
        if row.answer != Answer.NO:
            continue
        assert row.owner_id is not None and row.due_on is not None and row.priority is not None  # missing() checked
        finding = AuditFinding(audit=audit, home_id=audit.home_id, question_code=row.question_code,
                               question=questions[row.question_code], finding=row.comment, action=row.action,
                               owner_id=row.owner_id, due_on=row.due_on, priority=row.priority)
        db.session.add(finding)
        db.session.flush()
        made = obligations.obligation_for_event("action_complete", home, now, key=f"audit_finding:{finding.id}",
                                                subject=finding, label=f"{audit.title} action: {row.action[:80]}",
                                                target=row.due_on)
        finding.untracked = made is None
    template = latest(audit.template_code)
    if template is not None and audit.reaudit_of_id is None:
        month = date(int(audit.period_key[:4]), int(audit.period_key[5:7]), 1)
        monthly = obligations.obligation_for_period(template.rule_code, home, month)
        if monthly is not None:
            obligations.discharge(monthly, record=audit, met_at=now)
    assert audit.overall_grade is not None
    if audit.overall_grade == Grade.INADEQUATE:
        obligations.obligation_for_event("audit_reaudit", home, now, key=f"reaudit:{audit.id}", subject=audit,
                                         label=f"Re-audit: {audit.title} {audit.period_key}")
    if audit.reaudit_of_id is not None:
        original = db.session.get(HomeAudit, audit.reaudit_of_id)
        assert original is not None
        obligations.discharge_by_key("audit_reaudit", home, f"reaudit:{original.id}", record=audit, met_at=now)
        if audit.overall_grade in (Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE) and _worse_or_same(
                audit.overall_grade, original.overall_grade):
            # Seed 004: discussed within 5 working days with the service manager; a second
            # re-audit that still does not improve goes to the head of service.
            rule = "audit_reaudit_escalation_hos" if original.reaudit_of_id is not None else "audit_reaudit_escalation"
            obligations.obligation_for_event(rule, home, now, key=f"reaudit_escalation:{audit.id}", subject=audit,
                                             label=f"Re-audit did not improve: {audit.title}")
    return audit


__all__ = ["GivenAnswer", "missing", "policy", "save_answers", "save_grades", "start_audit", "submit"]
