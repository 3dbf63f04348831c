"""kill -9 of the web server in the middle of a stream of writes (one real server process after
another on one SQLite file): every write that was answered as saved is there after a restart,
nothing was half-saved, `PRAGMA integrity_check` is ok, and a sweep raises each alert once.

The writes are incidents recorded through the real form over HTTP (each one an incident row,
its notifications' obligations and audit rows in one transaction), from two threads at once,
so requests are in flight when the server dies.
"""
from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.alerts import service as alerts
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.timestamps import utcnow
from tests import clock
from tests.conftest import PASSWORD
from tests.incidents.test_incidents import event_form
from tests.scheduler_process import ROOT, wait_for

pytestmark = pytest.mark.usefixtures("clock")

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_INCIDENT = re.compile(r"/incidents/(\d+)$")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A signed-in person over real HTTP: cookies kept, redirects not followed."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())
        self.token = ""

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=20) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:  # 3xx (redirects are not followed), 4xx, 5xx
            with error:
                return error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")

    def sign_in(self, email: str) -> None:
        _, _, page = self.request("/sign-in")
        status, _, _ = self.request("/sign-in", {"email": email, "password": PASSWORD,
                                                  "csrf_token": _TOKEN.search(page).group(1)})
        assert status == 303
        self.token = _TOKEN.search(self.request("/account/password")[2]).group(1)


class Server:
    """`flask run` (werkzeug, threaded, no reloader) on a free port, on the pinned test clock."""

    def __init__(self, name: str, tmp_path: Path, env: dict, spec: str):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log_path = tmp_path / f"{name}.log"
        self.log = self.log_path.open("wb")
        command = [sys.executable, "-m", "flask", "--app", spec, "run", "--port", str(self.port),
                   "--no-reload", "--no-debugger", "--with-threads"]
        self.process = subprocess.Popen(clock.child_command(command), cwd=ROOT, env=clock.child_env(env),
                                        stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"

        def up() -> bool:
            assert self.process.poll() is None, self.text()
            try:
                with urllib.request.urlopen(self.base + "/sign-in", timeout=2) as response:
                    return response.status == 200
            except OSError:
                return False

        wait_for(up, 60, f"the {name} web server to answer")

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        self.log.close()


def _write_until_stopped(browser: Browser, home_id: int, saved: list[int], refused: list[str],
                         stop: threading.Event) -> None:
    """Record incidents one after another; keep the id of each one the server said it saved."""
    while not stop.is_set():
        try:
            status, location, _ = browser.request(f"/homes/{home_id}/incidents/new",
                                                  {**event_form(), "csrf_token": browser.token})
        except (OSError, http.client.HTTPException):  # the server died with this request in flight
            continue                                        # (or it refused the connection)
        match = _INCIDENT.search(location)
        if status == 303 and match:
            saved.append(int(match.group(1)))
        else:
            refused.append(f"HTTP {status} {location}")


@pytest.mark.slow
def test_web_server_killed_mid_write_loses_no_saved_record(app, world, tmp_path):
    database = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    manager = world.users[Role.REGISTERED_MANAGER]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "web-killed-test",
           "LOGIN_RATE_LIMIT": "1000 per minute", "LOGIN_ACCOUNT_RATE_LIMIT": "1000 per minute",
           "MAIL_OUTBOX": str(tmp_path / "outbox"), "PYTHONUNBUFFERED": "1"}
    env.pop("FLASK_APP", None)
    spec = f"homes_qa:create_app({{'INSTANCE_PATH': {str(tmp_path / 'instance')!r}}})"

    saved: list[int] = []
    refused: list[str] = []
    first = Server("first", tmp_path, env, spec)
    try:
        browsers = [Browser(first.base) for _ in range(2)]
        for browser in browsers:
            browser.sign_in(manager.email)
        stop = threading.Event()
        writers = [threading.Thread(target=_write_until_stopped, args=(b, world.home_a.id, saved, refused, stop))
                   for b in browsers]
        for writer in writers:
            writer.start()
        try:
            wait_for(lambda: len(saved) >= 4, 60, "four incidents to be saved")
            first.process.send_signal(signal.SIGKILL)  # with the writers still sending
            first.process.wait(10)
        finally:
            stop.set()
            for writer in writers:
                writer.join(30)
    finally:
        first.stop()
    assert not refused, refused
    answered = list(saved)

    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []

    second = Server("second", tmp_path, env, spec)
    try:
        browser = Browser(second.base)
        browser.sign_in(manager.email)
        for incident_id in answered:  # every write answered as saved is there, and opens
            assert browser.request(f"/incidents/{incident_id}")[0] == 200, incident_id
        more: list[int] = []
        status, location, _ = browser.request(f"/homes/{world.home_a.id}/incidents/new",
                                              {**event_form(), "csrf_token": browser.token})
        assert status == 303 and _INCIDENT.search(location), "the restarted server takes writes"
        more.append(int(_INCIDENT.search(location).group(1)))
        second.process.send_signal(signal.SIGTERM)
        second.process.wait(30)
        assert "Traceback" not in first.text() + second.text(), (first.text() + second.text())[-3000:]
    finally:
        second.stop()

    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        incidents = {i for (i,) in conn.execute("SELECT id FROM incidents")}
        assert set(answered + more) <= incidents
        # Nothing half-saved: every incident (answered or cut off) has its deadlines and its audit row.
        deadlines = Counter(key for (key,) in conn.execute(
            "SELECT period_key FROM obligations WHERE period_key LIKE 'incident:%'"))
        audited = {r for (r,) in conn.execute("SELECT record_id FROM audit_events WHERE record_type = 'Incident'")}
        assert incidents <= audited
        per_incident = {int(key.split(":")[1].split(":")[0]) for key in deadlines}
        assert incidents <= per_incident, sorted(incidents - per_incident)

    # The deadlines are overdue by tomorrow: a sweep raises each alert once, a second raises none.
    with app.app_context(), acting_as("test"):
        later = utcnow() + timedelta(days=1)
        first_sweep = alerts.sweep(later)
        again = alerts.sweep(later + timedelta(minutes=5))
        db.engine.dispose()
    assert not first_sweep.errors and not again.errors
    assert first_sweep.raised and not again.raised
    with sqlite3.connect(database) as conn:
        levels = Counter(conn.execute("SELECT obligation_id, level FROM alerts").fetchall())
    assert levels and set(levels.values()) == {1}
