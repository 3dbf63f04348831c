"""Who may see and do what in monthly audits. Who conducts each audit is the template's
(`conducted_by`: the registered manager for H&S and fire, service managers for GDPR and the
statutory check review, seed 002 §7.1); home scope comes from homes_qa.spine.access."""
from __future__ import annotations

from homes_qa.audits.templates import latest
from homes_qa.core.roles import Role
from homes_qa.spine.people.models import User

READERS: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN)
CONDUCTORS: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
# Who may own an action: the home's staff and managers, never the independent visitor (reg 43).
OWNERS: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.HOME_STAFF, Role.SERVICE_MANAGER)


def can_conduct(user: User, template_code: str) -> bool:
    template = latest(template_code)
    return template is not None and user.role in template.conducted_by
