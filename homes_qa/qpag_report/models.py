"""The service managers' joint monthly report to QPAG, one row per version."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homes_qa.extensions import Model
from homes_qa.spine.audit.models import Audited
from homes_qa.spine.constraints import one_of
from homes_qa.spine.people.models import User
from homes_qa.spine.timestamps import UTCDateTime, utcnow


class ReportStatus(StrEnum):
    DRAFT = "draft"
    FINAL = "final"


# The report's sections, in order: (code, heading). Each has drafted facts (in `facts`, under
# the same code) and the service managers' commentary (the column `<code>_commentary`).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("reviews", "Thematic reviews and dip samples completed"),
    ("reg44", "Regulation 44 visits"),
    ("kpis", "Key performance indicators"),
    ("escalations", "Escalations"),
    ("surveys", "Young people's and professionals' surveys"),
)
SECTION_CODES = tuple(code for code, _ in SECTIONS)


class QpagReport(Audited, Model):
    """One version of the report on one month (`month` is its first day). A draft's facts are a
    snapshot of the records, drafted again on request; a final version is locked, and a
    correction is a new version (its reason kept)."""

    __tablename__ = "qpag_reports"
    __table_args__ = (UniqueConstraint("month", "version", name="uq_qpag_reports_month_version"),
                      # The list of reports from the index alone: each row's `facts` (a snapshot of
                      # every home, 1 MB at 1,000 homes) lies before `author_id`, and reading a
                      # column past it walks its overflow pages (migration 0038).
                      Index("ix_qpag_reports_listed", "month", "version", "status", "author_id"),
                      one_of("status", ReportStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date, index=True)
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.DRAFT)
    facts: Mapped[dict] = mapped_column(JSON, default=dict)
    reviews_commentary: Mapped[str] = mapped_column(Text, default="")
    reg44_commentary: Mapped[str] = mapped_column(Text, default="")
    kpis_commentary: Mapped[str] = mapped_column(Text, default="")
    escalations_commentary: Mapped[str] = mapped_column(Text, default="")
    surveys_commentary: Mapped[str] = mapped_column(Text, default="")
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when the facts were drafted
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    finalised_by: Mapped[User | None] = relationship(foreign_keys=[finalised_by_id])

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT

    def commentary(self, section: str) -> str:
        return str(getattr(self, f"{section}_commentary") or "")

    @property
    def audit_label(self) -> str:
        return f"QPAG report for {self.month:%B %Y}, version {self.version}"
