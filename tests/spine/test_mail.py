"""Alert e-mail: queued once per alert and recipient, delivered through a real SMTP server.

The SMTP server is aiosmtpd on 127.0.0.1; the outbox mode writes .eml files.
"""
from __future__ import annotations

import email
import socket
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.alerts.service import acknowledge, sweep
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.mail import service as mail
from homes_qa.spine.mail.models import OutboundEmail
from homes_qa.spine.obligations.service import obligation_for_event
from homes_qa.spine.people.models import Home, User

# Wed 18 Nov 2026, 10:00 UTC (= London). A need-to-know raised 25 hours earlier was due at
# 09:00 today: overdue (level 1) for the registered manager, not yet escalated (level 2 comes
# at the end of the next working day, Thu 19 Nov).
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
EVENT = NOW - timedelta(hours=25)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [m for rcpts, m in self.messages if address in rcpts]


class SMTPServer:
    def __init__(self, handler: Collector | None = None):
        self.handler = handler or Collector()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


@pytest.fixture
def smtp():
    with SMTPServer() as server:
        yield server


def _config(app, port: int | None) -> dict:
    return {**app.config, "MAIL_SERVER": "127.0.0.1" if port else "", "MAIL_PORT": port or 25}


def _overdue_need_to_know(app, home_id: int, key: str = "incident:1", event_at: datetime = EVENT) -> int:
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, home_id)
        obligation = obligation_for_event("incident_ntk_service_manager", home, event_at, key=key)
        return obligation.id


def _sweep_and_deliver(app, now: datetime, config: dict) -> dict:
    with app.app_context(), acting_as("scheduler"):
        sweep(now)
        return mail.deliver_pending(now, config)


def _emails(app) -> list[OutboundEmail]:
    with app.app_context():
        rows = db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)).all()
        db.session.expunge_all()
        return rows


def test_overdue_alert_is_mailed_once_to_the_homes_manager_only(app, world, smtp):
    _overdue_need_to_know(app, world.home_a.id)
    manager = world.users[Role.REGISTERED_MANAGER]
    result = _sweep_and_deliver(app, NOW, _config(app, smtp.port))
    assert result == {"sent": 1, "retrying": 0, "failed": 0}

    assert [rcpts for rcpts, _ in smtp.handler.messages] == [[manager.email]]
    message = smtp.handler.to(manager.email)[0]
    title = "Need-to-know: service manager told — Alder House — incident:1"
    assert message["Subject"] == f"Overdue: {title}"
    assert message["To"] == manager.email and message["From"] == app.config["MAIL_SENDER"]
    assert message["Date"] and message["Message-ID"]
    body = message.get_content()
    assert f"Hello {manager.name}," in body
    assert "Home: Alder House" in body
    assert f"What is due: {title}" in body
    assert "When it was due: Wed 18 Nov 2026, 09:00 (UK time)" in body
    assert "Status: Overdue" in body
    assert "http://127.0.0.1:5000/alerts" in body

    # Sweeping again (and again later the same morning) raises and sends nothing new.
    again = _sweep_and_deliver(app, NOW + timedelta(minutes=5), _config(app, smtp.port))
    _sweep_and_deliver(app, NOW + timedelta(hours=2), _config(app, smtp.port))
    assert again == {"sent": 0, "retrying": 0, "failed": 0}
    assert len(smtp.handler.messages) == 1
    assert smtp.handler.to(world.manager_b.email) == []
    assert smtp.handler.to(world.unassigned_manager.email) == []
    with app.app_context():
        alerts = db.session.scalars(select(Alert)).all()
        assert alerts and all(a.notified_at is not None for a in alerts)


def test_escalation_mails_the_service_manager_of_that_home(app, world, smtp):
    _overdue_need_to_know(app, world.home_a.id)
    _sweep_and_deliver(app, NOW, _config(app, smtp.port))
    # Fri 20 Nov: past the end of Thu 19 Nov (1 working day after the due date): level 2.
    later = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    _sweep_and_deliver(app, later, _config(app, smtp.port))
    service_manager = world.users[Role.SERVICE_MANAGER]
    received = smtp.handler.to(service_manager.email)
    assert len(received) == 1
    assert received[0]["Subject"].startswith("Escalated to you (level 2): Need-to-know")
    assert "Status: Escalated to you (level 2)" in received[0].get_content()
    assert len(smtp.handler.to(world.users[Role.REGISTERED_MANAGER].email)) == 1  # not told twice
    assert len(smtp.handler.messages) == 2


