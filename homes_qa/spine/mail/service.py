"""E-mail through a database queue: alerts and digests are queued once, then delivered with retries.

    recipients(role, home_id)          who hears about a home's obligation at a given role
    queue_alert_emails(now)            one message per recipient per overdue/escalated alert, once
    deliver_pending(now, app_config)   send what is due (SMTP, or .eml files when MAIL_SERVER is empty)

Queueing is exactly-once by the unique `dedupe_key`; delivery is at-least-once with back-off:
a message that cannot be sent stays in the table (pending, then failed) and is never lost.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from homes_qa.core.formats import london_datetime
from homes_qa.core.roles import ROLE_LABELS, SEES_ALL_HOMES
from homes_qa.extensions import db
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import set_in_bulk
from homes_qa.spine.mail.models import EmailStatus, OutboundEmail
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import Assignment, Home, User
from homes_qa.spine.transaction import transactional, unit_of_work

log = logging.getLogger("homes_qa.mail")

PENDING, SENT, FAILED = EmailStatus.PENDING, EmailStatus.SENT, EmailStatus.FAILED
MAX_ATTEMPTS = 8
# Minutes to wait after the 1st, 2nd, … failed attempt (the last value repeats).
BACKOFF_MINUTES = (1, 5, 15, 60, 120, 240, 480)
# While the server cannot be reached at all, messages wait at most this long between tries
# and are never failed for it: an outage of any length loses nothing, and what queued during
# it goes within this long of the server coming back.
SERVER_DOWN_MAX_WAIT = timedelta(minutes=15)
BATCH_SIZE = 200


# ---------------------------------------------------------------- words shared with the digest

def level_words(level: int) -> str:
    if level <= 0:
        return "Due soon"
    if level == 1:
        return "Overdue"
    return f"Escalated to you (level {level})"


def public_url(path: str) -> str:
    base: str = current_app.config["PUBLIC_BASE_URL"]
    return base.rstrip("/") + path


def _one_line(text: str, limit: int) -> str:
    """Header-safe: no line breaks (header injection), and within the column's length."""
    return " ".join(str(text).split())[:limit]


# ---------------------------------------------------------------- who hears about what

def recipients(role: str, home_id: int | None) -> list[User]:
    """Active users holding `role` who answer for `home_id`.

    Roles that see every home (head of service, admin), and obligations of the whole service
    (home_id None), reach every active user of the role; the others only the users assigned
    to the home. One query.
    """
    stmt = select(User).where(User.active.is_(True), User.role == role)
    if home_id is not None and role not in SEES_ALL_HOMES:
        stmt = stmt.where(User.id.in_(select(Assignment.user_id).where(Assignment.home_id == home_id)))
    return list(db.session.scalars(stmt.order_by(User.id)))


@dataclass
class Directory:
    """Active users by role and the homes each is assigned to, loaded in two queries.

    The batch form of `recipients`, for the alert mail and the digest.
    """

    users_by_role: dict[str, list[User]] = field(default_factory=dict)
    homes_by_user: dict[int, set[int]] = field(default_factory=dict)
    # Each (role, home)'s recipients, worked out once: after a month's downtime a sweep mails
    # thousands of alerts, each of which scanned every user of its role (issue 13).
    _recipients: dict[tuple[str, int | None], list[User]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, roles: Iterable[str]) -> Directory:
        roles = sorted(set(roles))
        directory = cls()
        if not roles:
            return directory
        users = db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(roles))
                                   .order_by(User.id)).all()
        for user in users:
            directory.users_by_role.setdefault(user.role, []).append(user)
            directory.homes_by_user[user.id] = set()
        ids = [u.id for u in users if u.role not in SEES_ALL_HOMES]
        for i in range(0, len(ids), 500):
            for user_id, home_id in db.session.execute(
                    select(Assignment.user_id, Assignment.home_id).where(Assignment.user_id.in_(ids[i:i + 500]))):
                directory.homes_by_user[user_id].add(home_id)
        return directory

    def in_scope(self, user: User, home_id: int | None) -> bool:
        return home_id is None or user.role in SEES_ALL_HOMES or home_id in self.homes_by_user.get(user.id, ())

    def recipients(self, role: str, home_id: int | None) -> list[User]:
        """The role's users who answer for the home, by id (a list shared between calls: not to
        change). The first call indexes every (role, home)'s users in one pass, instead of
        testing each user of the role for each home asked about."""
        if role in SEES_ALL_HOMES or home_id is None:
            return self.users_by_role.get(role, [])
        if not self._recipients:
            for users in self.users_by_role.values():
                for user in users:  # by id, so each list is too
                    for assigned in self.homes_by_user.get(user.id, ()):
                        self._recipients.setdefault((user.role, assigned), []).append(user)
            self._recipients[("", None)] = []  # indexed, even when nobody is assigned anywhere
        return self._recipients.get((role, home_id), [])


