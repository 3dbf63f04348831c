"""The scheduler lease and two real `flask scheduler` processes, on PostgreSQL.

What tests/request/test_scheduler.py proves on SQLite, here on the throwaway PostgreSQL server
(session zone America/New_York). Lease tests pass `now` in. Races are made certain rather than
likely: a blocking transaction holds the contested row or key until every contender is seen
waiting on it in pg_stat_activity, then lets go. The process test runs two `flask scheduler`
processes (FLASK_APP=run.py, DATABASE_URL=<the test database>) with a 1-second sweep and a
6-second lease, reads what each logged, and checks the lease row in the database.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from homes_qa.extensions import db
from homes_qa.jobs import definitions, lease
from homes_qa.jobs.models import SchedulerLease
from homes_qa.spine.alerts import service as alerts_service
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.timestamps import utcnow
from tests.scheduler_process import SchedulerProcess, wait_for

# "Today" is the pinned day (tests/clock.py): services, routes and the test see the same clock.
pytestmark = pytest.mark.usefixtures("clock")

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)
_leases = SchedulerLease.__table__


def _rows() -> list[tuple]:
    db.session.expire_all()
    rows = db.session.execute(select(_leases.c.name, _leases.c.holder, _leases.c.expires_at)
                              .order_by(_leases.c.name)).all()
    db.session.rollback()  # no transaction of ours stays open
    return [tuple(r) for r in rows]


# ---------------------------------------------------------------- the lease

def test_lease_acquire_renew_refuse_expire_and_take_over(pg_app):
    assert lease.acquire("scheduler", "a", 60, T0)  # free: a takes it (INSERT)
    assert lease.holder_of("scheduler", T0) == "a"
    assert not lease.acquire("scheduler", "b", 60, T0 + 10 * S)  # held by a
    assert lease.acquire("scheduler", "a", 60, T0 + 30 * S)  # renewed by the holder: now until T0+90s
    assert not lease.acquire("scheduler", "b", 60, T0 + 61 * S)  # would have expired without the renewal
    assert not lease.acquire("scheduler", "b", 60, T0 + 90 * S)  # the expiry instant itself: still a's
    assert lease.holder_of("scheduler", T0 + 90 * S) == "a"
    assert lease.holder_of("scheduler", T0 + 91 * S) is None  # expired: nobody holds it
    # Expired: b takes it over, with `now` given in another zone (an instant is an instant).
    assert lease.acquire("scheduler", "b", 60, (T0 + 91 * S).astimezone(ZoneInfo("America/New_York")))
    assert lease.holder_of("scheduler", T0 + 91 * S) == "b"
    assert not lease.acquire("scheduler", "a", 60, T0 + 92 * S)  # a lost it
    assert not lease.release("scheduler", "a")  # only the holder can release
    assert lease.holder_of("scheduler", T0 + 92 * S) == "b"
    assert lease.release("scheduler", "b")
    assert lease.holder_of("scheduler", T0 + 92 * S) is None
    assert _rows() == []
    assert lease.acquire("scheduler", "a", 60, T0 + 93 * S)  # released: free at once
    assert lease.acquire("other", "b", 60, T0 + 93 * S)  # leases are per name
    assert _rows() == [("other", "b", T0 + 153 * S), ("scheduler", "a", T0 + 153 * S)]
    # Stored as naive UTC whatever the session zone (America/New_York here).
    raw = db.session.execute(text("SELECT expires_at, current_setting('TimeZone') FROM scheduler_leases "
                                  "WHERE name = 'scheduler'")).one()
    db.session.rollback()
    assert raw == (datetime(2026, 12, 3, 9, 2, 33), "America/New_York")


def test_the_loser_of_an_insert_race_is_refused_and_its_session_still_works(pg_app, monkeypatch):
    """A second INSERT of the lease row is a unique violation: "not acquired", not an error."""
    assert lease.acquire("scheduler", "a", 60, T0)
    monkeypatch.setattr(lease, "_row_exists", lambda name: False)  # "no row yet", as b saw it
    assert not lease.acquire("scheduler", "b", 60, T0 + S)
    monkeypatch.undo()
    assert lease.holder_of("scheduler", T0 + S) == "a"
    assert _rows() == [("scheduler", "a", T0 + 60 * S)]


CONTENDERS = 8


def _contend(app, now: datetime, blocker=None) -> tuple[list[str], list[BaseException]]:
    """CONTENDERS threads, each with its own app context (own session and connection), try to
    acquire the lease at `now` at once. With `blocker` (an open transaction holding the row or
    key they need), every contender is seen waiting on a lock before the blocker lets go."""
    barrier = threading.Barrier(CONTENDERS, timeout=30)
    won: list[str] = []
    failures: list[BaseException] = []

    def contend(name: str):
        try:
            with app.app_context():
                barrier.wait()
                if lease.acquire("scheduler", name, 60, now):
                    won.append(name)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=contend, args=(f"h{i}",), daemon=True) for i in range(CONTENDERS)]
    for thread in threads:
        thread.start()
    try:
        if blocker is not None:
            connection, finish = blocker
            deadline = time.monotonic() + 20
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as monitor:
                while True:
                    waiting = monitor.execute(text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock'")).scalar()
                    if waiting >= CONTENDERS or failures or time.monotonic() > deadline:
                        break
                    time.sleep(0.02)
            assert waiting == CONTENDERS, (waiting, failures)
            assert won == []  # nobody got past the blocker
    finally:
        if blocker is not None:
            finish(connection)  # commit or roll back: the contenders go on
            connection.close()
        for thread in threads:
            thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    return won, failures


def _blocker(sql: str, finish):
    connection = db.engine.connect()
    connection.begin()
    connection.execute(text(sql))
    return connection, finish


def test_exactly_one_of_many_concurrent_contenders_gets_a_free_lease(pg_app):
    won, failures = _contend(pg_app, T0)
    assert failures == []
    assert len(won) == 1
    assert lease.holder_of("scheduler", T0) == won[0]
    assert _rows() == [("scheduler", won[0], T0 + 60 * S)]


@pytest.mark.parametrize("blocker_ends", ["rollback", "commit"])
def test_insert_race_held_open_on_the_key(pg_app, blocker_ends):
    """All contenders find no row and INSERT; they wait on the blocker's uncommitted INSERT of
    the same key. Rolled back: exactly one of them gets it. Committed: none does (each loser's
    unique violation means "not acquired")."""
    finish = (lambda c: c.rollback()) if blocker_ends == "rollback" else (lambda c: c.commit())
    won, failures = _contend(pg_app, T0, _blocker(
        "INSERT INTO scheduler_leases (name, holder, expires_at) "
        "VALUES ('scheduler', 'blocker', '2026-12-03 09:01:00')", finish))
    assert failures == []
    if blocker_ends == "rollback":
        assert len(won) == 1
        assert _rows() == [("scheduler", won[0], T0 + 60 * S)]
    else:
        assert won == []
        assert _rows() == [("scheduler", "blocker", T0 + 60 * S)]


def test_takeover_race_for_an_expired_lease(pg_app):
    """An expired lease row, locked by the blocker while every contender's UPDATE queues for it:
    when it lets go, PostgreSQL re-checks each waiting UPDATE's WHERE against the row the winner
    wrote (no longer expired), so exactly one takes it over."""
    assert lease.acquire("scheduler", "dead", 60, T0 - 120 * S)  # expired at T0 - 60 s
    won, failures = _contend(pg_app, T0, _blocker(
        "SELECT * FROM scheduler_leases WHERE name = 'scheduler' FOR UPDATE", lambda c: c.commit()))
    assert failures == []
    assert len(won) == 1
    assert _rows() == [("scheduler", won[0], T0 + 60 * S)]


# ---------------------------------------------------------------- two real processes

def _lease_row() -> tuple[str, datetime] | None:
    rows = _rows()
    assert len(rows) <= 1 and all(name == definitions.LEASE_NAME for name, *_ in rows), rows
    return (rows[0][1], rows[0][2]) if rows else None


def _other_backends() -> int:
    count = db.session.execute(text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")).scalar()
    db.session.rollback()
    return count


@pytest.mark.slow
def test_two_scheduler_processes_only_one_sweeps_and_the_other_takes_over(pg_world, pg_url, tmp_path):
    """Two real processes, one PostgreSQL database: one holds the lease and sweeps; killed, the
    other takes over once the lease has expired; SIGTERM stops it cleanly and frees the lease."""
    # The estate's obligations exist already (as on any day but the first), so each sweep is short.
    with acting_as("test"):
        alerts_service.sweep(utcnow())
    db.session.remove()
    lease_ttl = 6  # well over a sweep, even on a busy machine; a sweep runs every second
    env = {**os.environ, "FLASK_APP": "run.py", "DATABASE_URL": pg_url, "SECRET_KEY": "scheduler-test",
           "SWEEP_SECONDS": "1", "SCHEDULER_LEASE_SECONDS": str(lease_ttl),
           "MAIL_OUTBOX": str(tmp_path / "outbox"), "PYTHONUNBUFFERED": "1"}
    env.pop("HOMES_QA_ENV", None)
    processes: list[SchedulerProcess] = []
    try:
        first = SchedulerProcess("first", tmp_path, env)
        processes.append(first)
        second = SchedulerProcess("second", tmp_path, env)
        processes.append(second)
        # Start-up (imports, create_app) is slow on a busy machine; the timings below start after it.
        wait_for(lambda: all("Scheduler started" in p.text() or p.process.poll() is not None
                              for p in processes), 60, "both schedulers to start")
        assert all(p.process.poll() is None for p in processes), [p.text()[-3000:] for p in processes]
        wait_for(lambda: any(p.sweeps() >= 2 for p in processes), 20, "a scheduler to sweep twice")
        held_before = _lease_row()
        time.sleep(3)  # a window of about three sweep intervals
        counts = {p.name: p.sweeps() for p in processes}
        held_after = _lease_row()
        assert sorted(counts.values())[0] == 0 and sorted(counts.values())[1] >= 3, (
            counts, first.text()[-3000:], second.text()[-3000:])
        holder = first if counts["first"] else second
        standby = second if holder is first else first
        assert holder.holder and standby.holder and holder.holder != standby.holder
        assert f":{holder.process.pid}:" in holder.holder
        # The lease row in PostgreSQL is the sweeping process's, renewed as it sweeps.
        assert held_before[0] == held_after[0] == holder.holder
        assert held_after[1] > held_before[1]
        assert "Traceback" not in holder.text() and "Traceback" not in standby.text()

        # The holder dies without releasing the lease; the standby takes over once it expires.
        holder.process.send_signal(signal.SIGKILL)
        holder.process.wait(10)
        killed_at = time.monotonic()
        dead_holder, expires_at = _lease_row()
        assert dead_holder == holder.holder  # not released: it was killed
        # Watch the row: before the dead holder's lease expires, nobody else has it.
        taken_over_at = None
        deadline = killed_at + lease_ttl + 10
        while time.monotonic() < deadline:
            seen_at = datetime.now(UTC)
            current = _lease_row()
            if seen_at < expires_at:
                assert current == (dead_holder, expires_at), (current, seen_at, expires_at)
            if current and current[0] == standby.holder and standby.sweeps() >= 1:
                taken_over_at = seen_at
                break
            time.sleep(0.05)
        assert taken_over_at is not None, ("the standby did not take over", standby.text()[-3000:])
        took = time.monotonic() - killed_at
        assert taken_over_at > expires_at
        assert took >= 1.5, f"took over after {took:.1f} s, before the lease could expire"

        # SIGTERM: a clean stop that releases the lease.
        standby.process.send_signal(signal.SIGTERM)
        assert standby.process.wait(15) == 0, standby.text()[-3000:]
        assert "lease released" in standby.text()
        assert "Traceback" not in standby.text()
        assert _lease_row() is None
        assert db.session.scalar(select(func.count()).select_from(SchedulerLease)) == 0
        db.session.rollback()
        # Neither process left a connection behind (the killed one's backend ends on its own).
        wait_for(lambda: _other_backends() == 0, 10, "the schedulers' connections to close")
    finally:
        for process in processes:
            process.stop()


def test_the_statistics_job_analyzes_postgresql_too(pg_app):
    from homes_qa.jobs import definitions
    assert definitions.statistics_job(pg_app, "holder-a", T0) == "postgresql"
    with pg_app.app_context():
        analysed = db.session.scalar(text(
            "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'obligations'"))
    assert analysed is True
