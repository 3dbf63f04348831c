"""The scheduled jobs, declared as data (Redash-style), and the module-level functions they run.

Each job function takes the app (made once per process by the runner) and the lease holder's
name, pushes its own app context, acts as "scheduler" for the audit trail, and does nothing
unless it holds the lease (taking or renewing it on every run). A job that raises is logged
and swallowed: the scheduler keeps going and the next run tries again. Every job calls a
service; none holds state of its own, so a restart loses nothing.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from homes_qa.core.calendar import LONDON
from homes_qa.jobs import lease
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.timestamps import utcnow

log = logging.getLogger("homes_qa.jobs")

LEASE_NAME = "scheduler"
ACTOR = "scheduler"
MAIL_SECONDS = 60
# The mail job and the digest job both deliver: never two deliveries at once in one process
# (another process cannot deliver at all without the lease).
_delivery = threading.Lock()


# ---------------------------------------------------------------- settings

def sweep_seconds(config) -> int:
    """SWEEP_MINUTES (default 5); the hidden SWEEP_SECONDS (config or environment) is for tests."""
    seconds = config.get("SWEEP_SECONDS") or os.environ.get("SWEEP_SECONDS")
    if seconds:
        return max(1, int(seconds))
    return max(1, int(config.get("SWEEP_MINUTES") or 5)) * 60


def lease_seconds(config) -> int:
    """The lease lives a bit longer than the sweep interval, so the holder renews it in time.

    Every job run renews it (mail delivery every minute, the sweep every interval); a holder
    that dies is replaced after at most this long. SCHEDULER_LEASE_SECONDS overrides (tests).
    """
    seconds = config.get("SCHEDULER_LEASE_SECONDS") or os.environ.get("SCHEDULER_LEASE_SECONDS")
    if seconds:
        return max(1, int(seconds))
    interval = sweep_seconds(config)
    return interval + max(1, min(120, interval // 4))


def digest_hour(config) -> int:
    hour = int(config.get("DIGEST_HOUR", 7))
    if not 0 <= hour <= 23:
        raise ValueError(f"DIGEST_HOUR must be an hour of the day, 0 to 23 (got {hour})")
    return hour


def new_holder() -> str:
    """A name for this scheduler process, unique across hosts and restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# ---------------------------------------------------------------- job functions

def _run(job: str, app, holder: str, work: Callable[[Any, datetime], Any], now: datetime | None):
    """Push an app context, hold the lease, act as the scheduler, call `work(app, now)`.

    Returns work's result, or None when another process holds the lease or the work raised.
    """
    now = now or utcnow()
    ttl = lease_seconds(app.config)
    started = time.monotonic()
    try:
        with app.app_context(), acting_as(ACTOR):
            if not lease.acquire(LEASE_NAME, holder, ttl, now):
                log.debug("%s: lease held by another scheduler; standing by", job)
                return None
            result = work(app, now)
    except Exception:
        log.exception("job %s failed (holder %s); it runs again at its next time", job, holder)
        return None
    # Renewed again when the work is done, so a slow run does not leave the lease about to lapse.
    # (`now` moved on by the time the work took, so a `now` passed in by a test stays consistent.)
    try:
        with app.app_context():
            if not lease.acquire(LEASE_NAME, holder, ttl, now + timedelta(seconds=time.monotonic() - started)):
                log.warning("%s took longer than the %d s lease; another scheduler has taken over", job, ttl)
    except Exception:
        log.exception("%s: could not renew the lease after the run", job)
    return result


def _sweep(app, now: datetime):
    from homes_qa.exceptions.service import count_open_work
    from homes_qa.incidents.service import ensure_weekly_summaries
    from homes_qa.spine.alerts import service as alerts
    ensure_weekly_summaries(now)  # one weekly safeguarding summary obligation per service manager (issue 8)
    result = alerts.sweep(now)
    log.info("scheduled sweep: %s", result.summary())
    if not result.dry_run:
        # Each home's open work as the sweep left it, for the grid of someone who sees every home.
        started = time.monotonic()
        homes = count_open_work(now)
        log.info("open work counted for %d homes in %.3f s", homes, time.monotonic() - started)
    return result


