"""Alerts: one per obligation and escalation level."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homes_qa.extensions import Model
from homes_qa.spine.audit.models import Audited
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import User
from homes_qa.spine.timestamps import UTCDateTime, utcnow


class Alert(Audited, Model):
    """Drift raised for one obligation at one level (0 due soon, 1 overdue, 2+ escalated): once."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("obligation_id", "level", name="uq_alerts_obligation_level"),
                      Index("ix_alerts_raised_at", "raised_at"),  # first pages: raised since you last looked
                      # The header's count on every page: what is aimed at my role, not yet seen.
                      Index("ix_alerts_role_unacknowledged", "target_role", "acknowledged_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligations.id", ondelete="CASCADE"), index=True)
    level: Mapped[int] = mapped_column()
    target_role: Mapped[str] = mapped_column(String(30))
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the level was reached (may precede raised_at after downtime)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledgement_note: Mapped[str | None] = mapped_column(Text)

    obligation: Mapped[Obligation] = relationship(back_populates="alerts")
    acknowledged_by: Mapped[User | None] = relationship()

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Alert level {self.level} on obligation {self.obligation_id}"