# ---------------------------------------------------------------- queueing

@transactional
def queue_messages(rows: list[dict[str, Any]], now: datetime) -> int:
    """Insert messages whose dedupe_key is not already queued; the number actually added.

    Existing keys are skipped (read first), and the insert itself ignores a key another
    process queued meanwhile (ON CONFLICT DO NOTHING), so a message is queued exactly once.
    """
    if not rows:
        return 0
    by_key = {row["dedupe_key"]: row for row in rows}
    existing: set[str] = set()
    keys = list(by_key)
    for i in range(0, len(keys), 500):
        existing |= set(db.session.scalars(
            select(OutboundEmail.dedupe_key).where(OutboundEmail.dedupe_key.in_(keys[i:i + 500]))))
    new = [by_key[k] for k in keys if k not in existing]
    if not new:
        return 0
    values = [{
        "kind": row["kind"], "dedupe_key": row["dedupe_key"], "to_address": row["to_address"],
        "subject": _one_line(row["subject"], 300), "body_text": row["body_text"], "status": PENDING,
        "attempts": 0, "next_attempt_at": now, "created_at": now,
    } for row in new]
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]  # same on_conflict_do_nothing() as PostgreSQL's
    else:  # pragma: no cover - the app runs on SQLite and PostgreSQL only
        from sqlalchemy import insert as plain_insert
        db.session.execute(plain_insert(OutboundEmail), values)
        return len(values)
    db.session.execute(insert(OutboundEmail).on_conflict_do_nothing(index_elements=["dedupe_key"]), values)
    return len(values)


@dataclass(frozen=True, slots=True)
class AlertAbout:
    """What an alert's e-mail says of its obligation, read as columns with the alert (the sweep
    mails thousands after a period turns: loading each obligation and home as ORM objects was
    most of the mail step, issue 13)."""
    title: str
    due_at: datetime
    responsible_role: str
    home: str | None  # the home's name; None for the whole service
    home_id: int | None
    rule_code: str
    status: str
    subject_type: str | None
    subject_id: int | None

    @classmethod
    def of(cls, obligation: Obligation) -> AlertAbout:
        return cls(obligation.title, obligation.due_at, obligation.responsible_role,
                   obligation.home.name if obligation.home is not None else None, obligation.home_id,
                   obligation.rule_code, obligation.status, obligation.subject_type, obligation.subject_id)


_ABOUT = (Obligation.title, Obligation.due_at, Obligation.responsible_role, Home.name, Obligation.home_id,
          Obligation.rule_code, Obligation.status, Obligation.subject_type, Obligation.subject_id)


def _alert_message(alert: Alert, obligation: AlertAbout, user: User, *, words: str | None = None) -> dict[str, Any]:
    home = obligation.home if obligation.home is not None else "Whole service"
    words = words or level_words(alert.level)
    responsible = ROLE_LABELS.get(obligation.responsible_role, obligation.responsible_role)
    why = (f"you are the {ROLE_LABELS.get(user.role, user.role).lower()} for {home}"
           if obligation.home is not None else
           f"you are a {ROLE_LABELS.get(user.role, user.role).lower()}")
    lines = [
        f"Hello {user.name},",
        "",
        f"{words}: {obligation.title}",
        "",
        f"Home: {home}",
        f"What is due: {obligation.title}",
        f"When it was due: {london_datetime(obligation.due_at)} (UK time)",
        f"Responsible: {responsible}",
        f"Status: {words}",
        "",
        "See your alerts and acknowledge this one, saying what is being done:",
        public_url("/alerts"),
        "",
        f"You are receiving this because {why}.",
        f"{current_app.config['SERVICE_NAME']} — {current_app.config['ORGANISATION_NAME']}",
    ]
    return {"kind": "alert", "dedupe_key": f"alert:{alert.id}:user:{user.id}", "to_address": user.email,
            "subject": f"{words}: {obligation.title}", "body_text": "\n".join(lines) + "\n"}


