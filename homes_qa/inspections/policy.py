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
from homes_qa.inspections.models import Inspection, InspectionItem, MonitoringReview, QpagAction
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
