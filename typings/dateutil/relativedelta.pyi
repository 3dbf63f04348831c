# Minimal local stub for dateutil.relativedelta: the constructor and date arithmetic the app uses.
from datetime import date, timedelta
from typing import TypeVar, overload

_DateT = TypeVar("_DateT", bound=date)

class relativedelta:
    years: int
    months: int
    days: int
    leapdays: int
    hours: int
    minutes: int
    seconds: int
    microseconds: int
    def __init__(
        self,
        dt1: date | None = None,
        dt2: date | None = None,
        years: int = 0,
        months: int = 0,
        days: int = 0,
        leapdays: int = 0,
        weeks: int = 0,
        hours: int = 0,
        minutes: int = 0,
        seconds: int = 0,
        microseconds: int = 0,
        year: int | None = None,
        month: int | None = None,
        day: int | None = None,
        weekday: int | None = None,
        yearday: int | None = None,
        nlyearday: int | None = None,
        hour: int | None = None,
        minute: int | None = None,
        second: int | None = None,
        microsecond: int | None = None,
    ) -> None: ...
    @overload
    def __add__(self, other: timedelta | relativedelta) -> relativedelta: ...
    @overload
    def __add__(self, other: _DateT) -> _DateT: ...
    @overload
    def __radd__(self, other: timedelta | relativedelta) -> relativedelta: ...
    @overload
    def __radd__(self, other: _DateT) -> _DateT: ...
    @overload
    def __rsub__(self, other: timedelta | relativedelta) -> relativedelta: ...
    @overload
    def __rsub__(self, other: _DateT) -> _DateT: ...
    def __sub__(self, other: timedelta | relativedelta) -> relativedelta: ...
    def __neg__(self) -> relativedelta: ...
