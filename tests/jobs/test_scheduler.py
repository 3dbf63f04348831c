"""The scheduler: the database lease, the job definitions and functions, and two real processes.

Lease and job tests pass `now` in. The process test runs two `flask scheduler` processes on one
SQLite file with a 1-second sweep and an 8-second lease, and reads what each one logged.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from homes_qa.extensions import db
from homes_qa.jobs import definitions, lease
from homes_qa.jobs.models import SchedulerLease
from homes_qa.jobs.runner import JOB_DEFAULTS, build_scheduler
from homes_qa.spine.alerts import service as alerts_service
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations.service import obligation_for_event
from homes_qa.spine.people.models import Home
from homes_qa.spine.timestamps import utcnow
from tests.scheduler_process import SchedulerProcess, wait_for

# "Today" is the pinned day (tests/clock.py): services, routes and the test see the same clock.
pytestmark = pytest.mark.usefixtures("clock")


def scheduler_app_spec(tmp_path: Path) -> str:
    """The app factory with this test's instance folder (the scheduler writes its outbox there)."""
    return f"homes_qa:create_app({{'INSTANCE_PATH': {str(tmp_path / 'instance')!r}}})"

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


# ---------------------------------------------------------------- the lease

def test_lease_acquire_renew_expire_and_steal(app):
    s = timedelta(seconds=1)
    with app.app_context():
        assert lease.acquire("scheduler", "a", 60, T0)  # free: a takes it (INSERT)
        assert lease.holder_of("scheduler", T0) == "a"
        assert not lease.acquire("scheduler", "b", 60, T0 + 10 * s)  # held by a
        assert lease.acquire("scheduler", "a", 60, T0 + 30 * s)  # renewed: now until T0+90s
        assert not lease.acquire("scheduler", "b", 60, T0 + 61 * s)  # would have expired without the renewal
        assert not lease.acquire("scheduler", "b", 60, T0 + 90 * s)  # expiry instant itself: still a's
        assert lease.acquire("scheduler", "b", 60, T0 + 91 * s)  # expired: b steals it
        assert lease.holder_of("scheduler", T0 + 91 * s) == "b"
        assert not lease.acquire("scheduler", "a", 60, T0 + 92 * s)  # a lost it
        assert not lease.release("scheduler", "a")  # only the holder can release
        assert lease.holder_of("scheduler", T0 + 92 * s) == "b"
        assert lease.release("scheduler", "b")
        assert lease.holder_of("scheduler", T0 + 92 * s) is None
        assert lease.acquire("scheduler", "a", 60, T0 + 93 * s)  # released: free at once
        assert lease.acquire("other", "b", 60, T0 + 93 * s)  # leases are per name
        rows = db.session.scalars(select(SchedulerLease).order_by(SchedulerLease.name)).all()
        assert [(r.name, r.holder, r.expires_at) for r in rows] == [
            ("other", "b", T0 + 153 * s), ("scheduler", "a", T0 + 153 * s)]


def test_lease_insert_race_is_not_acquired(app, monkeypatch):
    """The loser of two INSERTs of a new lease gets IntegrityError: not acquired, session usable."""
    with app.app_context():
        assert lease.acquire("scheduler", "a", 60, T0)
        monkeypatch.setattr(lease, "_row_exists", lambda name: False)  # "no row yet", as b saw it
        assert not lease.acquire("scheduler", "b", 60, T0 + timedelta(seconds=1))
        assert lease.holder_of("scheduler", T0 + timedelta(seconds=1)) == "a"


def test_exactly_one_of_many_concurrent_contenders_gets_the_lease(app):
    contenders = 8
    barrier = threading.Barrier(contenders)
    won: list[str] = []
    failures: list[BaseException] = []

    def contend(name: str):
        try:
            with app.app_context():
                barrier.wait()
                if lease.acquire("scheduler", name, 60, T0):
                    won.append(name)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=contend, args=(f"h{i}",)) for i in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert len(won) == 1
    with app.app_context():
        assert lease.holder_of("scheduler", T0) == won[0]


# ---------------------------------------------------------------- jobs as data

