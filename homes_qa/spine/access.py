"""Who may see what: role checks and home scoping used by every route.

A record in a home the user is not scoped to is reported as 404, never 403, so URLs do not
reveal which records exist elsewhere.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache, wraps
from typing import Any, ParamSpec, TypeVar

from flask import abort, has_request_context, request
from flask_login import current_user, login_required
from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, func, select, true
from sqlalchemy.orm import QueryableAttribute

from homes_qa.core.roles import HOME_STAFF
from homes_qa.extensions import db
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import Assignment, Home, User

_P = ParamSpec("_P")
_R = TypeVar("_R")


def roles_required(*roles: str) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Signed in (else redirect to sign-in) and holding one of the roles (else 403)."""
    def decorator(view: Callable[_P, _R]) -> Callable[_P, _R]:
        @wraps(view)
        @login_required
        def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        wrapped.allowed_roles = roles  # type: ignore[attr-defined]  # mypy does not model attributes set on functions
        return wrapped
    return decorator


def visible_home_ids_query(user: User) -> Select[int]:
    """A subquery of the home ids the user may see."""
    return _home_ids_seen_by(None if user.sees_all_homes else user.id)


@lru_cache(maxsize=1024)
def _home_ids_seen_by(user_id: int | None) -> Select[int]:
    # One statement per person, kept: a page's reads ask for it about ten times, and a select is
    # never changed once built (each `.where` makes a new one), so it can be shared (issue 13).
    if user_id is None:
        return select(Home.id)
    return select(Assignment.home_id).where(Assignment.user_id == user_id)


def in_viewers_homes(home_id: QueryableAttribute[Any], sees_all_homes: bool) -> ColumnElement[bool]:
    """`home_id` is one of the viewer's homes (`viewer_id` bound when run). For someone who sees
    every home that is any home: tested as not NULL (the foreign key does the rest), since an
    IN of every home's id led SQLite to walk the homes and look each one's records up, where one
    range of an index held them all (issue 13: 2 ms at 1,000 homes for two rows)."""
    return home_id.is_not(None) if sees_all_homes else home_id.in_(viewer_home_ids())


# Statements built once and run many times take the person as this parameter: building a select
# tree (and its cache key) costs more Python than SQLite takes to answer it (issue 13).
VIEWER = "viewer_id"


def viewer(user: User) -> dict[str, int]:
    """The parameters that bind a statement using `viewer_id` or `viewer_home_ids` to this person."""
    return {VIEWER: user.id}


def viewer_id() -> BindParameter[int]:
    """The person a statement built once is run for (`viewer(user)` gives its value)."""
    return bindparam(VIEWER, type_=Assignment.user_id.type)


def viewer_home_ids() -> Select[int]:
    """A subquery of the ids of the homes the viewer is assigned to: `visible_home_ids_query` for
    someone who does not see every home, in a statement built once for everyone."""
    return select(Assignment.home_id).where(Assignment.user_id == viewer_id())


def visible_homes(user: User) -> list[Home]:
    stmt = select(Home).order_by(Home.name)
    if not user.sees_all_homes:
        stmt = stmt.where(Home.id.in_(visible_home_ids_query(user)))
    return list(db.session.scalars(stmt))