def _deliver(app, now: datetime):
    from homes_qa.spine.mail import service as mail  # late import: written beside this package
    with _delivery:
        outcome = mail.deliver_pending(now, app.config)
    if outcome and any(outcome.values()):
        log.info("mail delivery: %s", outcome)
    return outcome


def _digest(app, now: datetime):
    from homes_qa.spine import digest
    from homes_qa.spine.mail import service as mail
    queued = digest.queue_digests(now)
    with _delivery:
        delivered = mail.deliver_pending(now, app.config)
    log.info("daily digest: %d queued; delivery %s", queued, delivered)
    return {"queued": queued, "delivery": delivered}


def _statistics(app, now: datetime):
    from homes_qa.database import refresh_planner_statistics
    started = time.monotonic()
    dialect = refresh_planner_statistics()
    log.info("planner statistics refreshed (%s) in %.2f s", dialect, time.monotonic() - started)
    return dialect


def sweep_job(app, holder: str, now: datetime | None = None):
    """Raise every drift alert now due (services.alerts.sweep), if we hold the lease."""
    return _run("sweep", app, holder, _sweep, now)


def mail_job(app, holder: str, now: datetime | None = None):
    """Send queued e-mail whose time has come (services.mail.deliver_pending)."""
    return _run("mail", app, holder, _deliver, now)


def digest_job(app, holder: str, now: datetime | None = None):
    """Queue the daily digest for everyone (services.digest.queue_digests), then send it."""
    return _run("digest", app, holder, _digest, now)


def statistics_job(app, holder: str, now: datetime | None = None):
    """Refresh the query planner's statistics (homes_qa.database.refresh_planner_statistics)."""
    return _run("statistics", app, holder, _statistics, now)


# ---------------------------------------------------------------- the jobs as data

@dataclass(frozen=True)
class JobDefinition:
    id: str
    func: Callable
    trigger: BaseTrigger
    description: str
    # When the scheduler starts at `now`, run once more at this instant (None: just follow the trigger).
    first_run: Callable[[Any, datetime], datetime | None] = lambda config, now: None
    options: dict = field(default_factory=dict)


def at_once(config, now: datetime) -> datetime:
    """After downtime the first sweep raises what became due meanwhile, once."""
    return now


def digest_catch_up(config, now: datetime) -> datetime | None:
    """Started after today's digest hour (London): send today's digest a minute from now.

    queue_digests is idempotent per London day, so a restart after the digest went out sends
    nothing twice; the minute lets the start-up sweep raise what is due first.
    """
    local = now.astimezone(LONDON)
    if local.hour >= digest_hour(config):
        return now + timedelta(minutes=1)
    return None


def job_definitions(config) -> list[JobDefinition]:
    every = sweep_seconds(config)
    hour = digest_hour(config)
    return [
        JobDefinition(
            "sweep", sweep_job, IntervalTrigger(seconds=every, timezone=LONDON),
            f"drift sweep every {every // 60} min" if every % 60 == 0 else f"drift sweep every {every} s",
            first_run=at_once),
        JobDefinition(
            "mail", mail_job, IntervalTrigger(seconds=MAIL_SECONDS, timezone=LONDON),
            "deliver queued e-mail every minute"),
        JobDefinition(
            "digest", digest_job, CronTrigger(hour=hour, minute=0, timezone=LONDON),
            f"daily digest at {hour:02d}:00 Europe/London", first_run=digest_catch_up,
            # A digest missed by up to a few hours (a busy or restarted host) still goes today.
            options={"misfire_grace_time": 4 * 3600}),
        JobDefinition(
            # At start (a restored or newly migrated database has none) and nightly, as the
            # estate grows: pages' query plans depend on them.
            "statistics", statistics_job, CronTrigger(hour=3, minute=30, timezone=LONDON),
            "query planner statistics at 03:30 Europe/London", first_run=at_once,
            options={"misfire_grace_time": 12 * 3600}),
    ]
