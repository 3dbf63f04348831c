"""Which alerts a person sees: "for me" (my role's) and "my homes" (everything in my homes).

Only the highest level raised per obligation is listed ("for me": the highest aimed at my
role), and only while the obligation is open. Each list is one query; the header count is
one COUNT. Each list reads the alert each open obligation is listed by from its marker
(`Alert.listing` for "my homes", `Alert.role_listing` for "for me", with `Alert.listed_due_at`,
kept on every flush): a head of service's lists and counts are reads of an index, not a ranking
of every open alert of the estate (issue 13).
"""
from __future__ import annotations

from functools import lru_cache
from typing import TypeVar

from sqlalchemy import Integer, Select, bindparam, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from homes_qa.core.roles import HOME_STAFF, SEES_ALL_HOMES, Role
from homes_qa.extensions import db
from homes_qa.spine.access import obligation_visible_to_role, viewer, viewer_home_ids
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.obligations.queries import ORGANISATION_ROLES, can_see_obligation
from homes_qa.spine.people.models import User

_T = TypeVar("_T")  # what a statement selects: Alert for the lists, a count for the badge

LIST_LIMIT = 200  # rows per list: the most urgent first
PAGE_SIZE = 25  # rows per page of the alerts page's lists (issue 13: render what is read)
MAX_PAGE = 10_000
ACKNOWLEDGE_ANY_ROLES = (Role.HEAD_OF_SERVICE, Role.ADMIN)


def _in_scope(stmt: Select[_T], role: str, *, for_me: bool) -> Select[_T]:
    stmt = stmt.where(obligation_visible_to_role(role))
    if role in SEES_ALL_HOMES:
        return stmt
    # By the alert's own home (its obligation's, copied when raised): read through the alerts'
    # home index, a person's few homes are a few seeks, not a scan of every alert (issue 13).
    homes = Alert.home_id.in_(viewer_home_ids())
    if for_me or role in ORGANISATION_ROLES:
        # Whole-service obligations: mine when aimed at my role, and seen by service managers.
        return stmt.where(or_(homes, Alert.home_id.is_(None)))
    return stmt.where(homes)


def _for_me(stmt: Select[_T], role: str) -> Select[_T]:
    # The highest alert aimed at my role of each open obligation, by its marker (`role_listing`):
    # no max(level) per alert, no join to every open obligation (issue 13).
    stmt = stmt.where(Alert.target_role == role, Alert.role_listing.is_not(None))
    if role in HOME_STAFF:  # their visibility is the obligation's (obligation_visible_to_role)
        stmt = stmt.join(Alert.obligation)
    return _in_scope(stmt, role, for_me=True)


def _my_homes(stmt: Select[_T], role: str) -> Select[_T]:
    stmt = stmt.where(Alert.listing.is_not(None))  # the highest level of an open obligation
    if role in HOME_STAFF:
        # Their visibility is the obligation's (obligation_visible_to_role); everyone else's count
        # reads the alerts' index alone, with no join to every open obligation.
        stmt = stmt.join(Alert.obligation)
    return _in_scope(stmt, role, for_me=False)


# Unacknowledged first, then the most urgent (earliest due), then the alert: each list by its
# marker, in the order its index holds it. For someone with a few homes "For me" is the same
# order said without the marker's index (acknowledged is `role_listing` 1): their homes' alerts
# are a seek each, then sorted, and given the index's order SQLite walked every alert of the
# role in the estate to save that sort (a registered manager's at 1,000 homes: 9 ms).
_FOR_ME_ORDER = (Alert.role_listing, Alert.listed_due_at, Alert.id)
_FOR_ME_ORDER_IN_HOMES = (Alert.acknowledged_at.is_not(None), Alert.listed_due_at, Alert.id)
_MY_HOMES_ORDER = (Alert.listing, Alert.listed_due_at, Alert.id)

# Each list and count is one statement per role, built once and run with the person (`viewer`)
# and the page bound: building the select (its subquery, joins and loader options) cost more
# Python than SQLite takes to answer it, and the badge's runs on every page (issue 13). A role
# decides everything else: whether its homes are scoped, what its staff may not see.
FOR_ME, MY_HOMES = "for me", "my homes"
_SCOPES = {FOR_ME: (_for_me, _FOR_ME_ORDER), MY_HOMES: (_my_homes, _MY_HOMES_ORDER)}


@lru_cache(maxsize=64)
def _list_statement(role: str, which: str) -> Select[Alert]:
    scoped, order = _SCOPES[which]
    if which == FOR_ME and role not in SEES_ALL_HOMES:
        order = _FOR_ME_ORDER_IN_HOMES  # type: ignore[assignment]  # (a tuple of order terms either way)
    return (scoped(select(Alert), role)
            .options(joinedload(Alert.obligation).joinedload(Obligation.home), selectinload(Alert.acknowledged_by))
            .order_by(*order)
            .limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer)))


@lru_cache(maxsize=64)
def _count_statement(role: str, which: str) -> Select[int]:
    scoped, _ = _SCOPES[which]
    return scoped(select(func.count(Alert.id)).select_from(Alert), role)


def _listed(user: User, which: str, page: int, per_page: int) -> list[Alert]:
    page = min(max(page, 1), MAX_PAGE)
    return list(db.session.scalars(_list_statement(user.role, which),
                                   {**viewer(user), "limit": per_page, "offset": (page - 1) * per_page}).unique())


def alerts_for_me(user: User, *, page: int = 1, per_page: int = LIST_LIMIT) -> list[Alert]:
    return _listed(user, FOR_ME, page, per_page)


def alerts_in_my_homes(user: User, *, page: int = 1, per_page: int = LIST_LIMIT) -> list[Alert]:
    return _listed(user, MY_HOMES, page, per_page)


def count_for_me(user: User) -> int:
    """How many rows "For me" has in all (for its pages): one COUNT."""
    return db.session.scalar(_count_statement(user.role, FOR_ME), viewer(user)) or 0


def count_in_my_homes(user: User) -> int:
    """How many rows "My homes" has in all (for its pages): one COUNT."""
    return db.session.scalar(_count_statement(user.role, MY_HOMES), viewer(user)) or 0


# The header badge counts up to this many and then says "99+": on every page, a head of service's
# exact count walked every unacknowledged alert of the estate (12 ms at 1,000 homes, issue 13);
# the alerts page itself gives the whole number.
BADGE_CAP = 99


@lru_cache(maxsize=16)
def _badge_statement(role: str) -> Select[int]:
    scoped, _ = _SCOPES[FOR_ME]
    # Unacknowledged as `acknowledged_at IS NULL`, not `role_listing = 0`: for someone with a few
    # homes that is a seek per home on (role, acknowledged_at, home).
    first = (scoped(select(Alert.id).select_from(Alert), role).where(Alert.acknowledged_at.is_(None))
             .limit(BADGE_CAP + 1).subquery())
    return select(func.count()).select_from(first)


def unacknowledged_for_me_count(user: User) -> int:
    """The header badge: unacknowledged alerts for me, counted up to BADGE_CAP + 1 (one COUNT)."""
    return db.session.scalar(_badge_statement(user.role), viewer(user)) or 0


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
