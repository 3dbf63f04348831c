"""Alerts: one per obligation and escalation level."""
from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    case,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import InstanceState, Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.base import PASSIVE_NO_INITIALIZE
from sqlalchemy.sql.elements import ColumnElement

from homes_qa.extensions import Model
from homes_qa.spine.audit.models import Audited
from homes_qa.spine.obligations.models import (
    LOOK_AGAIN,
    Obligation,
    ObligationStatus,
    note_open_work_changed,
    open_work_key,
)
from homes_qa.spine.people.models import User
from homes_qa.spine.timestamps import UTCDateTime, utcnow

ESCALATION_LEVEL = 2  # alerts: 0 due soon, 1 overdue, 2 and up escalated (core.drift)


class Alert(Audited, Model):
    """Drift raised for one obligation at one level (0 due soon, 1 overdue, 2+ escalated): once."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("obligation_id", "level", name="uq_alerts_obligation_level"),
                      Index("ix_alerts_raised_at", "raised_at"),  # first pages: raised since you last looked
                      # The header's count on every page: what is aimed at my role, not yet seen,
                      # in my homes (each home a seek: migration 0034).
                      Index("ix_alerts_role_unacknowledged", "target_role", "acknowledged_at", "home_id"),
                      # "My homes" in its order, read from the index (migration 0027).
                      Index("ix_alerts_listed", "listing", "listed_due_at", "id"),
                      # "For me" in its order, and a role's escalations by deadline (migration 0036).
                      Index("ix_alerts_role_listed", "target_role", "role_listing", "listed_due_at", "id"),
                      Index("ix_alerts_role_due", "target_role", "listed_due_at", "obligation_id", "level"),
                      # The few escalations (migration 0028), which every work list tests each
                      # open obligation against: a range of this index, not a scan of every alert.
                      Index("ix_alerts_escalated", "level", "target_role", "obligation_id"),
                      # A home's alerts, latest first: what changed in someone's homes since they
                      # last looked (migration 0030; it also serves as the index of the home).
                      Index("ix_alerts_home_raised", "home_id", "raised_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligations.id", ondelete="CASCADE"), index=True)
    level: Mapped[int] = mapped_column()
    target_role: Mapped[str] = mapped_column(String(30))
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id", ondelete="CASCADE"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the level was reached (may precede raised_at after downtime)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledgement_note: Mapped[str | None] = mapped_column(Text)
    # Bookkeeping for "My homes", which lists each open obligation by its highest alert,
    # unacknowledged first, then by the obligation's deadline. On that one alert: `listing` is
    # UNACKNOWLEDGED or ACKNOWLEDGED (NULL on every other alert and once the obligation is
    # closed), and `listed_due_at` the obligation's due_at. Kept by `_relist` below on every flush that
    # raises or acknowledges an alert or moves or closes an obligation, so a head of service's
    # list is read in order from one index and counted from it, not ranked from every open alert
    # of the estate (issue 13).
    listing: Mapped[int | None] = mapped_column()
    # The same for "For me", which lists each open obligation by its highest alert aimed at my
    # role: `role_listing` on that alert (so also on the `listing` one, the highest of all). And
    # `listed_due_at` is on every alert either marker is on (migration 0036): a head of service's
    # "For me" and "Escalated to you" are ranges of one index, not a join of every alert aimed at
    # the role to its obligation, sorted (issue 13: 4,480 of them at 1,000 homes).
    role_listing: Mapped[int | None] = mapped_column()
    listed_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    UNACKNOWLEDGED, ACKNOWLEDGED = 0, 1  # values of `listing` and `role_listing`, in the list's order

    __audit_ignore__ = frozenset({"listing", "role_listing", "listed_due_at"})

    obligation: Mapped[Obligation] = relationship(back_populates="alerts")
    acknowledged_by: Mapped[User | None] = relationship()

    @property
    def audit_home_id(self) -> int | None:
        return self.home_id

    @property
    def audit_label(self) -> str:
        return f"Alert level {self.level} on obligation {self.obligation_id}"


_RELIST_KEY = "homes_qa.alerts.relist"  # session.info: obligations whose listing a flush changed
_OPEN_WORK_KEY = "homes_qa.alerts.open_work"  # session.info: homes whose open work a flush changed
_RELIST_CHUNK = 500  # obligation ids per UPDATE (a sweep batch)


def is_escalation() -> ColumnElement[bool]:
    """An alert at an escalation level (read through `ix_alerts_escalated`)."""
    return Alert.level >= ESCALATION_LEVEL


def _timing_changed(obligation: Obligation) -> bool:
    """Closed, deadline moved, or sent back to the sweep (LOOK_AGAIN: new, changed, or mended by
    hand in SQL, which is how an operator's repair of `due_at` is picked up here too)."""
    state = inspect(obligation)
    if _changed(state, "status") or _changed(state, "due_at"):
        return True
    return LOOK_AGAIN in state.get_history("next_alert_at", PASSIVE_NO_INITIALIZE).deleted


def _changed(state: InstanceState[Any], key: str) -> bool:
    # The attribute's pre-flush history, without `state.attrs` (a proxy of every attribute,
    # built per object: each sweep flushes thousands of obligations).
    return state.get_history(key, PASSIVE_NO_INITIALIZE).has_changes()


@event.listens_for(Session, "after_flush")
def _note_relist(session: Session, flush_context: Any) -> None:
    ids: set[int] = session.info.setdefault(_RELIST_KEY, set())
    homes: set[int] = session.info.setdefault(_OPEN_WORK_KEY, set())  # whose open work counts change
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Alert):
            ids.add(obj.obligation_id)
            homes.add(open_work_key(obj.home_id))
        elif isinstance(obj, Obligation):
            homes.add(open_work_key(obj.home_id))
    for obj in session.dirty:  # (built from the identity map on each access: read once)
        if isinstance(obj, Obligation):
            if _timing_changed(obj):
                ids.add(obj.id)
                homes.add(open_work_key(obj.home_id))
            elif _changed(inspect(obj), "due_soon_days"):
                homes.add(open_work_key(obj.home_id))
        elif isinstance(obj, Alert) and _changed(inspect(obj), "acknowledged_at"):
            ids.add(obj.obligation_id)


