"""The append-only audit trail, written by a flush hook in the same transaction as the change."""
from __future__ import annotations

import contextvars
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import JSON, String, event, insert, inspect, update
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.base import PASSIVE_NO_INITIALIZE

from homes_qa.extensions import Model, db
from homes_qa.spine.timestamps import UTCDateTime, utcnow

REDACTED = "(changed, not shown)"

# Who is acting when there is no signed-in user: a CLI command, the scheduler.
_system_actor: contextvars.ContextVar[str | None] = contextvars.ContextVar("system_actor", default=None)


class AuditTrailError(RuntimeError):
    pass


class AuditEvent(Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)  # no FK: the trail outlives people
    actor_label: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(10))  # create, update, delete
    record_type: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[int] = mapped_column()
    record_label: Mapped[str] = mapped_column(String(300))
    home_id: Mapped[int | None] = mapped_column(index=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)  # {field: [before, after]}

    __table_args__ = (db.Index("ix_audit_events_record", "record_type", "record_id"),)


class Audited:
    """Mixin: every insert, update and delete of the model is written to the audit trail."""

    __audit_redact__: frozenset[str] = frozenset()
    __audit_ignore__: frozenset[str] = frozenset({"created_at"})

    if TYPE_CHECKING:  # every audited model has an integer primary key
        id: Mapped[int]

    @property
    def audit_home_id(self) -> int | None:
        return None

    @property
    def audit_label(self) -> str:
        name: str | None = getattr(self, "name", None)
        return name or f"{type(self).__name__} {self.id}"


class acting_as:
    """Context manager naming the non-human actor (e.g. "scheduler", "cli: create-user")."""

    def __init__(self, label: str):
        self.label = label

    def __enter__(self) -> acting_as:
        self._token = _system_actor.set(self.label)
        return self

    def __exit__(self, *exc: object) -> None:
        _system_actor.reset(self._token)


def _current_actor() -> tuple[int | None, str]:
    label = _system_actor.get()
    if label:
        return None, label
    try:
        from flask import has_request_context
        from flask_login import current_user
        if has_request_context() and current_user and current_user.is_authenticated:
            return current_user.id, current_user.audit_label
    except ImportError:  # pragma: no cover
        pass
    return None, "system"


_AS_IS = frozenset({str, int, float, bool, type(None)})


def _plain(value: object) -> Any:
    """JSON-safe value for the trail."""
    if type(value) in _AS_IS:  # most values: no isinstance chain
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (dict, list)):
        return json.loads(json.dumps(value, default=str))
    return str(value)


_CREATE_COLUMNS: dict[type, tuple[tuple[str, bool], ...]] = {}


def _created_changes(obj: Audited) -> dict[str, list[Any]]:
    """`_column_changes(obj, "create")` for a record just loaded with all its columns (a bulk
    insert's): each audited column's value read from the instance's dict, the columns worked out
    once per model (thousands of new alerts and obligations in one sweep, issue 13)."""
    columns = _CREATE_COLUMNS.get(type(obj))
    if columns is None:
        columns = _CREATE_COLUMNS[type(obj)] = tuple(
            (attr.key, attr.key in obj.__audit_redact__) for attr in inspect(type(obj)).column_attrs
            if attr.key not in obj.__audit_ignore__)
    loaded = obj.__dict__
    changes: dict[str, list[Any]] = {}
    for key, redacted in columns:
        after = loaded[key] if key in loaded else getattr(obj, key)
        if after is not None:
            changes[key] = [None, REDACTED] if redacted else [None, _plain(after)]
    return changes


