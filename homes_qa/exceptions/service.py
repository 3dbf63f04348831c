"""Exceptions writes: a home's monthly KPI entry, and a person's look at their first page
(each one unit of work, audited); each home's open work counted after a sweep (bookkeeping)."""
from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from homes_qa.core import since as since_core
from homes_qa.core.kpis import MEASURE_CODES, MEASURES
from homes_qa.core.roles import Role
from homes_qa.exceptions import queries
from homes_qa.exceptions.models import FirstPageView, MonthlyKpi
from homes_qa.exceptions.policy import can_enter_kpis
from homes_qa.extensions import db
from homes_qa.spine.obligations.models import WHOLE_SERVICE_KEY, HomeOpenWork, OpenWorkClock, open_work_key
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.transaction import ServiceError, transactional


@transactional
def record_monthly_kpis(home: Home, month: date, values: dict[str, int], *, by: User, today: date) -> MonthlyKpi:
    """Enter (or correct) a home's measures for a month that has begun. Refuses numbers out of
    range, more children than the home's registered places, more leavers than staff, and
    children involved in restraint without a restraint."""
    if not can_enter_kpis(by, home.id):
        raise ServiceError("You cannot enter this home's KPIs")
    if month.day != 1 or month > today:
        raise ServiceError("A month's KPIs can be entered once the month has begun")
    for measure in MEASURES:
        value = values.get(measure.code)
        if value is None:
            raise ServiceError(f"Enter the number of {measure.label.lower()}", measure.code)
        if not 0 <= value <= measure.maximum:
            raise ServiceError(f"{measure.label} must be between 0 and {measure.maximum}", measure.code)
    if values["children_resident"] > home.registered_places:
        raise ServiceError(f"Children living at the home must be no more than its {home.registered_places} "
                           "registered places", "children_resident")
    if values["staff_leavers"] > values["staff_at_start"]:
        raise ServiceError("Staff who left must be no more than the staff in post at the start", "staff_leavers")
    if values["restraint_children"] and not values["restraint_incidents"]:
        raise ServiceError("Children involved in restraint must be 0 when there were no restraint incidents",
                           "restraint_children")
    if values["leavers"] == 0 and values["average_placement_days"] != 0:
        raise ServiceError("Average placement length must be 0 when no child left", "average_placement_days")
    entry = db.session.scalar(select(MonthlyKpi).where(MonthlyKpi.home_id == home.id, MonthlyKpi.month == month))
    if entry is None:
        entry = MonthlyKpi(home_id=home.id, month=month, entered_by_id=by.id)
        db.session.add(entry)
    for code in MEASURE_CODES:
        setattr(entry, code, values[code])
    entry.entered_by_id = by.id
    db.session.flush()
    return entry


def first_page_marker(view: FirstPageView | None, now: datetime) -> since_core.Marker:
    """The marker a look at `now` makes from the user's kept one (None: never looked)."""
    previous = None if view is None else since_core.Marker(view.since, view.viewed_at)
    return since_core.next_marker(previous, now)


@transactional
def record_first_page_view(user: User, now: datetime, *, view: FirstPageView | None = None) -> since_core.Marker:
    """Note that the user opened their first page at `now`; return the marker whose window the
    page lists ("what changed since you last looked", core/since.py). `view`: the user's row if
    the caller has read it already (the start page reads it first and writes after rendering,
    so the commit expires nothing the page still needs)."""
    if view is None:
        view = db.session.scalar(select(FirstPageView).where(FirstPageView.user_id == user.id))
    marker = first_page_marker(view, now)
    if view is not None and not since_core.worth_recording(since_core.Marker(view.since, view.viewed_at), marker):
        return marker  # a look moments after the kept one, in the same session: nothing to write
    if view is None:
        try:
            # Two first looks at once (two tabs): the second finds the first's row.
            with db.session.begin_nested():
                db.session.add(FirstPageView(user_id=user.id, viewed_at=marker.viewed_at, since=marker.since))
            return marker
        except IntegrityError:
            view = db.session.scalars(select(FirstPageView).where(FirstPageView.user_id == user.id)).one()
    view.viewed_at = marker.viewed_at
    view.since = marker.since
    db.session.flush()
    return marker


# Someone who sees every home sees every open obligation: the counts are theirs (any such role's
# scope is the same, `exceptions.policy.obligations_in_scope_of`).
COUNTED_FOR = Role.HEAD_OF_SERVICE


@transactional
def count_open_work(now: datetime) -> int:
    """Count every home's open work as at `now` into `HomeOpenWork` (and the instants into
    `OpenWorkClock`), for the grid of someone who sees every home. Run by the scheduler after
    each sweep. Each row counts as long as its home's `changes` is the one read here, before
    counting: a change committed meanwhile leaves the row to be counted afresh on each look
    until the next count, never a count that misses it. Returns the number of homes counted."""
    session = db.session
    changes = dict(session.execute(select(HomeOpenWork.home_key, HomeOpenWork.changes)).all())
    values = queries.due_soon_values_at(COUNTED_FOR, now)
    clock = queries.count_clock(now, values)
    counts = {open_work_key(row.home_id): row for row in session.execute(
        queries.count_statement(COUNTED_FOR, values), clock)}
    keys = {*session.scalars(select(Home.id)), WHOLE_SERVICE_KEY}
    rows = []
    for key in sorted(keys):
        row = counts.get(key)
        rows.append({"home_key": key, "escalated": int(row.escalated) if row else 0,
                     "overdue": int(row.overdue) if row else 0, "due_soon": int(row.due_soon) if row else 0,
                     "counted_at": now, "counted_changes": changes.get(key, 0)})
    table = cast(Table, HomeOpenWork.__table__)
    kept = [row for row in rows if row["home_key"] in changes]
    if kept:
        session.connection().execute(
            update(table).where(table.c.home_key == bindparam("b_key")).values(
                escalated=bindparam("escalated"), overdue=bindparam("overdue"), due_soon=bindparam("due_soon"),
                counted_at=bindparam("counted_at"), counted_changes=bindparam("counted_changes")),
            [{**row, "b_key": row["home_key"]} for row in kept])
    new = [{**row, "changes": 0} for row in rows if row["home_key"] not in changes]
    if new:
        session.execute(insert(HomeOpenWork), new)
    session.execute(delete(OpenWorkClock))
    session.execute(insert(OpenWorkClock), [{"name": name, "at": at} for name, at in clock.items()])
    return len(rows)
