"""The home filter of a list page: a select of the user's homes while they are few, and a box to
type part of a home's name for someone who sees more (a head of service's select listed every
home of the estate on every look: 1,000 options at ten counties, issue 13). Without JavaScript
the typed name is matched when the form is sent; with htmx the box suggests names as one types.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import url_for

from homes_qa.spine.access import visible_home_choices, visible_home_name, visible_homes_named
from homes_qa.spine.people.models import User
from homes_qa.web.forms import single_line

SELECT_MAX = 40  # homes a select lists; past this, one scrolls a wall of names: type instead
MATCHES_SHOWN = 10  # homes offered when the typed text is in several names
NAME_MAX = 120  # a home's name is at most this long (Home.name)
WHOLE_SERVICE_WORDS = "whole service"  # typed for the grid's "Whole service" row (home 0)


@dataclass(frozen=True)
class HomeFilter:
    """What the page's home field shows and which home it filters by."""
    home: int | None  # the home filtered by (0: the whole service, where the page has it)
    choices: list[tuple[int, str]] | None  # the select's homes, or None: the name box
    text: str = ""  # the name box's value: the chosen home's name, or what was typed
    matches: list[tuple[int, str]] = field(default_factory=list)  # several names have the text
    more: bool = False  # more than MATCHES_SHOWN names have it
    error: str | None = None  # no home the user sees has it

    @property
    def by_name(self) -> bool:
        return self.choices is None


def home_filter(user: User, home: int | None, typed: str | None, *, whole_service: bool = False) -> HomeFilter:
    """The filter for `home` (already checked against the user's scope) or, when given, the
    typed part of a name (`home_name`), which then decides the home: the home of that exact
    name, else the only one whose name has it; several or none leave the page unfiltered by
    home and say so by the field."""
    text = str(single_line(typed or ""))[:NAME_MAX]
    choices = visible_home_choices(user, limit=SELECT_MAX + 1)
    listed = choices if len(choices) <= SELECT_MAX else None
    if not text:
        if home is None:
            return HomeFilter(None, listed)
        # Its name whether shown in the box or not: the page's statements are then the same
        # for a few homes as for many (`make bench` compares them).
        name = "Whole service" if home == 0 else visible_home_name(user, home) or ""
        return HomeFilter(home, listed, text=name)
    if whole_service and text.casefold() == WHOLE_SERVICE_WORDS:
        return HomeFilter(0, listed, text="Whole service")
    found = visible_homes_named(user, text, MATCHES_SHOWN + 1)
    if found and (len(found) == 1 or found[0][1].casefold() == text.casefold()):
        return HomeFilter(found[0][0], listed, text=found[0][1])
    if not found:
        return HomeFilter(None, listed, text=text, error=f"No home you work with has “{text}” in its name")
    return HomeFilter(None, listed, text=text, matches=found[:MATCHES_SHOWN], more=len(found) > MATCHES_SHOWN)


def suggestions(user: User, typed: str | None) -> list[str]:
    """Names of the user's homes that have the typed text, for the box's suggestions."""
    text = str(single_line(typed or ""))[:NAME_MAX]
    return [name for _, name in visible_homes_named(user, text, MATCHES_SHOWN)] if text else []


def choose_home_href(endpoint: str, args: Mapping[str, object]) -> Callable[[int], str]:
    """For the field's list of matches: the page's address with that home chosen and the
    page's other filters (`args`) kept."""
    def href(home_id: int) -> str:
        values: dict[str, Any] = {**args, "home": home_id}
        values.pop("home_name", None)
        return url_for(endpoint, **values)
    return href