def _column_changes(obj: Audited, action: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in obj.__audit_ignore__:
            continue
        if action == "create":
            before, after = None, getattr(obj, key)
        elif action == "delete":
            before, after = getattr(obj, key), None
        else:
            # The attribute's pre-flush history, as `state.attrs[key].history` gives it, without
            # `state.attrs` (a proxy of every attribute, built per object: a third of a sweep's
            # time when it creates thousands of obligations and alerts, issue 13).
            hist = state.get_history(key, PASSIVE_NO_INITIALIZE)
            if not hist.has_changes():
                continue
            before = hist.deleted[0] if hist.deleted else None
            after = hist.added[0] if hist.added else None
            if before == after:
                continue
        if action != "update" and after is None and before is None:
            continue
        if key in obj.__audit_redact__:
            changes[key] = [None if action == "create" else REDACTED, REDACTED if action != "delete" else None]
        else:
            changes[key] = [_plain(before), _plain(after)]
    return changes


_A = TypeVar("_A", bound=Audited)


def _audit_row(obj: Audited, action: str, changes: dict[str, list[Any]], actor: tuple[int | None, str]) -> dict[str, Any]:
    return {"at": utcnow(), "actor_id": actor[0], "actor_label": actor[1][:300], "action": action,
            "record_type": type(obj).__name__, "record_id": obj.id, "record_label": str(obj.audit_label)[:300],
            "home_id": obj.audit_home_id, "changes": changes}


_BULK_CHUNK = 500  # ids per UPDATE … WHERE id IN (…)


def insert_in_bulk(model: type[_A], rows: Sequence[dict[str, Any]]) -> list[_A]:
    """Insert new records of an audited model from their column values, batched (a few INSERT
    statements, not one per row), with each one's audit entry as the flush hook writes it for a
    created record, in the caller's transaction. Returns the new records, loaded as stored.

    For the thousands of obligations a sweep makes when a period turns: through the unit of work
    each was its own INSERT, its attribute events, history and audit entry worked out one by one.
    Only the audit trail is written here: no other flush hook sees these records."""
    if not rows:
        return []
    session = db.session
    session.flush()  # anything pending first, by the usual path
    created = list(session.scalars(insert(model).returning(model), list(rows)))
    actor = _current_actor()
    session.connection().execute(insert(AuditEvent), [
        _audit_row(obj, "create", _created_changes(obj), actor) for obj in created])
    return created


def set_in_bulk(objects: Sequence[Audited], values: dict[str, Any]) -> None:
    """Give every object (all of one audited model, already flushed) the same `values`: one
    UPDATE per 500 rows and each row's audit entry, exactly as the flush hook would write it
    (who, when, each changed field's before and after), in the caller's transaction.

    For a change made to thousands of rows at once (the sweep marks each alert it has e-mailed):
    through the unit of work each row is its own UPDATE, history and audit entry worked out one
    by one. Only the audit trail is written here; use it for fields no other flush hook derives
    anything from."""
    if not objects:
        return
    model = type(objects[0])
    if any(type(obj) is not model for obj in objects):
        raise TypeError("set_in_bulk: objects of one model only")
    session = db.session
    session.flush()  # anything pending first, by the usual path
    actor = _current_actor()
    rows = []
    for obj in objects:
        changes: dict[str, list[Any]] = {}
        for key, after in values.items():
            before = getattr(obj, key)
            if key in obj.__audit_ignore__ or before == after:
                continue
            changes[key] = ([REDACTED, REDACTED] if key in obj.__audit_redact__
                            else [_plain(before), _plain(after)])
        if changes:
            rows.append(_audit_row(obj, "update", changes, actor))
    ids = [obj.id for obj in objects]
    table = model.__table__  # type: ignore[attr-defined]
    for start in range(0, len(ids), _BULK_CHUNK):
        session.connection().execute(update(table).where(table.c.id.in_(ids[start:start + _BULK_CHUNK]))
                                     .values(**values))
    for obj in objects:  # the identity map holds what the rows now hold, with nothing left to flush
        for key, after in values.items():
            set_committed_value(obj, key, after)
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


@event.listens_for(Session, "before_flush")
def _guard_append_only(session: Session, flush_context: UOWTransaction, instances: object) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise AuditTrailError("the audit trail is append-only")


@event.listens_for(Session, "after_flush")
def _write_audit_trail(session: Session, flush_context: UOWTransaction) -> None:
    rows: list[dict[str, Any]] = []
    actor_id, actor_label = _current_actor()
    for action, objs in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            if not isinstance(obj, Audited):
                continue
            # Bookkeeping alone (an obligation's next_alert_at, an alert's listing marker,
            # changed on thousands of rows by each sweep) is not a change to the record: the
            # attributes changed since the last flush say so before any history is worked out.
            if action == "update" and (set(inspect(obj).committed_state) <= obj.__audit_ignore__
                                       or not session.is_modified(obj, include_collections=False)):
                continue
            changes = _column_changes(obj, action)
            if action == "update" and not changes:
                continue
            rows.append(_audit_row(obj, action, changes, (actor_id, actor_label)))
    if rows:
        # Core insert on the flush's own connection: same transaction, no re-entrant flush.
        session.connection().execute(insert(AuditEvent), rows)
