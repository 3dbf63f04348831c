"""kill -9 of the scheduler in the middle of its sweep: no batch half-written, and after a
restart every alert is raised and e-mailed exactly once (one real process after another on
one SQLite file; the sweep is made long enough to be caught mid-way)."""
from __future__ import annotations

import os
import signal
import sqlite3
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations.service import obligation_for_event
from homes_qa.spine.people.models import Home
from homes_qa.spine.timestamps import utcnow
from tests.scheduler_process import SchedulerProcess, wait_for

pytestmark = pytest.mark.usefixtures("clock")

OVERDUE = 6000  # enough open, overdue obligations that the first sweep takes seconds


def _app_spec(tmp_path: Path) -> str:
    return f"homes_qa:create_app({{'INSTANCE_PATH': {str(tmp_path / 'instance')!r}}})"


def _estate(app, world, database: Path) -> None:
    """OVERDUE need-to-know obligations, all 25 hours old: one through the service, then copies."""
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, world.home_a.id)
        obligation_for_event("incident_ntk_service_manager", home, utcnow() - timedelta(hours=25), key="incident:0")
        db.engine.dispose()
    with sqlite3.connect(database) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(obligations)") if row[1] != "id"]
        copied = ", ".join("'incident:' || n" if c == "period_key" else c for c in columns)
        conn.execute(f"WITH RECURSIVE n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < {OVERDUE - 1}) "
                     f"INSERT INTO obligations ({', '.join(columns)}) SELECT {copied} FROM obligations, n")
        assert conn.execute("SELECT count(*) FROM obligations WHERE status = 'open'").fetchone()[0] == OVERDUE
        assert conn.execute("SELECT count(*) FROM alerts").fetchone()[0] == 0


def _lease_holder(database: Path) -> str | None:
    try:
        with sqlite3.connect(database, timeout=0.2) as conn:
            row = conn.execute("SELECT holder FROM scheduler_leases").fetchone()
    except sqlite3.OperationalError:  # locked for a moment by the scheduler's own commit
        return None
    return row[0] if row else None


def _count(database: Path, table: str) -> int:
    try:
        with sqlite3.connect(database, timeout=0.2) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
def test_scheduler_killed_mid_sweep_raises_each_alert_once_after_restart(app, world, tmp_path):
    database = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    _estate(app, world, database)
    outbox = tmp_path / "outbox"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "scheduler-test",
           "SWEEP_SECONDS": "1", "SCHEDULER_LEASE_SECONDS": "4", "MAIL_OUTBOX": str(outbox),
           "PYTHONUNBUFFERED": "1"}
    env.pop("FLASK_APP", None)

    first = SchedulerProcess("first", tmp_path, env, _app_spec(tmp_path))
    try:
        # Kill it once the sweep's first batch has committed, so it dies with batches still to go.
        wait_for(lambda: _lease_holder(database) is not None, 90, "the scheduler to take the lease")
        wait_for(lambda: _count(database, "alerts") > 0, 90, "the sweep's first batch to commit")
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(10)
        assert "scheduled sweep:" not in first.text(), "the sweep finished before the kill: make it longer"
    finally:
        first.stop()

    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # The sweep commits a batch of obligations at a time, each with its alerts' e-mails: one
        # killed mid-way left whole batches (each obligation with both its levels, none with
        # one), not all of them, each overdue alert's e-mail queued once with it (to the home's
        # service manager) and every alert of them marked notified.
        raised = conn.execute("SELECT obligation_id, count(*), min(level), max(level) FROM alerts "
                              "GROUP BY obligation_id").fetchall()
        assert 0 < len(raised) < OVERDUE
        assert {tuple(levels) for _obligation, *levels in raised} == {(2, 0, 1)}  # due soon and overdue, both
        assert conn.execute("SELECT count(*) FROM alerts WHERE notified_at IS NULL").fetchone()[0] == 0
        assert conn.execute("SELECT count(*), count(DISTINCT dedupe_key) FROM outbound_emails").fetchone() == (
            len(raised), len(raised))

    second = SchedulerProcess("second", tmp_path, env, _app_spec(tmp_path))
    try:
        # It waits out the dead holder's lease, sweeps, sweeps again (raising nothing), mails.
        wait_for(lambda: second.sweeps() >= 2, 300, "the restarted scheduler to sweep twice")  # slow when loaded
        # Every alert queued for e-mail; the first batch (200 a minute) delivered.
        wait_for(lambda: _count(database, "outbound_emails") >= OVERDUE, 60, "the alerts' e-mail to be queued")
        wait_for(lambda: outbox.is_dir() and any(outbox.glob("*.eml")), 60, "e-mail to be delivered")
        time.sleep(2)  # more sweeps and deliveries: still nothing twice
        second.process.send_signal(signal.SIGTERM)
        assert second.process.wait(30) == 0, second.text()[-3000:]
        assert "Traceback" not in second.text(), second.text()[-3000:]
    finally:
        second.stop()

    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        levels = Counter(conn.execute("SELECT obligation_id, level FROM alerts").fetchall())
        assert set(levels.values()) == {1}                      # no alert twice
        overdue = {o for (o,) in conn.execute("SELECT id FROM obligations WHERE rule_code = 'incident_ntk_service_manager'")}
        assert len(overdue) == OVERDUE and overdue <= {o for o, _ in levels}  # none lost
        mails = conn.execute("SELECT dedupe_key, status FROM outbound_emails").fetchall()
    assert len(mails) >= OVERDUE  # the overdue ones to the home's registered manager, and any others
    assert len({key for key, _ in mails}) == len(mails)
    sent = [key for key, status in mails if status == "sent"]
    assert sent and {status for _, status in mails} <= {"sent", "pending"}
    assert len(list(outbox.glob("*.eml"))) == len(sent)  # each sent one written once
