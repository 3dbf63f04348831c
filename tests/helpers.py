"""Plain helpers shared by the test modules (fixtures live in conftest.py).

Test modules import these as `from tests.helpers import …`: `from conftest import …` is
ambiguous once tests/browser/conftest.py is collected too.
"""
from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from jinja2 import BytecodeCache
from werkzeug.routing import Rule

from homes_qa import create_app

PASSWORD = "correct-horse-battery"


class _SharedBytecodeCache(BytecodeCache):
    """Compiled templates shared between the many apps a test run creates."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CACHE = _SharedBytecodeCache()

# Each app the run creates compiles a URL builder for each of its 1,600 routes (werkzeug writes
# and compiles Python for each): 0.25 s of every test's set-up on a 2-core machine, minutes of a
# CI run. The builder is a function of the rule's text, trace and defaults alone (bound to its
# rule when called), so one compiled for the same rule of an earlier app is the same function.
_BUILDERS: dict[tuple, object] = {}
_compile_builder = Rule._compile_builder


def _shared_builder(self: Rule, append_unknown: bool = True):
    key = (self.rule, self.subdomain, self.host, self.merge_slashes, tuple(self._trace),
           repr(sorted((self.defaults or {}).items())), append_unknown)
    if key not in _BUILDERS:
        _BUILDERS[key] = _compile_builder(self, append_unknown)
    return _BUILDERS[key]


Rule._compile_builder = _shared_builder  # type: ignore[method-assign]


def make_app(tmp_path: Path, migrated_db: Path, **overrides):
    """An app on its own copy of the migrated SQLite database."""
    path = tmp_path / "test.sqlite"
    shutil.copy(migrated_db, path)
    config = {
        "TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "INSTANCE_PATH": str(tmp_path / "instance"), "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOGIN_ACCOUNT_RATE_LIMIT": "1000 per minute",
        "ORGANISATION_NAME": "Test Council",
    }
    config.update(overrides)
    app = create_app(config)
    app.jinja_env.bytecode_cache = _TEMPLATE_CACHE
    return app


_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, url: str = "/sign-in") -> str:
    """A CSRF token valid for this client's session, read from a real form."""
    html = client.get(url).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


@dataclass(frozen=True)
class Ref:
    """A plain snapshot of a record, usable outside any app context."""

    id: int
    name: str
    email: str = ""
    role: str = ""


def ref(record) -> Ref:
    return Ref(record.id, record.name, getattr(record, "email", ""), getattr(record, "role", ""))


