"""Exceptions reads: open obligations by home × rule area, the items behind a cell, each
role's work, and the rows of the exports.

Everything reads the spine: obligations (each rule has an `area`), and the alerts the sweep
raises (an alert of level 2 or more means escalated). So a new area's rules appear as a new
column as soon as they are in the rule table, with no change here.

Where an obligation stands is one SQL CASE (`status_column`) shared by the grid's GROUP BY
and the item lists, so a cell's count and its list always agree:
  escalated  open, with an escalation alert raised (level >= 2)
  overdue    open, past its due time
  due soon   open, within its `due_soon_days` of its due time
The grid is a fixed number of set-based queries, whatever the number of homes or history.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from typing import Any, NamedTuple

from flask import has_request_context, request
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, aliased, joinedload, selectinload

from homes_qa.core import exceptions as ex
from homes_qa.core import kpis as kpi_core
from homes_qa.core.drift import classify
from homes_qa.core.escalation import ladder_from_list
from homes_qa.core.periods import Period
from homes_qa.core.roles import SEES_ALL_HOMES, Role, role_label
from homes_qa.exceptions.models import FirstPageView, MonthlyKpi
from homes_qa.exceptions.policy import obligations_in_scope, obligations_in_scope_of
from homes_qa.extensions import db
from homes_qa.incidents.models import Incident, IncidentNotification
from homes_qa.reg44 import policy as reg44_policy
from homes_qa.reg44 import queries as reg44_queries
from homes_qa.reg44.models import Reg44Visit
from homes_qa.spine.access import viewer, viewer_home_ids, visible_home_ids_query, visible_homes
from homes_qa.spine.alerts.models import ESCALATION_LEVEL, Alert, is_escalation
from homes_qa.spine.obligations.models import (
    WHOLE_SERVICE_KEY,
    HomeOpenWork,
    Obligation,
    ObligationStatus,
    OpenWorkClock,
)
from homes_qa.spine.obligations.queries import ORGANISATION_ROLES, is_recordable, sees_organisation
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.rules.models import Rule, RuleScope
from homes_qa.spine.timestamps import UTCDateTime

LIST_LIMIT = 200
WHOLE_SERVICE = 0  # the grid's row key (and the `home` filter value) for whole-service obligations
HORIZON = timedelta(days=91)  # no rule warns more than 90 days ahead


def _instant(value: datetime) -> ColumnElement[datetime]:
    return literal(value, UTCDateTime())


_SCOPE_VALUES_KEY = "homes_qa.exceptions.due_soon_values"


def _scope_due_soon_values(user: User, now: datetime) -> tuple[int, ...]:
    """`_due_soon_values` of the user's open obligations (`_open_in_scope`), read once per
    request: the start page's lists and its grid all classify the same obligations (issue 13:
    one query, not one per list). Outside a request, read each time."""
    def read() -> tuple[int, ...]:
        return _bound_due_soon_values(_due_soon_values_statement(user.role), {**viewer(user), **_clock(now)})
    if not has_request_context():
        return read()
    found: dict[tuple[int, datetime], tuple[int, ...]] = request.environ.setdefault(_SCOPE_VALUES_KEY, {})
    key = (user.id, now)
    if key not in found:
        found[key] = read()
    return found[key]


def _has_escalation(*, per_row: bool, target_role: str | None = None) -> ColumnElement[bool]:
    """Whether an obligation has an escalation alert (aimed at `target_role`, if given). `per_row`:
    one seek on (obligation, level) for each obligation the statement reads; otherwise IN (the
    escalated obligations), the escalation alerts read once for all of them."""
    conditions = [is_escalation(), *([Alert.target_role == target_role] if target_role else [])]
    if per_row:
        return select(Alert.id).where(Alert.obligation_id == Obligation.id, *conditions).exists()
    return Obligation.id.in_(select(Alert.obligation_id).where(*conditions))


def _escalated(role: str | None = None, *, per_row: bool = False) -> ColumnElement[bool]:
    """`_has_escalation` asked as suits the viewer's scope. Someone who sees every home: the IN,
    not a look-up for each of the estate's open obligations (issue 13: 40 % of the grid's time at
    1,000 homes). Someone with a few homes: the seek, not a list of every escalation of the
    estate built for each of the first page's lists (a registered manager's first page at 1,000
    homes: 12,000 ids, nine times). `per_row`: the seek for a statement that reads only a few
    obligations whoever looks."""
    return _has_escalation(per_row=per_row or (role is not None and role not in SEES_ALL_HOMES))


def _latest_due_soon(now: datetime, due_soon_values: Sequence[int]) -> datetime:
    """Nothing due at or after this instant is overdue or due soon (only escalated, if anything)."""
    return max([now, *[ex.due_soon_threshold(now, days) for days in due_soon_values]])


# ---------------------------------------------------------------- statements built once

# The first pages' statements are built once per shape (the role, which lists or filters) and
# run with the request's values bound: building a select tree and its cache key cost ten times
# what SQLite takes to answer (issue 13). Nothing that changes from one request to the next
# may be kept in them: every instant is one of these parameters (`_clock`), the person is
# `access.viewer`'s, and the warning periods (a handful of values, read per request) pick the
# shape, their thresholds bound.
NOW, HORIZON_END, LATEST_DUE_SOON, WEEK_END = "now", "horizon_end", "latest_due_soon", "week_end"
WINDOW_START, WINDOW_END = "window_start", "window_end"
PERSON = "person_id"  # the person filter's person, as `access.viewer`'s is the viewer


def _at(name: str) -> BindParameter[datetime]:
    return bindparam(name, type_=UTCDateTime())


Clock = Callable[[str], ColumnElement[datetime]]  # an instant of `_clock` by name, as SQL


def _due_soon_name(days: int) -> str:
    return f"due_soon_{days}"


def _clock(now: datetime, due_soon_values: Sequence[int] = ()) -> dict[str, datetime]:
    """The instants a kept statement is run with, at `now`."""
    return {NOW: now, HORIZON_END: now + HORIZON, WEEK_END: now + timedelta(days=7),
            LATEST_DUE_SOON: _latest_due_soon(now, due_soon_values),
            **{_due_soon_name(days): ex.due_soon_threshold(now, days) for days in due_soon_values}}


def _due_soon_before_bound(due_soon_values: tuple[int, ...], at: Clock = _at) -> ColumnElement[datetime]:
    """`_due_soon_before` with its instants bound (`_clock`; `at`: where each instant is read)."""
    if not due_soon_values:
        return at(NOW)
    return case(*[(Obligation.due_soon_days == days, at(_due_soon_name(days))) for days in due_soon_values],
                else_=at(NOW))


def _status_bound(due_soon_values: tuple[int, ...], role: str | None = None, *,
                  per_row: bool = False) -> ColumnElement[str]:
    """`status_column` with its instants bound (`_clock`), for a viewer of `role` (`_escalated`;
    `per_row` for a statement that classifies only a few obligations whoever looks)."""
    return case((_escalated(role, per_row=per_row), ex.ESCALATED), (Obligation.due_at < _at(NOW), ex.OVERDUE),
                (Obligation.due_at < _due_soon_before_bound(due_soon_values), ex.DUE_SOON), else_=ex.UPCOMING)


@cache
def _narrowed_bound(person_role: str | None, windowed: bool) -> ColumnElement[bool]:
    """The person and period filters: what the filter's person (of `person_role`, bound as PERSON)
    answers for (their role, in their own scope), due in [WINDOW_START, WINDOW_END) if `windowed`."""
    clause: ColumnElement[bool] = true()
    if person_role is not None:
        clause = clause & obligations_in_scope_of(person_role, PERSON) & _responsible_clause_of(person_role)
    if windowed:
        clause = clause & (Obligation.due_at >= _at(WINDOW_START)) & (Obligation.due_at < _at(WINDOW_END))
    return clause


@cache
def _open_filtered_bound(role: str, person_role: str | None = None, windowed: bool = False) -> ColumnElement[bool]:
    """Open obligations in the scope of a viewer of the role, narrowed by the filters
    (`_narrowed_bound`). With a period the horizon is the period's own end (an open item due next
    month is "upcoming" all the same); without one, HORIZON_END."""
    where = (Obligation.status == ObligationStatus.OPEN) & obligations_in_scope_of(role)
    if not windowed:
        where = where & (Obligation.due_at <= _at(HORIZON_END))
    if person_role is not None or windowed:
        where = where & _narrowed_bound(person_role, windowed)
    return where


def _filter_parameters(user: User, person: User | None,
                       window: tuple[datetime, datetime] | None) -> dict[str, object]:
    """The values a kept statement's viewer, person and period parameters are run with."""
    parameters: dict[str, object] = {**viewer(user)}
    if person is not None:
        parameters[PERSON] = person.id
    if window is not None:
        parameters.update({WINDOW_START: window[0], WINDOW_END: window[1]})
    return parameters


def _home_clause(home_kind: str) -> ColumnElement[bool]:
    """The home filter (`home_kind`: "all", "whole" service, or "one" home, bound as `home`)."""
    if home_kind == "whole":
        return Obligation.home_id.is_(None)
    if home_kind == "one":
        return Obligation.home_id == bindparam("home", type_=Integer)
    return true()


def _role_of(person: User | None) -> str | None:
    return None if person is None else person.role


def _home_kind(home: int | None) -> str:
    return "all" if home is None else "whole" if home == WHOLE_SERVICE else "one"


@cache
def _due_soon_values_statement(role: str, person_role: str | None = None, windowed: bool = False) -> Select[int]:
    if role in SEES_ALL_HOMES and person_role is None and not windowed:
        return _every_due_soon_value()
    return (select(Obligation.due_soon_days)
            .where(Obligation.status == ObligationStatus.OPEN, _open_filtered_bound(role, person_role, windowed))
            .distinct())