# An obligation about one person (its subject is a User, e.g. one service manager's weekly
# safeguarding summary) is theirs: its alerts at their own role reach them alone, not everyone
# holding the role; an escalation to another role (the head of service) goes as usual. The
# whole-service obligation of such a rule (the service's week) is not e-mailed at all: each
# person's own obligation carries the mail, so nobody hears twice.
PERSON_SUBJECT = "User"


def _personal_rules(codes: set[str]) -> set[str]:
    if not codes:
        return set()
    return set(db.session.scalars(select(Obligation.rule_code).where(
        Obligation.rule_code.in_(sorted(codes)), Obligation.subject_type == PERSON_SUBJECT).distinct()))


def _covered_by_personal(obligation: AlertAbout, personal: set[str]) -> bool:
    return (obligation.rule_code in personal and obligation.home_id is None
            and obligation.subject_type is None)


def _alert_recipients(directory: Directory, alert: Alert, obligation: AlertAbout) -> list[User]:
    people = directory.recipients(alert.target_role, alert.home_id)
    if obligation.subject_type == PERSON_SUBJECT and alert.target_role == obligation.responsible_role:
        return [user for user in people if user.id == obligation.subject_id]
    return people


@transactional
def queue_alert_emails(now: datetime) -> int:
    """Queue one message per recipient for every alert not yet notified; mark them notified.

    Overdue and escalated alerts (level 1 and up) on open obligations are e-mailed to every
    active user of the alert's target role for its home. Due-soon alerts (level 0), alerts
    already acknowledged and alerts whose obligation has closed are only marked: the daily
    digest covers due-soon items, and there is nothing left to tell about the others.
    Returns the number of messages queued. Commits.
    """
    found = [(alert, AlertAbout(*about)) for alert, *about in db.session.execute(
        select(Alert, *_ABOUT).join(Obligation, Obligation.id == Alert.obligation_id)
        .outerjoin(Home, Home.id == Obligation.home_id)
        .where(Alert.notified_at.is_(None)).order_by(Alert.id))]
    if not found:
        return 0
    to_mail = _to_mail(found)
    queued = queue_messages(_alert_messages(to_mail, Directory.load({a.target_role for a, _about in to_mail})), now)
    set_in_bulk([alert for alert, _about in found], {"notified_at": now})  # after a month's downtime, thousands
    if queued:
        log.info("queued %d alert e-mails for %d alerts", queued, len(to_mail))
    return queued


def _to_mail(found: list[tuple[Alert, AlertAbout]]) -> list[tuple[Alert, AlertAbout]]:
    """The alerts that are e-mailed (see `queue_alert_emails`); the others are only marked."""
    to_mail = [(a, about) for a, about in found if a.level >= 1 and a.acknowledged_at is None
               and about.status == ObligationStatus.OPEN]
    personal = _personal_rules({about.rule_code for _a, about in to_mail})
    return [(a, about) for a, about in to_mail if not _covered_by_personal(about, personal)]


def _alert_messages(to_mail: list[tuple[Alert, AlertAbout]], directory: Directory) -> list[dict[str, Any]]:
    return [_alert_message(alert, about, user)
            for alert, about in to_mail for user in _alert_recipients(directory, alert, about)]


class SweptAlertMail:
    """The e-mails of the alerts a sweep raises, queued with them in the same transaction.

    The sweep inserts its alerts already marked notified (`notified_at`), so they are not
    read back, marked and audited a second time at the end of the sweep (a month's turn raised
    6,517: their UPDATEs and audit entries were a tenth of its time, issue 13). What is sent,
    to whom and when is what `queue_alert_emails` sends; it still catches any alert raised
    another way (one by one, by hand). Each batch reads its recipients: the people read for
    one batch are expired when it commits."""

    def __init__(self, now: datetime):
        self.now = now
        self.queued = 0

    def __call__(self, raised: list[tuple[Alert, AlertAbout]]) -> None:
        to_mail = _to_mail(raised)
        if to_mail:
            directory = Directory.load({alert.target_role for alert, _about in to_mail})
            self.queued += queue_messages(_alert_messages(to_mail, directory), self.now)


