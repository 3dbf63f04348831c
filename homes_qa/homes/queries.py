"""Reads for the homes list: the homes the user may see, one page at a time (issue 13)."""
from __future__ import annotations

from homes_qa.spine.access import visible_homes_select
from homes_qa.spine.paging import Page, paged
from homes_qa.spine.people.models import Home, User

SEARCH_MAX = 100  # characters of a search that are used (the box allows as many)


def homes_page(user: User, q: str = "") -> tuple[list[Home], Page]:
    """The page of the user's homes that `?page=` asks for, by name, optionally those whose name
    or Ofsted URN contains `q`: two queries, whatever the number of homes."""
    return paged(visible_homes_select(user, q), Home.name, Home.id)
