"""Assigning people to homes, with the checks an administrator answers first.

- Reg 43: a Regulation 44 visitor is assigned only with a declaration of their independence
  (INDEPENDENCE_CRITERIA, stored and audited with the assignment).
- One registered manager per home, normally (a manager may run two homes, domain.md "Who uses
  it"): assigning a second registered manager to a home proceeds only when confirmed.

The assignment itself is `spine.people.service.assign` (its own checks, and whatever it
announces); this joins it in one unit of work.
"""
from __future__ import annotations

from sqlalchemy import select

from homes_qa.admin.models import IndependenceDeclaration, independence_statement
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Assignment, Home, User
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError, transactional

NOTE_MAX = 1000


class SecondManagerNotConfirmed(ServiceError):
    """The home has a registered manager already and the administrator has not confirmed another."""


def registered_managers(home: Home) -> list[User]:
    """The registered managers assigned to the home now, by name."""
    return list(db.session.scalars(
        select(User).join(Assignment, Assignment.user_id == User.id)
        .where(Assignment.home_id == home.id, User.role == Role.REGISTERED_MANAGER).order_by(User.name)))


def needs_declaration(user: User) -> bool:
    return user.role == Role.REG44_VISITOR


@transactional
def assign_to_home(home: Home, user: User, *, by: User, independent: bool = False, note: str = "",
                   second_manager_confirmed: bool = False) -> Assignment:
    """Assign `user` to `home`: refused for a visitor without the independence declaration, and
    for a second registered manager unless `second_manager_confirmed`."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ServiceError(f"Note must be {NOTE_MAX} characters or fewer", "note")
    if needs_declaration(user) and not independent:
        raise ServiceError(f"Confirm that {user.name} is independent of {home.name}", "independent")
    if user.role == Role.REGISTERED_MANAGER and not second_manager_confirmed:
        current = [m for m in registered_managers(home) if m.id != user.id]
        if current:
            raise SecondManagerNotConfirmed(
                f"{home.name} already has a registered manager, {' and '.join(m.name for m in current)}. "
                f"Confirm that you want to assign {user.name} as well")
    assignment = people.assign(home, user)
    if needs_declaration(user):
        db.session.add(IndependenceDeclaration(
            assignment=assignment, home_id=home.id, statement=independence_statement(user.name, home.name),
            note=note, declared_by_id=by.id, declared_at=utcnow()))
    return assignment
