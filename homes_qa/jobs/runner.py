"""run_scheduler(app): the one APScheduler process (`flask scheduler`).

In-memory job store: the jobs are data in definitions.py, rebuilt on every start; nothing
about them needs to survive a restart because the sweep is derived from database state.
A second scheduler process (or host) runs the same timetable but stands by until it can
take the database lease.
"""
from __future__ import annotations

import logging
import signal
from datetime import datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.blocking import BlockingScheduler

from homes_qa.jobs import lease
from homes_qa.jobs.definitions import LEASE_NAME, LONDON, job_definitions, lease_seconds, new_holder, sweep_seconds

log = logging.getLogger("homes_qa.jobs")

JOB_DEFAULTS = {
    "coalesce": True,  # runs missed while busy collapse into one
    "max_instances": 1,  # never two sweeps at once in one process
    "misfire_grace_time": 15 * 60,  # late is better than never: a sweep is cheap and idempotent
}


class _Stop(SystemExit):
    """Raised in the main thread by SIGTERM/SIGINT to leave BlockingScheduler.start()."""


def build_scheduler(app, holder: str) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults=JOB_DEFAULTS, timezone=LONDON)
    now = datetime.now(LONDON)
    for job in job_definitions(app.config):
        options = dict(job.options)
        first = job.first_run(app.config, now)
        if first is not None:
            options["next_run_time"] = first
        scheduler.add_job(job.func, job.trigger, args=(app, holder), id=job.id, name=job.description,
                          replace_existing=True, **options)
    return scheduler


def run_scheduler(app, holder: str | None = None) -> None:
    """Run the scheduler in this process until SIGTERM or SIGINT; then release the lease."""
    holder = holder or new_holder()
    # "Running job …" every minute is noise in the log; failures are logged by the jobs.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    scheduler = build_scheduler(app, holder)
    stopping = False

    def _on_signal(signum, _frame):
        nonlocal stopping
        if stopping:  # already shutting down: let the running job finish
            log.info("scheduler %s: %s again, still stopping", holder, signal.Signals(signum).name)
            return
        stopping = True
        log.info("scheduler %s: %s received, stopping", holder, signal.Signals(signum).name)
        raise _Stop(0)

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    log.info("scheduler %s starting: sweep every %d s, lease %r for %d s; jobs: %s", holder,
             sweep_seconds(app.config), LEASE_NAME, lease_seconds(app.config),
             "; ".join(job.name for job in scheduler.get_jobs()))
    try:
        scheduler.start()
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        stopping = True
        if scheduler.running:
            scheduler.shutdown(wait=True)  # let a running sweep finish before giving up the lease
        try:
            with app.app_context():
                if lease.release(LEASE_NAME, holder):
                    log.info("scheduler %s: lease released", holder)
        except Exception:
            log.exception("scheduler %s: could not release the lease", holder)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.info("scheduler %s stopped", holder)
