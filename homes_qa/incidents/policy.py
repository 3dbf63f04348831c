"""Who may record, read, waive and close incidents. Home scope is spine.access (another home: 404)."""
from __future__ import annotations

from homes_qa.core.incidents import SAR
from homes_qa.core.roles import Role
from homes_qa.incidents.models import Incident, SafeguardingSummary
from homes_qa.spine.people.models import User

# The registered manager records the event and each notification (seed 002 §7.1).
RECORDERS: tuple[str, ...] = (Role.REGISTERED_MANAGER,)
# The service manager and head of service receive need-to-knows and monitor them weekly (§7.1).
READERS: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
# Only a service manager or above waives a required notification, with a reason.
WAIVERS: tuple[str, ...] = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
# A complex subject access request is extended by the manager or a service manager (art. 12(3)).
EXTENDERS: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
CLOSERS: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)


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