def _every_due_soon_value() -> Select[int]:
    """The distinct warning periods of every open obligation due by HORIZON_END (the scope of
    someone who sees every home, unfiltered), one seek each: the next value above the last, from
    `ix_obligations_open_warning` (status, due_soon_days, due_at). A plain DISTINCT read every open
    obligation's index entry (49,000 at 1,000 homes: 3.4 ms of a head of service's first page and
    of each count of the estate's open work; the periods are a handful)."""
    def least(*above: ColumnElement[bool]) -> Select[int]:
        return select(func.min(Obligation.due_soon_days)).where(
            Obligation.status == ObligationStatus.OPEN, Obligation.due_at <= _at(HORIZON_END), *above)
    values = least().cte("due_soon_values", recursive=True)
    following = least(Obligation.due_soon_days > values.c.min).scalar_subquery()
    values = values.union_all(select(following).where(values.c.min.is_not(None)))
    return select(values.c.min).where(values.c.min.is_not(None))


def _bound_due_soon_values(stmt: Select[int], parameters: dict[str, object]) -> tuple[int, ...]:
    return tuple(sorted(set(db.session.scalars(stmt, parameters))))


# ---------------------------------------------------------------- the grid

@dataclass
class GridRow:
    key: int  # home id, or WHOLE_SERVICE
    name: str
    cells: dict[str, ex.Cell]

    @property
    def total(self) -> ex.Cell:
        cell = ex.Cell()
        for c in self.cells.values():
            cell.escalated += c.escalated
            cell.overdue += c.overdue
            cell.due_soon += c.due_soon
        return cell


@dataclass
class Grid:
    areas: list[str]
    rows: list[GridRow]  # the rows asked for (`offset`, `limit`), in rank order
    all_areas: list[str]  # every area, for the filter
    whole_service: bool  # whether the user sees whole-service obligations
    home_filter: int | None = None
    area_filter: str | None = None
    link_args: dict[str, object] = field(default_factory=dict)  # the person and period filters, for cell links
    row_count: int = 0  # every row the grid has (the homes filtered, and the whole service)
    offset: int = 0  # the first row's place among them (0-based)


def rule_areas(*, organisation: bool) -> list[str]:
    """Areas of the active rules (home rules, and whole-service ones if asked): one query."""
    return ex.ordered_areas(db.session.scalars(_rule_areas_statement(organisation)))


@cache
def _rule_areas_statement(organisation: bool) -> Select[str]:
    scopes = [RuleScope.HOME] + ([RuleScope.ORGANISATION] if organisation else [])
    return select(Rule.area).where(Rule.active.is_(True), Rule.scope.in_(scopes)).distinct()


def _people_in_scope_select(role: str, *columns: Any) -> Select:
    """The people the person filter offers a viewer of the role (bound: the viewer)."""
    from homes_qa.core.roles import SEES_ALL_HOMES
    from homes_qa.spine.people.models import Assignment
    stmt = select(*columns).where(User.active.is_(True), User.role != Role.ADMIN)
    if role not in SEES_ALL_HOMES:
        stmt = stmt.where(or_(User.role.in_(SEES_ALL_HOMES), User.id.in_(
            select(Assignment.user_id).where(Assignment.home_id.in_(viewer_home_ids())))))
    return stmt


@cache
def _people_in_scope_statement(role: str) -> Select[int, str, str]:
    return _people_in_scope_select(role, User.id, User.name, User.role).order_by(User.name, User.id)


@cache
def _person_in_scope_statement(role: str) -> Select[User]:
    return _people_in_scope_select(role, User).where(User.id == bindparam(PERSON, type_=Integer))


def people_in_scope(user: User) -> list[tuple[int, str]]:
    """Whom the person filter offers, as (id, "Name (Role)") for `select_options`: active people
    working with the user's homes (and those who see every home), by name. One query, of three
    columns: a head of service's list has everyone (issue 13: loading 1,336 people as ORM
    objects took 75 ms), executed on the session's connection (plain rows, without the ORM's
    result handling: a third less time)."""
    return [(person_id, f"{name} ({role_label(role)})") for person_id, name, role
            in db.session.connection().execute(_people_in_scope_statement(user.role), viewer(user))]


def person_in_scope(user: User, person_id: int) -> User | None:
    """The person of that id if the person filter offers them, else None. One query."""
    return db.session.scalar(_person_in_scope_statement(user.role), {**viewer(user), PERSON: person_id})


def grid(user: User, now: datetime, *, home: int | None = None, area: str | None = None,
         person: User | None = None, window: tuple[datetime, datetime] | None = None,
         link_args: dict[str, object] | None = None,
         offset: int = 0, limit: int | None = None) -> Grid:
    """Homes in scope × rule areas: counts of escalated, overdue and due-soon obligations,
    optionally only what `person` answers for and what falls due in `window`.

    Rows are ranked (most escalated, then overdue, then due soon; then by name) and only the
    `limit` from `offset` are read (an offset past the end: the last `limit`). The ranking is
    done in SQL, so what reaches Python is the rows shown, not every home (issue 13: at 1,000
    homes, reading and ranking every home's cells took longer than the rest of the page).
    Three queries whatever the number of homes or the history: the rules, the warning periods,
    and the page's ranked rows with their cells; one more when a retired rule's area may have
    counted items (the filter's homes are the page's: homes_qa/web/home_filter.py). Each is built
    once per shape (role, filters present, warning periods) and run with the values bound.
    """
    organisation = sees_organisation(user)
    rule_rows = db.session.execute(_rules_statement()).all()
    area_of = {rule.id: rule.area for rule in rule_rows}
    scopes = {RuleScope.HOME} | ({RuleScope.ORGANISATION} if organisation else set())
    areas = ex.ordered_areas({rule.area for rule in rule_rows if rule.active and rule.scope in scopes})
    person_role = None if person is None else person.role
    parameters = _filter_parameters(user, person, window)
    if person is None and window is None:  # the same obligations as the work lists'
        values = _scope_due_soon_values(user, now)
    else:
        values = _bound_due_soon_values(_due_soon_values_statement(user.role, person_role, window is not None),
                                        {**parameters, **_clock(now)})
    parameters.update(_clock(now, values))
    home_kind = _home_kind(home)
    # Someone who sees every home, unfiltered: each home's counts as kept after the last sweep,
    # brought up to now (`_counted_per_home`); any other grid is bounded by its filters.
    counted = user.role in SEES_ALL_HOMES and person is None and window is None and home_kind == "all" and area is None
    page, row_count_of, other_rules = _grid_statements(user.role, person_role, window is not None, home_kind,
                                                       area is not None, limit is not None, values, counted)
    parameters.update({"home": home, "area_rule_ids": [i for i, a in area_of.items() if a == area],
                       "limit": limit, **(_fresh(now) if counted else {})})
    keys: list[tuple[int, int, str, ex.Cell, int]] = []  # (place, key, name, row total, rows in all)
    row_count = 0
    rule_ids: set[int] = set()
    cells: dict[int, dict[str, ex.Cell]] = {}
    if page is not None and row_count_of is not None:
        offset = max(offset, 0)
        for _attempt in range(2):
            found = db.session.execute(page, {**parameters, "offset": offset}).all()
            keys = sorted(((r.pos, r.key, r.name, ex.Cell(*[int(getattr(r, s)) for s in _COUNTED]), int(r.total))
                           for r in found if r.kind == 0), key=lambda k: k[0])
            cells = {}
            for r in found:
                if r.kind == 1:
                    cells.setdefault(r.key, {}).setdefault(area_of.get(r.rule_id, ""), ex.Cell()).add(r.status, r.total)
            if keys or not limit or offset == 0:
                break
            # Past the end: the last page (rare, so a second look costs nothing in the normal case).
            total = db.session.scalar(row_count_of, parameters)
            if not total:
                break
            offset = (total - 1) // limit * limit
        row_count = keys[0][4] if keys else 0
    # The columns: the active rules' areas, and any other area with something counted (a rule
    # since retired, say): looked for only when there are such rules, which is seldom.
    others = [rule.code for rule in rule_rows if rule.scope in scopes and rule.area not in areas]
    if others:  # through the (rule_code, status, due_at) index
        rule_ids = set(db.session.scalars(other_rules, {**parameters, "other_rule_codes": others}))
    all_areas = ex.ordered_areas(set(areas) | {area_of[i] for i in rule_ids})
    shown_areas = [a for a in all_areas if area is None or a == area]
    grid_rows = [GridRow(key, name, {a: cells.get(key, {}).get(a) or ex.Cell() for a in shown_areas})
                 for _pos, key, name, _cell, _total in keys]
    return Grid(shown_areas, grid_rows, all_areas,
                organisation, home, area, dict(link_args or {}), row_count=row_count, offset=offset)


_COUNTED = (ex.ESCALATED, ex.OVERDUE, ex.DUE_SOON)  # the grid's counts, in rank order


@cache
def _rules_statement() -> Select[int, str, str, bool, str]:
    return select(Rule.id, Rule.code, Rule.area, Rule.active, Rule.scope)


class _GridStatements(NamedTuple):
    page: CompoundSelect | None  # the page's rows and their cells (None: no row can be shown)
    row_count: Select[int] | None  # how many rows the grid has (for an offset past the end)
    other_rules: Select[int]  # which of `other_rule_codes`' rules have something counted


