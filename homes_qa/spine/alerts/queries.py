"""Which alerts a person sees: "for me" (my role's) and "my homes" (everything in my homes).

Only the highest level raised per obligation is listed ("for me": the highest aimed at my
role), and only while the obligation is open. Each list is one query; the header count is
one COUNT. "My homes" reads the alert each open obligation is listed by from its marker
(`Alert.listing`, `Alert.listed_due_at`, kept on every flush): a head of service's list and
count are reads of one index, not a ranking of every open alert of the estate (issue 13).
"""
from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from homes_qa.core.roles import HOME_STAFF, Role
from homes_qa.extensions import db
from homes_qa.spine.access import obligation_visible_clause, visible_home_ids_query
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.obligations.queries import ORGANISATION_ROLES, can_see_obligation
from homes_qa.spine.people.models import User

_T = TypeVar("_T")  # what a statement selects: Alert for the lists, a count for the badge

LIST_LIMIT = 200  # rows per list: the most urgent first
PAGE_SIZE = 25  # rows per page of the alerts page's lists (issue 13: render what is read)
MAX_PAGE = 10_000
ACKNOWLEDGE_ANY_ROLES = (Role.HEAD_OF_SERVICE, Role.ADMIN)


def _in_scope(stmt: Select[_T], user: User, *, for_me: bool) -> Select[_T]:
    stmt = stmt.where(obligation_visible_clause(user))
    if user.sees_all_homes:
        return stmt
    # By the alert's own home (its obligation's, copied when raised): read through the alerts'
    # home index, a person's few homes are a few seeks, not a scan of every alert (issue 13).
    homes = Alert.home_id.in_(visible_home_ids_query(user))
    if for_me or user.role in ORGANISATION_ROLES:
        # Whole-service obligations: mine when aimed at my role, and seen by service managers.
        return stmt.where(or_(homes, Alert.home_id.is_(None)))
    return stmt.where(homes)


# The other alerts of the same obligation, for "the highest level raised". One alias for the
# process, not one per call: a fresh aliased(Alert) builds the proxy of every column of the table
# again the first time one is used (≈ 1 ms of CPU per statement; the header badge runs one on every
# page). An alias holds no state of its own, so sharing it changes neither the SQL nor the cached
# compiled form.
_OTHER = aliased(Alert, name="other_alert")


def _for_me(stmt: Select[_T], user: User) -> Select[_T]:
    highest_for_role = (select(func.max(_OTHER.level))
                        .where(_OTHER.obligation_id == Alert.obligation_id, _OTHER.target_role == user.role)
                        .scalar_subquery())
    stmt = stmt.join(Alert.obligation).where(Obligation.status == ObligationStatus.OPEN,
                                             Alert.target_role == user.role, Alert.level == highest_for_role)
    return _in_scope(stmt, user, for_me=True)


def _my_homes(stmt: Select[_T], user: User) -> Select[_T]:
    stmt = stmt.where(Alert.listing.is_not(None))  # the highest level of an open obligation
    if user.role in HOME_STAFF:
        # Their visibility is the obligation's (obligation_visible_clause); everyone else's count
        # reads the alerts' index alone, with no join to every open obligation.
        stmt = stmt.join(Alert.obligation)
    return _in_scope(stmt, user, for_me=False)


# Unacknowledged first, then the most urgent (earliest due): "For me" through the join to the
# obligation; "My homes" by its marker, which is the same order, as its index holds it.
_FOR_ME_ORDER = (Alert.acknowledged_at.is_not(None), Obligation.due_at, Alert.id)
_MY_HOMES_ORDER = (Alert.listing, Alert.listed_due_at, Alert.id)


def _listed(stmt: Select[Alert], order: tuple[Any, ...], *, page: int = 1, per_page: int = LIST_LIMIT) -> list[Alert]:
    page = min(max(page, 1), MAX_PAGE)
    stmt = (stmt.options(joinedload(Alert.obligation).joinedload(Obligation.home),
                         selectinload(Alert.acknowledged_by))
            .order_by(*order)
            .limit(per_page).offset((page - 1) * per_page))
    return list(db.session.scalars(stmt).unique())


def alerts_for_me(user: User, *, page: int = 1, per_page: int = LIST_LIMIT) -> list[Alert]:
    return _listed(_for_me(select(Alert), user), _FOR_ME_ORDER, page=page, per_page=per_page)


def alerts_in_my_homes(user: User, *, page: int = 1, per_page: int = LIST_LIMIT) -> list[Alert]:
    return _listed(_my_homes(select(Alert), user), _MY_HOMES_ORDER, page=page, per_page=per_page)


def count_for_me(user: User) -> int:
    """How many rows "For me" has in all (for its pages): one COUNT."""
    return db.session.scalar(_for_me(select(func.count(Alert.id)).select_from(Alert), user)) or 0


def count_in_my_homes(user: User) -> int:
    """How many rows "My homes" has in all (for its pages): one COUNT."""
    return db.session.scalar(_my_homes(select(func.count(Alert.id)).select_from(Alert), user)) or 0


def unacknowledged_for_me_count(user: User) -> int:
    """The header badge: one COUNT."""
    stmt = _for_me(select(func.count(Alert.id)).select_from(Alert), user).where(Alert.acknowledged_at.is_(None))
    return db.session.scalar(stmt) or 0


def is_listed_for_me(alert: Alert, user: User) -> bool:
    """Whether the alert is a row of the user's "For me" list (for swapping its copy)."""
    if alert.target_role != user.role or not alert.obligation.is_open:
        return False
    return alert.level == max(a.level for a in alert.obligation.alerts if a.target_role == user.role)


def is_listed_in_my_homes(alert: Alert) -> bool:
    return alert.obligation.is_open and alert.level == max(a.level for a in alert.obligation.alerts)


def can_see_alert(user: User, alert: Alert) -> bool:
    if alert.home_id is None and alert.target_role == user.role:
        return True  # a whole-service alert aimed at my role is mine to see
    return can_see_obligation(user, alert.obligation)


def can_acknowledge(user: User, alert: Alert) -> bool:
    return user.role == alert.target_role or user.role in ACKNOWLEDGE_ANY_ROLES
