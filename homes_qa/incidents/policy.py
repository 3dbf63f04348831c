"""Who may record, read, waive and close incidents. Home scope is spine.access (another home: 404)."""
from __future__ import annotations

from homes_qa.core.incidents import SAR
from homes_qa.core.roles import Role
from homes_qa.incidents.models import Incident, SafeguardingSummary
from homes_qa.spine.people.models import User

# The registered manager and home staff record the event and each notification (issue 8,
# "Recording an event (registered manager and home staff)"): the shift leader on duty at night is
# often the one who must tell the service manager within 24 hours. Waiving a notification,
# extending a SAR and closing the event stay with the manager and above (a management decision).
RECORDERS: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.HOME_STAFF)
# The service manager and head of service receive need-to-knows and monitor them weekly (§7.1).
READERS: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.HOME_STAFF, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
# Only a service manager or above waives a required notification, with a reason.
WAIVERS: tuple[str, ...] = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
# A complex subject access request is extended by the manager or a service manager (art. 12(3)).
EXTENDERS: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
# A correction of the account (a new version with a reason): the manager and above.
CORRECTORS: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
CLOSERS: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)


def sees_signals(user: User) -> bool:
    """Safeguarding concerns come from Reg 44 reports and young people's feedback, which home
    staff do not see (reg 44 pages are closed to them), so the concerns list is not theirs."""
    return user.role != Role.HOME_STAFF


def can_record(user: User) -> bool:
    return user.role in RECORDERS


def can_waive(user: User) -> bool:
    return user.role in WAIVERS


def can_close(user: User) -> bool:
    return user.role in CLOSERS


def can_extend(incident: Incident) -> bool:
    """A subject access request, open and not yet extended (the service checks the first month)."""
    return incident.is_open and incident.type_code == SAR and not incident.extended_reason


# The weekly safeguarding summary (seed 002 §7.1: service manager, weekly, to the head of service).
SUMMARY_WRITERS: tuple[str, ...] = (Role.SERVICE_MANAGER,)
SUMMARY_READERS: tuple[str, ...] = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
SUMMARY_MARKERS: tuple[str, ...] = (Role.HEAD_OF_SERVICE,)


def can_see_summary(user: User, summary: SafeguardingSummary) -> bool:
    """Its service manager always; the head of service once it is submitted."""
    if user.role == Role.SERVICE_MANAGER:
        return summary.manager_id == user.id
    return user.role == Role.HEAD_OF_SERVICE and summary.is_submitted


# The QA case review after a need-to-know (seed 004): the head of service / QA lead.
CASE_REVIEWERS: tuple[str, ...] = (Role.HEAD_OF_SERVICE,)
# The organisation's own event types are data an administrator keeps.
TYPE_ADMINS: tuple[str, ...] = (Role.ADMIN,)


def can_review(user: User) -> bool:
    return user.role in CASE_REVIEWERS


def can_see_case_review(user: User) -> bool:
    """The case review is a case file audit of the child: management's, not home staff's."""
    return user.role != Role.HOME_STAFF


def can_manage_types(user: User) -> bool:
    return user.role in TYPE_ADMINS
