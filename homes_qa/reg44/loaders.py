"""Loading Reg 44 records for a route: home-scoped, and 404 (never 403) outside the user's scope."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from homes_qa.extensions import db
from homes_qa.feedback.service import visit_hidden_from_home_staff
from homes_qa.reg44.models import Reg44Visit
from homes_qa.spine.access import can_see_home
from homes_qa.spine.people.models import Role


def visit_or_404(visit_id: int) -> Reg44Visit:
    visit = db.session.get(Reg44Visit, visit_id)
    if visit is None or not can_see_home(current_user, visit.home_id):
        abort(404)
    if current_user.role == Role.REGISTERED_MANAGER and visit_hidden_from_home_staff(visit):
        abort(404)
    return visit
