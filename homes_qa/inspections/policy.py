"""Who may read and record Ofsted inspections, their actions and the monitoring reviews.

Inspection reports are public, so everyone working with the home reads them; the home's
manager, its service manager and the head of service / QA lead record them. Monitoring reviews
are the Head of QA's (head of service role), with the manager and service manager recording
progress (domain.md, "Who uses it").
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.inspections.models import (
    Inspection,
    InspectionItem,
    MonitoringReview,
    QaReview,
    QaReviewAction,
    QpagAction,
)
from homes_qa.spine.access import can_see_home

READERS = (Role.REGISTERED_MANAGER, Role.REG44_VISITOR, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
EDITORS = (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
REVIEWERS = (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)


def can_edit(role: str) -> bool:
    return role in EDITORS


def can_review(role: str) -> bool:
    return role in REVIEWERS


def inspection_or_404(inspection_id: int) -> Inspection:
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None or not can_see_home(current_user, inspection.home_id):
        abort(404)
    return inspection


def item_or_404(item_id: int) -> InspectionItem:
    item = db.session.get(InspectionItem, item_id)
    if item is None or not can_see_home(current_user, item.home_id):
        abort(404)
    return item


def review_or_404(review_id: int) -> MonitoringReview:
    review = db.session.get(MonitoringReview, review_id)
    if review is None or not can_see_home(current_user, review.home_id):
        abort(404)
    return review


# ---------------------------------------------------------------- QPAG action tracker (seed 002 §8)

# Service managers prepare QPAG's report and record what it agrees; the head of service chairs.
QPAG_READERS = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
QPAG_EDITORS = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
QPAG_CHAIR = (Role.HEAD_OF_SERVICE,)


def can_see_qpag_action(user, action: QpagAction) -> bool:
    """Service-wide actions to every QPAG reader; a home's action to those who see the home."""
    return action.home_id is None or can_see_home(user, action.home_id)


def qpag_action_or_404(action_id: int) -> QpagAction:
    action = db.session.get(QpagAction, action_id)
    if action is None or not can_see_qpag_action(current_user, action):
        abort(404)
    return action


# ---------------------------------------------------------------- QA reviews (seed 002 §7.1, §8.5)

# The QA lead (head of service) commissions dip samples, thematic reviews and full audits; the
# assignee (a service manager or the QA lead) records findings; the service manager proposes the
# action plan; QPAG's agreement is recorded by its chair or a service manager (QPAG_EDITORS).
QA_REVIEW_READERS = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
QA_COMMISSIONERS = (Role.HEAD_OF_SERVICE,)
QA_ASSIGNEES = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
QA_PLANNERS = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)


def can_see_qa_review(user, review: QaReview) -> bool:
    """Its assignee, and anyone who sees one of the homes it covers."""
    return review.assignee_id == user.id or any(can_see_home(user, h.home_id) for h in review.homes)


def can_record_findings(user, review: QaReview) -> bool:
    return review.assignee_id == user.id or user.role in QA_COMMISSIONERS


def qa_review_or_404(review_id: int) -> QaReview:
    review = db.session.get(QaReview, review_id)
    if review is None or current_user.role not in QA_REVIEW_READERS or not can_see_qa_review(current_user, review):
        abort(404)
    return review


def qa_review_action_or_404(action_id: int) -> QaReviewAction:
    action = db.session.get(QaReviewAction, action_id)
    if action is None or not can_see_home(current_user, action.home_id):
        abort(404)
    return action
