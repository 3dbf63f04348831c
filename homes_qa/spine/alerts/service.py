"""The drift sweep and alert acknowledgement.

The sweep is derived from state: for each open obligation it works out which alert levels
`now` has reached (core.drift.alerts_due) and inserts the ones not yet raised. A unique
(obligation, level) constraint makes "exactly once" a database fact, so restarts, downtime
and a second sweeper can delay an alert but never lose or duplicate one.

Each open obligation keeps the instant its next level is reached (`next_alert_at`); a sweep
reads only those whose instant `now` has passed (or that changed since), so its steady cost
follows what falls due, not how many homes and obligations there are.
"""
from __future__ import annotations

import json
import logging
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from homes_qa.core.calendar import to_utc
from homes_qa.core.drift import alert_times, next_alert_after
from homes_qa.core.escalation import EscalationStep, ladder_from_list
from homes_qa.extensions import db
from homes_qa.spine.alerts.models import Alert, relist
from homes_qa.spine.audit.models import insert_in_bulk
from homes_qa.spine.obligations.models import (
    LOOK_AGAIN,
    Obligation,
    ObligationStatus,
    note_open_work_changed,
    open_work_key,
)
from homes_qa.spine.obligations.service import ensure_recurring
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import utcnow
from homes_qa.spine.transaction import ServiceError, transactional, unit_of_work

if TYPE_CHECKING:  # mail reads alerts: imported when the sweep runs
    from homes_qa.spine.mail.service import AlertAbout, SweptAlertMail

log = logging.getLogger("homes_qa.sweep")


@dataclass
class RaisedAlert:
    obligation_id: int
    home: str
    home_id: int | None
    rule: str
    title: str
    due_at: datetime
    level: int
    target_role: str

    def as_dict(self) -> dict[str, Any]:
        return {"obligation_id": self.obligation_id, "home": self.home, "home_id": self.home_id,
                "rule": self.rule, "title": self.title, "due_at": self.due_at.isoformat(),
                "level": self.level, "target_role": self.target_role}


@dataclass
class SweepResult:
    at: datetime
    examined: int = 0
    obligations_created: int = 0
    raised: list[RaisedAlert] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # (obligation id, level) another sweep raised between our read and our insert: a lost race,
    # not an error (the unique key kept it exactly once).
    already_raised: list[tuple[int, int]] = field(default_factory=list)
    seconds: float = 0.0
    dry_run: bool = False

    def summary(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "examined": self.examined,
                "obligations_created": self.obligations_created, "alerts_raised": len(self.raised),
                "already_raised": len(self.already_raised), "errors": len(self.errors), "seconds": round(self.seconds, 3), "dry_run": self.dry_run}


@dataclass(frozen=True, slots=True)
class LookedAt:
    """What the sweep reads of an open obligation: its columns, not the ORM object (loading,
    tracking and flushing thousands of those was a third of a period turn's sweep, issue 13)."""
    id: int
    home_id: int | None
    home: str  # its name, or "Whole service"
    rule_code: str
    title: str
    due_at: datetime
    steps: tuple[EscalationStep, ...]  # its ladder
    due_soon_days: int | None
    due_soon_hours: int | None
    next_alert_at: datetime | None
    responsible_role: str  # with the subject: what its alerts' e-mails say (SweptAlertMail)
    subject_type: str | None
    subject_id: int | None


def _target_role(obligation: LookedAt, level: int) -> str:
    if level == 0:
        return obligation.steps[0].role
    return obligation.steps[level - 1].role


def _to_look_at(now: datetime) -> Any:
    """Open obligations whose next alert instant `now` has passed (a level is reached when
    `now` is strictly later), including new and changed ones (LOOK_AGAIN)."""
    return ((Obligation.status == ObligationStatus.OPEN) & (Obligation.next_alert_at < now))


def _raised_before(obligation_ids: list[int]) -> set[tuple[int, int]]:
    """(obligation id, level) of every alert already raised on these obligations."""
    return {(row[0], row[1]) for row in db.session.execute(
        select(Alert.obligation_id, Alert.level).where(Alert.obligation_id.in_(obligation_ids))).all()}


def _insert_once(alert: Alert) -> bool:
    """Insert the alert in its own savepoint: False if another sweep raised it first."""
    try:
        with db.session.begin_nested():
            db.session.add(alert)
    except IntegrityError:
        exists = db.session.scalar(select(Alert.id).where(
            Alert.obligation_id == alert.obligation_id, Alert.level == alert.level))
        if exists is None:
            raise  # some other integrity problem: the caller reports it
        return False
    return True


