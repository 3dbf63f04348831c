"""A lease row in the database: whoever holds an unexpired lease is the one scheduler that acts.

Works the same on SQLite and PostgreSQL:

* one conditional UPDATE takes the lease when it has expired, or renews it when we already
  hold it: ``UPDATE scheduler_leases SET holder=:me, expires_at=:until
  WHERE name=:n AND (holder=:me OR expires_at < :now)``. The database evaluates the condition
  and writes in one statement, so of two contenders only one can match (PostgreSQL re-checks
  the WHERE clause on the row version the winner committed; SQLite holds its write lock).
* if no row matched and none exists, an INSERT takes it; two racing INSERTs collide on the
  primary key and the loser's IntegrityError means "not acquired".

`now` is passed in (the caller's clock); every holder must use a clock close to the others'.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from homes_qa.extensions import db
from homes_qa.jobs.models import SchedulerLease

_table = cast(Table, SchedulerLease.__table__)


def _row_exists(name: str) -> bool:
    return db.session.scalar(select(_table.c.name).where(_table.c.name == name)) is not None


def acquire(name: str, holder: str, ttl_seconds: float, now: datetime) -> bool:
    """Take the lease if it is free or expired, renew it if it is ours; True when we hold it."""
    if now.tzinfo is None:
        raise ValueError("acquire() needs an aware datetime for now")
    until = now + timedelta(seconds=ttl_seconds)
    session = db.session
    try:
        taken = cast(CursorResult[Any], session.execute(
            update(_table)
            .where(_table.c.name == name, or_(_table.c.holder == holder, _table.c.expires_at < now))
            .values(holder=holder, expires_at=until)
        )).rowcount
        if taken == 1:
            session.commit()
            return True
        if _row_exists(name):  # held, unexpired, by someone else
            session.rollback()
            return False
        session.execute(insert(_table).values(name=name, holder=holder, expires_at=until))
        session.commit()
        return True
    except IntegrityError:  # another process inserted the row first
        session.rollback()
        return False
    except Exception:
        session.rollback()
        raise


def release(name: str, holder: str) -> bool:
    """Give the lease up (only if we hold it), so a standby can take over at once."""
    session = db.session
    try:
        released = cast(CursorResult[Any], session.execute(
            delete(_table).where(_table.c.name == name, _table.c.holder == holder))).rowcount
        session.commit()
    except Exception:
        session.rollback()
        raise
    return released == 1


def holder_of(name: str, now: datetime) -> str | None:
    """Who holds an unexpired lease at `now` (None when free or expired)."""
    row = db.session.execute(select(_table.c.holder, _table.c.expires_at).where(_table.c.name == name)).first()
    if row is None or row.expires_at < now:  # same boundary as acquire()
        return None
    return row.holder