@transactional
def queue_alert_now(alert: Alert, roles: Iterable[str], now: datetime, *, words: str) -> int:
    """E-mail one alert at once (a safeguarding signal), not at the next sweep or digest.

    One message per active user of each of `roles` who answers for the alert's home, queued in
    the caller's unit of work; the alert is marked notified, so the sweep's mail never sends it
    again (and the dedupe key would refuse a second copy anyway). Returns the number queued.
    """
    db.session.flush()
    about = AlertAbout.of(alert.obligation)
    rows, seen = [], set()
    for role in roles:
        for user in recipients(role, alert.home_id):
            if user.id not in seen:
                seen.add(user.id)
                rows.append(_alert_message(alert, about, user, words=words))
    queued = queue_messages(rows, now)
    alert.notified_at = now
    return queued


# ---------------------------------------------------------------- delivery

def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure before trying again."""
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


def _email(message: OutboundEmail, now: datetime, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = _one_line(message.subject, 300)
    email["Date"] = format_datetime(now)
    domain = sender.rpartition("@")[2].strip("> ") or "homes-qa.invalid"
    email["Message-ID"] = make_msgid(idstring=f"homes-qa.{message.id}", domain=domain)
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-replies should not answer
    email.set_content(message.body_text)
    return email


def _write_eml(outbox: Path, message: OutboundEmail, email: EmailMessage, now: datetime) -> None:
    outbox.mkdir(parents=True, exist_ok=True)
    name = f"{now:%Y%m%dT%H%M%S}-{message.id}-{message.kind}.eml"
    partial = outbox / (name + ".part")
    partial.write_bytes(bytes(email))
    partial.replace(outbox / name)  # atomic: a reader never sees half a message


def _connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=10)
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except Exception:
        smtp.close()
        raise
    return smtp


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except Exception:
        smtp.close()


def deliver_pending(now: datetime, app_config: Mapping[str, Any]) -> dict[str, int]:
    """Send pending messages whose next attempt is due; each committed on its own (its own unit).

    MAIL_SERVER empty: each message is written as an .eml file to MAIL_OUTBOX instead. A failure
    counts an attempt, records the error and backs off (1, 5, 15, 60 … minutes); after
    MAX_ATTEMPTS the message is marked failed (kept, never deleted). If the server cannot be
    reached, the rest of this batch is deferred without a connection attempt each, and no
    message is failed for it: each waits at most SERVER_DOWN_MAX_WAIT and tries again.
    """
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    messages = list(db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.status == PENDING, OutboundEmail.next_attempt_at <= now)
        .order_by(OutboundEmail.next_attempt_at, OutboundEmail.id).limit(BATCH_SIZE)))
    if not messages:
        return counts
    server = (app_config.get("MAIL_SERVER") or "").strip()
    outbox = Path(app_config.get("MAIL_OUTBOX") or Path(current_app.instance_path) / "outbox")
    sender = app_config.get("MAIL_SENDER") or "homes-qa@localhost"
    smtp: smtplib.SMTP | None = None
    unreachable: Exception | None = None
    try:
        for message in messages:
            with unit_of_work():  # this message's outcome is kept whatever happens to the next
                try:
                    email = _email(message, now, sender)
                    if not server:
                        _write_eml(outbox, message, email, now)
                    else:
                        if unreachable is not None:
                            raise unreachable
                        if smtp is None:
                            try:
                                smtp = _connect(app_config)
                            except Exception as error:
                                unreachable = error
                                raise
                        try:
                            smtp.send_message(email)
                        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError):
                            raise  # this message only: the connection stays usable
                        except Exception:
                            _close(smtp)
                            smtp = None  # reconnect for the next message
                            raise
                except Exception as error:
                    server_down = error is unreachable
                    message.attempts += 1
                    message.last_error = f"{type(error).__name__}: {error}"[:2000]
                    if message.attempts >= MAX_ATTEMPTS and not server_down:
                        message.status = FAILED
                        counts["failed"] += 1
                        log.error("e-mail %s to %s failed for good after %d attempts: %s",
                                  message.id, message.to_address, message.attempts, message.last_error)
                    else:
                        wait = backoff(message.attempts)
                        message.next_attempt_at = now + (min(wait, SERVER_DOWN_MAX_WAIT) if server_down else wait)
                        counts["retrying"] += 1
                        log.warning("e-mail %s not sent (attempt %d), retry at %s: %s", message.id,
                                    message.attempts, message.next_attempt_at.isoformat(), message.last_error)
                else:
                    message.attempts += 1
                    message.status = SENT
                    message.sent_at = now
                    counts["sent"] += 1
    finally:
        _close(smtp)
    log.info("mail delivery at %s: %s", now.isoformat(), counts)
    return counts
