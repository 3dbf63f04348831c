"""Writes for the certificate register and the fire log: each public function one unit of work.

- A certificate entry is a spine completion (it discharges the open obligation of its rule
  and sets the next one, floating from the date done) plus the register's own details.
- Evidence is judged from its bytes (core.filetypes), limited in size, stored under
  instance/uploads/ with a generated name and its sha256, and written in the audit trail.
- A fire log entry discharges the calendar obligation of the period its date falls in.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from homes_qa.checks import policy
from homes_qa.checks.catalogue import DEFAULT_TYPES
from homes_qa.checks.models import (
    FIRE_LOG_RULES,
    CertificateEntry,
    CheckType,
    DrillConditions,
    Evidence,
    FireLogEntry,
    FireLogKind,
    FireLogResult,
    HomeCheckSetting,
)
from homes_qa.core.calendar import london_date, london_day_end
from homes_qa.core.catalogue import RM_LADDER
from homes_qa.core.escalation import ladder_to_list
from homes_qa.core.filetypes import KINDS, sniff
from homes_qa.core.roles import Role
from homes_qa.core.timing import Timing
from homes_qa.extensions import db
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.rules.models import Rule, RuleScope
from homes_qa.spine.rules.service import sync_catalogue
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError, transactional

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # 5 MB: a scanned certificate; the request limit is 10 MB
MAX_UPLOAD_LABEL = "5 MB"
MAX_TEXT = 2000
MAX_CONTRACTOR = 200
MAX_CERTIFICATE_NUMBER = 100
MAX_CALL_POINT = 100
MAX_EVACUATION_SECONDS = 3600
# How far back a certificate or a log entry may be dated: a certificate may run 5 years (EICR).
OLDEST_YEARS = 6
MAX_INTERVAL_MONTHS = 120



@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it: its name (kept only as a label) and its bytes."""

    filename: str
    data: bytes


# ---------------------------------------------------------------- check types

@transactional
def sync_types() -> int:
    """Add the default check types (and any rule they need) missing from the table."""
    sync_catalogue()
    existing = set(db.session.scalars(select(CheckType.code)))
    added = 0
    for position, spec in enumerate(DEFAULT_TYPES):
        if spec.code not in existing:
            db.session.add(CheckType(code=spec.code, title=spec.title, rule_code=spec.rule_code,
                                     applies_by_default=spec.applies_by_default, applies_hint=spec.applies_hint,
                                     position=position))
            added += 1
    return added


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:40]


@transactional
def add_check_type(*, title: str, interval_months: int | None, source: str, applies_by_default: bool,
                   applies_hint: str, by: User) -> CheckType:
    """An administrator adds a check type: its rule (floating from the date done) and the type."""
    if by.role not in policy.TYPE_EDITORS:
        raise ServiceError("Only an administrator can add a type of check")
    title = (title or "").strip()
    source = (source or "").strip()
    if not title:
        raise ServiceError("Enter the name of the check", "title")
    if len(title) > 150:
        raise ServiceError("The name must be 150 characters or fewer", "title")
    if interval_months is None or not 1 <= interval_months <= MAX_INTERVAL_MONTHS:
        raise ServiceError(f"How often must be a whole number of months from 1 to {MAX_INTERVAL_MONTHS}",
                           "interval_months")
    if len(source) < 3:
        raise ServiceError("Enter where the interval comes from (a regulation, standard or guidance)", "source")
    if len(source) > 500:
        raise ServiceError("The source must be 500 characters or fewer", "source")
    sync_types()
    slug = _slug(title)
    if not slug:
        raise ServiceError("The name must contain letters or numbers", "title")
    code = f"custom_{slug}"
    taken = db.session.scalar(select(CheckType.id).where(CheckType.code == code)) is not None
    if taken or db.session.scalar(select(Rule.id).where(Rule.code == code)) is not None:
        raise ServiceError("There is already a check with this name", "title")
    db.session.add(Rule(code=code, title=title, area="statutory_checks", trigger="last_completed",
                        scope=RuleScope.HOME, timing=Timing("floating", interval_months, "months").to_dict(),
                        responsible_role=Role.REGISTERED_MANAGER, ladder=ladder_to_list(RM_LADDER),
                        source=source, verify=False, notes="Added by an administrator for the certificate register."))
    check_type = CheckType(code=code, title=title, rule_code=code, applies_by_default=applies_by_default,
                           applies_hint=(applies_hint or "").strip()[:500], position=1000)
    db.session.add(check_type)
    return check_type


# ---------------------------------------------------------------- which checks apply

def applies_at(check_type: CheckType, home: Home) -> bool:
    setting = db.session.scalar(select(HomeCheckSetting).where(
        HomeCheckSetting.home_id == home.id, HomeCheckSetting.check_type_id == check_type.id))
    return check_type.applies_by_default if setting is None else setting.applies