@event.listens_for(Session, "after_flush_postexec")
def _relist(session: Session, flush_context: Any) -> None:
    """Work `listing` and `listed_due_at` out again from the database, set-based, for every alert of the
    obligations this flush touched: the same SQL on SQLite and PostgreSQL, inside the flush's
    transaction (or savepoint), so it is kept or rolled back with what it follows from."""
    ids = session.info.pop(_RELIST_KEY, None)
    if ids:
        relist(session, ids)
    homes = session.info.pop(_OPEN_WORK_KEY, None)
    if homes:
        note_open_work_changed(session, homes)


def relist(session: Session, ids: set[int]) -> None:
    """`_relist` for the alerts of these obligations: also for alerts written without the unit of
    work (`insert_in_bulk`), which no flush hook sees."""
    ordered = sorted(ids)
    connection = session.connection()
    for start in range(0, len(ordered), _RELIST_CHUNK):
        connection.execute(_RELIST.where(Alert.obligation_id.in_(ordered[start:start + _RELIST_CHUNK])))
    for obj in session.identity_map.values():
        if isinstance(obj, Alert) and obj.obligation_id in ids:
            session.expire(obj, ["listing", "role_listing", "listed_due_at"])  # the row's values, read again if asked for


def _relist_statement() -> Any:
    alerts = cast(Table, Alert.__table__)
    other = alerts.alias("other_alert")
    obligations = cast(Table, Obligation.__table__)
    highest = select(func.max(other.c.level)).where(other.c.obligation_id == alerts.c.obligation_id).scalar_subquery()
    highest_for_role = (select(func.max(other.c.level))
                        .where(other.c.obligation_id == alerts.c.obligation_id, other.c.target_role == alerts.c.target_role)
                        .scalar_subquery())
    open_due = (select(obligations.c.due_at)
                .where(obligations.c.id == alerts.c.obligation_id, obligations.c.status == ObligationStatus.OPEN.value)
                .scalar_subquery())
    is_listed = (alerts.c.level == highest) & open_due.is_not(None)
    # The highest of all is the highest of its own role too, so `role_listing` is set wherever
    # `listing` is, and `listed_due_at` wherever `role_listing` is.
    is_role_listed = (alerts.c.level == highest_for_role) & open_due.is_not(None)
    acknowledged = case((alerts.c.acknowledged_at.is_(None), Alert.UNACKNOWLEDGED), else_=Alert.ACKNOWLEDGED)
    return update(alerts).values(listing=case((is_listed, acknowledged), else_=None),
                                 role_listing=case((is_role_listed, acknowledged), else_=None),
                                 listed_due_at=case((is_role_listed, open_due), else_=None))


_RELIST = _relist_statement()
