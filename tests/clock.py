"""The test clock: no test reads the wall clock.

- `PINNED_NOW` is the instant date-relative tests run at: `HOMES_QA_PIN_CLOCK` (an ISO 8601
  instant with a zone, e.g. `2027-03-28T00:30:00+00:00`) when set, else `DEFAULT_NOW`.
- The `clock` fixture (tests/conftest.py) pins the clock at `PINNED_NOW` for one test, ticking,
  so services, routes and the browser tests' server thread all see the same day. Modules whose
  tests build data relative to "today" use it (`pytestmark = pytest.mark.usefixtures("clock")`)
  and take "today" as `TODAY = london_date(PINNED_NOW)`.
- With `HOMES_QA_PIN_CLOCK` set, tests/conftest.py also pins the
  clock for the whole session, so every other test runs "as if" it were that date too
  (`make test-dates` runs the suite at the 2027 clock changes and at New Year's Eve).
- A process the tests start (tests/scheduler_process.py) gets `child_env()`: the pinned
  offset, applied by `python -m tests.clock …` before the real command runs.

time-machine patches `datetime.now`, `date.today` and `time.time` process-wide (every thread),
but not `time.monotonic`, so timeouts and waits still use real time.
"""
from __future__ import annotations

import os
import runpy
import sys
from datetime import UTC, date, datetime

import time_machine

from homes_qa.core.calendar import london_date

PIN_ENV = "HOMES_QA_PIN_CLOCK"
OFFSET_ENV = "HOMES_QA_CLOCK_OFFSET"  # seconds to add to the real clock (for child processes)

# A Wednesday in November 2026, mid-morning: no clock change, no bank holiday, no month end near.
DEFAULT_NOW = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)


def parse_instant(text: str) -> datetime:
    instant = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if instant.tzinfo is None:
        raise ValueError(f"{PIN_ENV}={text!r}: give the zone too, e.g. 2027-03-28T00:30:00+00:00")
    return instant.astimezone(UTC)


def session_pin() -> datetime | None:
    """The instant the whole session is pinned at, if any (from the environment)."""
    text = os.environ.get(PIN_ENV, "").strip()
    return parse_instant(text) if text else None


PINNED_NOW: datetime = session_pin() or DEFAULT_NOW
TODAY: date = london_date(PINNED_NOW)


def travel(instant: datetime = PINNED_NOW, *, tick: bool = True) -> time_machine.travel:
    return time_machine.travel(instant, tick=tick)


def child_env(env: dict) -> dict:
    """`env` for a child process, carrying this process's clock offset if it is pinned."""
    env = dict(env)
    env.pop(OFFSET_ENV, None)
    if time_machine.escape_hatch.is_travelling():
        offset = datetime.now(UTC).timestamp() - time_machine.escape_hatch.time.time()
        env[OFFSET_ENV] = repr(offset)
    return env


def child_command(command: list[str]) -> list[str]:
    """`[python, -m, module, …]` run through this module, which applies the offset first."""
    assert command[:2] == [sys.executable, "-m"], command
    return [sys.executable, "-m", "tests.clock", *command[2:]]


def _main() -> None:
    """`python -m tests.clock MODULE ARGS…`: run MODULE as `python -m` would, on the pinned clock."""
    import time
    offset = float(os.environ.get(OFFSET_ENV) or 0)
    if offset:
        time_machine.travel(time.time() + offset, tick=True).start()
    module, sys.argv = sys.argv[1], sys.argv[1:]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    _main()
