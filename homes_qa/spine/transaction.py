"""Services: the only code that changes state. Each call is one transaction, audited.

Why a unit of work: one service call writes several records (a visit, the obligations it
implies, the audit rows the flush hook adds), and they must be kept together or not at all.
So the outermost service call owns the transaction: it commits when it returns and rolls
back when anything is raised (a ServiceError included), then re-raises. A service called by
another service joins the caller's unit: it never commits the caller's half-done work, nor
rolls it back. Views never commit or roll back.

    @transactional                 on every public write function of a service
    with unit_of_work(): ...       the same, for a block (e.g. one message of a batch)

The depth is kept on the session's own `info`, so each session (request, job, test) counts
its own units.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from sqlalchemy.orm import Session

from homes_qa.extensions import db

P = ParamSpec("P")
R = TypeVar("R")

_DEPTH = "homes_qa.unit_of_work.depth"


class ServiceError(ValueError):
    """A request the service refuses; `field` names the form field it belongs to, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _rollback(session: Session) -> None:
    session.rollback()


@contextmanager
def unit_of_work(*, dry_run: bool = False) -> Iterator[None]:
    """One transaction: the outermost unit commits on success, rolls back on any exception.

    A nested unit only joins the outer one. `dry_run` rolls the work back even on success
    (the sweep's --dry-run); it must be the outermost unit, as it cannot discard its part alone.
    """
    session: Session = db.session()
    depth: int = session.info.get(_DEPTH, 0)
    if dry_run and depth:
        raise RuntimeError("a dry run cannot join another unit of work")
    session.info[_DEPTH] = depth + 1
    try:
        yield
        if depth == 0:
            if dry_run:
                _rollback(session)
            else:
                session.commit()
    except BaseException:
        if depth == 0:
            _rollback(session)
        raise
    finally:
        session.info[_DEPTH] = depth


def reset_after_failed_read() -> None:
    """A read outside any unit failed (the header's alert badge): end the session's transaction
    so the rest of the page can still read (PostgreSQL refuses statements in a failed one).
    There is nothing of anyone's to lose: outside a unit nothing is pending. Inside a unit the
    unit decides, so this does nothing there."""
    session: Session = db.session()
    if not session.info.get(_DEPTH, 0):
        _rollback(session)


def transactional(function: Callable[P, R]) -> Callable[P, R]:
    """Decorator: the call is one unit of work (see `unit_of_work`)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return function(*args, **kwargs)

    return wrapper