def test_job_definitions_follow_the_configuration(monkeypatch):
    monkeypatch.delenv("SWEEP_SECONDS", raising=False)
    monkeypatch.delenv("SCHEDULER_LEASE_SECONDS", raising=False)
    config = {"SWEEP_MINUTES": 5, "DIGEST_HOUR": 7}
    jobs = {job.id: job for job in definitions.job_definitions(config)}
    assert set(jobs) == {"sweep", "mail", "digest", "statistics"}
    assert isinstance(jobs["sweep"].trigger, IntervalTrigger)
    assert jobs["sweep"].trigger.interval == timedelta(minutes=5)
    assert jobs["mail"].trigger.interval == timedelta(minutes=1)
    assert isinstance(jobs["digest"].trigger, CronTrigger)
    assert str(jobs["digest"].trigger.timezone) == "Europe/London"
    # The lease outlives a sweep interval, so the holder renews it before anyone can steal it.
    assert 300 < definitions.lease_seconds(config) <= 300 + 120
    assert definitions.sweep_seconds({"SWEEP_MINUTES": 2}) == 120

    # 07:00 London, whichever side of the clock change.
    trigger = jobs["digest"].trigger
    summer = trigger.get_next_fire_time(None, datetime(2026, 7, 1, 4, 0, tzinfo=UTC))
    winter = trigger.get_next_fire_time(None, datetime(2026, 12, 1, 4, 0, tzinfo=UTC))
    assert summer.astimezone(UTC) == datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
    assert winter.astimezone(UTC) == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    other_hour = {j.id: j for j in definitions.job_definitions({"SWEEP_MINUTES": 5, "DIGEST_HOUR": 18})}
    assert other_hour["digest"].trigger.get_next_fire_time(None, datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) \
        .astimezone(UTC) == datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def test_first_runs_sweep_at_once_and_catch_up_a_missed_digest():
    config = {"SWEEP_MINUTES": 5, "DIGEST_HOUR": 7}
    jobs = {job.id: job for job in definitions.job_definitions(config)}
    early = datetime(2026, 7, 1, 5, 59, tzinfo=UTC)  # 06:59 BST: the digest is still to come
    late = datetime(2026, 7, 1, 6, 30, tzinfo=UTC)  # 07:30 BST: missed while down
    assert jobs["sweep"].first_run(config, early) == early
    assert jobs["digest"].first_run(config, early) is None
    assert jobs["digest"].first_run(config, late) == late + timedelta(minutes=1)
    assert jobs["mail"].first_run(config, late) is None


def test_the_scheduler_is_built_from_the_definitions(app):
    scheduler = build_scheduler(app, "test-holder")
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"sweep", "mail", "digest", "statistics"}
    assert all(job.args == (app, "test-holder") for job in jobs.values())
    assert str(scheduler.timezone) == "Europe/London"
    assert JOB_DEFAULTS["coalesce"] is True and JOB_DEFAULTS["max_instances"] == 1
    assert JOB_DEFAULTS["misfire_grace_time"] >= 300


# ---------------------------------------------------------------- job functions

def _overdue(app, world) -> int:
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, world.home_a.id)
        return obligation_for_event("incident_ntk_service_manager", home, T0 - timedelta(hours=25), key="incident:1").id


def _alert_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Alert))


def test_a_job_acts_only_while_holding_the_lease(app, world):
    _overdue(app, world)
    with app.app_context():
        assert lease.acquire(definitions.LEASE_NAME, "other-process", 600, T0)
    assert definitions.sweep_job(app, "me", now=T0 + timedelta(seconds=1)) is None
    assert _alert_count(app) == 0

    # The other holder's lease ran out: this one takes it and sweeps, as the scheduler.
    later = T0 + timedelta(seconds=601)
    result = definitions.sweep_job(app, "me", now=later)
    assert result is not None and result.raised and result.at == later
    assert _alert_count(app) == len(result.raised)
    with app.app_context():
        assert lease.holder_of(definitions.LEASE_NAME, later) == "me"
        row = db.session.get(SchedulerLease, definitions.LEASE_NAME)
        # Renewed before and after the run: it runs a full lease from when the sweep finished.
        ttl = timedelta(seconds=definitions.lease_seconds(app.config))
        assert later + ttl < row.expires_at < later + ttl + timedelta(seconds=30)
        from homes_qa.spine.audit.models import AuditEvent
        actors = set(db.session.scalars(select(AuditEvent.actor_label).where(AuditEvent.record_type == "Alert")))
        assert actors == {"scheduler"}