def visible_home_choices(user: User, limit: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the homes the user may see, by name, for a filter's or a form's list: one
    query of two columns, no ORM objects (a head of service's list has every home). `limit`
    reads no more than that many (a filter asks whether the list is short enough to show)."""
    stmt = select(Home.id, Home.name).order_by(Home.name, Home.id)
    if not user.sees_all_homes:
        stmt = stmt.where(Home.id.in_(visible_home_ids_query(user)))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(home_id, name) for home_id, name in db.session.execute(stmt)]


def visible_homes_named(user: User, text: str, limit: int) -> list[tuple[int, str]]:
    """(id, name) of up to `limit` homes the user may see whose name contains `text` (any case,
    the user's % and _ taken literally): the one named exactly `text` first, then by name."""
    stmt = (select(Home.id, Home.name).where(Home.name.icontains(text, autoescape=True))
            .order_by(func.lower(Home.name) != text.lower(), Home.name, Home.id).limit(limit))
    if not user.sees_all_homes:
        stmt = stmt.where(Home.id.in_(visible_home_ids_query(user)))
    return [(home_id, home_name) for home_id, home_name in db.session.execute(stmt)]


def visible_home_name(user: User, home_id: int) -> str | None:
    """The name of one of the user's homes (None outside their scope)."""
    if not user.sees_all_homes and not is_assigned(user, home_id):
        return None
    home = db.session.get(Home, home_id)
    return home.name if home is not None else None


def first_visible_homes(user: User, limit: int) -> tuple[list[Home], int]:
    """The first `limit` homes the user may see, by name, and how many they may see in all: one
    query (the count a scalar subquery, run once), not every home of the estate loaded to show
    a few (issue 13; a window count over them made SQLite read and sort every home)."""
    rows = db.session.execute(_first_visible_homes(user.sees_all_homes),
                              {**viewer(user), "limit": limit}).all()
    return [home for home, _ in rows], (rows[0][1] if rows else 0)


@cache
def _first_visible_homes(sees_all_homes: bool) -> Select[Home, int]:
    mine = true() if sees_all_homes else Home.id.in_(viewer_home_ids())
    total = select(func.count()).select_from(Home).where(mine).scalar_subquery()
    return select(Home, total.label("total")).where(mine).order_by(Home.name, Home.id).limit(bindparam("limit"))


_ASSIGNED_KEY = "homes_qa.access.assigned"


def is_assigned(user: User, home_id: int) -> bool:
    """The one test of "is this person assigned to this home". Within a GET request (which
    changes no assignment) each answer is read once: a page asks its policies several times
    about the same home (issue 13: a visit's report page asked five times)."""
    if has_request_context() and request.method in ("GET", "HEAD"):
        cache: dict[tuple[int, int], bool] = request.environ.setdefault(_ASSIGNED_KEY, {})
        key = (user.id, home_id)
        if key not in cache:
            cache[key] = _assigned(user, home_id)
        return cache[key]
    return _assigned(user, home_id)


def _assigned(user: User, home_id: int) -> bool:
    return db.session.scalar(
        select(Assignment.id).where(Assignment.user_id == user.id, Assignment.home_id == home_id)
    ) is not None


def can_see_home(user: User, home_id: int) -> bool:
    if user.sees_all_homes:
        return db.session.get(Home, home_id) is not None
    return is_assigned(user, home_id)


def home_or_404(home_id: int) -> Home:
    """The home if the signed-in user is scoped to it; otherwise 404. One query: for someone who
    does not see every home, the home is read only if they are assigned to it (issue 13: every
    page of a home asked twice), and the answer is kept as `is_assigned`'s for the request."""
    user = current_user
    if user.sees_all_homes:
        home = db.session.get(Home, home_id)
    else:
        home = db.session.scalar(_assigned_home(), {**viewer(user), "home_id": home_id})
        if home is not None and has_request_context() and request.method in ("GET", "HEAD"):
            request.environ.setdefault(_ASSIGNED_KEY, {})[(user.id, home_id)] = True
    if home is None:
        abort(404)
    return home


@cache
def _assigned_home() -> Select[Home]:
    return select(Home).where(Home.id == bindparam("home_id", type_=Home.id.type), Home.id.in_(viewer_home_ids()))


def obligation_visible_clause(user: User) -> ColumnElement[bool]:
    """Obligations this user may see, as a WHERE clause (combine with home scoping).

    Home staff never see obligations that would reveal an unannounced Reg 44 visit before it
    happens (reg 44(3)); the Reg 44 area flags them `hidden_from_home_staff`.
    """
    return obligation_visible_to_role(user.role)


def obligation_visible_to_role(role: str) -> ColumnElement[bool]:
    """`obligation_visible_clause` by role alone, for statements built once per role."""
    if role in HOME_STAFF:
        return Obligation.hidden_from_home_staff.is_(False)
    return true()


def obligation_visible_to(user: User, obligation: Obligation) -> bool:
    """`obligation_visible_clause` for one obligation already loaded (digests, feeds)."""
    return not (user.role in HOME_STAFF and obligation.hidden_from_home_staff)


def visible_homes_select(user: User, contains: str = "") -> Select[Home]:
    """The homes the user may see, optionally those whose name or Ofsted URN contains the text
    (case-insensitive), as a select to page through (spine.paging.paged). No home filter at all
    for someone who sees every home: no IN-list of every id (issue 13)."""
    stmt = select(Home)
    if not user.sees_all_homes:
        stmt = stmt.where(Home.id.in_(visible_home_ids_query(user)))
    if contains:
        stmt = stmt.where(Home.name.icontains(contains, autoescape=True)
                          | Home.ofsted_urn.icontains(contains, autoescape=True))
    return stmt
