"""Reads for monthly audits, scoped by home."""
from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from homes_qa.audits.models import AuditStatus, HomeAudit
from homes_qa.audits.policy import OWNERS, can_read
from homes_qa.audits.templates import latest_templates
from homes_qa.extensions import db
from homes_qa.spine.access import can_see_home
from homes_qa.spine.people.models import Assignment, Home, User


def audits_for(home: Home, user: User, limit: int = 50) -> list[HomeAudit]:
    stmt = select(HomeAudit).where(HomeAudit.home_id == home.id)
    readable = [code for code in {a.code for a in latest_templates()} if can_read(user, code)]
    if len(readable) < len(latest_templates()):
        stmt = stmt.where(HomeAudit.template_code.in_(readable))
    return list(db.session.scalars(stmt.order_by(HomeAudit.started_at.desc(), HomeAudit.id.desc()).limit(limit)))


def audit_or_404(audit_id: int, user: User) -> HomeAudit:
    audit = db.session.scalar(select(HomeAudit).where(HomeAudit.id == audit_id)
                              .options(selectinload(HomeAudit.answers), selectinload(HomeAudit.findings)))
    if audit is None or not can_see_home(user, audit.home_id) or not can_read(user, audit.template_code):
        abort(404)
    return audit


def home_people(home_id: int) -> list[User]:
    """Who may own an action: the home's staff and managers assigned to it (not the visitor)."""
    return list(db.session.scalars(select(User).join(Assignment, Assignment.user_id == User.id)
                                   .where(Assignment.home_id == home_id, User.active.is_(True),
                                          User.role.in_(OWNERS)).order_by(User.name)))


def is_draft(audit: HomeAudit) -> bool:
    return audit.status == AuditStatus.DRAFT
