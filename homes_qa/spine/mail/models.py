"""The outbound e-mail queue."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from homes_qa.extensions import Model
from homes_qa.spine.constraints import one_of
from homes_qa.spine.timestamps import UTCDateTime, utcnow


class EmailStatus(StrEnum):
    PENDING = "pending"  # queued, or waiting to be tried again
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt


class OutboundEmail(Model):
    __tablename__ = "outbound_emails"
    __table_args__ = (one_of("status", EmailStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))  # "digest", "alert"
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)  # e.g. "digest:2026-11-23:user:4"
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=EmailStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
