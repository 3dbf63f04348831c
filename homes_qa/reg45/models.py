"""The Regulation 45 review of the quality of care."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homes_qa.extensions import Model
from homes_qa.spine.audit.models import Audited
from homes_qa.spine.constraints import one_of
from homes_qa.spine.people.models import Home
from homes_qa.spine.timestamps import UTCDateTime, utcnow


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    COMPLETED = "completed"


class Reg45Review(Audited, Model):
    """The registered person's review of the quality of care, at least every 6 months (reg 45)."""

    __tablename__ = "reg45_reviews"
    __table_args__ = (one_of("status", ReviewStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default=ReviewStatus.DRAFT)
    evidence_summary: Mapped[dict] = mapped_column(JSON, default=dict)  # gathered Reg 44 findings, actions, feedback
    quality_of_care: Mapped[str] = mapped_column(Text, default="")
    improvements: Mapped[str] = mapped_column(Text, default="")
    children_views: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_to_ofsted_on: Mapped[date | None]

    home: Mapped[Home] = relationship()

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Reg 45 review {self.period_start} to {self.period_end}"