@lru_cache(maxsize=256)
def _grid_statements(role: str, person_role: str | None, windowed: bool, home_kind: str, area: bool,
                     limited: bool, due_soon_values: tuple[int, ...], counted: bool = False) -> _GridStatements:
    """`grid`'s statements for a viewer of the role, the filters present (`home_kind`: every
    home, the whole service or one home) and the warning periods; `counted`: each home's counts
    from `HomeOpenWork` (unfiltered, someone who sees every home). Bound when run: the viewer,
    `_clock`, PERSON and the window (`_open_filtered_bound`), `home`, `area_rule_ids`, `offset`,
    `limit` (and `_fresh`)."""
    organisation = role in ORGANISATION_ROLES
    where = _open_filtered_bound(role, person_role, windowed)
    status = _status_bound(due_soon_values, role)
    others = select(Obligation.rule_id).where(
        where, Obligation.rule_code.in_(bindparam("other_rule_codes", expanding=True)),
        status != ex.UPCOMING).distinct()
    in_area = true() if not area else Obligation.rule_id.in_(bindparam("area_rule_ids", expanding=True))
    per_home = (_counted_per_home(role, due_soon_values) if counted
                else _per_home_counts(where & in_area, due_soon_values, role)).cte("per_home")
    members = []
    if home_kind != "whole":
        homes_rows = (select(Home.id.label("key"), Home.name.label("name"),
                             *[func.coalesce(per_home.c[s], 0).label(s) for s in _COUNTED],
                             literal(0).label("whole_service"))
                      .select_from(Home).outerjoin(per_home, per_home.c.home_id == Home.id))
        if role not in SEES_ALL_HOMES:
            homes_rows = homes_rows.where(Home.id.in_(viewer_home_ids()))
        if home_kind == "one":
            homes_rows = homes_rows.where(Home.id == bindparam("home", type_=Integer))
        members.append(homes_rows)
    if organisation and home_kind in ("all", "whole"):
        one = select(literal(1).label("one")).subquery()
        members.append(select(literal(WHOLE_SERVICE).label("key"), literal("Whole service").label("name"),
                              *[func.coalesce(per_home.c[s], 0).label(s) for s in _COUNTED],
                              literal(1).label("whole_service"))
                       .select_from(one.outerjoin(per_home, per_home.c.home_id.is_(None))))
    if not members:
        return _GridStatements(None, None, others)
    rows = union_all(*members).subquery()
    order = [*[rows.c[s].desc() for s in _COUNTED], rows.c.whole_service, rows.c.name, rows.c.key]
    ranked = select(rows.c.key, rows.c.name, *[rows.c[s] for s in _COUNTED],
                    func.row_number().over(order_by=order).label("pos"),
                    func.count().over().label("total")).order_by(*order).offset(bindparam("offset", type_=Integer))
    page = (ranked.limit(bindparam("limit", type_=Integer)) if limited else ranked).cte("page")
    # The page's rows (kind 0) and, in the same statement, their cells (kind 1): counts
    # by (home, rule, status) of the homes on the page only.
    shown = select(page.c.key)
    # A page's homes' obligations (a few hundred): each one's escalation a seek, not a list of
    # every escalation of the estate built for them (1,000 homes: the grid's SQL 9.7 → 5.8 ms).
    cell_status = _status_bound(due_soon_values, role, per_row=True) if limited else status
    classified = select(Obligation.home_id.label("home_id"), Obligation.rule_id.label("rule_id"),
                        cell_status.label("status")).where(where, or_(
                            Obligation.home_id.in_(shown),
                            Obligation.home_id.is_(None) & literal(WHOLE_SERVICE).in_(shown))).subquery()
    stmt: CompoundSelect = union_all(
        select(literal(0).label("kind"), page.c.key, page.c.name, *[page.c[s] for s in _COUNTED],
               page.c.pos, page.c.total, cast(null(), Integer).label("rule_id"),
               cast(null(), String).label("status")),
        select(literal(1), func.coalesce(classified.c.home_id, WHOLE_SERVICE), cast(null(), String),
               *[cast(null(), Integer) for _ in _COUNTED], cast(null(), Integer), func.count(),
               classified.c.rule_id, classified.c.status)
        .where(classified.c.status != ex.UPCOMING)
        .group_by(classified.c.home_id, classified.c.rule_id, classified.c.status))
    return _GridStatements(stmt, select(func.count()).select_from(rows), others)


def _per_home_counts(where: ColumnElement[bool], due_soon_values: tuple[int, ...], role: str | None = None) -> Select:
    """(home_id, escalated, overdue, due_soon) of the open obligations `where` selects, by home
    (instants bound: `_clock`), for a viewer of `role` (`_escalated`)."""
    both = union_all(*_per_home_terms(where, due_soon_values, role=role)).subquery()
    return _summed(both)


FRESH_FROM, FRESH_TO = "fresh_from", "fresh_to"
FRESH_FOR = timedelta(hours=1)  # counts older than this (the scheduler stopped) are not used


def _fresh(now: datetime) -> dict[str, datetime]:
    return {FRESH_FROM: now - FRESH_FOR, FRESH_TO: now + FRESH_FOR}


def _counted_at(name: str) -> ColumnElement[datetime]:
    """An instant of the clock `HomeOpenWork` was counted at (`OpenWorkClock`), as SQL."""
    return select(OpenWorkClock.at).where(OpenWorkClock.name == name).scalar_subquery()


def _between_either(column: Any, one: ColumnElement[datetime], other: ColumnElement[datetime]) -> ColumnElement[bool]:
    """`column` from the earlier of the two instants to the later, both ends included."""
    earlier = case((one < other, one), else_=other)
    later = case((one < other, other), else_=one)
    return (column >= earlier) & (column <= later)


def _counted_per_home(role: str, due_soon_values: tuple[int, ...]) -> Select:
    """`_per_home_counts` of everything open in the role's scope (someone who sees every home),
    from the counts kept after the last sweep (`count_open_work`), brought up to now:

    - a home whose obligations and alerts have not changed since (`counted_changes` = `changes`,
      counted within FRESH_FOR of now): its kept counts, less what the obligations that could
      have crossed a threshold since counted then and plus what they count now. Only an
      obligation due between the two instants, or whose warning threshold or horizon falls
      between them, can be counted otherwise at one than at the other: a few minutes' worth;
    - any other home (changed, new, or no counts kept): counted from its obligations now.

    So the same counts as `_per_home_counts`, reading a handful of obligations, not every open
    one of the estate (issue 13)."""
    fresh = ((HomeOpenWork.counted_changes == HomeOpenWork.changes)
             & (HomeOpenWork.counted_at >= _at(FRESH_FROM)) & (HomeOpenWork.counted_at <= _at(FRESH_TO)))
    kept = select(HomeOpenWork.home_key).where(fresh)
    open_ = (Obligation.status == ObligationStatus.OPEN) & obligations_in_scope_of(role)
    now_scope = open_ & (Obligation.due_at <= _at(HORIZON_END))
    then_scope = open_ & (Obligation.due_at <= _counted_at(HORIZON_END))
    crossing = or_(
        _between_either(Obligation.due_at, _at(NOW), _counted_at(NOW)),
        _between_either(Obligation.due_at, _at(HORIZON_END), _counted_at(HORIZON_END)),
        *[(Obligation.due_soon_days == days)
          & _between_either(Obligation.due_at, _at(_due_soon_name(days)), _counted_at(_due_soon_name(days)))
          for days in due_soon_values])
    in_kept = func.coalesce(Obligation.home_id, WHOLE_SERVICE_KEY).in_(kept)
    # (an integer, as the obligations' home ids are: else SQLite indexes none of these rows for
    # the join to each home, and reads them all once per home)
    stored = select(cast(func.nullif(HomeOpenWork.home_key, WHOLE_SERVICE_KEY), Integer).label("home_id"),
                    HomeOpenWork.escalated.label("e"), HomeOpenWork.overdue.label("o"),
                    HomeOpenWork.due_soon.label("s")).where(fresh)
    changed_homes = select(Home.id).where(Home.id.not_in(kept))
    whole_service_changed = ~literal(WHOLE_SERVICE_KEY).in_(kept)
    # Each term reads a few obligations (those crossing, or of the homes changed since), so each
    # one's escalation is a seek, not the estate's escalations listed for each term (30 ms at 1,000 homes).
    terms = [*_per_home_terms(now_scope & crossing & in_kept, due_soon_values, per_row=True),
             *_per_home_terms(then_scope & crossing & in_kept, due_soon_values, _counted_at, -1, per_row=True),
             *_per_home_terms(now_scope & Obligation.home_id.in_(changed_homes), due_soon_values, per_row=True),
             *_per_home_terms(now_scope & Obligation.home_id.is_(None) & whole_service_changed, due_soon_values,
                              per_row=True),
             stored]
    return _summed(union_all(*terms).subquery())


def count_statement(role: str, due_soon_values: tuple[int, ...]) -> Select:
    """What `count_open_work` keeps: `_per_home_counts` of everything open in the role's scope,
    run with `_clock` (the same SQL as a look's, so the two always agree)."""
    return _per_home_counts(_open_filtered_bound(role), due_soon_values)


def count_clock(now: datetime, due_soon_values: tuple[int, ...]) -> dict[str, datetime]:
    """The instants `count_statement` is run with (kept beside the counts, `OpenWorkClock`)."""
    return _clock(now, due_soon_values)


def due_soon_values_at(role: str, now: datetime) -> tuple[int, ...]:
    """The warning periods of what is open in the role's scope (someone who sees every home)."""
    return _bound_due_soon_values(_due_soon_values_statement(role), {**_clock(now)})


def _summed(terms: Any) -> Select:
    return (select(terms.c.home_id, func.sum(terms.c.e).label(ex.ESCALATED), func.sum(terms.c.o).label(ex.OVERDUE),
                   func.sum(terms.c.s).label(ex.DUE_SOON)).group_by(terms.c.home_id))


def _per_home_terms(where: ColumnElement[bool], due_soon_values: tuple[int, ...], at: Clock = _at,
                    sign: int = 1, role: str | None = None, per_row: bool = False) -> list[Select]:
    """The rows (home_id, e, o, s) whose sums by home are `_per_home_counts` (times `sign`), with
    the instants of `at`.

    Counted without classifying every obligation against the alerts: each open one due before
    the latest warning threshold counts as overdue or due soon by its due time alone, then each
    escalated one (few) moves from there to "escalated". Classifying every row with the alert
    test (`status_column`) cost twice as much at 1,000 homes.
    """
    before = _due_soon_before_bound(due_soon_values, at)
    overdue = case((Obligation.due_at < at(NOW), sign), else_=0)
    due_soon = case(((Obligation.due_at >= at(NOW)) & (Obligation.due_at < before), sign), else_=0)
    by_due_time = select(Obligation.home_id.label("home_id"), literal(0).label("e"),
                         overdue.label("o"), due_soon.label("s")).where(
        where, Obligation.due_at < at(LATEST_DUE_SOON))
    escalated = select(Obligation.home_id, literal(sign), -overdue, -due_soon).where(
        where, _escalated(role, per_row=per_row))
    return [by_due_time, escalated]


