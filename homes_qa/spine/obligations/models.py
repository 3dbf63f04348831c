"""Obligations: what must be done for a home by when, and completions of checks."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum, nonmember
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homes_qa.core.escalation import EscalationStep, ladder_from_list
from homes_qa.extensions import Model
from homes_qa.spine.audit.models import Audited
from homes_qa.spine.constraints import one_of
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.timestamps import UTCDateTime, utcnow

if TYPE_CHECKING:  # the alert model imports this one
    from homes_qa.spine.alerts.models import Alert


class ObligationStatus(StrEnum):
    OPEN = "open"
    MET = "met"
    MET_LATE = "met_late"
    WAIVED = "waived"
    CLOSED = nonmember((MET, MET_LATE, WAIVED))


class Obligation(Audited, Model):
    """Something that must be done by a deadline, for a home (or the organisation).

    Timing and ladder are copied from the rule when the obligation is made, so a later rule
    edit applies to obligations created after it and never moves a deadline already set.
    """

    __tablename__ = "obligations"
    __table_args__ = (
        # One obligation per (rule, home or organisation, period or subject): enforced here.
        UniqueConstraint("rule_code", "scope_key", "period_key", name="uq_obligations_rule_scope_period"),
        Index("ix_obligations_open_due", "status", "due_at"),
        # One rule's obligations in given homes (issue 13: the Reg 44 page; migration 0023).
        Index("ix_obligations_home_rule_status", "home_id", "rule_code", "status"),
        one_of("status", ObligationStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id"), index=True)
    rule_code: Mapped[str] = mapped_column(String(60))
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    scope_key: Mapped[str] = mapped_column(String(40))  # "home:12" or "organisation"
    period_key: Mapped[str] = mapped_column(String(80))  # "2026-11", "2026-W48", "visit:31"
    title: Mapped[str] = mapped_column(String(300))
    subject_type: Mapped[str | None] = mapped_column(String(60))
    subject_id: Mapped[int | None] = mapped_column()
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    responsible_role: Mapped[str] = mapped_column(String(30))
    ladder: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    due_soon_days: Mapped[int] = mapped_column(default=7)
    due_soon_hours: Mapped[int | None] = mapped_column()  # copied from the rule; overrides days when set
    status: Mapped[str] = mapped_column(String(20), default=ObligationStatus.OPEN)
    # Set while the obligation would reveal an unannounced Reg 44 visit to the home's staff.
    hidden_from_home_staff: Mapped[bool] = mapped_column(default=False)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discharged_by_type: Mapped[str | None] = mapped_column(String(60))
    discharged_by_id: Mapped[int | None] = mapped_column()
    waived_reason: Mapped[str | None] = mapped_column(Text)
    waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rule: Mapped[Rule] = relationship()
    home: Mapped[Home | None] = relationship()
    alerts: Mapped[list[Alert]] = relationship(back_populates="obligation", order_by="Alert.level")

    @property
    def ladder_value(self) -> tuple[EscalationStep, ...]:
        return ladder_from_list(self.ladder)

    @property
    def is_open(self) -> bool:
        return self.status == ObligationStatus.OPEN

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return self.title


class Completion(Audited, Model):
    """A manager's record that a check or review was done: discharges its obligation."""

    __tablename__ = "completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    rule_code: Mapped[str] = mapped_column(String(60), index=True)
    obligation_id: Mapped[int | None] = mapped_column(ForeignKey("obligations.id"))
    done_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User] = relationship()

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"{self.rule_code} done on {self.done_on.isoformat()}"
