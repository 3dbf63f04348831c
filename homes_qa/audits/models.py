"""Monthly audits of a home from a versioned template: answers, findings with actions, grades."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homes_qa.extensions import Model
from homes_qa.spine.audit.models import Audited
from homes_qa.spine.constraints import one_of
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import UTCDateTime, utcnow


class AuditStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_APPLICABLE = "na"


class Grade(StrEnum):
    """The four grades (seeds 003, 004; Ofsted's scale), best first."""

    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"


GRADE_LABELS = {Grade.OUTSTANDING: "Outstanding", Grade.GOOD: "Good",
                Grade.REQUIRES_IMPROVEMENT: "Requires improvement", Grade.INADEQUATE: "Inadequate"}
ANSWER_LABELS = {Answer.YES: "Yes", Answer.NO: "No", Answer.NOT_APPLICABLE: "Not applicable"}


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class HomeAudit(Audited, Model):
    __tablename__ = "home_audits"
    __table_args__ = (one_of("status", AuditStatus), one_of("overall_grade", Grade),
                      # First pages: audits submitted since you last looked, across every home (0030).
                      Index("ix_home_audits_submitted_at", "submitted_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    template_code: Mapped[str] = mapped_column(String(40))
    template_version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # the template's questions, as used
    period_key: Mapped[str] = mapped_column(String(20))  # "2026-11"
    reaudit_of_id: Mapped[int | None] = mapped_column(ForeignKey("home_audits.id"))
    status: Mapped[str] = mapped_column(String(20), default=AuditStatus.DRAFT)
    section_grades: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # {section: {grade, evidence}}
    overall_grade: Mapped[str | None] = mapped_column(String(30))
    overall_evidence: Mapped[str] = mapped_column(Text, default="")
    learning_points: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    home: Mapped[Home] = relationship()
    started_by: Mapped[User] = relationship()
    answers: Mapped[list[AuditAnswer]] = relationship(back_populates="audit", order_by="AuditAnswer.id")
    findings: Mapped[list[AuditFinding]] = relationship(back_populates="audit", order_by="AuditFinding.id")

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"{self.title} {self.period_key}"

    @property
    def questions(self) -> list[dict[str, Any]]:
        return [q for s in self.sections for q in s["questions"]]


class AuditAnswer(Audited, Model):
    __tablename__ = "home_audit_answers"
    __table_args__ = (UniqueConstraint("audit_id", "question_code", name="uq_home_audit_answers_question"),
                      one_of("answer", Answer))

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("home_audits.id", ondelete="CASCADE"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"))
    question_code: Mapped[str] = mapped_column(String(40))
    answer: Mapped[str | None] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(Text, default="")  # for a "no": what will be done
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date | None]
    priority: Mapped[str | None] = mapped_column(String(10))

    audit: Mapped[HomeAudit] = relationship(back_populates="answers")

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id


class AuditFinding(Audited, Model):
    """A "no" in a submitted audit: the finding and its action, an obligation that escalates."""

    __tablename__ = "home_audit_findings"
    __table_args__ = (one_of("priority", Priority),
                      Index("ix_home_audit_findings_untracked", "untracked", "home_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("home_audits.id", ondelete="CASCADE"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    question_code: Mapped[str] = mapped_column(String(40))
    question: Mapped[str] = mapped_column(Text)
    finding: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date]
    priority: Mapped[str] = mapped_column(String(10))
    # Made while the `action_complete` rule was switched off: no obligation tracks its deadline,
    # so it stays on the open action list until someone deals with it. Kept so that list reads
    # these few instead of testing every finding of the history for an obligation (0033).
    untracked: Mapped[bool] = mapped_column(default=False, server_default=false())

    audit: Mapped[HomeAudit] = relationship(back_populates="findings")
    owner: Mapped[User] = relationship()

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Audit finding: {self.action[:80]}"