# ---------------------------------------------------------------- the items behind a cell

@dataclass
class Item:
    obligation: Obligation
    status: str

    @property
    def label(self) -> str:
        return ex.STATUS_LABELS[self.status]

    @property
    def area(self) -> str:
        return self.obligation.rule.area


def _items_rows(stmt: Select) -> list:
    return list(db.session.execute(stmt.options(joinedload(Obligation.home), joinedload(Obligation.rule))))


def _items(stmt: Select[Obligation, str]) -> list[Item]:
    rows = db.session.execute(stmt.options(joinedload(Obligation.home), joinedload(Obligation.rule)))
    return [Item(obligation, status) for obligation, status in rows]


_STATUS_ORDER = {ex.ESCALATED: 0, ex.OVERDUE: 1, ex.DUE_SOON: 2, ex.UPCOMING: 3}


def items(user: User, now: datetime, *, home: int | None = None, area: str | None = None,
          status: str | None = None, limit: int = LIST_LIMIT, person: User | None = None,
          window: tuple[datetime, datetime] | None = None) -> list[Item]:
    """Open obligations behind a grid cell (or row, or column): escalated first, then by due time.

    `home` WHOLE_SERVICE means whole-service obligations; `person` and `window` as the grid's. Two
    queries (the warning periods, then the items), each built once per shape and run with the
    values bound."""
    person_role = None if person is None else person.role
    parameters = _filter_parameters(user, person, window)
    values = _bound_due_soon_values(_due_soon_values_statement(user.role, person_role, window is not None),
                                    {**parameters, **_clock(now)})
    stmt = _items_statement(user.role, person_role, window is not None, _home_kind(home), area is not None,
                            status is not None, values)
    rows = db.session.execute(stmt, {**parameters, **_clock(now, values), "home": home, "area": area,
                                     "status": status, "limit": limit})
    return [Item(obligation, state) for obligation, state in rows]


@lru_cache(maxsize=256)
def _items_statement(role: str, person_role: str | None, windowed: bool, home_kind: str, area: bool,
                     status: bool, due_soon_values: tuple[int, ...]) -> Select[Obligation, str]:
    """`items`' statement for a viewer of the role and the filters present. Bound when run: the
    viewer, `_clock`, PERSON and the window, `home`, `area`, `status`, `limit`."""
    where = _open_filtered_bound(role, person_role, windowed)
    column = _status_bound(due_soon_values, role)
    stmt = select(Obligation, column).join(Rule, Rule.id == Obligation.rule_id).where(where, _home_clause(home_kind))
    if area:
        stmt = stmt.where(Rule.area == bindparam("area", type_=String))
    stmt = stmt.where(column == bindparam("status", type_=String) if status else column != ex.UPCOMING)
    order = case(*[(column == s, rank) for s, rank in _STATUS_ORDER.items()], else_=9)
    return (stmt.order_by(order, Obligation.due_at, Obligation.id).limit(bindparam("limit", type_=Integer))
            .options(joinedload(Obligation.home), joinedload(Obligation.rule)))


# ---------------------------------------------------------------- each role's work

@dataclass
class Work:
    now_items: list[Item] = field(default_factory=list)  # escalated, overdue, due soon
    this_week: list[Item] = field(default_factory=list)  # upcoming, due within 7 days
    escalations: list[Item] = field(default_factory=list)  # escalated to the user's role
    late_notifications: list[Item] = field(default_factory=list)  # the work queue's (queue=True)
    signals: list[Item] = field(default_factory=list)
    # How many each list has in all (the lists hold the first `limit`), by field name.
    totals: dict[str, int] = field(default_factory=dict)

    def by_status(self, status: str) -> list[Item]:
        return [i for i in self.now_items if i.status == status]

    def total(self, name: str) -> int:
        return self.totals.get(name, 0)


def _responsible_clause_of(role: str) -> ColumnElement[bool]:
    """Home staff answer for everything in their homes; others for what names their role."""
    if role == Role.REGISTERED_MANAGER:
        return Obligation.responsible_role != Role.REG44_VISITOR
    return Obligation.responsible_role == role


def my_work(user: User, now: datetime, *, limit: int = LIST_LIMIT, queue: bool = False, mine: bool = True) -> Work:
    """The user's open obligations: escalated, overdue and due soon (worst first), the rest due
    this week, what was escalated to the user's role and, with `queue` (the service manager's
    work queue), notifications past their deadline (escalated first, then the longest late) and
    safeguarding signals still to review (oldest first); without `mine`, not the user's own two
    lists (a page that does not show them). The first `limit` of each list and each
    list's total. Two queries whatever the history: the warning periods (not needed for the
    escalations alone), and every list in one UNION ALL (each ranked and counted by a window)."""
    values = _scope_due_soon_values(user, now) if mine or queue else ()
    names, stmt = _my_work_statement(user.role, mine, queue, values)
    if stmt is None:
        return Work()
    rows = db.session.execute(stmt, {**viewer(user), **_clock(now, values), "limit": limit})
    work = Work(totals=dict.fromkeys(names, 0))
    for obligation, name, status, total in rows:
        getattr(work, name).append(Item(obligation, status))
        work.totals[name] = total
    return work


@lru_cache(maxsize=256)
def _my_work_statement(role: str, mine: bool, queue: bool,
                       due_soon_values: tuple[int, ...]) -> tuple[tuple[str, ...], Select | None]:
    """`my_work`'s lists and its one statement, for a viewer of the role (bound: `_clock`, the
    viewer, `limit`)."""
    from homes_qa.spine.signals import SIGNAL_RULE
    where = _open_filtered_bound(role)
    # Escalated to the user's role means an escalation alert: `status_column` says "escalated"
    # for each, so with that list alone the warning periods need not be read.
    column: ColumnElement[str] = _status_bound(due_soon_values, role) if mine or queue else literal(ex.ESCALATED)
    worst_first = (case(*[(column == s, rank) for s, rank in _STATUS_ORDER.items()], else_=9),
                   Obligation.due_at, Obligation.id)
    earliest_first = (Obligation.due_at, Obligation.id)
    own = (where, _responsible_clause_of(role))
    lists: list[tuple[str, tuple[ColumnElement[bool], ...], tuple]] = []
    if mine:
        lists.append(("now_items", (*own, column != ex.UPCOMING), worst_first))
        lists.append(("this_week", (*own, column == ex.UPCOMING, Obligation.due_at <= _at(WEEK_END)),
                      earliest_first))
    if queue:
        notifications = Obligation.rule_id.in_(select(Rule.id).where(Rule.area == NOTIFICATIONS_AREA))
        lists.append(("late_notifications", (where, notifications, Obligation.due_at < _at(NOW)), worst_first))
        lists.append(("signals", (where, Obligation.rule_code == SIGNAL_RULE), earliest_first))
    if role != Role.REGISTERED_MANAGER and role not in SEES_ALL_HOMES:
        # From their homes' open obligations, each a seek for an escalation aimed at the role.
        lists.append(("escalations", (where, _has_escalation(per_row=True, target_role=role)), earliest_first))
    members = [select(literal(name).label("list"), Obligation.id.label("id"), column.label("status"),
                      func.row_number().over(order_by=order).label("pos"), func.count().over().label("total"))
               .where(*conditions) for name, conditions, order in lists]
    names = [name for name, _, _ in lists]
    if role in SEES_ALL_HOMES:  # from the alerts' marker (`_escalated_to_role`)
        members.append(_escalated_to_role(role))
        names.append("escalations")
    if not members:
        return (), None
    ranked = union_all(*members).subquery()
    stmt = (select(Obligation, ranked.c.list, ranked.c.status, ranked.c.total)
            .join(ranked, ranked.c.id == Obligation.id).where(ranked.c.pos <= bindparam("limit", type_=Integer))
            .order_by(ranked.c.list, ranked.c.pos)
            .options(joinedload(Obligation.home), joinedload(Obligation.rule)))
    return tuple(names), stmt


def _escalated_to_role(role: str) -> Select:
    """`my_work`'s "escalations" for someone who sees every home: the open obligations with an
    escalation alert aimed at the role, due by HORIZON_END, earliest deadline first. Read from
    the alerts' "For me" marker: an open obligation's highest alert for the role is an escalation
    exactly when one of its alerts for the role is, and only that alert carries the obligation's
    due_at (`listed_due_at`), so the first `limit` are the first entries of the role's range of
    `ix_alerts_role_due` and the total is counted from that index alone: not every escalated
    obligation of the estate joined, ranked and counted (issue 13: a head of service's 4,480 at
    1,000 homes, 12 ms of the first page's SQL; now 0.4)."""
    escalated = [Alert.target_role == role, Alert.listed_due_at <= _at(HORIZON_END), is_escalation()]
    if role not in ORGANISATION_ROLES:  # (the alert's home is its obligation's, copied when raised)
        escalated.append(Alert.home_id.is_not(None))
    first = (select(Alert.obligation_id, Alert.listed_due_at).where(*escalated)
             .order_by(Alert.listed_due_at, Alert.obligation_id).limit(bindparam("limit", type_=Integer)).subquery())
    total = select(func.count()).select_from(Alert).where(*escalated).scalar_subquery()
    return select(literal("escalations").label("list"), first.c.obligation_id.label("id"),
                  literal(ex.ESCALATED).label("status"),
                  func.row_number().over(order_by=(first.c.listed_due_at, first.c.obligation_id)).label("pos"),
                  total.label("total"))


# ---------------------------------------------------------------- where each item is done

