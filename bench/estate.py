"""What every area's synthetic history is written with: the estate's people and rules, and a
writer that batches rows per table with ids given up front (so a record's obligations and
children can name it without a round trip, and SQLite's batched INSERT needs no RETURNING).

Each `bench/history_*.py` module adds one area's records for `estate.months` past months,
closed as the app would have closed them (obligations met or met late, keyed and titled as
the services key and title them, each change in the audit trail), so the pages read the
history a county's five years leave behind. Times are UTC instants; days are London days.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from homes_qa.core.calendar import london_day_end
from homes_qa.core.timing import Period, due_at, due_for_period, periods_between
from homes_qa.extensions import db
from homes_qa.spine.audit.models import AuditEvent
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.rules.models import Rule

BATCH = 20_000


@dataclass
class Estate:
    home_ids: list[int]
    home_names: dict[int, str]
    by_email: dict[str, int]
    months: int
    now: datetime
    rng: random.Random
    rules: dict[str, Rule] = field(default_factory=dict)

    @property
    def start(self) -> date:
        """The first day of history: `months` whole months before this one."""
        first = self.now.date().replace(day=1)
        year, month = divmod(first.year * 12 + first.month - 1 - self.months, 12)
        return date(year, month + 1, 1)

    @property
    def history_end(self) -> date:
        """The last day of history: the end of last month (this month is left to the sweep)."""
        return self.now.date().replace(day=1) - timedelta(days=1)

    def manager(self, index: int) -> int:
        return self.by_email[f"manager{index}@bench.example.org"]

    def visitor(self, index: int) -> int:
        return self.by_email[f"visitor{index // 6}@bench.example.org"]

    def service_manager(self, index: int) -> int:
        return self.by_email[f"sm{index // 6}@bench.example.org"]

    @property
    def head(self) -> int:
        return self.by_email["head@bench.example.org"]

    def periods(self, code: str) -> list[Period]:
        """A calendar rule's whole periods within the history."""
        timing = self.rules[code].timing_value
        return [p for p in periods_between(timing, self.start, self.history_end) if p.end <= self.history_end]

    def met_at(self, due: datetime, *, late_share: float = 0.2) -> datetime:
        """When it was met: mostly a day or more early, a share of the time a few days late."""
        if self.rng.random() < late_share:
            return due + timedelta(days=self.rng.randint(1, 6), hours=self.rng.randint(0, 9))
        return due - timedelta(days=self.rng.randint(1, 10), hours=self.rng.randint(0, 9))


def event_due(rule: Rule, event_at: datetime, target: date | None = None) -> datetime:
    """The due instant the services give an event's obligation (`obligation_for_event`)."""
    if rule.timing_value.kind == "target_date":
        assert target is not None, f"{rule.code} needs the record's target date"
        return london_day_end(target)
    return due_at(rule.timing_value, event_at)


class Writer:
    """Rows per table, written in batches, parent tables before their children. Ids are
    allocated here, so a row may name one added after it."""

    def __init__(self) -> None:
        self.rows: dict[type, list[dict[str, Any]]] = defaultdict(list)
        self.order: list[type] = []
        self.next_ids: dict[type, int] = {}
        self.pending = 0
        self.written: dict[str, int] = defaultdict(int)

    def peek_id(self, model: type) -> int:
        """The id the next row of `model` will get (an obligation names the record that
        discharges it before that record, which points back at it, is added)."""
        if model not in self.next_ids:
            self.next_ids[model] = (db.session.scalar(select(func.max(model.id))) or 0) + 1
        return self.next_ids[model]

    def add(self, model: type, **row: Any) -> int:
        row_id = self.peek_id(model)
        if model not in self.order:
            self.order.append(model)
        self.next_ids[model] += 1
        self.rows[model].append({"id": row_id, **row})
        self.pending += 1
        if self.pending >= BATCH:
            self.flush()
        return row_id

    def audit(self, at: datetime, action: str, record_type: str, record_id: int, label: str,
              home_id: int | None, changes: dict[str, Any], actor_id: int | None = None) -> None:
        self.add(AuditEvent, at=at, actor_id=actor_id, actor_label="bench", action=action, record_type=record_type,
                 record_id=record_id, record_label=label[:200], home_id=home_id, changes=changes)

    def obligation(self, estate: Estate, code: str, home_id: int | None, key: str, due: datetime, *,
                   label: str, met_at: datetime | None, subject: tuple[str, int] | None = None,
                   discharged_by: tuple[str, int] | None = None, created_at: datetime | None = None) -> int:
        """A closed obligation (or an open one when `met_at` is None), as the services write it."""
        rule = estate.rules[code]
        home_scoped = rule.scope == "home" and home_id is not None
        where = estate.home_names[home_id] if home_scoped and home_id is not None else "Whole service"
        status = "open" if met_at is None else ("met_late" if met_at > due else "met")
        obligation_id = self.add(
            Obligation, rule_id=rule.id, rule_code=code, home_id=home_id if home_scoped else None,
            scope_key=f"home:{home_id}" if home_scoped else "organisation", period_key=key,
            title=f"{rule.title} — {where} — {label}"[:300],
            subject_type=subject[0] if subject else None, subject_id=subject[1] if subject else None,
            due_at=due, responsible_role=rule.responsible_role, ladder=list(rule.ladder),
            due_soon_days=rule.due_soon_days, due_soon_hours=rule.due_soon_hours, status=status,
            hidden_from_home_staff=False, met_at=met_at,
            discharged_by_type=discharged_by[0] if discharged_by else None,
            discharged_by_id=discharged_by[1] if discharged_by else None,
            created_at=created_at or min(due - timedelta(days=1), met_at or due))
        if met_at is not None:
            self.audit(met_at, "update", "Obligation", obligation_id, rule.title, home_id if home_scoped else None,
                       {"status": ["open", status]})
        return obligation_id

    def flush(self) -> None:
        position = {table.name: n for n, table in enumerate(db.metadata.sorted_tables)}  # parents first
        for model in sorted(self.order, key=lambda m: position[m.__tablename__]):
            rows = self.rows[model]
            if rows:
                db.session.execute(insert(model), rows)
                self.written[model.__tablename__] += len(rows)
                rows.clear()
        self.pending = 0

    def close(self) -> dict[str, int]:
        self.flush()
        if db.engine.dialect.name == "postgresql":
            # The rows were given their ids here, which PostgreSQL's sequences do not see: move
            # each on past them, or the app's next insert (an audit entry, say) reuses an id.
            for model in self.order:
                table = model.__tablename__
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
        db.session.commit()
        return dict(self.written)


def calendar_label(period: Period) -> str:
    """The title's period words, as the sweep writes them."""
    if period.start.day == 1 and period.end.month == period.start.month and (period.end + timedelta(days=1)).day == 1:
        return f"{period.start:%B %Y}"
    return f"{period.start.day} {period.start:%b %Y} to {period.end.day} {period.end:%b %Y}"


def due_of(period: Period) -> datetime:
    return due_for_period(period)
