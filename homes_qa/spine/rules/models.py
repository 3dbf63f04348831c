"""The rule table: each row of the QA schedule, with its source."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from homes_qa.core.escalation import EscalationStep, ladder_from_list
from homes_qa.core.timing import Timing
from homes_qa.extensions import Model
from homes_qa.spine.audit.models import Audited
from homes_qa.spine.constraints import one_of
from homes_qa.spine.timestamps import UTCDateTime, utcnow


class RuleScope(StrEnum):
    HOME = "home"  # one obligation stream per home
    ORGANISATION = "organisation"  # one stream for the whole service (QPAG, dip samples…)


class Rule(Audited, Model):
    """A row of the QA schedule: what is due, when, who answers for it, and where that is written."""

    __tablename__ = "rules"
    __table_args__ = (one_of("scope", RuleScope),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(40), index=True)
    trigger: Mapped[str] = mapped_column(String(60))
    scope: Mapped[str] = mapped_column(String(20), default=RuleScope.HOME)
    timing: Mapped[dict[str, Any]] = mapped_column(JSON)
    responsible_role: Mapped[str] = mapped_column(String(30))
    ladder: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    due_soon_days: Mapped[int] = mapped_column(default=7)
    due_soon_hours: Mapped[int | None] = mapped_column()  # hour clocks warn in hours (overrides days)
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
