"""Users, homes and assignments: create, edit, deactivate, assign."""
from __future__ import annotations

import logging
from typing import cast

from sqlalchemy import Table, func, select

from homes_qa.core.roles import ONE_HOME, ROLES, SEES_ALL_HOMES
from homes_qa.extensions import db
from homes_qa.spine.access import is_assigned
from homes_qa.spine.people.models import Assignment, Home, HomeStatus, User
from homes_qa.spine.people.passwords import DUMMY_HASH, MIN_LENGTH, hash_password, verify_password
from homes_qa.spine.signals import assignment_made
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError, transactional

log = logging.getLogger(__name__)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_LENGTH:
        raise ServiceError(f"Password must be {MIN_LENGTH} characters or more", field)


def _check_name(name: str, field: str = "name", message: str = "Enter the person's full name") -> str:
    name = name.strip()
    if not name:
        raise ServiceError(message, field)
    return name


def _check_email_free(email: str, user_id: int | None = None) -> None:
    stmt = select(User.id).where(func.lower(User.email) == email)
    existing = db.session.scalar(stmt)
    if existing is not None and existing != user_id:
        raise ServiceError("A user with this email address already exists", "email")


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Same work whether or not the user exists."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        verify_password(DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    return user


@transactional
def record_sign_in(user: User) -> None:
    # Not audited as a change of the record: sign-ins are logged, not evidence edits.
    db.session.execute(cast(Table, User.__table__).update().where(User.id == user.id).values(
        last_sign_in_at=utcnow()))


@transactional
def end_sessions(user: User) -> None:
    """End every session of this user, on every device: their session id's version goes up.

    A plain UPDATE (not an audited change of the record): the sign-out or password change that
    calls it is what is logged or audited.
    """
    db.session.execute(cast(Table, User.__table__).update().where(User.id == user.id).values(
        session_version=User.session_version + 1))
    db.session.expire(user, ["session_version"])


@transactional
def create_user(*, name: str, email: str, role: str, password: str, active: bool = True) -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise ServiceError("Select a role", "role")
    _check_email_free(email)
    _check_password(password)
    user = User(name=_check_name(name), email=email, role=role, active=active,
                password_hash=hash_password(password))
    db.session.add(user)
    return user


@transactional
def update_user(user: User, *, name: str, email: str, role: str) -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise ServiceError("Select a role", "role")
    _check_email_free(email, user.id)
    if role in ONE_HOME and role != user.role and len(user.assignments) > 1:
        raise ServiceError("Home staff work in one home: remove this person from all but one home first", "role")
    user.name, user.email, user.role = _check_name(name), email, role
    return user


@transactional
def set_active(user: User, active: bool, *, by: User) -> None:
    if not active and user.id == by.id:
        raise ServiceError("You cannot deactivate your own account")
    if user.active and not active:
        end_sessions(user)
        user.ical_token = None  # the feed ends too: reactivation does not revive its old address
    user.active = active


@transactional
def change_password(user: User, *, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise ServiceError("Your current password is incorrect", "current_password")
    _check_password(new, "new_password")
    set_password(user, new)


@transactional
def set_password(user: User, new: str) -> None:
    _check_password(new, "new_password")
    user.password_hash = hash_password(new)
    end_sessions(user)  # every other signed-in copy of this account is signed out


def _check_home_unique(name: str, urn: str, home_id: int | None) -> None:
    for column, value, field, label in ((Home.name, name, "name", "name"),
                                        (Home.ofsted_urn, urn, "ofsted_urn", "Ofsted URN")):
        existing = db.session.scalar(select(Home.id).where(column == value))
        if existing is not None and existing != home_id:
            raise ServiceError(f"A home with this {label} already exists", field)


@transactional
def create_home(*, name: str, ofsted_urn: str, address: str, registered_places: int,
                status: str = HomeStatus.OPEN) -> Home:
    name, ofsted_urn = _check_name(name, message="Enter the name of the home"), ofsted_urn.strip().upper()
    _check_home_unique(name, ofsted_urn, None)
    home = Home(name=name, ofsted_urn=ofsted_urn, address=address.strip(),
                registered_places=registered_places, status=status)
    db.session.add(home)
    return home


@transactional
def update_home(home: Home, *, name: str, ofsted_urn: str, address: str,
                registered_places: int, status: str) -> Home:
    name, ofsted_urn = _check_name(name, message="Enter the name of the home"), ofsted_urn.strip().upper()
    _check_home_unique(name, ofsted_urn, home.id)
    if status not in HomeStatus.LABELS:
        raise ServiceError("Select a status", "status")
    home.name, home.ofsted_urn, home.address = name, ofsted_urn, address.strip()
    home.registered_places, home.status = registered_places, status
    return home


@transactional
def assign(home: Home, user: User) -> Assignment:
    if user.role in SEES_ALL_HOMES:
        raise ServiceError(f"A {user.role_label.lower()} sees every home already", "user_id")
    if not user.active:
        raise ServiceError("This user is deactivated", "user_id")
    if is_assigned(user, home.id):
        raise ServiceError(f"{user.name} is already assigned to {home.name}", "user_id")
    if user.role in ONE_HOME and db.session.scalar(select(Assignment.id).where(Assignment.user_id == user.id)):
        raise ServiceError(f"{user.name} works in one home and is already assigned to another: "
                           "remove that assignment first", "user_id")
    assignment = Assignment(user=user, home=home)
    db.session.add(assignment)
    db.session.flush()
    assignment_made.send(assignment)  # e.g. inspections: a new registered manager prompts a full audit
    return assignment


@transactional
def unassign(assignment: Assignment) -> None:
    db.session.delete(assignment)
