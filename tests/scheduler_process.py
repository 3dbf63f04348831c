"""A real `flask scheduler` process for the two-process tests (SQLite and PostgreSQL)."""
from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from tests import clock

ROOT = Path(__file__).resolve().parent.parent
SWEPT = "scheduled sweep:"
STARTED = re.compile(r"scheduler (\S+) starting")


class SchedulerProcess:
    """`python -m flask [--app SPEC] scheduler`; stdout and stderr into a log file.

    Run through `python -m tests.clock`, so the child shares a pinned test clock (leases and
    their expiry are compared across the two processes); on the real clock it is plain flask.
    """

    def __init__(self, name: str, tmp_path: Path, env: dict, app_spec: str | None = None):
        self.name = name
        self.log_path = tmp_path / f"{name}.log"
        self.log = self.log_path.open("wb")
        command = [sys.executable, "-m", "flask"] + (["--app", app_spec] if app_spec else []) + ["scheduler"]
        self.process = subprocess.Popen(clock.child_command(command), cwd=ROOT, env=clock.child_env(env), stdout=self.log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def sweeps(self) -> int:
        return self.text().count(SWEPT)

    @property
    def holder(self) -> str | None:
        match = STARTED.search(self.text())
        return match.group(1) if match else None

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        self.log.close()


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
