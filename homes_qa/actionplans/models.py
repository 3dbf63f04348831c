"""Reg 44 action plans: the registered person's response to each recommendation."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homes_qa.extensions import Model
from homes_qa.reg44.models import Reg44Recommendation
from homes_qa.spine.audit.models import Audited
from homes_qa.spine.constraints import one_of
from homes_qa.spine.timestamps import UTCDateTime


class PlanStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # proposed by the registered manager, awaiting the service manager
    RETURNED = "returned"
    APPROVED = "approved"


class Decision(StrEnum):
    """The registered person's decision on each recommendation (reg 44(5))."""

    ACCEPT = "accept"
    DECLINE = "decline"


ACCEPT = Decision.ACCEPT
DECLINE = Decision.DECLINE
DECISIONS: dict[str, str] = {Decision.ACCEPT: "Accept", Decision.DECLINE: "Decline"}


class ActionPlan(Audited, Model):
    __tablename__ = "reg44_action_plans"
    __table_args__ = (one_of("status", PlanStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reg44_reports.id", ondelete="CASCADE"), unique=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=PlanStatus.DRAFT)
    reviewer_comments: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    responses: Mapped[list[ActionPlanResponse]] = relationship(back_populates="plan", cascade="all, delete-orphan")

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id


class ActionPlanResponse(Audited, Model):
    """The registered manager's answer to one recommendation: an action, or a reason to decline."""

    __tablename__ = "reg44_action_plan_responses"
    __table_args__ = (
        UniqueConstraint("plan_id", "recommendation_id", name="uq_reg44_action_plan_responses_plan_rec"),
        one_of("decision", Decision),
        # The action list: a home's actions still to do, not every plan of the estate (0032).
        Index("ix_reg44_action_plan_responses_home_done", "home_id", "completed_on"),
        # Across homes: the open actions in the action list's order, read a page at a time (0035).
        Index("ix_reg44_action_plan_responses_open_due", "decision", "completed_on", "due_on", "home_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("reg44_action_plans.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("reg44_recommendations.id", ondelete="CASCADE"))
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(10))  # "accept" or "decline"
    action: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(120), default="")
    due_on: Mapped[date | None]
    original_due_on: Mapped[date | None]  # the first due date proposed, kept when it moves
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    completed_on: Mapped[date | None]

    plan: Mapped[ActionPlan] = relationship(back_populates="responses")
    recommendation: Mapped[Reg44Recommendation] = relationship()

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Action plan response to recommendation {self.recommendation_id}"
