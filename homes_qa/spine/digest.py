"""The daily digest: one e-mail per person listing what is escalated, overdue and due soon.

Whose is an obligation (the same selection feeds the personal calendar):
  - the people of its responsible role who answer for its home (assigned to the home; heads of
    service for every home; everyone of the role for a whole-service obligation);
  - the people of a role an unacknowledged alert on it is targeted at, for its home.
Administrators get no digest. `queue_digests(now)` is idempotent per London day.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from homes_qa.core.calendar import london_date
from homes_qa.core.drift import DUE_SOON, ESCALATED, OVERDUE, DriftState, classify
from homes_qa.core.formats import london_datetime, long_day
from homes_qa.core.roles import ROLE_LABELS, SEES_ALL_HOMES, Role
from homes_qa.extensions import db
from homes_qa.spine.access import obligation_visible_to
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.mail.service import PERSON_SUBJECT, Directory, public_url, queue_messages
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import User
from homes_qa.spine.transaction import transactional

log = logging.getLogger("homes_qa.digest")

# Roles that hold obligations or receive escalations (administrators do neither).
DIGEST_ROLES = (Role.REGISTERED_MANAGER, Role.REG44_VISITOR, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)
# Rules allow at most 90 days of warning (services.rules.update_rule); a margin for clock changes.
DUE_SOON_HORIZON = timedelta(days=92)
SECTIONS = ((ESCALATED, "Escalated"), (OVERDUE, "Overdue"), (DUE_SOON, "Due soon"))


@dataclass
class Selection:
    """Open obligations due by a horizon, their alerts, and whose each one is."""

    obligations: list[Obligation]
    alerts: dict[tuple[int, int], Alert]  # (obligation id, level) -> alert
    by_user: dict[int, list[Obligation]] = field(default_factory=dict)


def select_obligations(users: list[User], *, due_before: datetime, directory: Directory | None = None) -> Selection:
    """Each user's open obligations due by `due_before` (overdue ones included).

    Bounded: one query for the obligations (with homes and rules), one for their alerts, and
    the directory's two for assignments, whatever the number of users.
    """
    obligations = list(db.session.scalars(
        select(Obligation).where(Obligation.status == ObligationStatus.OPEN, Obligation.due_at <= due_before)
        .order_by(Obligation.due_at, Obligation.id)
        .options(selectinload(Obligation.home), selectinload(Obligation.rule))))
    alerts = {(a.obligation_id, a.level): a for a in db.session.scalars(
        select(Alert).join(Obligation, Alert.obligation_id == Obligation.id)
        .where(Obligation.status == ObligationStatus.OPEN, Obligation.due_at <= due_before))}
    if directory is None:
        directory = Directory.load({u.role for u in users})
    # Index by (role, home id) so each user only looks at their own homes' share.
    responsible: dict[tuple[str, int | None], list[Obligation]] = {}
    for obligation in obligations:
        responsible.setdefault((obligation.responsible_role, obligation.home_id), []).append(obligation)
    by_id = {o.id: o for o in obligations}
    targeted: dict[tuple[str, int | None], set[int]] = {}
    for (obligation_id, _level), alert in alerts.items():
        if alert.acknowledged_at is None:
            targeted.setdefault((alert.target_role, alert.home_id), set()).add(obligation_id)
    homes_by_role_index: dict[str, set[int | None]] = {}
    for role, home_id in list(responsible) + list(targeted):
        homes_by_role_index.setdefault(role, set()).add(home_id)

    personal = {o.rule_code for o in obligations if o.subject_type == PERSON_SUBJECT}
    selection = Selection(obligations, alerts)
    for user in users:
        if user.role not in DIGEST_ROLES:
            selection.by_user[user.id] = []
            continue
        if user.role in SEES_ALL_HOMES:
            homes = homes_by_role_index.get(user.role, set())
        else:
            homes = directory.homes_by_user.get(user.id, set()) | {None}
        mine: dict[int, Obligation] = {}
        for home_id in homes:
            for obligation in responsible.get((user.role, home_id), ()):
                mine[obligation.id] = obligation
            for obligation_id in targeted.get((user.role, home_id), ()):
                mine[obligation_id] = by_id[obligation_id]
        # Home staff must not learn of an unannounced Reg 44 visit from a digest or feed.
        mine = {k: o for k, o in mine.items() if obligation_visible_to(user, o)}
        # An obligation about one person (a service manager's weekly summary) is theirs at their
        # role; the service-wide one of the same rule is carried by each person's own (spine.mail).
        mine = {k: o for k, o in mine.items()
                if not (o.subject_type == PERSON_SUBJECT and o.responsible_role == user.role
                        and o.subject_id != user.id)
                and not (o.rule_code in personal and o.home_id is None and o.subject_type is None)}
        selection.by_user[user.id] = sorted(mine.values(), key=lambda o: (o.due_at, o.id))
    return selection


def _home_name(obligation: Obligation) -> str:
    return obligation.home.name if obligation.home is not None else "Whole service"


def digest_sections(obligations: list[Obligation], alerts: dict[tuple[int, int], Alert],
                    now: datetime) -> dict[str, list[tuple[Obligation, DriftState]]]:
    """Escalated, overdue and due-soon items at `now`; upcoming ones and ones whose alert at
    their current level has been acknowledged are left out (acknowledgement stops reminders)."""
    sections: dict[str, list[tuple[Obligation, DriftState]]] = {key: [] for key, _ in SECTIONS}
    for obligation in obligations:
        try:
            state = classify(obligation.due_at, now, obligation.ladder_value, obligation.due_soon_days,
                             due_soon_hours=obligation.due_soon_hours)
        except ValueError:  # a damaged ladder: logged, not allowed to stop everyone's digest
            log.exception("digest skipped obligation %s", obligation.id)
            continue
        if state.status not in sections:
            continue
        alert = alerts.get((obligation.id, state.level)) if state.level is not None else None
        if alert is not None and alert.acknowledged_at is not None:
            continue
        sections[state.status].append((obligation, state))
    return sections


def _line(obligation: Obligation, state: DriftState) -> str:
    home = _home_name(obligation)
    # Titles read "Rule — Home — period"; the line starts with the home, so say it once.
    title = obligation.title.replace(f" — {home} — ", " — ", 1)
    line = f"- {home}: {title} — due {london_datetime(obligation.due_at)}"
    if state.status == ESCALATED:
        assert state.role is not None  # an open, alerting state names who holds it
        line += f" (level {state.level}, with the {ROLE_LABELS.get(state.role, state.role).lower()})"
    return line


def _digest_message(user: User, sections: dict[str, list[tuple[Obligation, DriftState]]], now: datetime) -> dict[str, Any]:
    day = london_date(now)
    day_text = long_day(day)
    counts = ", ".join(f"{len(sections[key])} {label.lower()}" for key, label in SECTIONS)
    lines = [f"Hello {user.name},", "", f"Your summary for {day_text} (times are UK time).", ""]
    for key, label in SECTIONS:
        items = sections[key]
        lines.append(f"{label} ({len(items)})")
        if items:
            lines.extend(_line(obligation, state) for obligation, state in items)
        else:
            lines.append("- Nothing.")
        lines.append("")
    lines += [
        "Acknowledging an alert, with a note of what is being done, stops reminders at its level.",
        f"See your alerts: {public_url('/alerts')}",
        "",
        f"{current_app.config['SERVICE_NAME']} — {current_app.config['ORGANISATION_NAME']}",
    ]
    return {"kind": "digest", "dedupe_key": f"digest:{day.isoformat()}:user:{user.id}",
            "to_address": user.email, "subject": f"Your daily summary for {day_text}: {counts}",
            "body_text": "\n".join(lines) + "\n"}


@transactional
def queue_digests(now: datetime) -> int:
    """Queue today's digest (London date of `now`) for everyone with something to hear about.

    No message for a person with nothing escalated, overdue or due soon. Running it twice in a
    day queues nothing new (dedupe key per London day and user). Returns the number queued.
    """
    directory = Directory.load(DIGEST_ROLES)
    users = [u for role in DIGEST_ROLES for u in directory.users_by_role.get(role, [])]
    if not users:
        return 0
    selection = select_obligations(users, due_before=now + DUE_SOON_HORIZON, directory=directory)
    rows = []
    for user in users:
        sections = digest_sections(selection.by_user.get(user.id, []), selection.alerts, now)
        if any(sections.values()):
            rows.append(_digest_message(user, sections, now))
    queued = queue_messages(rows, now)
    log.info("digest for %s: %d people with items, %d queued", london_date(now).isoformat(), len(rows), queued)
    return queued
