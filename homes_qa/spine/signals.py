"""Safeguarding signals: a record that says a child may not be safe raises an alert at once.

A Reg 44 report whose opinion is that children are not effectively safeguarded (or are, with
concerns), and a young person's feedback answer that they do not feel safe, each make one
obligation (rule `safeguarding_signal_review`: the service manager reviews it and decides whether
a need-to-know is needed) and raise its first alert in the same unit of work, not at the next
sweep. Keyed by the record, so a second submission of the same visit's report raises nothing new;
the sweep never raises the same level twice (one alert per obligation and level). The one
alert is e-mailed at once to the home's service manager and the head of service (spine.mail
`queue_alert_now`), not left for the sweep's mail or the next digest.
"""
from __future__ import annotations

from datetime import datetime

from blinker import Namespace
from sqlalchemy import select

from homes_qa.core.drift import DUE_SOON_LEVEL
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.people.models import Home
from homes_qa.spine.transaction import transactional

SIGNAL_RULE = "safeguarding_signal_review"
# Who hears of a signal straight away (issue 8): the home's service manager and the head of service.
SIGNAL_ROLES: tuple[str, ...] = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)

# ---------------------------------------------------------------- events other areas listen to
# The spine never imports an area; an area that must act on a spine change connects a receiver.
_events = Namespace()
# Sent by people.assign inside its unit of work, after the new Assignment is flushed (it has an
# id): `assignment_made.send(assignment)`. Receivers write in the same transaction.
assignment_made = _events.signal("assignment-made")


@transactional
def raise_signal(home: Home, at: datetime, *, key: str, subject: object, label: str) -> Alert | None:
    """Make the review obligation for this signal and its alert, now; None if already raised (or rule off)."""
    obligation = obligations.obligation_for_event(SIGNAL_RULE, home, at, key=key, subject=subject, label=label)
    if obligation is None:
        return None
    db.session.flush()
    existing = db.session.scalar(select(Alert).where(Alert.obligation_id == obligation.id,
                                                     Alert.level == DUE_SOON_LEVEL))
    if existing is not None:
        return None
    role = obligation.ladder_value[0].role
    alert = Alert(obligation_id=obligation.id, level=DUE_SOON_LEVEL, home_id=obligation.home_id,
                  target_role=role, raised_at=at, reached_at=at)
    db.session.add(alert)
    db.session.flush()
    # Told at once, by e-mail too: the home's service manager and the head of service (issue 8).
    from homes_qa.spine.mail.service import queue_alert_now  # late import: mail reads alerts
    queue_alert_now(alert, SIGNAL_ROLES, at, words="Safeguarding concern raised now")
    return alert
