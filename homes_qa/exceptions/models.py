"""Monthly KPIs entered per home and month (Ofsted Annex A measures; seed 002 §7.1 KPI review)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homes_qa.core.kpis import MEASURES
from homes_qa.extensions import Model
from homes_qa.spine.audit.models import Audited
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import UTCDateTime, utcnow


class MonthlyKpi(Audited, Model):
    """One home's entered measures for one month (`month` is its first day). Each is a whole
    number between 0 and the measure's maximum (core/kpis.py), checked by the database too."""

    __tablename__ = "monthly_kpis"
    __table_args__ = (
        UniqueConstraint("home_id", "month", name="uq_monthly_kpis_home_month"),
        *(CheckConstraint(f"{m.code} >= 0 AND {m.code} <= {m.maximum}", name=f"ck_monthly_kpis_{m.code}")
          for m in MEASURES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    month: Mapped[date] = mapped_column(Date)
    children_resident: Mapped[int] = mapped_column()
    admissions: Mapped[int] = mapped_column()
    leavers: Mapped[int] = mapped_column()
    average_placement_days: Mapped[int] = mapped_column()
    staff_at_start: Mapped[int] = mapped_column()
    staff_leavers: Mapped[int] = mapped_column()
    compliments: Mapped[int] = mapped_column()
    complaints: Mapped[int] = mapped_column()
    safeguarding_concerns: Mapped[int] = mapped_column()
    restraint_incidents: Mapped[int] = mapped_column()
    restraint_children: Mapped[int] = mapped_column()
    missing_episodes: Mapped[int] = mapped_column()
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    home: Mapped[Home] = relationship()
    entered_by: Mapped[User] = relationship()

    def value(self, code: str) -> int:
        return int(getattr(self, code))

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Monthly KPIs for {self.month:%B %Y}"


class FirstPageView(Audited, Model):
    """When a person last opened their first page, and where its "what changed" list starts
    (core/since.py). One row per person. Each look moves `viewed_at`, which the trail ignores
    (a look changes nothing); a new `since` — a new session's list — is in the trail."""

    __tablename__ = "first_page_views"
    __audit_ignore__ = frozenset({"viewed_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def audit_label(self) -> str:
        return f"First page looked at by user {self.user_id}"
