"""When "what changed since you last looked" starts (issue 11: each role's first page).

A person's first page keeps two instants: `viewed_at`, the last time they opened it, and
`since`, the start of the changes it lists. Opening the page again within a working session
(SESSION_GAP) keeps the same list, so a refresh or a return from a form does not empty it;
opening it after a longer gap lists what changed since that earlier look. Before any earlier
look, the page lists the last FIRST_LOOK days and says so. A look within RECORDED_EVERY of the
one kept, in the same session, is not written again (`worth_recording`). Pure: `now` is passed in.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

SESSION_GAP = timedelta(minutes=30)
FIRST_LOOK = timedelta(days=7)
# A refresh or a return from a form moments after the last look: writing (and committing) its
# instant was the largest cost of a first page (issue 13), and all it moves is where the
# 30-minute session gap is measured from, by less than this.
RECORDED_EVERY = timedelta(minutes=1)


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


def worth_recording(previous: Marker | None, marker: Marker) -> bool:
    """Whether the marker a look made (`next_marker(previous, now)`) must be kept: the first look,
    a new session (another list), or the same session at least RECORDED_EVERY after the kept look."""
    return (previous is None or marker.since != previous.since
            or marker.viewed_at - previous.viewed_at >= RECORDED_EVERY)


def window_start(marker: Marker, now: datetime) -> datetime:
    """The first instant whose changes the page lists."""
    return marker.since if marker.since is not None else now - FIRST_LOOK