def test_a_job_that_raises_is_logged_and_the_next_run_still_works(app, world, monkeypatch, caplog):
    _overdue(app, world)
    real_sweep = alerts_service.sweep

    def broken(now, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(alerts_service, "sweep", broken)
    caplog.set_level(logging.ERROR, logger="homes_qa.jobs")
    assert definitions.sweep_job(app, "me", now=T0) is None
    assert any("job sweep failed" in r.getMessage() and r.exc_info for r in caplog.records)

    monkeypatch.setattr(alerts_service, "sweep", real_sweep)
    result = definitions.sweep_job(app, "me", now=T0 + timedelta(minutes=5))
    assert result is not None and result.raised


def test_mail_and_digest_jobs_call_their_services(app, world):
    _overdue(app, world)
    definitions.sweep_job(app, "me", now=T0)
    digest = definitions.digest_job(app, "me", now=T0 + timedelta(minutes=1))
    assert digest["queued"] > 0 and digest["delivery"]["sent"] >= digest["queued"]
    assert definitions.mail_job(app, "me", now=T0 + timedelta(minutes=2)) == {"sent": 0, "retrying": 0, "failed": 0}
    assert definitions.mail_job(app, "not-the-holder", now=T0 + timedelta(minutes=3)) is None


# ---------------------------------------------------------------- two real processes

@pytest.mark.slow
def test_two_scheduler_processes_only_one_sweeps_and_the_other_takes_over(app, world, tmp_path):
    """Two real processes, one database: one holds the lease and sweeps; killed, the other takes over."""
    database = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    assert database.is_file()
    # The estate's obligations exist already (as on any day but the first), so each sweep is short.
    with app.app_context(), acting_as("test"):
        alerts_service.sweep(utcnow())
        db.engine.dispose()
    lease_ttl = 8  # well over a sweep, even on a busy machine; a sweep runs every second
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "scheduler-test",
           "SWEEP_SECONDS": "1", "SCHEDULER_LEASE_SECONDS": str(lease_ttl),
           "MAIL_OUTBOX": str(tmp_path / "outbox"), "PYTHONUNBUFFERED": "1"}
    env.pop("FLASK_APP", None)
    first, second = SchedulerProcess("first", tmp_path, env, scheduler_app_spec(tmp_path)), SchedulerProcess("second", tmp_path, env, scheduler_app_spec(tmp_path))
    processes = (first, second)
    try:
        # Start-up (imports, create_app) is slow on a busy machine; the timings below start after it.
        wait_for(lambda: all("Scheduler started" in p.text() for p in processes), 90, "both schedulers to start")
        wait_for(lambda: any(p.sweeps() >= 2 for p in processes), 20, "a scheduler to sweep twice")
        time.sleep(3)  # a window of about three sweep intervals
        counts = {p.name: p.sweeps() for p in processes}
        assert sorted(counts.values())[0] == 0 and sorted(counts.values())[1] >= 3, (
            counts, first.text()[-3000:], second.text()[-3000:])
        holder = first if counts["first"] else second
        standby = second if holder is first else first
        assert holder.holder and standby.holder and holder.holder != standby.holder
        assert f":{holder.process.pid}:" in holder.holder

        # The holder dies without releasing the lease; the standby takes over once it expires.
        holder.process.send_signal(signal.SIGKILL)
        holder.process.wait(10)
        killed_at = time.monotonic()
        wait_for(lambda: standby.sweeps() >= 1, lease_ttl + 10, "the standby to take over")
        took = time.monotonic() - killed_at
        # Not before the lease (renewed at most a sweep interval before the kill) ran out.
        assert took >= 1.5, f"took over after {took:.1f} s, before the lease could expire"
        assert standby.sweeps() >= 1

        # SIGTERM: a clean stop that releases the lease.
        standby.process.send_signal(signal.SIGTERM)
        assert standby.process.wait(15) == 0, standby.text()[-3000:]
        assert "lease released" in standby.text()
        assert "Traceback" not in standby.text()
        import sqlite3
        with sqlite3.connect(database) as connection:
            assert connection.execute("SELECT count(*) FROM scheduler_leases").fetchone()[0] == 0
    finally:
        for process in processes:
            process.stop()


def test_the_statistics_job_gives_the_query_planner_its_row_counts(app, world):
    from sqlalchemy import text
    assert jobs_first_run_of("statistics", app) == T0  # at start too: a new database has none
    _overdue(app, world)  # ANALYZE records only tables holding rows
    assert definitions.statistics_job(app, "holder-a", T0) == "sqlite"
    with app.app_context():
        analysed = set(db.session.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1")))
    assert {"obligations", "homes", "users"} <= analysed
    assert definitions.statistics_job(app, "holder-b", T0) is None  # lease held by holder-a: stands by


def jobs_first_run_of(job_id: str, app) -> datetime | None:
    job = {j.id: j for j in definitions.job_definitions(app.config)}[job_id]
    return job.first_run(app.config, T0)
