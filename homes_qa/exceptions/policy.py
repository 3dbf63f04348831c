"""Who sees the exceptions grid and exports, and which obligations are in a user's scope.

Scope is the spine's: the user's homes (spine.access), whole-service obligations for service
managers and up, and never an obligation hidden from home staff (reg 44(3)).
"""
from __future__ import annotations

from functools import cache

from sqlalchemy import ColumnElement, Select, and_, bindparam, or_, select, true

from homes_qa.audits import policy as audits_policy
from homes_qa.core.roles import NOT_HOME_STAFF, ROLES, SEES_ALL_HOMES, Role
from homes_qa.incidents import policy as incidents_policy
from homes_qa.spine.access import (
    VIEWER,
    can_see_home,
    obligation_visible_clause,
    obligation_visible_to_role,
    viewer_home_ids,
    visible_home_ids_query,
)
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.obligations.queries import ORGANISATION_ROLES, sees_organisation
from homes_qa.spine.people.models import Assignment, User

# The grid across homes: the service manager's and head of service's view (seed 002 §7.1).
GRID_ROLES = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN)
# Everyone may export what they can see.
EXPORT_ROLES = ROLES
# Whose start page is a work queue of other areas' records to act on.
QUEUE_ROLES = (Role.SERVICE_MANAGER, Role.ADMIN)


def can_see_grid(user: User) -> bool:
    return user.role in GRID_ROLES


def obligations_in_scope(user: User) -> ColumnElement[bool]:
    """WHERE clause: the obligations this user may see (home scope, whole service, reg 44(3))."""
    if user.sees_all_homes:
        homes: ColumnElement[bool] = true()
    else:
        homes = Obligation.home_id.in_(visible_home_ids_query(user))
    if sees_organisation(user):
        homes = or_(homes, Obligation.home_id.is_(None))
    else:
        homes = and_(Obligation.home_id.is_not(None), homes)
    return and_(homes, obligation_visible_clause(user))


@cache
def obligations_in_scope_of(role: str, person: str = VIEWER) -> ColumnElement[bool]:
    """`obligations_in_scope` for anyone of the role, in a statement built once: the person is
    the parameter named `person` when it is run (`access.viewer(user)` for the viewer), so
    nothing of one request is kept in it (issue 13). Each role's scope is the same as
    `obligations_in_scope`'s: its homes, whole service (`sees_organisation`), and for home
    staff nothing hidden from them (`access.obligation_visible_clause`)."""
    if role in SEES_ALL_HOMES:
        homes: ColumnElement[bool] = true()
    else:
        homes = Obligation.home_id.in_(_home_ids_of(person))
    if role in ORGANISATION_ROLES:
        homes = or_(homes, Obligation.home_id.is_(None))
    else:
        homes = and_(Obligation.home_id.is_not(None), homes)
    return and_(homes, obligation_visible_to_role(role))


def _home_ids_of(person: str) -> Select[int]:
    if person == VIEWER:
        return viewer_home_ids()
    return select(Assignment.home_id).where(Assignment.user_id == bindparam(person, type_=Assignment.user_id.type))


# Monthly KPIs (seed 002 §7.1: "Registered Manager, Service Manager", monthly): the registered
# manager enters their home's measures; service managers and up enter, review and compare.
KPI_ROLES = (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN)


def can_enter_kpis(user: User, home_id: int) -> bool:
    return user.role in KPI_ROLES and can_see_home(user, home_id)


# Register exports: whoever may read the register (Reg 44 visits: not home staff, reg 44(3) in the
# query; incidents: incidents.policy.READERS).
VISIT_EXPORT_ROLES = NOT_HOME_STAFF
# Bulk exports are for management: home staff record events for their home but export nothing.
INCIDENT_EXPORT_ROLES = tuple(r for r in incidents_policy.READERS if r != Role.HOME_STAFF)
# Monthly audits: their readers (audits.policy) except home staff, as for incidents.
AUDIT_EXPORT_ROLES = tuple(r for r in audits_policy.READERS if r != Role.HOME_STAFF)
