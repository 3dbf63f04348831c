"""Scheduled work: the drift sweep, mail delivery and the daily digest.

definitions.py  the jobs as data, and the module-level job functions they run
lease.py        a database lease so that exactly one scheduler process acts at a time
runner.py       run_scheduler(app): the APScheduler BlockingScheduler (`flask scheduler`)
cli.py          `flask scheduler`, `flask sweep`, `flask rules`, `flask digest`

The scheduler never starts inside create_app (every gunicorn worker would run it): it is a
process of its own, and the lease makes a second one (or a second host) stand by.
"""
