"""URL converters: `<int:...>` in every route is a record id, so it fits a 64-bit integer column.

A larger number cannot be any record's id: it is a 404 at routing, never a database error.
"""
from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1  # the largest BIGINT in PostgreSQL and INTEGER in SQLite


class RecordIdConverter(IntegerConverter):
    """werkzeug's int converter bounded to 0..2^63-1 (and no more than 19 digits parsed)."""

    regex = r"\d{1,19}"

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = 0,
                 max: int | None = MAX_ID, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app) -> None:
    """Make `<int:...>` the bounded converter; must run before any blueprint is registered."""
    app.url_map.converters["int"] = RecordIdConverter
