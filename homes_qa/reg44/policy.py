"""Who may see or change Regulation 44 records.

Reg 44(3): the independent person's visits may be unannounced, so home staff never learn of a
visit before it is recorded unless it was announced; a cancelled plan is not theirs to see
either. This module is the one place that rule is written, as a Python test
(`hidden_from_home_staff`) and as SQL (`visible_to_home_staff_clause`); every page, list,
count, e-mail and feed asks one of them.
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, or_, select, true

from homes_qa.core.roles import CHECKERS, HOME_STAFF, SEES_ALL_HOMES, Role
from homes_qa.extensions import db
from homes_qa.reg44.models import Reg44Report, Reg44Visit, VisitStatus
from homes_qa.spine.access import is_assigned, viewer_home_ids, visible_home_ids_query
from homes_qa.spine.people.models import User


def hidden_from_home_staff(visit: Reg44Visit) -> bool:
    """True while home staff must not know of this visit (reg 44(3))."""
    if visit.status == VisitStatus.RECORDED:
        return False
    return not (visit.status == VisitStatus.PLANNED and visit.announced)


def visible_to_home_staff_clause() -> ColumnElement[bool]:
    """`hidden_from_home_staff`, negated, as a WHERE clause on Reg44Visit."""
    return or_(Reg44Visit.status == VisitStatus.RECORDED,
               (Reg44Visit.status == VisitStatus.PLANNED) & Reg44Visit.announced.is_(True))


def can_view_visit(user: User, visit: Reg44Visit) -> bool:
    """Scoped to the home; home staff never see an unannounced visit before it is recorded."""
    if not user.sees_all_homes and not is_assigned(user, visit.home_id):
        return False
    return not (user.role in HOME_STAFF and hidden_from_home_staff(visit))


def visit_or_404(visit_id: int) -> Reg44Visit:
    """The visit if the signed-in user may see it; otherwise 404 (never 403: URLs reveal nothing)."""
    visit = db.session.get(Reg44Visit, visit_id)
    if visit is None or not can_view_visit(current_user, visit):
        abort(404)
    return visit


def can_edit_visit(user: User, visit: Reg44Visit) -> bool:
    """Only the visit's own visitor, while still assigned to the home."""
    return (user.role == Role.REG44_VISITOR and visit.visitor_id == user.id
            and can_view_visit(user, visit))


def can_plan_at(user: User, home_id: int) -> bool:
    """A visitor plans and records visits only for homes they are assigned to (reg 43)."""
    return user.role == Role.REG44_VISITOR and is_assigned(user, home_id)


def visible_visits(user: User, home_ids: list[int] | None = None) -> Select[Reg44Visit]:
    """A select of the visits the user may see (optionally in the given homes)."""
    stmt = select(Reg44Visit).where(visible_to_home_staff_clause() if user.role in HOME_STAFF else true())
    if not user.sees_all_homes:
        stmt = stmt.where(Reg44Visit.home_id.in_(visible_home_ids_query(user)))
    if home_ids is not None:
        stmt = stmt.where(Reg44Visit.home_id.in_(home_ids))
    return stmt


def visits_visible_to(role: str) -> Select[Reg44Visit]:
    """`visible_visits` for anyone of the role, the person bound as `access.viewer(user)` when the
    statement is run: for statements built once per role rather than once per request."""
    stmt = select(Reg44Visit).where(visible_to_home_staff_clause() if role in HOME_STAFF else true())
    if role not in SEES_ALL_HOMES:
        stmt = stmt.where(Reg44Visit.home_id.in_(viewer_home_ids()))
    return stmt


def can_read_report(user: User, visit: Reg44Visit, report: Reg44Report) -> bool:
    """Submitted versions: anyone who can see the visit. A draft: only its visitor."""
    if not can_view_visit(user, visit):
        return False
    return report.is_locked or can_edit_visit(user, visit)


def can_check(user: User) -> bool:
    return user.role in CHECKERS


def can_distribute(user: User, visit: Reg44Visit) -> bool:
    return can_check(user) or can_edit_visit(user, visit)
