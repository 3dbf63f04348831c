"""Who may see and do what in monthly audits. Who conducts each audit is the template's
(`conducted_by`: the registered manager for H&S and fire, service managers for GDPR and the
statutory check review, seed 002 §7.1); home scope comes from homes_qa.spine.access.

Home staff (deputies, shift leaders, residential workers) enter answers to the home's own audits
(those the registered manager conducts: health and safety, fire), so the person who walked the
building records what they saw. They do not start, grade or submit: the grade and its evidence are
the registered manager's judgement and accountability (seeds 003, 004), and submitting turns the
"no"s into actions with owners. The service manager's audits (GDPR, the statutory check review)
are neither answered nor read by them."""
from __future__ import annotations

from homes_qa.audits.templates import latest
from homes_qa.core.roles import Role
from homes_qa.spine.people.models import User

READERS: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.HOME_STAFF, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN)
CONDUCTORS: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
ANSWERERS: tuple[str, ...] = (*CONDUCTORS, Role.HOME_STAFF)  # who may enter answers (see can_answer)
# Who may own an action: the home's staff and managers, never the independent visitor (reg 43).
OWNERS: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.HOME_STAFF, Role.SERVICE_MANAGER)


def can_conduct(user: User, template_code: str) -> bool:
    template = latest(template_code)
    return template is not None and user.role in template.conducted_by


def can_answer(user: User, template_code: str) -> bool:
    """Enter answers (not grade or submit): whoever conducts it, and home staff for the home's own audits."""
    if can_conduct(user, template_code):
        return True
    template = latest(template_code)
    return (template is not None and user.role == Role.HOME_STAFF
            and Role.REGISTERED_MANAGER in template.conducted_by)


def can_read(user: User, template_code: str) -> bool:
    """Home staff read only the audits they may answer; everyone else in READERS reads all (home scope apart)."""
    return user.role != Role.HOME_STAFF or can_answer(user, template_code)