def test_alert_acknowledged_before_notice_sends_nothing(app, world, monkeypatch):
    obligation_id = _overdue_need_to_know(app, world.home_a.id)
    with app.app_context(), acting_as("test"):
        # Raise the alerts without queueing mail (as a sweep interrupted before notifying).
        with monkeypatch.context() as patch:
            patch.setattr(mail, "SweptAlertMail", lambda now: None)  # the batches mail nothing
            patch.setattr(mail, "queue_alert_emails", lambda now: 0)
            sweep(NOW)
        assert db.session.scalar(select(Alert).where(Alert.notified_at.is_not(None))) is None
        alert = db.session.scalar(select(Alert).where(Alert.obligation_id == obligation_id, Alert.level == 1))
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        acknowledge(alert, note="Submitted by phone; form to follow", by=manager)
        assert mail.queue_alert_emails(NOW) == 0
        assert all(a.notified_at is not None for a in db.session.scalars(select(Alert)))
    assert _emails(app) == []


def test_smtp_down_keeps_the_message_and_retries_with_backoff(app, world):
    _overdue_need_to_know(app, world.home_a.id)
    closed = free_port()  # nothing listens here
    result = _sweep_and_deliver(app, NOW, _config(app, closed))
    assert result == {"sent": 0, "retrying": 1, "failed": 0}
    [queued] = _emails(app)
    assert queued.status == "pending" and queued.attempts == 1 and queued.sent_at is None
    assert queued.last_error and "Connection" in queued.last_error
    assert queued.next_attempt_at == NOW + timedelta(minutes=1)

    with SMTPServer() as server, app.app_context():
        # Not yet time for the retry: nothing is tried.
        assert mail.deliver_pending(NOW + timedelta(seconds=30), _config(app, server.port))["sent"] == 0
        assert server.handler.messages == []
        result = mail.deliver_pending(NOW + timedelta(minutes=2), _config(app, server.port))
    assert result == {"sent": 1, "retrying": 0, "failed": 0}
    assert [rcpts for rcpts, _ in server.handler.messages] == [[world.users[Role.REGISTERED_MANAGER].email]]
    [sent] = _emails(app)
    assert sent.status == "sent" and sent.attempts == 2 and sent.sent_at == NOW + timedelta(minutes=2)


