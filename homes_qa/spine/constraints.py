"""CHECK constraints that keep a String column to the values of a StrEnum."""
from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import CheckConstraint


def in_values(column: str, values: Iterable[object]) -> str:
    """`status IN ('open', 'met')`: the SQL the models and migration 0004 both write."""
    quoted = ("'" + str(value).replace("'", "''") + "'" for value in values)
    return f"{column} IN ({', '.join(quoted)})"


def one_of(column: str, enum: type[StrEnum]) -> CheckConstraint:
    """The database refuses any value of `column` outside `enum` (NULL stays allowed).

    Named `column`, so the metadata's convention makes it `ck_<table>_<column>`.
    """
    return CheckConstraint(in_values(column, (member.value for member in enum)), name=column)
