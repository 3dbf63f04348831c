"""Obligations: what must be done for a home by when, and completions of checks."""
from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum, nonmember
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import JSON, ForeignKey, Index, String, Table, Text, UniqueConstraint, event, text, update
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


# `next_alert_at` of an obligation the sweep must look at again (new, or its timing changed).
LOOK_AGAIN = datetime(1970, 1, 1, tzinfo=UTC)


class Obligation(Audited, Model):
    """Something that must be done by a deadline, for a home (or the organisation).

    Timing and ladder are copied from the rule when the obligation is made, so a later rule
    edit applies to obligations created after it and never moves a deadline already set.
    """

    __tablename__ = "obligations"
    __table_args__ = (
        # One obligation per (rule, home or organisation, period or subject): enforced here.
        UniqueConstraint("rule_code", "scope_key", "period_key", name="uq_obligations_rule_scope_period"),
        # Both also carry what the exceptions grid classifies and counts by, so counting a head of
        # service's open work reads the index alone, not every row (issue 13; migration 0026).
        Index("ix_obligations_open_due", "status", "due_at", "due_soon_days", "home_id", "rule_id"),
        Index("ix_obligations_open_next_alert", "status", "next_alert_at"),
        # The open work's distinct warning periods, a seek each (migration 0037).
        Index("ix_obligations_open_warning", "status", "due_soon_days", "due_at"),
        Index("ix_obligations_met", "status", "met_at"),  # first pages: what was met since you last looked
        Index("ix_obligations_home_met", "home_id", "status", "met_at"),  # … in someone's homes (0030)
        Index("ix_obligations_home_open", "home_id", "status", "due_at", "rule_id", "due_soon_days"),  # a home's open work
        # One rule's obligations in given homes (issue 13: the Reg 44 page; migration 0023).
        Index("ix_obligations_home_rule_status", "home_id", "rule_code", "status", "due_at"),
        # A record's own obligations (an incident's, a finding's action, a visit's deadlines) (0032).
        Index("ix_obligations_subject", "subject_type", "subject_id"),
        # One rule's open obligations by due time, in every home (a head of service's prompts).
        # With its subject: the open actions of one kind of record (audit findings' among every open
        # `action_complete`) read from the index alone, not each obligation's row (migration 0039).
        Index("ix_obligations_rule_open", "rule_code", "status", "due_at", "subject_type", "subject_id"),
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
    # The sweep's bookkeeping, not the record: the instant after which this obligation's next
    # alert level is reached (core.drift.next_alert_after), LOOK_AGAIN when it must be worked
    # out again, None when every level has been raised. The sweep reads only the open
    # obligations whose instant `now` has passed, so its steady cost follows what is due, not
    # the size of the estate.
    next_alert_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, default=LOOK_AGAIN, server_default=text("'1970-01-01 00:00:00'"))

    __audit_ignore__ = frozenset({"created_at", "next_alert_at"})

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


def _look_again(target: Obligation, value: Any, oldvalue: Any, initiator: Any) -> None:
    """Any change to what the alert instants are computed from sends it back to the sweep."""
    target.next_alert_at = LOOK_AGAIN


for _name in ("due_at", "ladder", "due_soon_days", "due_soon_hours", "status"):
    event.listen(getattr(Obligation, _name), "set", _look_again)


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


class RecurringHorizon(Model):
    """Bookkeeping for `ensure_recurring`, not a record: every stream of this calendar rule
    has its obligations up to period `upto_key`, for the homes and timing `made_for` digests.

    While both still hold, a sweep need not look at each home's stream again, so its steady
    cost does not grow with the number of homes. Any change (a new period, a home opened or
    closed, the rule's timing or scope edited) makes the digest differ and the streams are
    checked one by one, as before.
    """

    __tablename__ = "recurring_horizons"

    rule_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    upto_key: Mapped[str] = mapped_column(String(80))
    made_for: Mapped[str] = mapped_column(String(64))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HomeOpenWork(Model):
    """Bookkeeping for the exceptions grid of someone who sees every home, not a record: each
    home's open obligations counted as escalated, overdue and due soon at `counted_at` (every
    row of one count has the same instant, kept in `OpenWorkClock` with its thresholds).

    A head of service's first page ranks every home by these counts. Counted from every open
    obligation on each look, that grew with the estate (issue 13); counted here after each
    sweep, a look adds only what crossed a threshold since (a few minutes' due times) and counts
    afresh the homes changed since. `changes` goes up with every change to a home's obligations
    or alerts (`note_open_work_changed`, in the changing transaction); a row counts only while
    `counted_changes` still equals it. Key 0 is the whole service (obligations of no home).
    """

    __tablename__ = "home_open_work"

    home_key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    escalated: Mapped[int] = mapped_column(default=0)
    overdue: Mapped[int] = mapped_column(default=0)
    due_soon: Mapped[int] = mapped_column(default=0)
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changes: Mapped[int] = mapped_column(default=0)
    counted_changes: Mapped[int] = mapped_column(default=0)


class OpenWorkClock(Model):
    """The instants `HomeOpenWork` was counted at, by name: the count's `now` and the thresholds
    worked out from it (the grid's own clock, `exceptions.queries._clock`)."""

    __tablename__ = "open_work_clock"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


WHOLE_SERVICE_KEY = 0  # `HomeOpenWork.home_key` of obligations of no home
_OPEN_WORK_CHUNK = 500


def open_work_key(home_id: int | None) -> int:
    return WHOLE_SERVICE_KEY if home_id is None else home_id


def note_open_work_changed(session: Any, keys: Any) -> None:
    """Count these homes' open work afresh on the next look (and until the next count): in the
    caller's transaction, so the change and the mark commit or roll back together."""
    ordered = sorted(set(keys))
    table = cast(Table, HomeOpenWork.__table__)
    connection = session.connection()
    for start in range(0, len(ordered), _OPEN_WORK_CHUNK):
        connection.execute(update(table).where(table.c.home_key.in_(ordered[start:start + _OPEN_WORK_CHUNK]))
                           .values(changes=table.c.changes + 1))