class Refuser(Collector):
    """A server that is up but refuses every recipient (a per-message failure)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 No such mailbox"


def test_after_eight_refusals_the_message_is_failed_but_kept(app, world):
    _overdue_need_to_know(app, world.home_a.id)
    refuser = SMTPServer(Refuser())
    closed = _config(app, refuser.port)
    with refuser, app.app_context(), acting_as("scheduler"):
        sweep(NOW)
        at, waits = NOW, []
        for attempt in range(1, 9):
            result = mail.deliver_pending(at, closed)
            row = db.session.scalar(select(OutboundEmail))
            assert row.attempts == attempt
            if attempt < 8:
                assert result["retrying"] == 1 and row.status == "pending"
                waits.append(row.next_attempt_at - at)
                at = row.next_attempt_at
            else:
                assert result["failed"] == 1 and row.status == "failed"
        assert [w.total_seconds() / 60 for w in waits] == [1, 5, 15, 60, 120, 240, 480]
        assert mail.deliver_pending(at + timedelta(days=1), closed) == {"sent": 0, "retrying": 0, "failed": 0}
        assert db.session.scalar(select(OutboundEmail)).status == "failed"


def test_without_a_mail_server_messages_are_written_to_the_outbox(app, world):
    _overdue_need_to_know(app, world.home_a.id)
    result = _sweep_and_deliver(app, NOW, _config(app, None))
    assert result["sent"] == 1
    outbox = app.config["MAIL_OUTBOX"]
    assert outbox.startswith(app.instance_path)
    from pathlib import Path
    files = sorted(Path(outbox).glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["To"] == world.users[Role.REGISTERED_MANAGER].email
    assert message["Subject"].startswith("Overdue: Need-to-know")
    assert message["Date"] and message["Message-ID"]
    assert "When it was due: Wed 18 Nov 2026, 09:00" in message.get_content()
    [row] = _emails(app)
    assert row.status == "sent"


def test_recipients_follow_assignments_and_roles(app, world):
    with app.app_context():
        def emails(role, home_id):
            return {u.email for u in mail.recipients(role, home_id)}
        assert emails(Role.REGISTERED_MANAGER, world.home_a.id) == {world.users[Role.REGISTERED_MANAGER].email}
        assert emails(Role.REGISTERED_MANAGER, world.home_b.id) == {world.manager_b.email}
        assert emails(Role.SERVICE_MANAGER, world.home_b.id) == set()
        assert emails(Role.HEAD_OF_SERVICE, world.home_b.id) == {world.users[Role.HEAD_OF_SERVICE].email}
        assert emails(Role.REGISTERED_MANAGER, None) == {
            world.users[Role.REGISTERED_MANAGER].email, world.manager_b.email, world.unassigned_manager.email}
        db.session.get(User, world.manager_b.id).active = False
        db.session.commit()
        assert emails(Role.REGISTERED_MANAGER, world.home_b.id) == set()


def test_smtp_down_for_a_day_loses_nothing_and_delivers_each_once_when_it_returns(app, world):
    """The relay is down from 10:00 one day to 10:00 the next (past the 8 attempts a refused
    message gets), the mail job runs every 5 minutes as the scheduler does, and alerts keep
    being raised meanwhile: every message stays queued and goes, once, soon after it returns."""
    _overdue_need_to_know(app, world.home_a.id, key="incident:1")
    _overdue_need_to_know(app, world.home_b.id, key="incident:2")
    down = _config(app, free_port())
    at, outage_end = NOW, NOW + timedelta(hours=24)
    with app.app_context(), acting_as("scheduler"):
        sweep(at)
        while at < outage_end:
            if at == NOW + timedelta(hours=6):  # a third event becomes overdue during the outage
                obligation_for_event("incident_ntk_service_manager", db.session.get(Home, world.home_a.id),
                                     at - timedelta(hours=25), key="incident:3")
                sweep(at)
            result = mail.deliver_pending(at, down)
            assert result["sent"] == 0 and result["failed"] == 0
            at += timedelta(minutes=5)
        queued = db.session.scalars(select(OutboundEmail)).all()
        assert len(queued) >= 3 and {m.status for m in queued} == {"pending"}
        assert max(m.attempts for m in queued) > mail.MAX_ATTEMPTS  # tried all day, never given up
        assert all(m.next_attempt_at - at <= mail.SERVER_DOWN_MAX_WAIT for m in queued)
        expected = sorted((m.to_address, m.subject) for m in queued)
        db.session.expunge_all()

    with SMTPServer() as server, app.app_context(), acting_as("scheduler"):
        back_at = at
        while at <= back_at + mail.SERVER_DOWN_MAX_WAIT:
            mail.deliver_pending(at, _config(app, server.port))
            at += timedelta(minutes=5)
        delivered = sorted((rcpts[0], m["Subject"]) for rcpts, m in server.handler.messages)
        rows = db.session.scalars(select(OutboundEmail)).all()
    assert delivered == expected  # every queued message, each exactly once
    assert {r.status for r in rows} == {"sent"}
    assert all(back_at <= r.sent_at <= back_at + mail.SERVER_DOWN_MAX_WAIT for r in rows)


def test_the_sweep_queues_each_batchs_mail_with_its_alerts_as_the_mail_step_would(app, world):
    """Issue 13: the sweep's batches insert their alerts already marked notified, with their
    e-mails, instead of the mail step reading every new alert back, marking it and auditing
    that. What is queued (to whom, what it says, its key) is what the mail step queues for
    the same alerts; no alert is updated after it is raised."""
    from homes_qa.incidents.service import ensure_weekly_summaries
    from homes_qa.spine.audit.models import AuditEvent
    for n, home_id in enumerate((world.home_a.id, world.home_b.id, world.home_a.id)):
        _overdue_need_to_know(app, home_id, key=f"incident:{n}", event_at=NOW - timedelta(days=3 + n))
    with app.app_context(), acting_as("test"):
        ensure_weekly_summaries(NOW - timedelta(days=14))
        result = sweep(NOW)
        assert len(result.raised) >= 9
        assert db.session.scalar(select(Alert).where(Alert.notified_at.is_(None))) is None
        assert db.session.scalars(select(AuditEvent).where(
            AuditEvent.record_type == "Alert", AuditEvent.action == "update")).all() == []
        batched = {(m.dedupe_key, m.to_address, m.subject, m.body_text) for m in db.session.scalars(select(OutboundEmail))}
        assert len(batched) >= 6
        # The same alerts as the mail step alone would mail them.
        db.session.execute(OutboundEmail.__table__.delete())
        db.session.execute(Alert.__table__.update().values(notified_at=None))
        db.session.commit()
        mail.queue_alert_emails(NOW)
        alone = {(m.dedupe_key, m.to_address, m.subject, m.body_text) for m in db.session.scalars(select(OutboundEmail))}
    assert batched == alone


def test_a_directorys_recipients_are_the_roles_users_who_answer_for_the_home(app, world):
    """`Directory.recipients` (indexed by role and home on first use) against its definition:
    every active user of the role whose scope has the home, by id, for every role and home."""
    from homes_qa.core.roles import ROLES
    from homes_qa.spine.people import service as people
    with app.app_context(), acting_as("test"):
        extra = people.create_user(name="Second SM", email="sm2@a.example.org", role=Role.SERVICE_MANAGER,
                                   password="a-long-enough-password")
        for home_id in (world.home_a.id, world.home_b.id):
            people.assign(db.session.get(Home, home_id), extra)
        db.session.commit()
        directory = mail.Directory.load(set(ROLES))
        for role in ROLES:
            for home_id in (world.home_a.id, world.home_b.id, None, 999):
                expected = [u for u in directory.users_by_role.get(role, []) if directory.in_scope(u, home_id)]
                assert directory.recipients(role, home_id) == expected, (role, home_id)
        assert [u.email for u in directory.recipients(Role.SERVICE_MANAGER, world.home_b.id)] == ["sm2@a.example.org"]
