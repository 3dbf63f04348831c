"""Shared fixtures: app, client, CLI runner, a user of each role, sign-in helper.

Each test gets its own SQLite file copied from one built by the real Alembic migrations,
so the schema under test is the migrated one, not `create_all`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from homes_qa import create_app
from homes_qa.core.roles import ROLE_LABELS, ROLES, SEES_ALL_HOMES
from homes_qa.extensions import db, limiter
from tests import clock as test_clock
from tests.helpers import PASSWORD, Ref, csrf_token, make_app, ref

ROOT = Path(__file__).resolve().parent.parent

# Property tests judge correctness, never speed (speed is `make bench`'s job): no per-example
# deadline and no "too slow" health check, so a loaded machine cannot fail them.
from hypothesis import HealthCheck  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("homes_qa", deadline=None,
                                     suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("homes_qa")
KINDS = ("unit", "request", "browser", "postgres")


# ---------------------------------------------------------------- the clock (see tests/clock.py)

def pytest_configure(config):
    """HOMES_QA_PIN_CLOCK=<ISO instant>: the whole session runs as if it were then (ticking)."""
    instant = test_clock.session_pin()
    if instant is not None:
        config._homes_qa_clock = test_clock.travel(instant, tick=True)
        config._homes_qa_clock.start()


def pytest_unconfigure(config):
    traveller = getattr(config, "_homes_qa_clock", None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config):
    instant = test_clock.session_pin()
    return [f"clock: pinned at {instant.isoformat()} (HOMES_QA_PIN_CLOCK), ticking" if instant
            else f"clock: real; `clock` fixture pins at {test_clock.PINNED_NOW.isoformat()}"]


@pytest.fixture
def clock():
    """The clock pinned at tests.clock.PINNED_NOW (ticking) for this test; yields the traveller."""
    with test_clock.travel(test_clock.PINNED_NOW, tick=True) as traveller:
        yield traveller


# ---------------------------------------------------------------- test kinds and summary

def pytest_collection_modifyitems(config, items):
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT / "tests").parts
        kind = {"core": "unit", "browser": "browser", "postgres": "postgres"}.get(parts[0], "request")
        item.add_marker(getattr(pytest.mark, kind))
        item.user_properties.append(("kind", kind))


_started = time.monotonic()


def _kind_of(report) -> str:
    return dict(report.user_properties).get("kind", "request")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist: gather each worker's browser-check figures (tests/browser/conftest.py)."""
    import json
    data = getattr(node, "workeroutput", {}).get("homes_qa_browser")
    if not data:
        return
    merged = node.config.__dict__.setdefault("_homes_qa_browser", {"pages": {}, "documents": 0, "errors": 0})
    worker = json.loads(data)
    for path, title, count in worker["pages"]:
        merged["pages"][(path, title)] = merged["pages"].get((path, title), 0) + count
    merged["documents"] += worker["vnu"]["documents"]
    merged["errors"] += worker["vnu"]["errors"]
    merged["vnu"] = worker["vnu_name"] if worker["vnu_available"] else None


def _browser_summary(terminalreporter, config) -> None:
    merged = getattr(config, "_homes_qa_browser", None)
    if not merged:
        return  # a serial run: tests/browser/conftest.py prints its own
    terminalreporter.section("Nu HTML Checker")
    if merged.get("vnu"):
        terminalreporter.write_line(f"{merged['documents']} documents checked with {merged['vnu']}, "
                                    f"{merged['errors']} errors")
    else:
        terminalreporter.write_line("not run: no vnu jar (or no java); see tests/browser/conftest.py")
    terminalreporter.section("axe-core: pages checked")
    for (path, title), count in sorted(merged["pages"].items()):
        terminalreporter.write_line(f"{count:3d} x {path}  ({title})")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    _browser_summary(terminalreporter, config)
    counts = {kind: {"passed": 0, "failed": 0, "skipped": 0} for kind in KINDS}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if not hasattr(report, "user_properties") or getattr(report, "when", "call") not in ("call", "setup"):
                continue
            if outcome == "passed" and report.when != "call":
                continue
            key = "failed" if outcome == "error" else outcome
            counts[_kind_of(report)][key] += 1
    terminalreporter.section("Homes QA test kinds")
    for kind in KINDS:
        c = counts[kind]
        terminalreporter.write_line(f"{kind:>9}: {c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped")
    terminalreporter.write_line(f"  elapsed: {time.monotonic() - _started:.1f} s")
    skipped_real = [r for r in terminalreporter.stats.get("skipped", [])
                    if _kind_of(r) in ("browser", "postgres")]
    if skipped_real:
        terminalreporter.write_line("FAIL: browser/PostgreSQL tests must run, not skip", red=True)
        config._homes_qa_skipped_real = True