@contextmanager
def statements_run(app, *, with_parameters: bool = False) -> Iterator[list]:
    """The SQL statements run on the app's engine inside the block (a count, not a timing);
    `with_parameters`: each as (statement, its DB-API parameters), to plan it again."""
    from sqlalchemy import event

    from homes_qa.extensions import db
    with app.app_context():
        engine = db.engine
    seen: list = []

    def record(conn, cursor, statement, parameters, *args):
        seen.append((statement, parameters) if with_parameters else statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def page_queries(app, client, url: str, *, warm: bool = True) -> int:
    """How many queries a GET of `url` makes (after one untimed GET when `warm`: what is done
    once per session is not the page's); the page must answer 200."""
    if warm:
        client.get(url)
    with statements_run(app) as seen:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(seen)


def my_homes_by_definition(user) -> list[int]:
    """Alert ids of "My homes" worked out in Python from the rows: for every open obligation in
    the user's scope, its highest alert; unacknowledged first, then the obligation's deadline,
    then the alert (what the marker-driven query must return)."""
    from sqlalchemy import select

    from homes_qa.extensions import db
    from homes_qa.spine.access import visible_home_ids_query
    from homes_qa.spine.alerts.models import Alert
    from homes_qa.spine.obligations.queries import ORGANISATION_ROLES
    homes = set(db.session.scalars(visible_home_ids_query(user)))
    highest: dict[int, Alert] = {}
    for alert in db.session.scalars(select(Alert)):
        if alert.obligation_id not in highest or alert.level > highest[alert.obligation_id].level:
            highest[alert.obligation_id] = alert
    listed = [alert for alert in highest.values() if alert.obligation.is_open and (
        alert.home_id in homes or (alert.home_id is None and user.role in ORGANISATION_ROLES))]
    listed.sort(key=lambda a: (a.acknowledged_at is not None, a.obligation.due_at, a.id))
    return [alert.id for alert in listed]


def for_me_by_definition(user) -> list[int]:
    """Alert ids of "For me" worked out in Python from the rows: for every open obligation in the
    user's scope (its homes; whole-service ones aimed at the role; for home staff nothing hidden
    from them), its highest alert aimed at the user's role; unacknowledged first, then the
    obligation's deadline, then the alert (what the marker-driven query must return)."""
    from sqlalchemy import select

    from homes_qa.core.roles import HOME_STAFF, SEES_ALL_HOMES
    from homes_qa.extensions import db
    from homes_qa.spine.access import visible_home_ids_query
    from homes_qa.spine.alerts.models import Alert
    homes = set(db.session.scalars(visible_home_ids_query(user)))
    highest: dict[int, Alert] = {}
    for alert in db.session.scalars(select(Alert).where(Alert.target_role == user.role)):
        if alert.obligation_id not in highest or alert.level > highest[alert.obligation_id].level:
            highest[alert.obligation_id] = alert
    listed = [alert for alert in highest.values() if alert.obligation.is_open
              and (user.role in SEES_ALL_HOMES or alert.home_id in homes or alert.home_id is None)
              and not (user.role in HOME_STAFF and alert.obligation.hidden_from_home_staff)]
    listed.sort(key=lambda a: (a.acknowledged_at is not None, a.obligation.due_at, a.id))
    return [alert.id for alert in listed]


def escalated_to_me_by_definition(user, now) -> list[int]:
    """Obligation ids of the first page's "Escalated to you" worked out in Python: the open
    obligations in the user's scope, due within the work lists' horizon, with an escalation alert
    aimed at the user's role; earliest deadline first, then the obligation."""
    from sqlalchemy import select

    from homes_qa.exceptions.policy import obligations_in_scope
    from homes_qa.exceptions.queries import HORIZON
    from homes_qa.extensions import db
    from homes_qa.spine.alerts.models import ESCALATION_LEVEL, Alert
    from homes_qa.spine.obligations.models import Obligation, ObligationStatus
    in_scope = set(db.session.scalars(select(Obligation.id).where(obligations_in_scope(user))))
    escalated = {alert.obligation for alert in db.session.scalars(
        select(Alert).where(Alert.target_role == user.role, Alert.level >= ESCALATION_LEVEL))}
    listed = [o for o in escalated if o.status == ObligationStatus.OPEN and o.id in in_scope
              and o.due_at <= now + HORIZON]
    listed.sort(key=lambda o: (o.due_at, o.id))
    return [o.id for o in listed]


def sweep_at(app, now) -> None:
    """One sweep of the alerts at `now`, as the scheduler runs it."""
    from homes_qa.spine.alerts import service as alert_service
    from homes_qa.spine.audit.models import acting_as
    with app.app_context(), acting_as("scheduler"):
        alert_service.sweep(now)


def alert_levels(app, obligation_id: int) -> list[int]:
    """The levels raised for an obligation, lowest first."""
    from sqlalchemy import select

    from homes_qa.extensions import db
    from homes_qa.spine.alerts.models import Alert
    with app.app_context():
        return sorted(db.session.scalars(select(Alert.level).where(Alert.obligation_id == obligation_id)))


def need_to_know_obligations(app, world, aware_hours_before: dict[str, int], at, key: str) -> dict[str, int]:
    """Need-to-know notifications to the service manager, one per name: in home A when the name
    starts with "a", home B with "b"; the home became aware `aware_hours_before[name]` hours
    before `at`. Their ids by name."""
    from datetime import timedelta

    from homes_qa.extensions import db
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.obligations import service as obligations
    from homes_qa.spine.people.models import Home
    with app.app_context(), acting_as("test"):
        homes = {"a": db.session.get(Home, world.home_a.id), "b": db.session.get(Home, world.home_b.id)}
        made = {name: obligations.obligation_for_event("incident_ntk_service_manager", homes[name[0]],
                                                       at - timedelta(hours=hours), key=f"{key}:{name}")
                for name, hours in aware_hours_before.items()}
        db.session.commit()
        return {name: obligation.id for name, obligation in made.items()}
