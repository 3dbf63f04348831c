"""Regulation 44 visits, reports (versioned), recommendations and distribution."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum, nonmember

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homes_qa.extensions import Model
from homes_qa.spine.audit.models import Audited
from homes_qa.spine.constraints import one_of
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import UTCDateTime, utcnow


class VisitStatus(StrEnum):
    PLANNED = "planned"
    RECORDED = "recorded"
    CANCELLED = "cancelled"


class Reg44Visit(Audited, Model):
    """One monthly visit by the independent person (reg 44(1)); may be unannounced (reg 44(3))."""

    __tablename__ = "reg44_visits"
    __table_args__ = (
        one_of("status", VisitStatus),
        # Migration 0029: the planned, the month's and the recorded visits of a home (or a
        # visitor) are each a range, and a home's latest visit is the last entry of its range.
        Index("ix_reg44_visits_home_status_day", "home_id", "status", "visited_on"),
        Index("ix_reg44_visits_visitor_status_day", "visitor_id", "status", "visited_on", "home_id", "planned_for"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=VisitStatus.PLANNED)
    planned_for: Mapped[date | None]
    announced: Mapped[bool] = mapped_column(default=True)
    visited_on: Mapped[date | None]
    arrived_at: Mapped[str | None] = mapped_column(String(5))  # "09:30", London wall clock
    left_at: Mapped[str | None] = mapped_column(String(5))
    spoke_children: Mapped[int] = mapped_column(default=0)
    spoke_parents: Mapped[int] = mapped_column(default=0)
    spoke_staff: Mapped[int] = mapped_column(default=0)
    spoke_professionals: Mapped[int] = mapped_column(default=0)
    spoke_roles: Mapped[str] = mapped_column(Text, default="")  # roles, never children's names
    records_inspected: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")  # visitor's working notes on site
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    home: Mapped[Home] = relationship()
    visitor: Mapped[User] = relationship()
    reports: Mapped[list[Reg44Report]] = relationship(back_populates="visit", order_by="Reg44Report.version")
    # reg 44(2)(b): whose case records the visitor looked at, with whose consent (issue 12)
    case_record_consents: Mapped[list[CaseRecordConsent]] = relationship(
        back_populates="visit", order_by="CaseRecordConsent.child_ref", cascade="all, delete-orphan")

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        when = self.visited_on or self.planned_for
        return f"Reg 44 visit to {self.home.name if self.home else self.home_id} on {when}"


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Opinion(StrEnum):
    YES = "yes"
    NO = "no"
    CONCERNS = "with_concerns"
    # In the order the options are offered: Yes / Yes, with concerns / No.
    LABELS = nonmember({YES: "Yes", CONCERNS: "Yes, with concerns", NO: "No"})

    @property
    def label(self) -> str:
        return Opinion.LABELS[self]


class Reg44Report(Audited, Model):
    """The visitor's report (reg 44(4)–(6)). Submitted versions are locked; a correction is a new version."""

    __tablename__ = "reg44_reports"
    __table_args__ = (
        UniqueConstraint("visit_id", "version", name="uq_reg44_reports_visit_version"),
        Index("ix_reg44_reports_submitted_at", "submitted_at"),  # first pages: submitted since you last looked
        Index("ix_reg44_reports_visit_status", "visit_id", "status"),  # has the visit a submitted report? (0029)
        # How many first versions a home has submitted (0029): with its recorded visits, whether any is to write.
        Index("ix_reg44_reports_home_status_version", "home_id", "status", "version"),
        one_of("status", ReportStatus),
        # Opinions are NULL until the visitor gives them (a CHECK lets NULL through).
        one_of("safeguarded_opinion", Opinion),
        one_of("wellbeing_opinion", Opinion),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("reg44_visits.id", ondelete="CASCADE"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.DRAFT)
    safeguarded_opinion: Mapped[str | None] = mapped_column(String(20))
    safeguarded_narrative: Mapped[str] = mapped_column(Text, default="")
    wellbeing_opinion: Mapped[str | None] = mapped_column(String(20))
    wellbeing_narrative: Mapped[str] = mapped_column(Text, default="")
    findings: Mapped[str] = mapped_column(Text, default="")
    # Progress against the previous visit's recommendations (required when it made any).
    previous_progress: Mapped[str] = mapped_column(Text, default="")
    conflict_of_interest: Mapped[str] = mapped_column(Text, default="")
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # checked and sent to senior managers
    # A version the service manager sent back to the visitor for factual corrections: who and
    # when (the reason is its `correction_reason`).
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __audit_ignore__ = frozenset({"created_at", "updated_at"})

    visit: Mapped[Reg44Visit] = relationship(back_populates="reports")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    checked_by: Mapped[User | None] = relationship(foreign_keys=[checked_by_id])
    returned_by: Mapped[User | None] = relationship(foreign_keys=[returned_by_id])
    recommendations: Mapped[list[Reg44Recommendation]] = relationship(
        back_populates="report", order_by="Reg44Recommendation.number", cascade="all, delete-orphan")

    @property
    def is_locked(self) -> bool:
        return self.status == ReportStatus.SUBMITTED

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Reg 44 report for visit {self.visit_id}, version {self.version}"


class Reg44Recommendation(Audited, Model):
    __tablename__ = "reg44_recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reg44_reports.id", ondelete="CASCADE"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(Text)
    consider_within_days: Mapped[int] = mapped_column()  # reg 44(4): timescale for the registered person
    # Reg 44(5): the date the registered person's decision (accept, or decline with a reason) is
    # due by — set when the report is submitted, separate from any action's due date. When it
    # moves, the first date and the reason are kept.
    decide_by: Mapped[date | None]
    original_decide_by: Mapped[date | None]
    decide_by_reason: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[Reg44Report] = relationship(back_populates="recommendations")

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Recommendation {self.number} of report {self.report_id}"


class Distribution(Audited, Model):
    """Who a submitted report was sent to, when and how (reg 44(7) recipients and senior managers)."""

    __tablename__ = "reg44_distributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reg44_reports.id", ondelete="CASCADE"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    recipient: Mapped[str] = mapped_column(String(40))
    recipient_detail: Mapped[str] = mapped_column(String(200), default="")
    method: Mapped[str] = mapped_column(String(30))
    sent_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Report {self.report_id} sent to {self.recipient}"


class CaseRecordConsent(Audited, Model):
    """Reg 44(2)(b): one child's case records on a visit. The visitor may read them only when both
    the child and the placing authority consent (../shared/domain.md); the child is named by
    initials or a reference, never by name."""

    __tablename__ = "reg44_case_record_consents"
    __table_args__ = (
        UniqueConstraint("visit_id", "child_ref", name="uq_reg44_case_record_consents_visit_child"),
        CheckConstraint("NOT records_seen OR (child_consented AND authority_consented)",
                        name="seen_only_with_consent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("reg44_visits.id", ondelete="CASCADE"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"))
    child_ref: Mapped[str] = mapped_column(String(12))
    child_consented: Mapped[bool] = mapped_column()
    authority_consented: Mapped[bool] = mapped_column()
    records_seen: Mapped[bool] = mapped_column()
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    visit: Mapped[Reg44Visit] = relationship(back_populates="case_record_consents")
    recorded_by: Mapped[User] = relationship()

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Case records of {self.child_ref} on Reg 44 visit {self.visit_id}"

    @property
    def consent_words(self) -> str:
        given = [who for who, yes in (("the child", self.child_consented),
                                      ("the placing authority", self.authority_consented)) if yes]
        if not given:
            return "No consent"
        return "Consent from " + " and ".join(given)