# Obligations met by another area's record: (rule code, subject type) -> page endpoint and the
# argument the subject id fills. Unknown ones go to the home page's "What is due".
SUBJECT_PAGES: dict[tuple[str, str], tuple[str, str]] = {
    ("reg44_report_complete", "Reg44Visit"): ("visits.report", "visit_id"),
    ("reg44_report_sent", "Reg44Visit"): ("visits.check_report", "visit_id"),
    ("reg44_report_statutory", "Reg44Visit"): ("visits.record_distribution", "visit_id"),
    ("young_people_feedback_pre_visit", "Reg44Visit"): ("feedback.visit_feedback", "visit_id"),
    ("professional_feedback_pre_visit", "Reg44Visit"): ("feedback.visit_feedback", "visit_id"),
    ("action_complete", "ActionPlanResponse"): ("actionplans.complete_action", "response_id"),
}
SUBJECT_PAGES_BY_TYPE: dict[str, tuple[str, str]] = {
    "Reg44Visit": ("visits.visit_detail", "visit_id"),
}


def discharge_target(obligation: Obligation, user: User) -> tuple[str, dict[str, int], str]:
    """(endpoint, arguments, anchor) of the page where the item is done."""
    if obligation.subject_type and obligation.subject_id is not None:
        page = (SUBJECT_PAGES.get((obligation.rule_code, obligation.subject_type))
                or SUBJECT_PAGES_BY_TYPE.get(obligation.subject_type))
        if page is not None:
            return page[0], {page[1]: obligation.subject_id}, ""
    if obligation.rule_code == "reg44_visit" and obligation.home_id is not None:
        if user.role == Role.REG44_VISITOR:
            return "visits.record_new_visit", {"home_id": obligation.home_id}, ""
        return "visits.register", {"home_id": obligation.home_id}, ""
    if obligation.is_open and is_recordable(obligation) and user.role in (
            Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN):
        return "obligations.complete", {"obligation_id": obligation.id}, ""
    if obligation.home_id is None:
        return "organisation.index", {}, f"obligation-{obligation.id}"
    return "homes.detail", {"home_id": obligation.home_id}, f"obligation-{obligation.id}"


# ---------------------------------------------------------------- exports

OBLIGATION_COLUMNS = ("id", "home", "ofsted_urn", "area", "rule_code", "title", "responsible_role",
                      "due_at", "status", "drift", "met_at", "waived_reason", "created_at")
ALERT_COLUMNS = ("id", "obligation_id", "home", "area", "rule_code", "title", "level", "level_name",
                 "target_role", "reached_at", "raised_at", "notified_at", "acknowledged_at",
                 "acknowledgement_note", "obligation_status")
EXPORT_BATCH = 500


def _drift_label(obligation: Obligation, now: datetime) -> str:
    state = classify(obligation.due_at, now, ladder_from_list(obligation.ladder), obligation.due_soon_days,
                     met_at=obligation.met_at, waived=obligation.status == ObligationStatus.WAIVED)
    return state.label


def obligation_rows(user: User, now: datetime, *, home: int | None = None, area: str | None = None,
                    person: User | None = None,
                    window: tuple[datetime, datetime] | None = None) -> Iterator[list[object]]:
    """Every obligation in the user's scope (open and closed), streamed in batches; `person` and
    `window` narrow it as the grid's filters do (`narrowed`: what the person answers for, due in
    the period)."""
    stmt = (select(Obligation, Rule.area, Home.name, Home.ofsted_urn).join(Rule, Rule.id == Obligation.rule_id)
            .outerjoin(Home, Home.id == Obligation.home_id)
            .where(obligations_in_scope_of(user.role), _narrowed_bound(_role_of(person), window is not None))
            .order_by(Obligation.due_at, Obligation.id).execution_options(yield_per=EXPORT_BATCH))
    if home == WHOLE_SERVICE:
        stmt = stmt.where(Obligation.home_id.is_(None))
    elif home is not None:
        stmt = stmt.where(Obligation.home_id == home)
    if area is not None:
        stmt = stmt.where(Rule.area == area)
    for obligation, row_area, home_name, urn in db.session.execute(stmt, _filter_parameters(user, person, window)):
        yield [obligation.id, home_name or "Whole service", urn, row_area, obligation.rule_code, obligation.title,
               obligation.responsible_role, obligation.due_at, obligation.status, _drift_label(obligation, now),
               obligation.met_at, obligation.waived_reason, obligation.created_at]


def alert_rows(user: User, *, home: int | None = None, area: str | None = None, person: User | None = None,
               window: tuple[datetime, datetime] | None = None) -> Iterator[list[object]]:
    """Every alert on an obligation in the user's scope, streamed in batches; `person` and
    `window` narrow the obligations as the grid's filters do."""
    stmt = (select(Alert, Obligation, Rule.area, Home.name).join(Obligation, Obligation.id == Alert.obligation_id)
            .join(Rule, Rule.id == Obligation.rule_id).outerjoin(Home, Home.id == Obligation.home_id)
            .where(obligations_in_scope_of(user.role), _narrowed_bound(_role_of(person), window is not None))
            .order_by(Alert.reached_at, Alert.id)
            .execution_options(yield_per=EXPORT_BATCH))
    if home == WHOLE_SERVICE:
        stmt = stmt.where(Obligation.home_id.is_(None))
    elif home is not None:
        stmt = stmt.where(Obligation.home_id == home)
    if area is not None:
        stmt = stmt.where(Rule.area == area)
    for alert, obligation, row_area, home_name in db.session.execute(stmt, _filter_parameters(user, person, window)):
        level_name = "Due soon" if alert.level == 0 else "Overdue" if alert.level == 1 else "Escalated"
        yield [alert.id, obligation.id, home_name or "Whole service", row_area, obligation.rule_code,
               obligation.title, alert.level, level_name, alert.target_role, alert.reached_at, alert.raised_at,
               alert.notified_at, alert.acknowledged_at, alert.acknowledgement_note, obligation.status]


def subject_items(user: User, now: datetime, rule_code: str, subject_type: str,
                  subject_ids: Sequence[int]) -> dict[int, Item]:
    """Open obligations of one rule for the given subjects (e.g. each visit's report deadline),
    with where each stands (as `status_column` says, worked out here for the few rows read), by
    subject id. One query."""
    if not subject_ids:
        return {}
    where = (Obligation.status == ObligationStatus.OPEN) & obligations_in_scope(user)
    escalated = (select(Alert.id).where(Alert.obligation_id == Obligation.id, is_escalation())
                 .exists().label("escalated"))
    stmt = select(Obligation, escalated).where(where, Obligation.rule_code == rule_code,
                                               Obligation.subject_type == subject_type,
                                               Obligation.subject_id.in_(list(subject_ids)))
    found: dict[int, Item] = {}
    for obligation, is_escalated in _items_rows(stmt):
        if obligation.subject_id is None:
            continue
        if is_escalated:
            state = ex.ESCALATED
        elif obligation.due_at < now:
            state = ex.OVERDUE
        elif obligation.due_at < ex.due_soon_threshold(now, obligation.due_soon_days):
            state = ex.DUE_SOON
        else:
            state = ex.UPCOMING
        found[obligation.subject_id] = Item(obligation, state)
    return found


# ---------------------------------------------------------------- monthly KPIs derived from obligations

# seed 002 §6/§7.1 (the monthly KPI review): on-time rates and drift, read from the obligations.
KPI_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "notifications": ("area", ("notifications",)),
    "reg44_reports": ("rule", ("reg44_report_complete",)),
    "audits": ("area", ("health_safety", "fire", "gdpr", "statutory_checks")),
}
ACTIONS_AREA = "actions"


@dataclass
class HomeKpis:
    key: int
    name: str
    due: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KPI_GROUPS, 0))
    on_time: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KPI_GROUPS, 0))
    actions_overdue: int = 0
    late: int = 0  # obligations due in the month and met late
    days_late: float = 0.0  # their days late, summed

    def percent(self, group: str) -> int | None:
        """Share met by the deadline, of those whose deadline fell in the month (and has passed)."""
        return round(100 * self.on_time[group] / self.due[group]) if self.due[group] else None

    @property
    def average_days_late(self) -> float | None:
        return round(self.days_late / self.late, 1) if self.late else None


def _group_of(rule_code: str, area: str) -> str | None:
    for group, (kind, values) in KPI_GROUPS.items():
        if (rule_code if kind == "rule" else area) in values:
            return group
    return None


def monthly_kpis(user: User, now: datetime, start: datetime, end: datetime,
                 homes: Sequence[Home] | None = None) -> list[HomeKpis]:
    """Per home in scope (or of `homes`, a page of them), for the month [start, end):
    notifications, Reg 44 reports and audits met on time (%), actions overdue at the month's
    end, and the average days late of what was met late. Three queries whatever the number of
    homes or the history (only the month is read). Waived obligations count nowhere; a deadline
    still to come is not yet counted."""
    page = homes
    homes = visible_homes(user) if homes is None else homes
    result = {h.id: HomeKpis(h.id, h.name) for h in homes}
    until = min(end, now)
    rows = db.session.execute(
        select(Obligation.home_id, Obligation.rule_code, Rule.area, Obligation.due_at, Obligation.met_at)
        .join(Rule, Rule.id == Obligation.rule_id)
        .where(obligations_in_scope(user), _obligations_of(page),
               Obligation.status != ObligationStatus.WAIVED,
               Obligation.due_at >= _instant(start), Obligation.due_at < _instant(until)))
    for home_id, rule_code, area, due_at, met_at in rows:
        kpis = result.get(home_id) if home_id is not None else None
        if kpis is None:
            continue
        if met_at is not None and met_at > due_at:
            kpis.late += 1
            kpis.days_late += (met_at - due_at).total_seconds() / 86400
        group = _group_of(rule_code, area)
        if group is not None:
            kpis.due[group] += 1
            if met_at is not None and met_at <= due_at:
                kpis.on_time[group] += 1
    # Overdue at the month's end: still open, or met only after it. Asked as the two, each from
    # its own index (open by rule and due, met by when met), not as every action of the history;
    # for this month (its end not yet come) nothing was met after "now", so only the open.
    actions = Obligation.rule_code.in_(select(Rule.code).where(Rule.area == ACTIONS_AREA).scalar_subquery())
    overdue_then: Any = select(Obligation.home_id).where(
        obligations_in_scope(user), _obligations_of(page), actions, Obligation.status == ObligationStatus.OPEN,
        Obligation.due_at < _instant(until))
    if until < now:
        overdue_then = union_all(overdue_then, select(Obligation.home_id).where(
            obligations_in_scope(user), _obligations_of(page), actions,
            Obligation.status.in_((ObligationStatus.MET, ObligationStatus.MET_LATE)),
            Obligation.met_at > _instant(until), Obligation.due_at < _instant(until)))
    overdue_rows = overdue_then.subquery()
    overdue = db.session.execute(
        select(overdue_rows.c.home_id, func.count()).group_by(overdue_rows.c.home_id))
    for home_id, count in overdue:
        if home_id in result:
            result[home_id].actions_overdue = count
    return [result[h.id] for h in homes]


