"""Homes, the people who work with them, and who is assigned where."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum, nonmember

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homes_qa.core.roles import SEES_ALL_HOMES, Role, role_label
from homes_qa.extensions import Model
from homes_qa.spine.audit.models import Audited
from homes_qa.spine.constraints import one_of
from homes_qa.spine.timestamps import UTCDateTime, utcnow


class HomeStatus(StrEnum):
    OPEN = "open"
    TEMPORARILY_CLOSED = "temporarily_closed"
    CLOSED = "closed"
    LABELS = nonmember({OPEN: "Open", TEMPORARILY_CLOSED: "Temporarily closed", CLOSED: "Closed"})

    @property
    def label(self) -> str:
        return HomeStatus.LABELS[self]


class Home(Audited, Model):
    __tablename__ = "homes"
    __table_args__ = (one_of("status", HomeStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    ofsted_urn: Mapped[str] = mapped_column(String(20), unique=True)
    address: Mapped[str] = mapped_column(String(400))
    registered_places: Mapped[int]
    status: Mapped[str] = mapped_column(String(30), default=HomeStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="home", cascade="all, delete-orphan")

    @property
    def audit_home_id(self) -> int | None:
        return self.id

    @property
    def status_label(self) -> str:
        return HomeStatus.LABELS.get(self.status, self.status)


class User(Audited, UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (one_of("role", Role),)
    __audit_redact__ = frozenset({"password_hash", "ical_token", "session_version"})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # sha256 (hex) of the secret in the personal calendar feed URL; None when no feed is issued.
    # The secret itself is never stored: it is shown once, when issued.
    ical_token: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    # Part of the session's user id ("id:version"): raising it ends every session of the user
    # on the server (sign-out, password change, deactivation), whatever cookies still exist.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session: a session of an older version is no session."""
        return f"{self.id}:{self.session_version or 0}"

    @property
    def role_label(self) -> str:
        return role_label(self.role)

    @property
    def sees_all_homes(self) -> bool:
        return self.role in SEES_ALL_HOMES

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def audit_home_id(self) -> int | None:
        return None

    @property
    def audit_label(self) -> str:
        return f"{self.name} <{self.email}>"


class Assignment(Audited, Model):
    """A person's work with a home: the manager of it, its Reg 44 visitor, its service manager."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("user_id", "home_id", name="uq_assignments_user_home"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="assignments")
    home: Mapped[Home] = relationship(back_populates="assignments")

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id
