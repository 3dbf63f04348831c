"""Pre-visit feedback: single-use links and the answers they bring."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum, nonmember

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from homes_qa.extensions import Model
from homes_qa.spine.audit.models import Audited
from homes_qa.spine.constraints import one_of
from homes_qa.spine.timestamps import UTCDateTime, utcnow


class FeedbackAudience(StrEnum):
    YOUNG_PERSON = "young_person"
    PROFESSIONAL = "professional"
    LABELS = nonmember({YOUNG_PERSON: "Young people", PROFESSIONAL: "Professionals"})

    @property
    def label(self) -> str:
        return FeedbackAudience.LABELS[self]


class FeedbackRequest(Audited, Model):
    """A single-use, expiring link that lets someone answer without an account."""

    __tablename__ = "feedback_requests"
    __table_args__ = (one_of("audience", FeedbackAudience),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("reg44_visits.id", ondelete="CASCADE"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    audience: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256; the token itself is never stored
    label: Mapped[str] = mapped_column(String(200), default="")  # e.g. "Social worker for young person A"
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __audit_redact__ = frozenset({"token_hash"})

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Feedback request {self.id} ({self.audience})"


class FeedbackResponse(Audited, Model):
    __tablename__ = "feedback_responses"
    __table_args__ = (one_of("audience", FeedbackAudience),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("reg44_visits.id", ondelete="CASCADE"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_requests.id"))
    audience: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict] = mapped_column(JSON)
    anonymous: Mapped[bool] = mapped_column(default=False)
    respondent: Mapped[str] = mapped_column(String(200), default="")  # role or name, blank if anonymous
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # staff on a young person's behalf
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # The trail records that an answer arrived, not what a (possibly anonymous) child said.
    __audit_redact__ = frozenset({"answers", "respondent"})

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Feedback response {self.id} ({self.audience})"
