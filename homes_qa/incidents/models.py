"""An incident (an event in a home that someone must be told about) and each notification made."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homes_qa.core.incidents import TWO_STAGE_PARAGRAPH, EventType, event_type
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
    __table_args__ = (one_of("status", IncidentStatus),
                      # First pages: events recorded since you last looked, across every home (0030).
                      Index("ix_incidents_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    type_code: Mapped[str] = mapped_column(String(60))
    # The organisation's own type's name as it was when the event was recorded (built-in types: None)
    type_name: Mapped[str | None] = mapped_column(String(120))
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
    corrections: Mapped[list[IncidentCorrection]] = relationship(order_by="IncidentCorrection.version")

    @property
    def type_label(self) -> str:
        try:
            return event_type(self.type_code).label
        except KeyError:
            return self.type_name or self.type_code

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


# ---------------------------------------------------------------- the weekly safeguarding summary

class SummaryStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class SafeguardingSummary(Audited, Model):
    """One service manager's weekly safeguarding summary for their homes (seed 002 §7.1).

    One per service manager per week (Monday to Sunday, London). The figures are drafted from the
    week's records and frozen into `figures` when it is submitted; submitted, it is locked.
    """

    __tablename__ = "safeguarding_summaries"
    __table_args__ = (one_of("status", SummaryStatus),
                      UniqueConstraint("manager_id", "week_start", name="uq_safeguarding_summary_week"))

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    week_start: Mapped[date] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default=SummaryStatus.DRAFT)
    themes: Mapped[str] = mapped_column(Text, default="")
    learning: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    manager: Mapped[User] = relationship()
    reads: Mapped[list[SummaryRead]] = relationship(back_populates="summary", order_by="SummaryRead.read_at")

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    @property
    def is_submitted(self) -> bool:
        return self.status == SummaryStatus.SUBMITTED

    @property
    def audit_home_id(self) -> int | None:
        return None

    @property
    def audit_label(self) -> str:
        return f"Weekly safeguarding summary, {self.manager_id}, week of {self.week_start:%d %b %Y}"


class SummaryRead(Audited, Model):
    """The head of service has read a submitted summary (who and when)."""

    __tablename__ = "safeguarding_summary_reads"
    __table_args__ = (UniqueConstraint("summary_id", "reader_id", name="uq_safeguarding_summary_read"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("safeguarding_summaries.id", ondelete="CASCADE"), index=True)
    reader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    summary: Mapped[SafeguardingSummary] = relationship(back_populates="reads")
    reader: Mapped[User] = relationship()

    @property
    def audit_home_id(self) -> int | None:
        return None

    @property
    def audit_label(self) -> str:
        return f"Weekly safeguarding summary {self.summary_id} read"


class IncidentCorrection(Audited, Model):
    """A correction of an event's account: a new version with its reason. The event row keeps the
    original as recorded (version 1), so every earlier version stays readable; the latest
    correction is the current account. Times and type are not corrected here: they fixed who had
    to be told by when."""

    __tablename__ = "incident_corrections"
    __table_args__ = (UniqueConstraint("incident_id", "version", name="uq_incident_correction_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column()  # 2, 3, …: the event as first recorded is version 1
    children: Mapped[str] = mapped_column(String(200), default="")
    what_happened: Mapped[str] = mapped_column(Text)
    action_taken: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    corrected_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    corrected_by: Mapped[User] = relationship()

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Correction, version {self.version} (incident {self.incident_id})"


# ---------------------------------------------------------------- event types the organisation adds

class IncidentEventType(Audited, Model):
    """An event type an administrator added (the built-in ones are shipped in core/incidents.py).

    `rules` are codes of existing incident rules (the rules table): one obligation each, like a
    built-in type's. Codes are `org_<slug>`, so they never clash with a built-in code.
    """

    __tablename__ = "incident_event_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(120), unique=True)
    notifiable_default: Mapped[bool] = mapped_column(default=False)
    rules: Mapped[list[str]] = mapped_column(JSON)
    # Its clocks run from when it happened (a chosen rule counts from the event, like restraint's)
    counts_from_event: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User] = relationship()

    def as_event_type(self) -> EventType:
        return EventType(self.code, self.label, tuple(self.rules), counts_from_event=self.counts_from_event,
                         source=self.source,
                         notifiable_default=self.notifiable_default, custom=True)

    @property
    def audit_home_id(self) -> int | None:
        return None

    @property
    def audit_label(self) -> str:
        return f"Event type {self.label}"


# ---------------------------------------------------------------- QA case review after a need-to-know

class IncidentCaseReview(Audited, Model):
    """The QA lead's case review of a need-to-know (seed 004): when, findings, learning. One per event."""

    __tablename__ = "incident_case_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), unique=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    reviewed_on: Mapped[date] = mapped_column()
    findings: Mapped[str] = mapped_column(Text)
    learning: Mapped[str] = mapped_column(Text)
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reviewed_by: Mapped[User] = relationship()

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"QA case review (incident {self.incident_id})"
