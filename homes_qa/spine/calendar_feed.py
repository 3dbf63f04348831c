"""The personal iCalendar feed: a person's open deadlines, behind a secret revocable address.

    issue_token(user)          a new secret (the old address, if any, stops working); only its
                               sha256 is stored, so the address can be shown once, when issued
    revoke_token(user)         no feed until a new one is issued
    user_for_token(token)      the active user the address belongs to, or None
    feed_for(user, now)        the .ics body: open obligations overdue or due within 400 days

Whose obligations are in the feed is the digest's selection (services.digest.select_obligations).
Changes to `User.ical_token` are audited by the model mixin, with the value redacted.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select

from homes_qa.core.calendar import to_utc
from homes_qa.core.formats import london_datetime
from homes_qa.core.roles import ROLE_LABELS
from homes_qa.extensions import db
from homes_qa.spine.digest import select_obligations
from homes_qa.spine.mail.service import public_url
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import User
from homes_qa.spine.transaction import transactional

HORIZON = timedelta(days=400)
# An event may not end where it starts (RFC 5545 §3.8.2.2): each deadline is a short event
# that *ends* at the due time, so it sits on the day it is due (23:29–23:59 for end-of-day ones).
EVENT_LENGTH = timedelta(minutes=30)
# secrets.token_urlsafe(32) gives 43 characters of this alphabet; anything else is not a token.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transactional
def issue_token(user: User) -> str:
    """Create (or replace) the user's feed secret and return it: only its hash is kept. Commits."""
    token = secrets.token_urlsafe(32)
    user.ical_token = token_hash(token)
    return token


@transactional
def revoke_token(user: User) -> None:
    """Turn the feed off: its address answers 404 from now on. Commits."""
    if user.ical_token is not None:
        user.ical_token = None


def user_for_token(token: str) -> User | None:
    if not token or not _TOKEN_SHAPE.fullmatch(token):
        return None
    return db.session.scalar(select(User).where(User.ical_token == token_hash(token), User.active.is_(True)))


def _description(obligation: Obligation) -> str:
    home = obligation.home.name if obligation.home is not None else "Whole service"
    link = public_url(f"/homes/{obligation.home_id}") if obligation.home_id is not None else public_url("/")
    rule = obligation.rule.title if obligation.rule is not None else obligation.rule_code
    return "\n".join([
        f"Home: {home}",
        f"Rule: {rule}",
        f"Responsible: {ROLE_LABELS.get(obligation.responsible_role, obligation.responsible_role)}",
        f"Due: {london_datetime(obligation.due_at)} (UK time)",
        f"Open in Homes QA: {link}",
    ])


def feed_for(user: User, now: datetime) -> bytes:
    """The user's calendar: every open obligation of theirs that is overdue or due within HORIZON."""
    obligations = select_obligations([user], due_before=now + HORIZON).by_user.get(user.id, [])
    calendar = Calendar()
    calendar.add("prodid", "-//Homes QA//Deadlines feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Homes QA deadlines")
    calendar.add("x-wr-caldesc", f"Open Homes QA deadlines for {user.name}")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    stamp = to_utc(now).replace(microsecond=0)
    for obligation in obligations:
        due = to_utc(obligation.due_at).replace(microsecond=0)
        event = Event()
        event.add("uid", f"obligation-{obligation.id}@homes-qa")
        event.add("dtstamp", stamp)
        event.add("summary", obligation.title)
        event.add("dtstart", due - EVENT_LENGTH)
        event.add("dtend", due)
        event.add("description", _description(obligation))
        event.add("url", public_url(f"/homes/{obligation.home_id}") if obligation.home_id is not None
                  else public_url("/"))
        event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
        calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body
