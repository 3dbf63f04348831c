"""The spine: rules (cited data), the obligations they imply, and the alerts raised on drift."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.escalation import EscalationStep, ladder_from_list
from ..core.timing import Timing
from ..extensions import db
from .audit import Audited
from .people import Home, User
from .types import UTCDateTime, utcnow


class RuleScope:
    HOME = "home"  # one obligation stream per home
    ORGANISATION = "organisation"  # one stream for the whole service (QPAG, dip samples…)


class Rule(Audited, db.Model):
    """A row of the QA schedule: what is due, when, who answers for it, and where that is written."""

    __tablename__ = "rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(40), index=True)
    trigger: Mapped[str] = mapped_column(String(60))
    scope: Mapped[str] = mapped_column(String(20), default=RuleScope.HOME)
    timing: Mapped[dict] = mapped_column(JSON)
    responsible_role: Mapped[str] = mapped_column(String(30))
    ladder: Mapped[list] = mapped_column(JSON)
    due_soon_days: Mapped[int] = mapped_column(default=7)
    source: Mapped[str] = mapped_column(Text)
    verify: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __audit_ignore__ = frozenset({"updated_at"})

    @property
    def timing_value(self) -> Timing:
        return Timing.from_dict(self.timing)

    @property
    def ladder_value(self) -> tuple[EscalationStep, ...]:
        return ladder_from_list(self.ladder)

    @property
    def audit_label(self) -> str:
        return f"Rule {self.code}"


class ObligationStatus:
    OPEN = "open"
    MET = "met"
    MET_LATE = "met_late"
    WAIVED = "waived"
    CLOSED = (MET, MET_LATE, WAIVED)


class Obligation(Audited, db.Model):
    """Something that must be done by a deadline, for a home (or the organisation).

    Timing and ladder are copied from the rule when the obligation is made, so a later rule
    edit applies to obligations created after it and never moves a deadline already set.
    """

    __tablename__ = "obligations"
    __table_args__ = (
        # One obligation per (rule, home or organisation, period or subject): enforced here.
        UniqueConstraint("rule_code", "scope_key", "period_key", name="uq_obligations_rule_scope_period"),
        Index("ix_obligations_open_due", "status", "due_at"),
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
    ladder: Mapped[list] = mapped_column(JSON)
    due_soon_days: Mapped[int] = mapped_column(default=7)
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
    alerts: Mapped[list["Alert"]] = relationship(back_populates="obligation", order_by="Alert.level")

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


class Alert(Audited, db.Model):
    """Drift raised for one obligation at one level (0 due soon, 1 overdue, 2+ escalated): once."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("obligation_id", "level", name="uq_alerts_obligation_level"),)

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


class Completion(Audited, db.Model):
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
