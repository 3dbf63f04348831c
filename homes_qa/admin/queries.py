"""Reads for the administrators' lists of people and homes: one page at a time, filtered in SQL.

Each list is a COUNT of the matching rows, the page's rows, and one query for the names shown
beside them (a user's homes, a home's people) for that page only: the same number of queries
whether there are 10 people or 10,000 (issue 13).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, or_, select

from homes_qa.extensions import db
from homes_qa.spine.paging import Page, paged
from homes_qa.spine.people.models import Assignment, Home, User

SEARCH_MAX = 100  # characters of a "name contains" search that are used


def _contains(column, text: str) -> ColumnElement[bool]:
    """Case-insensitive "contains", with % and _ in the text matched literally."""
    return column.icontains(text, autoescape=True)


@dataclass(frozen=True)
class UserFilters:
    q: str = ""        # name or e-mail address contains
    role: str = ""     # one of ROLES, or "" for any
    status: str = ""   # "active", "deactivated" or "" for any

    def args(self) -> dict[str, str]:
        """The filters as query-string arguments (for page links), leaving out the empty ones."""
        return {k: v for k, v in (("q", self.q), ("role", self.role), ("status", self.status)) if v}


def _users_matching(filters: UserFilters) -> Select[User]:
    stmt = select(User)
    if filters.q:
        stmt = stmt.where(or_(_contains(User.name, filters.q), _contains(User.email, filters.q)))
    if filters.role:
        stmt = stmt.where(User.role == filters.role)
    if filters.status:
        stmt = stmt.where(User.active.is_(filters.status == "active"))
    return stmt


@dataclass
class UserRow:
    user: User
    homes: list[str]  # names of the homes the user is assigned to, alphabetically


def users_page(filters: UserFilters) -> tuple[list[UserRow], Page]:
    """The page of users `?page=` asks for (active first, then by name): three queries."""
    users, page = paged(_users_matching(filters), User.active.desc(), User.name, User.id)
    homes: dict[int, list[str]] = {u.id: [] for u in users}
    if users:
        for user_id, name in db.session.execute(
                select(Assignment.user_id, Home.name).join(Home, Home.id == Assignment.home_id)
                .where(Assignment.user_id.in_(list(homes))).order_by(Home.name)):
            homes[user_id].append(name)
    return [UserRow(u, homes[u.id]) for u in users], page


@dataclass(frozen=True)
class HomeFilters:
    q: str = ""       # name or Ofsted URN contains
    status: str = ""  # one of HomeStatus, or "" for any

    def args(self) -> dict[str, str]:
        return {k: v for k, v in (("q", self.q), ("status", self.status)) if v}


@dataclass
class HomeRow:
    home: Home
    people: list[str]  # names of the people assigned, alphabetically


def homes_page(filters: HomeFilters) -> tuple[list[HomeRow], Page]:
    """The page of homes `?page=` asks for, by name: three queries."""
    stmt = select(Home)
    if filters.q:
        stmt = stmt.where(or_(_contains(Home.name, filters.q), _contains(Home.ofsted_urn, filters.q)))
    if filters.status:
        stmt = stmt.where(Home.status == filters.status)
    homes, page = paged(stmt, Home.name, Home.id)
    people: dict[int, list[str]] = {h.id: [] for h in homes}
    if homes:
        for home_id, name in db.session.execute(
                select(Assignment.home_id, User.name).join(User, User.id == Assignment.user_id)
                .where(Assignment.home_id.in_(list(people))).order_by(User.name)):
            people[home_id].append(name)
    return [HomeRow(h, people[h.id]) for h in homes], page
