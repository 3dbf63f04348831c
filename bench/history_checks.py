"""The certificate register and the fire log, as five years of use leave them.

Each check that applies at a home (gas safety, EICR, PAT, …) recorded at roughly its interval:
a completion, the register entry, and the floating rule's obligation for each cycle (keyed by
the date it falls due, as `record_completion` keys it), met by the next one; the cycle after
the last recording is left open, as it would be. The fire log: every week's alarm test, every
quarter's drill and every month's emergency lighting check, each discharging its period.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bench.estate import Estate, Writer, calendar_label, due_of
from homes_qa.checks.models import FIRE_LOG_RULES, CertificateEntry, CheckType, FireLogEntry
from homes_qa.checks.service import sync_types
from homes_qa.core.calendar import london_date, london_day_end
from homes_qa.core.timing import next_due_floating
from homes_qa.extensions import db
from homes_qa.spine.obligations.models import Completion

CONTRACTORS = ("County Gas Services", "Brightline Electrical", "Safeguard Fire Ltd", "Aqua Compliance")


def add(estate: Estate, w: Writer) -> None:
    sync_types()
    db.session.commit()
    types = [t for t in db.session.scalars(select(CheckType).order_by(CheckType.position)) if t.applies_by_default]
    for index, home_id in enumerate(estate.home_ids):
        manager = estate.manager(index)
        for check_type in types:
            _register(estate, w, index, home_id, manager, check_type)
        _fire_log(estate, w, home_id, manager)


def _register(estate: Estate, w: Writer, index: int, home_id: int, manager: int, check_type: CheckType) -> None:
    rule = estate.rules[check_type.rule_code]
    timing = rule.timing_value
    rng = estate.rng
    # When it was done, cycle by cycle: a little before each due date, now and then weeks late.
    done: list[date] = [estate.start + timedelta(days=rng.randint(0, 90))]
    dues = []
    while True:
        dues.append(next_due_floating(timing, london_day_end(done[-1]), dues[-1] if dues else None))
        late = rng.random() < 0.1
        following = london_date(dues[-1]) + timedelta(days=rng.randint(1, 25) if late else -rng.randint(1, 30))
        if following > estate.history_end:
            break
        done.append(following)
    discharged = None  # the obligation of the cycle the recording meets
    for k, done_on in enumerate(done):
        done_at = london_day_end(done_on)
        completion_id = w.peek_id(Completion)
        if k:  # cycle k-1, made by the recording before, met by this one
            discharged = _cycle(estate, w, rule.code, home_id, dues[k - 1], done[k - 1], done_at,
                                ("Completion", completion_id))
        w.add(Completion, home_id=home_id, rule_code=rule.code, obligation_id=discharged, done_on=done_on, note="",
              recorded_by_id=manager, recorded_at=done_at)
        entry_id = w.add(CertificateEntry, home_id=home_id, check_type_id=check_type.id, completion_id=completion_id,
                         done_on=done_on, next_due_on=london_date(dues[k]), contractor=rng.choice(CONTRACTORS),
                         certificate_number=f"C{home_id:05d}-{done_on:%Y%m%d}", note="", recorded_by_id=manager,
                         recorded_at=done_at)
        w.audit(done_at, "create", "CertificateEntry", entry_id, f"{check_type.title} done on {done_on.isoformat()}",
                home_id, {"done_on": [None, done_on.isoformat()]}, actor_id=manager)
    _cycle(estate, w, rule.code, home_id, dues[-1], done[-1], None, None)  # the cycle now running: open


def _cycle(estate: Estate, w: Writer, code: str, home_id: int, due, after: date, met_at, discharged_by) -> int:
    return w.obligation(estate, code, home_id, f"due:{london_date(due).isoformat()}", due,
                        label=f"next due after {after:%d %b %Y}", met_at=met_at, discharged_by=discharged_by,
                        created_at=london_day_end(after))


def _fire_log(estate: Estate, w: Writer, home_id: int, manager: int) -> None:
    rng = estate.rng
    for kind, code in FIRE_LOG_RULES.items():
        for period in estate.periods(code):
            span = (period.end - period.start).days
            done_on: date = period.start + timedelta(days=rng.randint(0, min(span, 4 if span < 10 else 20)))
            faults = rng.random() < 0.05
            entry_id = w.peek_id(FireLogEntry)
            met_at = london_day_end(done_on)
            w.obligation(estate, code, home_id, period.key, due_of(period), label=calendar_label(period),
                         met_at=met_at, discharged_by=("FireLogEntry", entry_id),
                         created_at=london_day_end(period.start - timedelta(days=1)))
            drill = kind == "drill"
            w.add(FireLogEntry, home_id=home_id, kind=str(kind), done_on=done_on,
                  call_point=f"Call point {rng.randint(1, 12)}" if kind == "alarm_test" else "",
                  result="faults" if faults else "satisfactory", conditions=rng.choice(("day", "night")) if drill else None,
                  evacuation_seconds=rng.randint(60, 240) if drill else None,
                  participants="Staff on shift and the young people at home" if drill else "",
                  deficiencies="Sounder in the hall was faint" if faults else "",
                  remedy="Engineer called; sounder replaced the next day" if faults else "",
                  recorded_by_id=manager, recorded_at=met_at)
            w.audit(met_at, "create", "FireLogEntry", entry_id, f"Fire log: {kind} on {done_on.isoformat()}", home_id,
                    {"result": [None, "faults" if faults else "satisfactory"]}, actor_id=manager)