def _obligations_of(homes: Sequence[Home] | None) -> ColumnElement[bool]:
    """The obligations of a page of homes (each home's read from its index), or, with none given,
    any (the caller keeps those in scope, and those of no home are counted for none)."""
    return true() if homes is None else Obligation.home_id.in_([h.id for h in homes])


# ---------------------------------------------------------------- monthly KPIs entered, and drift in a row

MISSES_LOOKBACK = timedelta(days=366)


@dataclass
class Misses:
    count: int
    rule_title: str


def consecutive_misses(user: User, now: datetime, end: datetime,
                       homes: Sequence[Home] | None = None) -> dict[int, Misses]:
    """Per home in scope (or of `homes`, a page of them), the longest current run of missed
    deadlines of one rule at the month's end (met late, or still not met): deadlines due in the
    year before. One query.

    A deadline due before the month's end was met (on time) only if its obligation is `met`
    (met_at <= due_at < end); met late or still open, it was missed. So a stream's current run
    is its missed deadlines with no met one after them: each missed one of the year is tested
    for a later met one of its stream by a seek on (home, rule, status, due) (migration 0032),
    instead of reading and ordering every deadline of the year (60 ms at 100 homes)."""
    until = _instant(min(end, now))
    since = _instant(min(end, now) - MISSES_LOOKBACK)
    later = aliased(Obligation, name="met_after")
    met_after = (select(later.id).where(
        later.home_id == Obligation.home_id, later.rule_code == Obligation.rule_code,
        later.status == ObligationStatus.MET, later.due_at >= Obligation.due_at, later.due_at < until,
        # after it in (due, id) order; the seek's range is [its due, the month's end)
        or_(later.due_at > Obligation.due_at, later.id > Obligation.id))
        .exists())
    runs = db.session.execute(
        select(Obligation.home_id, Rule.title, func.count(Obligation.id).label("run"))
        .join(Rule, Rule.id == Obligation.rule_id)
        .where(obligations_in_scope(user),
               _obligations_of(homes),
               Obligation.status.in_((ObligationStatus.OPEN, ObligationStatus.MET_LATE)),
               Obligation.due_at >= since, Obligation.due_at < until, ~met_after)
        .group_by(Obligation.home_id, Obligation.rule_code, Rule.title)
        .order_by(Obligation.home_id, Obligation.rule_code))
    result: dict[int, Misses] = {}
    for home_id, title, run in runs:
        if home_id is not None and (home_id not in result or run > result[home_id].count):
            result[home_id] = Misses(run, title)
    return result


def kpi_entry(home_id: int, month: date) -> MonthlyKpi | None:
    return db.session.scalar(select(MonthlyKpi).where(MonthlyKpi.home_id == home_id, MonthlyKpi.month == month))


def derived_measures(home_ids: Sequence[int], start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """What the incident log counts for each home in [start, end) by when it happened:
    complaints, safeguarding concerns, restraints and the different children in them, missing
    episodes (core.kpis.DERIVED_TYPES). One query."""
    result = {home_id: dict.fromkeys((*kpi_core.DERIVED_TYPES, "restraint_children"), 0) for home_id in home_ids}
    kinds = {code: measure for measure, codes in kpi_core.DERIVED_TYPES.items() for code in codes}
    children: dict[int, list[str]] = {home_id: [] for home_id in home_ids}
    rows = db.session.execute(
        select(Incident.home_id, Incident.type_code, Incident.children)
        .where(Incident.home_id.in_(list(home_ids)), Incident.type_code.in_(list(kinds)),
               Incident.occurred_at >= _instant(start), Incident.occurred_at < _instant(end)))
    for home_id, type_code, named in rows:
        measure = kinds[type_code]
        result[home_id][measure] += 1
        if measure == "restraint_incidents":
            children[home_id].append(named or "")
    for home_id, texts in children.items():
        result[home_id]["restraint_children"] = kpi_core.children_named(texts)
    return result


@dataclass
class Trend:
    """One measure over months for each home in scope: the chart's paths and the table's values."""
    measure: kpi_core.Measure
    months: list[date]
    homes: list[Home]
    values: dict[int, list[int | None]]  # home id -> one value per month (None: not entered)

    @property
    def maximum(self) -> int:
        entered = [v for series in self.values.values() for v in series if v is not None]
        return max(entered, default=0)


def trend(user: User, measure: kpi_core.Measure, months: list[date]) -> Trend:
    """Entered values of one measure for each home in scope over the months. Two queries."""
    homes = visible_homes(user)
    index = {month: n for n, month in enumerate(months)}
    values: dict[int, list[int | None]] = {h.id: [None] * len(months) for h in homes}
    rows = db.session.execute(
        select(MonthlyKpi.home_id, MonthlyKpi.month, getattr(MonthlyKpi, measure.code))
        .where(MonthlyKpi.home_id.in_([h.id for h in homes]), MonthlyKpi.month >= months[0],
               MonthlyKpi.month <= months[-1]))
    for home_id, month, value in rows:
        values[home_id][index[month]] = value
    return Trend(measure, months, homes, values)


def entered_in_month(user: User, month: date, homes: Sequence[Home] | None = None) -> dict[int, MonthlyKpi]:
    """The month's entered KPIs of each home in scope (or of `homes`, a page of them)."""
    ids = [h.id for h in (visible_homes(user) if homes is None else homes)]
    return {e.home_id: e for e in db.session.scalars(
        select(MonthlyKpi).where(MonthlyKpi.home_id.in_(ids), MonthlyKpi.month == month))}


# ---------------------------------------------------------------- register exports (Reg 44 visits, incidents)

VISIT_COLUMNS = ("visit_id", "home", "ofsted_urn", "visitor", "status", "announced", "planned_for", "visited_on",
                 "recorded_at", "report_status", "latest_submitted_version", "submitted_at",
                 "children_effectively_safeguarded", "wellbeing_promoted")
INCIDENT_COLUMNS = ("incident_id", "home", "ofsted_urn", "type", "occurred_at", "aware_at", "children",
                    "notifiable", "reg40_paragraph", "status", "what_happened", "action_taken", "notifications",
                    "recorded_at", "closed_at")
NOTIFICATION_COLUMNS = ("notification_id", "incident_id", "home", "incident_type", "rule_code", "recipient",
                        "notified_at", "method", "reference", "late_reason", "recorded_at")


def _home_filter(column: ColumnElement[int] | InstrumentedAttribute[int], home: int | None) -> ColumnElement[bool]:
    return true() if home is None else column == home


def _in_window(column: _Instant, window: tuple[datetime, datetime] | None) -> ColumnElement[bool]:
    """The grid's period filter on a register's own instant (when it happened), [start, end)."""
    if window is None:
        return true()
    return (column >= _instant(window[0])) & (column < _instant(window[1]))


def visit_rows(user: User, *, home: int | None = None,
               window: tuple[datetime, datetime] | None = None) -> Iterator[list[object]]:
    """Every Reg 44 visit the user may see (reg44.policy.visible_visits: home scope, and reg 44(3)
    for the manager and home staff), with its latest submitted report's opinions (never a draft);
    `window`: visited (or, not yet made, planned) in the period."""
    from homes_qa.core.calendar import london_date
    day = func.coalesce(Reg44Visit.visited_on, Reg44Visit.planned_for)
    in_period: ColumnElement[bool] = true() if window is None else (
        (day >= london_date(window[0])) & (day < london_date(window[1])))
    stmt = (reg44_policy.visible_visits(user).where(_home_filter(Reg44Visit.home_id, home), in_period)
            .options(joinedload(Reg44Visit.home), joinedload(Reg44Visit.visitor), selectinload(Reg44Visit.reports))
            .order_by(Reg44Visit.id).execution_options(yield_per=EXPORT_BATCH))
    for visit in db.session.scalars(stmt):
        report = reg44_queries.latest_submitted(visit)
        yield [visit.id, visit.home.name, visit.home.ofsted_urn, visit.visitor.name, visit.status, visit.announced,
               visit.planned_for, visit.visited_on, visit.recorded_at, reg44_queries.report_status_label(visit),
               report.version if report else None, report.submitted_at if report else None,
               report.safeguarded_opinion if report else None, report.wellbeing_opinion if report else None]


def incident_rows(user: User, *, home: int | None = None,
                  window: tuple[datetime, datetime] | None = None) -> Iterator[list[object]]:
    """Every incident in the user's homes, oldest first, with how many notifications were made;
    `window`: that happened in the period."""
    counts = (select(func.count(IncidentNotification.id)).where(IncidentNotification.incident_id == Incident.id)
              .scalar_subquery())
    stmt = (select(Incident, Home.name, Home.ofsted_urn, counts).join(Home, Home.id == Incident.home_id)
            .where(Incident.home_id.in_(visible_home_ids_query(user)), _home_filter(Incident.home_id, home),
                   _in_window(Incident.occurred_at, window))
            .order_by(Incident.occurred_at, Incident.id).execution_options(yield_per=EXPORT_BATCH))
    for incident, home_name, urn, notified in db.session.execute(stmt):
        yield [incident.id, home_name, urn, incident.type_label, incident.occurred_at, incident.aware_at,
               incident.children, incident.notifiable, incident.paragraph, incident.status, incident.what_happened,
               incident.action_taken, notified, incident.created_at, incident.closed_at]


def notification_rows(user: User, *, home: int | None = None,
                      window: tuple[datetime, datetime] | None = None) -> Iterator[list[object]]:
    """Every notification made (or restraint step recorded) in the user's homes, in time order;
    `window`: made in the period."""
    stmt = (select(IncidentNotification, Incident.type_code, Home.name)
            .join(Incident, Incident.id == IncidentNotification.incident_id).join(Home, Home.id == Incident.home_id)
            .where(Incident.home_id.in_(visible_home_ids_query(user)), _home_filter(Incident.home_id, home),
                   _in_window(IncidentNotification.notified_at, window))
            .order_by(IncidentNotification.notified_at, IncidentNotification.id)
            .execution_options(yield_per=EXPORT_BATCH))
    for notification, type_code, home_name in db.session.execute(stmt):
        yield [notification.id, notification.incident_id, home_name, type_code, notification.rule_code,
               notification.recipient, notification.notified_at, notification.method_label, notification.reference,
               notification.late_reason, notification.created_at]


# ---------------------------------------------------------------- what changed since you last looked

CHANGES_LIMIT = 10
# Changes counted past the listed ones, at most: beyond it the page says "more than" (a head
# of service's first look at a county's homes holds tens of thousands, and counting them all
# on every first page grew with the estate, issue 13).
CHANGES_COUNTED = 1000


@dataclass(frozen=True)
class Change:
    """One thing that happened in the user's scope, with the page where it is seen."""
    at: datetime
    kind: str  # "Escalated", "Overdue", "Due soon", "Done", "Report submitted", "Audit submitted", "Event recorded"
    text: str
    endpoint: str
    args: dict[str, int]
    anchor: str = ""


@dataclass
class Changes:
    since: datetime
    first_look: bool  # no earlier look: the list covers core.since.FIRST_LOOK
    items: list[Change]
    total: int  # counted up to `counted` + 1
    counted: int = CHANGES_COUNTED

    @property
    def more(self) -> int:
        return self.total - len(self.items)

    @property
    def more_than(self) -> int | None:
        """When there are more changes than were counted: how many more there are at least."""
        return self.counted - len(self.items) if self.total > self.counted else None


def first_page_view(user_id: int) -> FirstPageView | None:
    return db.session.scalar(select(FirstPageView).where(FirstPageView.user_id == user_id))


_Instant = ColumnElement[datetime] | InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None]


