"""The scheduler's lease."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from homes_qa.extensions import Model
from homes_qa.spine.timestamps import UTCDateTime


class SchedulerLease(Model):
    """A lease row: whoever holds an unexpired lease is the one scheduler that sweeps."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
