"""The certificate register (check types, which apply per home, entries and their evidence)
and the Schedule 4 fire log (weekly alarm tests, drills, monthly emergency lighting)."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homes_qa.extensions import Model
from homes_qa.spine.audit.models import Audited
from homes_qa.spine.constraints import one_of
from homes_qa.spine.obligations.models import Completion
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import UTCDateTime, utcnow


class CheckType(Audited, Model):
    """A kind of certificate or statutory check. Its interval and source are its rule's
    (`rule_code`, editable on the rules page); administrators add types (and so rules)."""

    __tablename__ = "check_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    rule_code: Mapped[str] = mapped_column(String(60), unique=True)
    # LOLER applies only where there is a hoist: off unless the home says so.
    applies_by_default: Mapped[bool] = mapped_column(default=True)
    applies_hint: Mapped[str] = mapped_column(Text, default="")  # e.g. "Only if the home has a gas supply"
    position: Mapped[int] = mapped_column(default=100)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def audit_label(self) -> str:
        return f"Check type: {self.title}"


class HomeCheckSetting(Audited, Model):
    """Whether a check type applies at a home (no gas supply → no gas safety check)."""

    __tablename__ = "home_check_settings"
    __table_args__ = (UniqueConstraint("home_id", "check_type_id", name="uq_home_check_settings_home_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    check_type_id: Mapped[int] = mapped_column(ForeignKey("check_types.id", ondelete="CASCADE"))
    applies: Mapped[bool] = mapped_column(default=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    check_type: Mapped[CheckType] = relationship()

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"{self.check_type.title}: {'applies' if self.applies else 'does not apply'}"


class CertificateEntry(Audited, Model):
    """A certificate or check done: its date, the contractor, the certificate number. Its
    completion (spine) discharged the open obligation and set the next, floating from `done_on`."""

    __tablename__ = "certificate_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    check_type_id: Mapped[int] = mapped_column(ForeignKey("check_types.id"), index=True)
    completion_id: Mapped[int] = mapped_column(ForeignKey("completions.id"))
    done_on: Mapped[date]
    next_due_on: Mapped[date | None]
    contractor: Mapped[str] = mapped_column(String(200))
    certificate_number: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    home: Mapped[Home] = relationship()
    check_type: Mapped[CheckType] = relationship()
    completion: Mapped[Completion] = relationship()
    recorded_by: Mapped[User] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(back_populates="entry", order_by="Evidence.id")

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"{self.check_type.title} done on {self.done_on.isoformat()}"


class EvidenceKind(StrEnum):
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"


class Evidence(Audited, Model):
    """A certificate file, stored under instance/uploads/ with a generated name and its sha256."""

    __tablename__ = "certificate_evidence"
    __table_args__ = (one_of("kind", EvidenceKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("certificate_entries.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[CertificateEntry] = relationship(back_populates="evidence")

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Evidence {self.original_name} (sha256 {self.sha256[:12]}…)"


class FireLogKind(StrEnum):
    ALARM_TEST = "alarm_test"
    DRILL = "drill"
    EMERGENCY_LIGHTING = "emergency_lighting"


# The rule each kind of entry discharges (homes_qa/core/catalogue.py: BS 5839-1 weekly,
# BS 5266-1 monthly, RR(FS)O 2005 / Schedule 4 quarterly drills).
FIRE_LOG_RULES: dict[str, str] = {
    FireLogKind.ALARM_TEST: "fire_alarm_test_weekly",
    FireLogKind.DRILL: "fire_drill_quarterly",
    FireLogKind.EMERGENCY_LIGHTING: "emergency_lighting_monthly",
}


class FireLogResult(StrEnum):
    SATISFACTORY = "satisfactory"
    FAULTS = "faults"


class DrillConditions(StrEnum):
    DAY = "day"
    NIGHT = "night"


class FireLogEntry(Audited, Model):
    """One line of the Schedule 4 record: every fire drill and fire-alarm test, with any
    deficiencies and the steps taken to remedy them (reg 37, Schedule 4 item 6)."""

    __tablename__ = "fire_log_entries"
    __table_args__ = (one_of("kind", FireLogKind), one_of("result", FireLogResult),
                      one_of("conditions", DrillConditions))

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    done_on: Mapped[date]
    call_point: Mapped[str] = mapped_column(String(100), default="")  # alarm test: which call point
    result: Mapped[str] = mapped_column(String(20))
    conditions: Mapped[str | None] = mapped_column(String(10))  # drill: day or night
    evacuation_seconds: Mapped[int | None]  # drill: time to evacuate
    participants: Mapped[str] = mapped_column(Text, default="")  # drill: who took part
    deficiencies: Mapped[str] = mapped_column(Text, default="")
    remedy: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User] = relationship()

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Fire log: {self.kind} on {self.done_on.isoformat()}"