def _window_bound(column: _Instant) -> ColumnElement[bool]:
    """In (`start`, NOW], bound when the statement is run."""
    return (column > _at("start")) & (column <= _at(NOW))


def _latest(stmt: Select, at: _Instant, limit: int) -> tuple[list, int]:
    """The latest `limit` rows of a source and how many it has in all: one query (the count
    is a window over every matching row, computed before the LIMIT)."""
    rows = list(db.session.execute(stmt.add_columns(func.count().over().label("total"))
                                   .order_by(at.desc()).limit(limit)))
    return [tuple(row[:-1]) for row in rows], (rows[0][-1] if rows else 0)


_ALERT_KINDS = {0: "Due soon", 1: "Overdue"}
# The sources of changes, in the order a tie at the same instant lists them.
_ALERT, _MET, _REPORT, _AUDIT, _EVENT = "1 alert", "2 met", "3 report", "4 audit", "5 event"
_SEPARATOR = "\x1f"  # an event's type name and home name, in one text column


def changes_since(user: User, start: datetime, now: datetime, *, first_look: bool = False,
                  limit: int = CHANGES_LIMIT, counted: int | None = None) -> Changes:
    """What changed in the user's scope in (start, now]: alerts raised (an escalation is level 2
    and up), obligations met, Reg 44 reports submitted (never a draft; reg 44(3) and home staff:
    none), monthly audits submitted, events recorded. The latest `limit` of them all, newest
    first, and the count of them all up to `counted` (CHANGES_COUNTED). One query whatever the
    history: every source in one UNION ALL, the latest of it joined to their alerts'
    obligations, the count a scalar subquery; built once per role and run with the window, the
    person, the audits they may read and the limits bound."""
    from homes_qa.audits import policy as audits_policy
    from homes_qa.audits.templates import latest_templates
    from homes_qa.core.incidents import event_type
    from homes_qa.incidents import policy as incidents_policy

    counted = CHANGES_COUNTED if counted is None else counted
    readable = ([t.code for t in latest_templates() if audits_policy.can_read(user, t.code)]
                if user.role in audits_policy.READERS else [])
    rows = list(db.session.execute(_changes_statement(user.role, incidents_policy.sees_signals(user)), {
        **viewer(user), "start": start, NOW: now, "readable": readable, "limit": limit, "counted": counted + 1}))
    total = rows[0].total if rows else 0
    found: list[Change] = []
    for row in rows:
        at = row.at
        if row.source == _ALERT:
            obligation = row.Obligation
            endpoint, args, anchor = discharge_target(obligation, user)
            level = row.level
            kind = "Escalated" if level >= ESCALATION_LEVEL else _ALERT_KINDS.get(level, "Alert")
            found.append(Change(at, kind, row.text, endpoint, args, anchor))  # the title names the home
        elif row.source == _MET:
            obligation_home = row.home_id
            if obligation_home is None:
                found.append(Change(at, "Done", row.text, "organisation.index", {}, f"obligation-{row.record_id}"))
            else:
                found.append(Change(at, "Done", row.text, "homes.detail", {"home_id": obligation_home},
                                    f"obligation-{row.record_id}"))
        elif row.source == _REPORT:
            text = f"Reg 44 report for {row.text}" + (f" (version {row.version})" if row.version > 1 else "")
            found.append(Change(at, "Report submitted", text, "visits.visit_detail", {"visit_id": row.record_id}))
        elif row.source == _AUDIT:
            found.append(Change(at, "Audit submitted", row.text, "audits.check", {"audit_id": row.record_id}))
        else:
            type_name, _, home_name = (row.detail or "").partition(_SEPARATOR)
            try:
                label = event_type(row.text).label
            except KeyError:
                label = type_name or row.text
            found.append(Change(at, "Event recorded", f"{label} ({home_name})", "incidents.incident",
                                {"incident_id": row.record_id}))
    return Changes(start, first_look, found, total, counted)


_CHANGE_COLUMNS = ("at", "source", "level", "home_id", "record_id", "text", "detail", "version", "key")


def _of_homes(home_id: InstrumentedAttribute[int], role: str, home_ids: Select) -> ColumnElement[bool]:
    """A record of the viewer's homes: for someone who sees every home, no test at all (an IN
    of every home led SQLite to walk each home's records, not the window's)."""
    return true() if role in SEES_ALL_HOMES else home_id.in_(home_ids)


def _alerts_of_homes(role: str, home_ids: Select) -> ColumnElement[bool]:
    """The viewer's homes' alerts by the alert's own home (an obligation's, copied when raised),
    so that for anyone who sees some homes they are read from `ix_alerts_home_raised` and not
    from every alert raised in the window (the obligation's scope is tested as well)."""
    if role in SEES_ALL_HOMES:
        return true()
    mine = Alert.home_id.in_(home_ids)
    return or_(mine, Alert.home_id.is_(None)) if role in ORGANISATION_ROLES else mine


def _scope_parts(role: str, home_ids: Select) -> list[ColumnElement[bool]]:
    """The obligation scope's homes as separate tests, each readable from one index range."""
    if role in SEES_ALL_HOMES:
        return [true()]
    mine = Obligation.home_id.in_(home_ids)
    return [mine, Obligation.home_id.is_(None)] if role in ORGANISATION_ROLES else [mine]


