"""Who may ask for, enter and read pre-visit feedback."""
from __future__ import annotations

from homes_qa.core.roles import Role
from homes_qa.reg44.models import Reg44Visit, VisitStatus
from homes_qa.reg44.policy import hidden_from_home_staff
from homes_qa.spine.people.models import User

# Roles that may create links (and enter answers for a young person).
REQUESTERS = (Role.REGISTERED_MANAGER, Role.HEAD_OF_SERVICE)


# Roles that may read the responses (the visitor only for their own visit).
READERS = (Role.REGISTERED_MANAGER, Role.REG44_VISITOR, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)


def can_request(user: User, visit: Reg44Visit) -> bool:
    """Create links or enter a young person's answers (home scope is checked by the route)."""
    if visit.status not in (VisitStatus.PLANNED, VisitStatus.RECORDED):
        return False
    if user.role == Role.HEAD_OF_SERVICE:
        return True
    return user.role == Role.REGISTERED_MANAGER and not hidden_from_home_staff(visit)


def can_read(user: User, visit: Reg44Visit) -> bool:
    """See the visit's feedback page (home scope is checked by the route)."""
    if user.role == Role.REGISTERED_MANAGER:
        return not hidden_from_home_staff(visit)
    if user.role == Role.REG44_VISITOR:
        return visit.visitor_id == user.id
    return user.role in (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)


# The QA lead (head of service) answers for the pre-visit feedback rules.
QA_LEAD = (Role.HEAD_OF_SERVICE,)


def can_record_none(user: User, visit: Reg44Visit) -> bool:
    """Record that no feedback came for a visit (home scope is checked by the route)."""
    return user.role in QA_LEAD and visit.status in (VisitStatus.PLANNED, VisitStatus.RECORDED)
