"""An incident (an event in a home that someone must be told about) and each notification made."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homes_qa.core.incidents import TWO_STAGE_PARAGRAPH, event_type
from homes_qa.extensions import Model
from homes_qa.spine.audit.models import Audited
from homes_qa.spine.constraints import one_of
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import UTCDateTime, utcnow


class IncidentStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class NotificationMethod(StrEnum):
    TELEPHONE = "telephone"
    EMAIL = "email"
    ONLINE_FORM = "online_form"
    IN_PERSON = "in_person"
    LETTER = "letter"
    RECORD = "record"


METHOD_LABELS = {
    NotificationMethod.TELEPHONE: "Telephone",
    NotificationMethod.EMAIL: "Email",
    NotificationMethod.ONLINE_FORM: "Online form (for example Ofsted's notification form)",
    NotificationMethod.IN_PERSON: "In person",
    NotificationMethod.LETTER: "Letter",
    NotificationMethod.RECORD: "Written in the home's records (restraint steps)",
}


class Incident(Audited, Model):
    """One event recorded by the registered manager; its obligations say who must be told by when.

    Children appear by initials or reference only. A closed incident is locked.
    """

    __tablename__ = "incidents"
    __table_args__ = (one_of("status", IncidentStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    type_code: Mapped[str] = mapped_column(String(60))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    aware_at: Mapped[datetime] = mapped_column(UTCDateTime)
    children: Mapped[str] = mapped_column(String(200), default="")
    what_happened: Mapped[str] = mapped_column(Text)
    action_taken: Mapped[str] = mapped_column(Text)
    notifiable: Mapped[bool] = mapped_column(default=False)
    paragraph: Mapped[str | None] = mapped_column(String(20))
    ico_reportable: Mapped[bool | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default=IncidentStatus.OPEN)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    extended_reason: Mapped[str | None] = mapped_column(Text)
    outcome_known_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # Reg 40(4)(d) second stage
    outcome: Mapped[str | None] = mapped_column(Text)  # a SAR extended by two months, and why
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    home: Mapped[Home] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    notifications: Mapped[list[IncidentNotification]] = relationship(
        back_populates="incident", order_by="IncidentNotification.notified_at")

    @property
    def type_label(self) -> str:
        try:
            return event_type(self.type_code).label
        except KeyError:
            return self.type_code

    @property
    def is_open(self) -> bool:
        return self.status == IncidentStatus.OPEN

    @property
    def two_stage(self) -> bool:
        """A child protection enquiry (Reg 40(4)(d)): its outcome is notified as a second stage."""
        return self.notifiable and self.paragraph == TWO_STAGE_PARAGRAPH

    @property
    def obligation_key(self) -> str:
        return f"incident:{self.id}"

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"{self.type_label} (incident {self.id})"


class IncidentNotification(Audited, Model):
    """A notification made (or a required step done): to whom, when, how, with what reference."""

    __tablename__ = "incident_notifications"
    __table_args__ = (one_of("method", NotificationMethod),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    rule_code: Mapped[str] = mapped_column(String(60))
    obligation_id: Mapped[int | None] = mapped_column(ForeignKey("obligations.id"))
    recipient: Mapped[str] = mapped_column(String(200))
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(200), default="")
    late_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="notifications")
    obligation: Mapped[Obligation | None] = relationship()

    @property
    def method_label(self) -> str:
        return METHOD_LABELS.get(NotificationMethod(self.method), self.method)

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Notification to {self.recipient} (incident {self.incident_id})"