@transactional
def set_applies(home: Home, check_type: CheckType, *, applies: bool | None, reason: str, by: User,
                ) -> HomeCheckSetting:
    """Say whether a check applies at a home. Not applying waives its open obligations."""
    if by.role not in policy.APPLICABILITY:
        raise ServiceError("Only a service manager or above can change which checks apply")
    if applies is None:
        raise ServiceError("Select whether this check applies at the home", "applies")
    reason = (reason or "").strip()
    if not applies and len(reason) < 5:
        raise ServiceError("Say why this check does not apply, for example 'No gas supply'", "reason")
    if len(reason) > 500:
        raise ServiceError("The reason must be 500 characters or fewer", "reason")
    setting = db.session.scalar(select(HomeCheckSetting).where(
        HomeCheckSetting.home_id == home.id, HomeCheckSetting.check_type_id == check_type.id))
    if setting is None:
        setting = HomeCheckSetting(home_id=home.id, check_type=check_type, changed_by_id=by.id)
        db.session.add(setting)
    setting.applies = applies
    setting.reason = reason
    setting.changed_by_id = by.id
    if not applies:
        for obligation in db.session.scalars(select(Obligation).where(
                Obligation.home_id == home.id, Obligation.rule_code == check_type.rule_code,
                Obligation.status == ObligationStatus.OPEN)):
            obligations.waive(obligation, reason=f"Does not apply at {home.name}: {reason}", by=by)
    return setting


# ---------------------------------------------------------------- certificate entries and evidence

def _check_upload(upload: Upload | None, field: str) -> None:
    """Refuse a file that is too big or is not a PDF, JPEG or PNG by its content."""
    if upload is None:
        return
    if not upload.data:
        raise ServiceError("The selected file is empty", field)
    if len(upload.data) > MAX_UPLOAD_BYTES:
        raise ServiceError(f"The selected file must be smaller than {MAX_UPLOAD_LABEL}", field)
    if sniff(upload.data) is None:
        raise ServiceError("The selected file must be a PDF, JPEG or PNG (its contents are checked, "
                           "not its name)", field)