@cache
def _changes_statement(role: str, sees_signals: bool) -> Select:
    """`changes_since`'s statement for a viewer of the role (`sees_signals`: as
    incidents.policy.sees_signals says of them). Bound when run: the viewer, the window
    (`start`, NOW], `readable` (the audit templates they may read) and `limit`."""
    from homes_qa.audits import policy as audits_policy
    from homes_qa.audits.models import HomeAudit
    from homes_qa.incidents import policy as incidents_policy
    from homes_qa.reg44.models import Reg44Report
    from homes_qa.spine.signals import SIGNAL_RULE

    home_ids = select(Home.id) if role in SEES_ALL_HOMES else viewer_home_ids()
    # Safeguarding signals come from Reg 44 reports and children's feedback: not home staff's.
    obligation_scope = obligations_in_scope_of(role) & (
        true() if sees_signals else Obligation.rule_code != SIGNAL_RULE)

    # Each source as the same columns: (at, source, level, home id, record id, text, detail,
    # version, key), `key` the row's own id: with the instant, the order of the source's index.
    no_int, no_text = cast(null(), Integer), cast(null(), String)
    sources: list[Select] = [
        select(Alert.raised_at.label("at"), literal(_ALERT).label("source"), Alert.level.label("level"),
               no_int.label("home_id"), Obligation.id.label("record_id"), Obligation.title.label("text"),
               no_text.label("detail"), no_int.label("version"), Alert.id.label("key"))
        .join(Obligation, Obligation.id == Alert.obligation_id)
        .where(obligation_scope, _alerts_of_homes(role, home_ids), _window_bound(Alert.raised_at)),
        # Met and met late apart, and a service manager's homes apart from the whole service's:
        # each a range of an index (for someone who sees every home, read latest first), where
        # an IN of the two statuses had every obligation met in the window sorted, and an OR of
        # the homes and the whole service had it read the estate's window.
        *(select(Obligation.met_at, literal(_MET), no_int, Obligation.home_id, Obligation.id, Obligation.title,
                 no_text, no_int, Obligation.id)
          .where(obligation_scope, part, Obligation.status == status, _window_bound(Obligation.met_at))
          for status in (ObligationStatus.MET, ObligationStatus.MET_LATE) for part in _scope_parts(role, home_ids)),
    ]
    if role != Role.HOME_STAFF:  # Reg 44 pages are closed to home staff
        # EXISTS, not IN: the window on `submitted_at` (indexed) leads, each report's visit is
        # checked by its key; an IN list of every visible visit made SQLite read every visit.
        visible = (reg44_policy.visits_visible_to(role).with_only_columns(Reg44Visit.id)
                   .where(Reg44Visit.id == Reg44Report.visit_id).exists())
        sources.append(
            select(Reg44Report.submitted_at, literal(_REPORT), no_int, no_int, Reg44Report.visit_id, Home.name,
                   no_text, Reg44Report.version, Reg44Report.id)
            .join(Home, Home.id == Reg44Report.home_id)
            .where(visible, Reg44Report.submitted_at.is_not(None),
                   _window_bound(Reg44Report.submitted_at)))
    if role in audits_policy.READERS:
        sources.append(
            select(HomeAudit.submitted_at, literal(_AUDIT), no_int, no_int, HomeAudit.id,
                   HomeAudit.title + " " + HomeAudit.period_key + " (" + Home.name + ")", no_text, no_int,
                   HomeAudit.id)
            .join(Home, Home.id == HomeAudit.home_id)
            .where(_of_homes(HomeAudit.home_id, role, home_ids), HomeAudit.template_code.in_(bindparam("readable", expanding=True)),
                   HomeAudit.submitted_at.is_not(None), _window_bound(HomeAudit.submitted_at)))
    if role in incidents_policy.READERS:
        sources.append(
            select(Incident.created_at, literal(_EVENT), no_int, no_int, Incident.id, Incident.type_code,
                   func.coalesce(Incident.type_name, "") + _SEPARATOR + Home.name, no_int, Incident.id)
            .join(Home, Home.id == Incident.home_id)
            .where(_of_homes(Incident.home_id, role, home_ids), _window_bound(Incident.created_at)))
    limit = bindparam("limit", type_=Integer)
    if role in SEES_ALL_HOMES:
        # The latest `limit` of each source, read backwards from its index on the instant, then
        # the latest of those: sorting every change in the window grew with the estate (a head
        # of service's first look holds every home's alerts; issue 13). Not for someone with
        # some homes: told to keep an order, SQLite read the whole estate's window backwards
        # looking for their homes' rows, where each home's range of the index holds them all.
        every = union_all(*(
            select(source.order_by(source.selected_columns.at.desc(), source.selected_columns.key.desc())
                   .limit(limit).subquery())
            for source in (s.with_only_columns(*(c.label(name) for c, name in zip(
                s.selected_columns, _CHANGE_COLUMNS, strict=True))) for s in sources))).subquery()
    else:
        every = union_all(*sources).subquery()
    # Only the latest few are joined to their obligation, for where an alert is done.
    newest = (every.c.at.desc(), every.c.source, every.c.key.desc())
    latest = select(every).order_by(*newest).limit(limit).subquery()
    # The count of them all, up to `counted` (bound): a scalar subquery run once, over the
    # window's rows without their texts (a window function over the joined rows made SQLite
    # build every one of them).
    total = select(func.count()).select_from(union_all(*(
        source.with_only_columns(literal(1)) for source in sources)).limit(bindparam("counted", type_=Integer)).subquery()
    ).scalar_subquery()
    return (select(latest, total.label("total"), Obligation)
            .outerjoin(Obligation, (latest.c.source == _ALERT) & (Obligation.id == latest.c.record_id))
            .options(joinedload(Obligation.rule), joinedload(Obligation.home))
            .order_by(latest.c.at.desc(), latest.c.source, latest.c.key.desc()))


# ---------------------------------------------------------------- the work queue: late notifications, signals

NOTIFICATIONS_AREA = "notifications"


def queue_target(item: Item, user: User) -> tuple[str, dict[str, int], str]:
    """Where the work queue sends an item: a notification to its event's page (where it is
    recorded or waived), anything else to where it is done."""
    obligation = item.obligation
    if obligation.subject_type == "Incident" and obligation.subject_id is not None:
        return "incidents.incident", {"incident_id": obligation.subject_id}, ""
    return discharge_target(obligation, user)


# ---------------------------------------------------------------- register export: monthly audits

AUDIT_COLUMNS = ("audit_id", "home", "ofsted_urn", "audit", "template_code", "template_version", "period",
                 "status", "overall_grade", "started_by", "started_at", "submitted_at", "findings",
                 "reaudit_of_audit_id")


def audit_rows(user: User, *, home: int | None = None,
               window: tuple[datetime, datetime] | None = None) -> Iterator[list[object]]:
    """Every monthly audit in the user's homes that the user may read (audits.policy.can_read:
    home staff never the service manager's), oldest first, with its number of findings;
    `window`: started in the period."""
    from homes_qa.audits import policy as audits_policy
    from homes_qa.audits.models import AuditFinding, HomeAudit
    from homes_qa.audits.templates import latest_templates
    readable = [t.code for t in latest_templates() if audits_policy.can_read(user, t.code)]
    findings = (select(func.count(AuditFinding.id)).where(AuditFinding.audit_id == HomeAudit.id)
                .scalar_subquery())
    stmt = (select(HomeAudit, Home.name, Home.ofsted_urn, User.name, findings)
            .join(Home, Home.id == HomeAudit.home_id).join(User, User.id == HomeAudit.started_by_id)
            .where(HomeAudit.home_id.in_(visible_home_ids_query(user)), HomeAudit.template_code.in_(readable),
                   _home_filter(HomeAudit.home_id, home), _in_window(HomeAudit.started_at, window))
            .order_by(HomeAudit.started_at, HomeAudit.id).execution_options(yield_per=EXPORT_BATCH))
    for audit, home_name, urn, started_by, found in db.session.execute(stmt):
        yield [audit.id, home_name, urn, audit.title, audit.template_code, audit.template_version, audit.period_key,
               audit.status, audit.overall_grade, started_by, audit.started_at, audit.submitted_at, found,
               audit.reaudit_of_id]


# ---------------------------------------------------------------- Annex A: since the last full inspection

FULL_INSPECTION = "full"  # core.inspections.INSPECTION_TYPES


@dataclass
class SinceInspection:
    """One home's KPIs from the day after its last full Ofsted inspection to today."""
    home: Home
    inspected_on: date | None  # the last full inspection's last day; None: none recorded
    period: Period | None
    kpis: HomeKpis
    derived: dict[str, int]  # what the incident log counts (derived_measures' keys)


def since_last_inspection(user: User, now: datetime) -> list[SinceInspection]:
    """Per home in scope: the last full inspection (inspections area) and, from the day after it
    to today, notifications, Reg 44 reports and audits met on time, actions overdue now, average
    days late, and the incident log's complaints, safeguarding concerns, restraints (and the
    children in them) and missing episodes. Five queries whatever the number of homes: history
    is read from the earliest home's start only."""
    from homes_qa.core.calendar import london_date, london_day_start
    from homes_qa.core.periods import since_inspection
    from homes_qa.inspections.models import Inspection

    homes = visible_homes(user)
    today = london_date(now)
    last = dict(db.session.execute(
        select(Inspection.home_id, func.max(Inspection.ended_on))
        .where(Inspection.home_id.in_([h.id for h in homes]), Inspection.inspection_type == FULL_INSPECTION)
        .group_by(Inspection.home_id)).all())
    result = {h.id: SinceInspection(h, last.get(h.id), since_inspection(last[h.id], today) if h.id in last else None,
                                    HomeKpis(h.id, h.name),
                                    dict.fromkeys((*kpi_core.DERIVED_TYPES, "restraint_children"), 0))
              for h in homes}
    starts = {home_id: london_day_start(row.period.start) for home_id, row in result.items() if row.period}
    if not starts:
        return [result[h.id] for h in homes]
    earliest = min(starts.values())
    for home_id, rule_code, area, due_at, met_at in db.session.execute(
            select(Obligation.home_id, Obligation.rule_code, Rule.area, Obligation.due_at, Obligation.met_at)
            .join(Rule, Rule.id == Obligation.rule_id)
            .where(obligations_in_scope(user), Obligation.home_id.in_(list(starts)),
                   Obligation.status != ObligationStatus.WAIVED,
                   Obligation.due_at >= _instant(earliest), Obligation.due_at < _instant(now))):
        if home_id is None or due_at < starts[home_id]:
            continue
        kpis = result[home_id].kpis
        if met_at is not None and met_at > due_at:
            kpis.late += 1
            kpis.days_late += (met_at - due_at).total_seconds() / 86400
        group = _group_of(rule_code, area)
        if group is not None:
            kpis.due[group] += 1
            if met_at is not None and met_at <= due_at:
                kpis.on_time[group] += 1
        if area == ACTIONS_AREA and (met_at is None or met_at > now):
            kpis.actions_overdue += 1
    kinds = {code: measure for measure, codes in kpi_core.DERIVED_TYPES.items() for code in codes}
    children: dict[int, list[str]] = {home_id: [] for home_id in starts}
    for home_id, type_code, occurred_at, named in db.session.execute(
            select(Incident.home_id, Incident.type_code, Incident.occurred_at, Incident.children)
            .where(Incident.home_id.in_(list(starts)), Incident.type_code.in_(list(kinds)),
                   Incident.occurred_at >= _instant(earliest), Incident.occurred_at < _instant(now))):
        if occurred_at < starts[home_id]:
            continue
        measure = kinds[type_code]
        result[home_id].derived[measure] += 1
        if measure == "restraint_incidents":
            children[home_id].append(named or "")
    for home_id, texts in children.items():
        result[home_id].derived["restraint_children"] = kpi_core.children_named(texts)
    return [result[h.id] for h in homes]
