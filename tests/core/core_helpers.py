"""Small constructors for aware datetimes used across the core tests."""

from __future__ import annotations

from datetime import UTC, datetime

from homes_qa.core.calendar import LONDON


def london(y: int, m: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    """A London wall-clock time as an aware datetime (fold=0 for the repeated autumn hour)."""
    return datetime(y, m, d, h, mi, s, tzinfo=LONDON)


def utc(y: int, m: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, s, tzinfo=UTC)
