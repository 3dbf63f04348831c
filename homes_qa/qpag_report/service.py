"""QPAG report writes: draft a month (facts drafted from the records), draft the facts again,
save the commentary, finalise (locks it and meets the `qpag_report_monthly` obligation of the
meeting that receives it), correct a final report (a new draft version with the reason).
"""
from __future__ import annotations

from datetime import datetime

from homes_qa.core import qpag as core
from homes_qa.core.calendar import london_date
from homes_qa.extensions import db
from homes_qa.qpag_report import queries
from homes_qa.qpag_report.models import SECTION_CODES, QpagReport, ReportStatus
from homes_qa.qpag_report.policy import can_write
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.people.models import User
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError, transactional

MAX_COMMENTARY = 20000
MAX_REASON = 2000
MIN_REASON = 10
# The commentary a report needs before it is finalised (the surveys' only in June and December).
REQUIRED = {
    "reviews": "Enter your commentary on the reviews and dip samples",
    "reg44": "Enter your summary of the Regulation 44 findings",
    "kpis": "Enter your review of the key performance indicators",
    "escalations": "Enter your commentary on the escalations",
    "surveys": "Enter your analysis of the surveys",
}


def _require_author(by: User) -> None:
    if not can_write(by.role):
        raise ServiceError("Only service managers and the head of service write the QPAG report")


def _require_draft(report: QpagReport) -> None:
    if not report.is_draft:
        raise ServiceError("This report is final and can no longer be changed; make a correction instead")


def sections_of(report: QpagReport) -> tuple[str, ...]:
    """The sections the report has: the surveys' only in a survey month (June, December)."""
    has_surveys = (report.facts or {}).get("surveys") is not None
    return tuple(code for code in SECTION_CODES if code != "surveys" or has_surveys)


@transactional
def start_draft(*, year: int | None, month: int | None, by: User, now: datetime | None = None) -> QpagReport:
    """A first draft for a month, drafted from its records; one report per month."""
    now = now or utcnow()
    _require_author(by)
    try:
        chosen = core.checked_month(year, month, london_date(now))
    except core.MonthError as error:
        raise ServiceError(error.message, error.field) from error
    existing = queries.latest(chosen.first)
    if existing is not None:
        state = "a draft" if existing.is_draft else "a final report"
        raise ServiceError(f"There is already {state} for {chosen.label}: open it from the list of reports",
                           "month")
    report = QpagReport(month=chosen.first, version=1, status=ReportStatus.DRAFT,
                        facts=queries.draft_facts(chosen, now), author_id=by.id, created_at=now, drafted_at=now)
    db.session.add(report)
    return report


@transactional
def redraft_facts(report: QpagReport, *, by: User, now: datetime | None = None) -> QpagReport:
    """Draft the facts again from the latest records (the commentary stays)."""
    now = now or utcnow()
    _require_author(by)
    _require_draft(report)
    report.facts = queries.draft_facts(core.month_of(report.month.year, report.month.month), now)
    report.drafted_at = now
    return report


@transactional
def save_commentary(report: QpagReport, *, by: User, **commentary: str | None) -> QpagReport:
    _require_author(by)
    _require_draft(report)
    for code in sections_of(report):
        if code not in commentary:
            continue
        value = (commentary[code] or "").strip()
        if len(value) > MAX_COMMENTARY:
            raise ServiceError(f"This must be {MAX_COMMENTARY} characters or fewer", code)
        setattr(report, f"{code}_commentary", value)
    return report


@transactional
def finalise(report: QpagReport, *, by: User, now: datetime | None = None) -> QpagReport:
    """Lock the report and meet the month's QPAG report obligation (the next meeting's)."""
    now = now or utcnow()
    _require_author(by)
    _require_draft(report)
    for code in sections_of(report):
        if not report.commentary(code).strip():
            raise ServiceError(f"{REQUIRED[code]} before finalising the report", code)
    if queries.latest(report.month) is not report:
        raise ServiceError("A later version of this report exists")
    report.status = ReportStatus.FINAL
    report.finalised_at = now
    report.finalised_by_id = by.id
    db.session.flush()
    meeting = core.meeting_month(core.month_of(report.month.year, report.month.month))
    obligation = obligations.obligation_for_period(queries.RULE, None, meeting.first)
    if obligation is not None:
        obligations.discharge(obligation, record=report, met_at=now)
    return report


@transactional
def correct(report: QpagReport, *, reason: str | None, by: User, now: datetime | None = None) -> QpagReport:
    """A new draft version of a final report, carrying its facts, commentary and the reason."""
    now = now or utcnow()
    _require_author(by)
    if report.is_draft:
        raise ServiceError("This report is still a draft: change it directly")
    if queries.latest(report.month) is not report:
        raise ServiceError("Only the latest version can be corrected")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ServiceError(f"Give the reason for the correction, in at least {MIN_REASON} characters", "reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(f"The reason must be {MAX_REASON} characters or fewer", "reason")
    version = QpagReport(month=report.month, version=report.version + 1, status=ReportStatus.DRAFT,
                         facts=dict(report.facts or {}), correction_reason=reason, author_id=by.id,
                         created_at=now, drafted_at=report.drafted_at,
                         **{f"{code}_commentary": report.commentary(code) for code in SECTION_CODES})
    db.session.add(version)
    return version
