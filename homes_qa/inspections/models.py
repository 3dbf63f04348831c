"""Ofsted inspections of a home, their requirements and recommendations (each an action with an
owner and a due date), and the Head of QA's monitoring reviews after them."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homes_qa.core.inspections import GOOD, INADEQUATE, OUTSTANDING, REQUIRES_IMPROVEMENT
from homes_qa.extensions import Model
from homes_qa.spine.audit.models import Audited
from homes_qa.spine.constraints import one_of
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import UTCDateTime, utcnow


class Grade(StrEnum):
    OUTSTANDING = OUTSTANDING
    GOOD = GOOD
    REQUIRES_IMPROVEMENT = REQUIRES_IMPROVEMENT
    INADEQUATE = INADEQUATE


class ItemKind(StrEnum):
    REQUIREMENT = "requirement"  # cites a regulation, has a compliance date
    RECOMMENDATION = "recommendation"


class ActionStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class Inspection(Audited, Model):
    """One Ofsted inspection or monitoring visit. The type is a code from core.inspections'
    INSPECTION_TYPES (data); the service refuses codes outside it."""

    __tablename__ = "inspections"
    __table_args__ = (one_of("overall", Grade), one_of("helped_protected", Grade), one_of("leadership", Grade))

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    inspection_type: Mapped[str] = mapped_column(String(40))
    started_on: Mapped[date]
    ended_on: Mapped[date]
    overall: Mapped[str | None] = mapped_column(String(30))
    helped_protected: Mapped[str | None] = mapped_column(String(30))
    leadership: Mapped[str | None] = mapped_column(String(30))
    limiting_confirmed: Mapped[bool] = mapped_column(default=False)  # recorded despite a limiting-judgement warning
    # Enforcement (s.22A and s.22B Care Standards Act 2000)
    compliance_notice_served_on: Mapped[date | None]
    compliance_notice_complete_by: Mapped[date | None]
    restriction_served_on: Mapped[date | None]
    restriction_ends_on: Mapped[date | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    # Ofsted's published report (a PDF kept under the instance folder, named by `report_stored_as`)
    report_filename: Mapped[str | None] = mapped_column(String(200))
    report_stored_as: Mapped[str | None] = mapped_column(String(80))
    report_size: Mapped[int | None] = mapped_column()
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    home: Mapped[Home] = relationship()
    items: Mapped[list[InspectionItem]] = relationship(back_populates="inspection", order_by="InspectionItem.id",
                                                       cascade="all, delete-orphan")

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Ofsted {self.inspection_type} {self.ended_on.isoformat()}"


class InspectionItem(Audited, Model):
    """A requirement (regulation + compliance date) or recommendation, and the action that
    answers it: what will be done, by whom (a person assigned to the home) and by when."""

    __tablename__ = "inspection_items"
    # The open actions (the action list's default) by status, not a read of every item of every
    # inspection (migration 0039).
    __table_args__ = (one_of("kind", ItemKind), one_of("status", ActionStatus),
                      Index("ix_inspection_items_status_home", "status", "home_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    regulation: Mapped[str] = mapped_column(String(120), default="")
    compliance_date: Mapped[date | None]
    action: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.OPEN)
    completed_on: Mapped[date | None]
    times_reopened: Mapped[int] = mapped_column(default=0)

    inspection: Mapped[Inspection] = relationship(back_populates="items")
    owner: Mapped[User] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Ofsted {self.kind} {self.id}"


class MonitoringReview(Audited, Model):
    """The Head of QA's monitoring review after Ofsted: progress per action and next steps."""

    __tablename__ = "monitoring_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    reviewed_on: Mapped[date]
    next_steps: Mapped[str] = mapped_column(Text)
    obligation_id: Mapped[int | None] = mapped_column(ForeignKey("obligations.id"))  # the review it discharged
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    home: Mapped[Home] = relationship()
    reviewed_by: Mapped[User] = relationship()
    progress: Mapped[list[ReviewProgress]] = relationship(back_populates="review", order_by="ReviewProgress.id",
                                                          cascade="all, delete-orphan")

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Monitoring review {self.reviewed_on.isoformat()}"