def _raise_levels(obligation: LookedAt, levels: list[int], times: dict[int, datetime], now: datetime,
                  result: SweepResult) -> bool:
    """Insert the obligation's newly reached alerts, in one savepoint: one bad record is
    skipped (and none of its alerts kept), not the sweep. False when it was skipped."""
    try:
        with db.session.begin_nested():
            for level in levels:
                alert = _new_alert(obligation, level, times, now)
                if not _insert_once(alert):
                    log.info("sweep: obligation %s level %s was already raised by another sweep",
                             obligation.id, level)
                    result.already_raised.append((obligation.id, level))
                    continue
                result.raised.append(_raised(obligation, alert))
    except Exception as error:
        message = f"obligation {obligation.id}: {type(error).__name__}: {error}"
        log.exception("sweep skipped %s", message)
        result.errors.append(message)
        result.raised = [r for r in result.raised if r.obligation_id != obligation.id]
        return False
    return True


def _alert_row(obligation: LookedAt, level: int, times: dict[int, datetime], now: datetime,
               notified_at: datetime | None = None) -> dict[str, object]:
    return {"obligation_id": obligation.id, "level": level, "home_id": obligation.home_id,
            "target_role": _target_role(obligation, level), "raised_at": now, "reached_at": times[level],
            "notified_at": notified_at}


def _about(obligation: LookedAt) -> AlertAbout:
    """What an alert's e-mail says of its obligation (the sweep read it open)."""
    from homes_qa.spine.mail.service import AlertAbout  # late import: mail reads alerts
    return AlertAbout(obligation.title, obligation.due_at, obligation.responsible_role,
                      obligation.home if obligation.home_id is not None else None, obligation.home_id,
                      obligation.rule_code, ObligationStatus.OPEN, obligation.subject_type, obligation.subject_id)


def _new_alert(obligation: LookedAt, level: int, times: dict[int, datetime], now: datetime) -> Alert:
    return Alert(**_alert_row(obligation, level, times, now))


def _raised(obligation: LookedAt, alert: Alert) -> RaisedAlert:
    return RaisedAlert(obligation.id, obligation.home, obligation.home_id, obligation.rule_code, obligation.title,
                       obligation.due_at, alert.level, alert.target_role)


def _raise_batch(batch: list[tuple[LookedAt, list[int], dict[int, datetime]]], now: datetime,
                 result: SweepResult, mail: SweptAlertMail | None = None) -> list[LookedAt]:
    """Insert the batch's newly reached alerts in one savepoint, in bulk (after a month's
    downtime a savepoint and a flush per alert took most of the sweep's time), with their
    e-mails when `mail` is given (the alerts then go in marked notified). If anything in it
    fails (a lost race, a bad record), each obligation is done again on its own, as
    `_raise_levels` does, and mailed at the end of the sweep. Returns the obligations whose
    alerts are all in."""
    notified_at = now if mail is not None else None
    try:
        with db.session.begin_nested():
            wanted = [(obligation, level, _alert_row(obligation, level, times, now, notified_at))
                      for obligation, levels, times in batch for level in levels]
            # In bulk (batched INSERTs, audited as the flush hook would): after a month's
            # downtime a sweep raises thousands (issue 13). The "My homes" marker is kept here,
            # as the flush hook keeps it for alerts raised one at a time.
            made = {(alert.obligation_id, alert.level): alert
                    for alert in insert_in_bulk(Alert, [row for _obligation, _level, row in wanted])}
            relist(db.session(), {obligation.id for obligation, _levels, _times in batch})
            note_open_work_changed(db.session(), {open_work_key(obligation.home_id) for obligation, _l, _t in batch})
            alerts = [(obligation, made[(obligation.id, level)]) for obligation, level, _row in wanted]
            if mail is not None:
                mail([(alert, _about(obligation)) for obligation, alert in alerts])
    except Exception:  # rolled back to the savepoint: one by one, to keep all but the failing ones
        log.info("sweep: a batch of %d obligations is raised one by one", len(batch))
        return [obligation for obligation, levels, times in batch
                if _raise_levels(obligation, levels, times, now, result)]
    result.raised.extend(_raised(obligation, alert) for obligation, alert in alerts)
    return [obligation for obligation, _levels, _times in batch]


SWEEP_BATCH = 500  # obligations a sweep looks at in each of its transactions


def sweep(now: datetime, *, dry_run: bool = False) -> SweepResult:
    """Raise every alert that `now` has reached and that was not raised before."""
    started = time.monotonic()
    result = SweepResult(at=now, dry_run=dry_run)
    # Each batch of obligations is its own transaction (a dry run: one, rolled back), so a sweep
    # after long downtime, raising thousands of alerts, never holds the database's write lock
    # for minutes; what a batch commits is kept if a later one fails, and the unique key keeps
    # every alert exactly once whatever is retried.
    # late import: mail reads alerts. A dry run queues nothing (and marks nothing notified).
    from homes_qa.spine.mail.service import SweptAlertMail, queue_alert_emails
    mail = None if dry_run else SweptAlertMail(now)
    with unit_of_work(dry_run=True) if dry_run else nullcontext():
        with unit_of_work():
            result.obligations_created = len(ensure_recurring(now).created)
        now_utc = to_utc(now)
        # Sorted here, not by the statement: ORDER BY id made SQLite walk the whole table in id
        # order instead of the open obligations' (status, next_alert_at) index (0.58 s for a
        # sweep that examined nothing at 1,000 homes, issue 13).
        ids = sorted(db.session.scalars(select(Obligation.id).where(_to_look_at(now_utc))))
        result.examined = len(ids)
        ladders: dict[str, tuple[EscalationStep, ...]] = {}  # obligations share a handful of ladders
        for start in range(0, len(ids), SWEEP_BATCH):
            with unit_of_work():
                _sweep_batch(ids[start:start + SWEEP_BATCH], now, now_utc, ladders, result, mail)
    if result.raised and not dry_run:
        queue_alert_emails(now)  # those raised one by one (a batch that failed)
    result.seconds = time.monotonic() - started
    log.info("sweep at %s: examined %d, created %d obligations, raised %d alerts, %d errors in %.3f s%s",
             now.isoformat(), result.examined, result.obligations_created, len(result.raised),
             len(result.errors), result.seconds, " (dry run)" if dry_run else "")
    return result