def _upload_folder() -> Path:
    folder = Path(current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_path(evidence: Evidence) -> Path:
    return _upload_folder() / evidence.stored_name


_WRITTEN = "homes_qa.checks.written_files"


@event.listens_for(Session, "after_commit")
def _keep_written_files(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_soft_rollback")
def _remove_written_files(session: Session, previous_transaction) -> None:
    """A file is written after its row is flushed, but the commit can still fail after that: the
    rollback of the whole transaction removes the files it wrote, so no file outlives its row."""
    if previous_transaction.parent is not None or previous_transaction.nested:
        return
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)


def _store(entry: CertificateEntry, upload: Upload, by: User) -> Evidence:
    kind = sniff(upload.data)
    assert kind is not None  # _check_upload ran first
    stored_name = f"{secrets.token_hex(16)}.{kind.extension}"
    original = Path((upload.filename or "").replace("\\", "/")).name.strip()[:255] or f"evidence.{kind.extension}"
    evidence = Evidence(home_id=entry.home_id, entry=entry, original_name=original, stored_name=stored_name,
                        kind=kind.code, size_bytes=len(upload.data),
                        sha256=hashlib.sha256(upload.data).hexdigest(), uploaded_by_id=by.id)
    db.session.add(evidence)
    db.session.flush()  # the row (and its audit event) first: a refused insert writes no file
    path = _upload_folder() / stored_name
    db.session.info.setdefault(_WRITTEN, []).append(path)  # removed again if the transaction rolls back
    path.write_bytes(upload.data)
    return evidence


def _text(value: str | None, limit: int, field: str, label: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ServiceError(f"{label} must be {limit} characters or fewer", field)
    return value


def _bounded_date(done_on: date | None, now: datetime, field: str, what: str) -> date:
    if done_on is None:
        raise ServiceError(f"Enter the date {what}", field)
    today = london_date(now)
    if done_on > today:
        raise ServiceError(f"The date {what} must be today or in the past", field)
    if done_on < today - timedelta(days=366 * OLDEST_YEARS):
        raise ServiceError(f"The date {what} must be within the last {OLDEST_YEARS} years", field)
    return done_on


@transactional
def record_certificate(home: Home, check_type: CheckType, *, done_on: date | None, contractor: str,
                       certificate_number: str, note: str, upload: Upload | None, by: User,
                       now: datetime | None = None) -> CertificateEntry:
    """Record a certificate or check: discharges the open obligation and sets the next due date."""
    now = now or utcnow()
    if by.role not in policy.RECORDERS:
        raise ServiceError("You cannot record certificates")
    if not applies_at(check_type, home):
        raise ServiceError(f"{check_type.title} does not apply at {home.name}")
    done_on = _bounded_date(done_on, now, "done_on", "it was done")
    contractor = _text(contractor, MAX_CONTRACTOR, "contractor", "The contractor")
    if not contractor:
        raise ServiceError("Enter who did the check (the contractor or competent person)", "contractor")
    number = _text(certificate_number, MAX_CERTIFICATE_NUMBER, "certificate_number", "The certificate number")
    note = _text(note, MAX_TEXT, "note", "The note")
    _check_upload(upload, "evidence")
    open_one = db.session.scalar(select(Obligation).where(
        Obligation.home_id == home.id, Obligation.rule_code == check_type.rule_code,
        Obligation.status == ObligationStatus.OPEN).order_by(Obligation.due_at).limit(1))
    completion = obligations.record_completion(rule_code=check_type.rule_code, home=home, done_on=done_on,
                                               note=note, by=by, obligation=open_one, now=now)
    db.session.flush()
    next_open = db.session.scalar(select(Obligation).where(
        Obligation.home_id == home.id, Obligation.rule_code == check_type.rule_code,
        Obligation.status == ObligationStatus.OPEN).order_by(Obligation.due_at.desc()).limit(1))
    entry = CertificateEntry(home_id=home.id, check_type=check_type, completion_id=completion.id, done_on=done_on,
                             next_due_on=london_date(next_open.due_at) if next_open is not None else None,
                             contractor=contractor, certificate_number=number, note=note, recorded_by_id=by.id)
    db.session.add(entry)
    db.session.flush()
    if upload is not None:
        _store(entry, upload, by)
    return entry


@transactional
def add_evidence(entry: CertificateEntry, *, upload: Upload | None, by: User) -> Evidence:
    if by.role not in policy.RECORDERS:
        raise ServiceError("You cannot add evidence")
    if upload is None:
        raise ServiceError("Select a file", "evidence")
    _check_upload(upload, "evidence")
    return _store(entry, upload, by)


# ---------------------------------------------------------------- the fire log

@transactional
def log_fire_entry(home: Home, *, kind: str, done_on: date | None, result: str | None, call_point: str = "",
                   conditions: str | None = None, evacuation_seconds: int | None = None,
                   participants: str = "", deficiencies: str = "", remedy: str = "", by: User,
                   now: datetime | None = None) -> FireLogEntry:
    """A fire alarm test, drill or emergency lighting check, with any deficiencies and the
    remedy; it discharges the obligation of the week, quarter or month it falls in."""
    now = now or utcnow()
    if by.role not in policy.FIRE_LOGGERS:
        raise ServiceError("You cannot record fire log entries")
    if kind not in FIRE_LOG_RULES:
        raise ServiceError("Unknown kind of fire log entry")
    done_on = _bounded_date(done_on, now, "done_on", "of the test")
    if result not in tuple(FireLogResult):
        raise ServiceError("Select the result", "result")
    call_point = _text(call_point, MAX_CALL_POINT, "call_point", "The call point")
    participants = _text(participants, MAX_TEXT, "participants", "Who took part")
    deficiencies = _text(deficiencies, MAX_TEXT, "deficiencies", "The faults or problems")
    remedy = _text(remedy, MAX_TEXT, "remedy", "The steps taken")
    if kind == FireLogKind.ALARM_TEST and not call_point:
        raise ServiceError("Enter which call point was tested", "call_point")
    if kind == FireLogKind.DRILL:
        if conditions not in tuple(DrillConditions):
            raise ServiceError("Select whether the drill was by day or at night", "conditions")
        if evacuation_seconds is None or not 1 <= evacuation_seconds <= MAX_EVACUATION_SECONDS:
            raise ServiceError(f"Time to evacuate must be a whole number of seconds from 1 to "
                               f"{MAX_EVACUATION_SECONDS}", "evacuation_seconds")
        if not participants:
            raise ServiceError("Enter who took part in the drill", "participants")
    else:
        conditions, evacuation_seconds = None, None
    if result == FireLogResult.FAULTS:
        if not deficiencies:
            raise ServiceError("Describe the faults or problems found", "deficiencies")
        if not remedy:
            raise ServiceError("Enter the steps taken to remedy them (Schedule 4 asks for both)", "remedy")
    entry = FireLogEntry(home_id=home.id, kind=kind, done_on=done_on, result=result, call_point=call_point,
                         conditions=conditions, evacuation_seconds=evacuation_seconds, participants=participants,
                         deficiencies=deficiencies, remedy=remedy, recorded_by_id=by.id)
    db.session.add(entry)
    db.session.flush()
    obligation = obligations.obligation_for_period(FIRE_LOG_RULES[FireLogKind(kind)], home, done_on)
    if obligation is not None:
        obligations.discharge(obligation, record=entry, met_at=min(london_day_end(done_on), now))
    return entry


__all__ = ["KINDS", "MAX_UPLOAD_BYTES", "Upload", "add_check_type", "add_evidence", "applies_at",
           "log_fire_entry", "record_certificate", "set_applies", "sync_types", "upload_path"]