class ReviewProgress(Audited, Model):
    """Progress on one action at a monitoring review: red, amber or green, and why."""

    __tablename__ = "monitoring_review_progress"
    __table_args__ = (one_of("rag", Rag),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("monitoring_reviews.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_items.id", ondelete="CASCADE"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    rag: Mapped[str] = mapped_column(String(10))
    narrative: Mapped[str] = mapped_column(Text)

    review: Mapped[MonitoringReview] = relationship(back_populates="progress")
    item: Mapped[InspectionItem] = relationship()

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id


class QpagAction(Audited, Model):
    """An improvement action agreed by QPAG (seed 002 §8.7), tracked to completion in the QPAG
    action tracker; one not completed by its agreed date is escalated by the chair to the
    Children's Services Leadership Team (§8.8), and the escalation is recorded here."""

    __tablename__ = "qpag_actions"
    __table_args__ = (one_of("status", ActionStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    meeting_on: Mapped[date]  # the QPAG meeting that agreed it
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.OPEN)
    completed_on: Mapped[date | None]
    escalated_on: Mapped[date | None]  # escalated to CSLT by the chair
    escalation_note: Mapped[str] = mapped_column(Text, default="")
    escalated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    home: Mapped[Home | None] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    escalated_by: Mapped[User | None] = relationship(foreign_keys=[escalated_by_id])

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"QPAG action {self.id}"


# ---------------------------------------------------------------- QA reviews (dip samples, thematic reviews, full audits)

class QaReviewStatus(StrEnum):
    COMMISSIONED = "commissioned"
    COMPLETED = "completed"


class QaReview(Audited, Model):
    """A dip sample, thematic review or full audit the QA lead (head of service) commissioned
    (kinds are data: core.qa_reviews.REVIEW_KINDS), across one or more homes, assigned to a
    service manager or the QA lead, due by a date (seed 002 §7.1, §8.5). The assignee records
    findings per home and completes it; the service manager proposes an action plan and QPAG
    agrees it (who and when are recorded here)."""

    __tablename__ = "qa_reviews"
    __table_args__ = (one_of("status", QaReviewStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    area: Mapped[str] = mapped_column(String(200))  # the area sampled, the theme, or why the audit
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default=QaReviewStatus.COMMISSIONED)
    completed_on: Mapped[date | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    plan_agreed_on: Mapped[date | None]  # the QPAG meeting that agreed the action plan
    plan_agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    commissioned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    commissioned_by: Mapped[User] = relationship(foreign_keys=[commissioned_by_id])
    plan_agreed_by: Mapped[User | None] = relationship(foreign_keys=[plan_agreed_by_id])
    homes: Mapped[list[QaReviewHome]] = relationship(back_populates="review", order_by="QaReviewHome.id",
                                                     cascade="all, delete-orphan")
    actions: Mapped[list[QaReviewAction]] = relationship(back_populates="review", order_by="QaReviewAction.id",
                                                         cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.status == QaReviewStatus.COMMISSIONED

    @property
    def audit_home_id(self) -> int | None:
        return self.homes[0].home_id if len(self.homes) == 1 else None

    @property
    def audit_label(self) -> str:
        return f"QA review {self.id} ({self.kind})"


class QaReviewHome(Audited, Model):
    """One home a QA review covers, and the findings there: a RAG rating and the narrative."""

    __tablename__ = "qa_review_homes"
    __table_args__ = (one_of("rag", Rag),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("qa_reviews.id", ondelete="CASCADE"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    rag: Mapped[str | None] = mapped_column(String(10))
    findings: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    review: Mapped[QaReview] = relationship(back_populates="homes")
    home: Mapped[Home] = relationship()

    @property
    def has_findings(self) -> bool:
        return self.rag is not None

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id


class QaReviewAction(Audited, Model):
    """An action of a QA review's action plan, proposed by the service manager: what, in which
    home, who owns it (someone assigned to the home) and by when. Once QPAG agrees the plan each
    action is an `action_complete` obligation and shows in the combined action list."""

    __tablename__ = "qa_review_actions"
    __table_args__ = (one_of("status", ActionStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("qa_reviews.id", ondelete="CASCADE"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.OPEN)
    completed_on: Mapped[date | None]
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    review: Mapped[QaReview] = relationship(back_populates="actions")
    home: Mapped[Home] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"QA review action {self.id}"


# ---------------------------------------------------------------- the combined action list: progress notes and evidence

class ActionSource(StrEnum):
    """Where an action of the combined list comes from (the record it lives on)."""

    INSPECTION = "inspection"  # InspectionItem
    REG44 = "reg44"  # actionplans.ActionPlanResponse
    QPAG = "qpag"  # QpagAction
    QA_REVIEW = "qa_review"  # QaReviewAction
    AUDIT = "audit"  # audits.AuditFinding


class ActionNote(Audited, Model):
    """A progress note or evidence of completion added to one action of the combined list,
    whatever its source: what was done, and where the evidence is. Notes are never edited."""

    __tablename__ = "action_notes"
    __table_args__ = (one_of("source", ActionSource),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    action_id: Mapped[int] = mapped_column(index=True)  # the id of the record in its source's table
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User] = relationship()
    file: Mapped[ActionFile | None] = relationship(back_populates="note", uselist=False)

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Note on {self.source} action {self.action_id}"


class ActionFileKind(StrEnum):
    """What an action's evidence file is, judged from its content (core.filetypes.sniff_document)."""

    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    DOCX = "docx"
    XLSX = "xlsx"
    DOC = "doc"
    XLS = "xls"
    CSV = "csv"
    TEXT = "txt"


class ActionFile(Audited, Model):
    """A file attached to a progress note as evidence: stored under instance/uploads/actions/
    with a generated name and its sha256; the sender's name is kept for display only."""

    __tablename__ = "action_files"
    __table_args__ = (one_of("kind", ActionFileKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("action_notes.id", ondelete="CASCADE"), unique=True)
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    note: Mapped[ActionNote] = relationship(back_populates="file")

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Evidence {self.original_name} (sha256 {self.sha256[:12]}…)"