_LOOKED_AT = (Obligation.id, Obligation.home_id, Home.name, Obligation.rule_code, Obligation.title,
              Obligation.due_at, Obligation.ladder, Obligation.due_soon_days, Obligation.due_soon_hours,
              Obligation.next_alert_at, Obligation.responsible_role, Obligation.subject_type, Obligation.subject_id)


def _sweep_batch(ids: list[int], now: datetime, now_utc: datetime,
                 ladders: dict[str, tuple[EscalationStep, ...]], result: SweepResult,
                 mail: SweptAlertMail | None = None) -> None:
    rows = db.session.execute(select(*_LOOKED_AT).outerjoin(Home, Home.id == Obligation.home_id)
                              .where(Obligation.id.in_(ids)).order_by(Obligation.id)).all()
    raised_before = _raised_before(ids)
    to_raise: list[tuple[LookedAt, list[int], dict[int, datetime]]] = []
    looked_at: list[tuple[LookedAt, dict[int, datetime]]] = []
    for (id_, home_id, home, rule_code, title, due, ladder_list, soon_days, soon_hours, next_at,
         responsible_role, subject_type, subject_id) in rows:
        # Pure date arithmetic first: most open obligations have nothing new to raise, and
        # those cost no SQL at all (no savepoint, no insert).
        try:
            key = json.dumps(ladder_list, sort_keys=True, default=str)
            ladder = ladders.get(key)
            if ladder is None:
                ladder = ladders[key] = ladder_from_list(ladder_list)
            obligation = LookedAt(id_, home_id, home if home_id is not None else "Whole service", rule_code,
                                  title, due, ladder, soon_days, soon_hours, next_at, responsible_role,
                                  subject_type, subject_id)
            times = alert_times(due, ladder, soon_days, soon_hours)
            levels = sorted(level for level, at in times.items()
                            if now_utc > at and (id_, level) not in raised_before)
        except Exception as error:
            message = f"obligation {id_}: {type(error).__name__}: {error}"
            log.exception("sweep skipped %s", message)
            result.errors.append(message)
            continue
        looked_at.append((obligation, times))
        if levels:
            to_raise.append((obligation, levels, times))
    done = {obligation.id for obligation in _raise_batch(to_raise, now, result, mail)} if to_raise else set()
    raising = {obligation.id for obligation, _levels, _times in to_raise}
    # Bookkeeping only (not audited): when each obligation next needs looking at, in one
    # executemany; one left to look at again (its alerts not all in) keeps its instant.
    kept = [{"b_id": obligation.id, "b_next": next_alert_after(times, now_utc)} for obligation, times in looked_at
            if obligation.id not in raising or obligation.id in done]
    if kept:
        db.session.connection().execute(_KEEP_NEXT, kept)
    # Those sent back to the sweep (new, changed, mended by hand) have their alerts' listing
    # worked out again, as the flush hook does when the unit of work writes `next_alert_at`.
    again = {obligation.id for obligation, _times in looked_at
             if obligation.next_alert_at == LOOK_AGAIN and obligation.id not in raising}
    if again:
        relist(db.session(), again)


def _keep_next_statement() -> Any:
    table = cast(Table, Obligation.__table__)
    return (update(table).where(table.c.id == bindparam("b_id"))
            .values(next_alert_at=bindparam("b_next", type_=table.c.next_alert_at.type)))


_KEEP_NEXT = _keep_next_statement()


@transactional
def acknowledge(alert: Alert, *, note: str, by: User) -> Alert:
    """Stops reminders at this level; the alert stays listed until its obligation is met."""
    if alert.acknowledged_at is not None:
        raise ServiceError("This alert has already been acknowledged")
    note = (note or "").strip()
    if not note:
        raise ServiceError("Enter a note saying what is being done", "note")
    if len(note) > 2000:
        raise ServiceError("The note must be 2000 characters or fewer", "note")
    alert.acknowledged_at = utcnow()
    alert.acknowledged_by_id = by.id
    alert.acknowledgement_note = note
    return alert
