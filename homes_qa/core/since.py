"""When "what changed since you last looked" starts (issue 11: each role's first page).

A person's first page keeps two instants: `viewed_at`, the last time they opened it, and
`since`, the start of the changes it lists. Opening the page again within a working session
(SESSION_GAP) keeps the same list, so a refresh or a return from a form does not empty it;
opening it after a longer gap lists what changed since that earlier look. Before any earlier
look, the page lists the last FIRST_LOOK days and says so. Pure: `now` is passed in.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

SESSION_GAP = timedelta(minutes=30)
FIRST_LOOK = timedelta(days=7)


@dataclass(frozen=True)
class Marker:
    since: datetime | None  # None: no earlier look (the page shows the last FIRST_LOOK)
    viewed_at: datetime


def next_marker(previous: Marker | None, now: datetime) -> Marker:
    """The marker after a look at `now`, given the one kept from the looks before."""
    if previous is None:
        return Marker(None, now)
    if now - previous.viewed_at >= SESSION_GAP:
        return Marker(previous.viewed_at, now)
    return Marker(previous.since, max(now, previous.viewed_at))


def window_start(marker: Marker, now: datetime) -> datetime:
    """The first instant whose changes the page lists."""
    return marker.since if marker.since is not None else now - FIRST_LOOK