def pytest_sessionfinish(session, exitstatus):
    if getattr(session.config, "_homes_qa_skipped_real", False) and exitstatus == 0:
        session.exitstatus = 1


# ---------------------------------------------------------------- database and app

@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Real argon2, with cheap parameters so fixtures that create many users stay quick."""
    from argon2 import PasswordHasher

    from homes_qa.spine.people import passwords
    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = original


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Path:
    """One SQLite file built by `flask db upgrade`, copied for every test."""
    from flask_migrate import upgrade
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "INSTANCE_PATH": str(path.parent)})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture
def app(tmp_path, migrated_db):
    # No app context stays pushed: requests must get their own (and their own `g`),
    # as they do in production. Tests that touch the database open one themselves.
    app = make_app(tmp_path, migrated_db)
    with app.app_context():
        limiter.reset()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---------------------------------------------------------------- people and homes

@dataclass
class World:
    """Two homes; a user of each role scoped to home A; a manager and visitor of home B only."""

    home_a: Ref
    home_b: Ref
    users: dict  # role -> Ref of a user scoped to home A (or all homes)
    manager_b: Ref
    visitor_b: Ref
    unassigned_manager: Ref


@pytest.fixture
def world(app) -> World:
    from homes_qa.core.roles import Role
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.people import service as people
    with app.app_context(), acting_as("test setup"):
        home_a = people.create_home(name="Alder House", ofsted_urn="SC900001", address="1 Alder Road", registered_places=4)
        home_b = people.create_home(name="Birch House", ofsted_urn="SC900002", address="2 Birch Road", registered_places=3)
        users = {}
        for role in ROLES:
            user = people.create_user(name=f"{ROLE_LABELS[role]} A", email=f"{role}@a.example.org", role=role, password=PASSWORD)
            if role not in SEES_ALL_HOMES:
                people.assign(home_a, user)
            users[role] = user
        manager_b = people.create_user(name="Manager B", email="manager@b.example.org", role=Role.REGISTERED_MANAGER, password=PASSWORD)
        people.assign(home_b, manager_b)
        visitor_b = people.create_user(name="Visitor B", email="visitor@b.example.org", role=Role.REG44_VISITOR, password=PASSWORD)
        people.assign(home_b, visitor_b)
        unassigned = people.create_user(name="New Manager", email="new@a.example.org", role=Role.REGISTERED_MANAGER, password=PASSWORD)
        return World(ref(home_a), ref(home_b), {r: ref(u) for r, u in users.items()},
                     ref(manager_b), ref(visitor_b), ref(unassigned))


# ---------------------------------------------------------------- signing in and CSRF

class Auth:
    def __init__(self, client):
        self.client = client
        self.token: str | None = None

    def sign_in(self, user_or_email, password: str = PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        token = csrf_token(self.client, "/sign-in")
        response = self.client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})
        # The session is new after sign-in: fetch a token belonging to it.
        if response.status_code == 303:
            self.token = csrf_token(self.client, "/account/password")
        return response

    def sign_out(self):
        return self.client.post("/sign-out", data={"csrf_token": self.token})

    def post(self, url: str, data: dict | None = None, **kwargs):
        payload = {"csrf_token": self.token, **(data or {})}
        return self.client.post(url, data=payload, **kwargs)


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)
