"""Escalation ladders as data: who hears about an overdue obligation, and when.

Level 1 is "overdue": the responsible role, at 0 past due. Each further level names a more
senior role and how long past the due date it is reached: in working days (the end of the Nth
working day after the due date), or, for hour clocks (need-to-know in 24 hours, the ICO in
72 hours), in elapsed hours after the due instant (`after_hours`). One ladder counts in one unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from homes_qa.core.roles import ROLES


class LadderError(ValueError):
    """A ladder that cannot be used; the message is written for an administrator."""


WORKING_DAYS = "working_days"
HOURS = "hours"


@dataclass(frozen=True)
class EscalationStep:
    level: int
    role: str
    after_working_days: int | None = None
    after_hours: int | None = None

    @property
    def unit(self) -> str:
        return HOURS if self.after_hours is not None else WORKING_DAYS

    @property
    def after(self) -> int | None:
        """How far past due, in this step's unit."""
        return self.after_hours if self.after_hours is not None else self.after_working_days

    def to_dict(self) -> dict[str, Any]:
        if self.after_hours is not None:
            return {"level": self.level, "role": self.role, "after_hours": self.after_hours}
        return {"level": self.level, "role": self.role, "after_working_days": self.after_working_days}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EscalationStep:
        if not isinstance(data, Mapping):
            raise LadderError("Each escalation step must be an object with level, role and after_working_days "
                              "(or after_hours).")
        missing = [k for k in ("level", "role") if k not in data]
        if "after_working_days" not in data and "after_hours" not in data:
            missing.append("after_working_days")
        if missing:
            raise LadderError(f"An escalation step is missing: {', '.join(missing)}.")
        if "after_working_days" in data and "after_hours" in data:
            raise LadderError("An escalation step counts in working days or in hours, not both.")
        unknown = set(data) - {"level", "role", "after_working_days", "after_hours"}
        if unknown:
            raise LadderError(f"Unknown escalation step field(s): {', '.join(sorted(unknown))}.")
        if "after_hours" in data:
            if data["after_hours"] is None:
                raise LadderError("An escalation step's hours must be a whole number.")
            return cls(level=data["level"], role=data["role"], after_hours=data["after_hours"])
        if data["after_working_days"] is None:
            raise LadderError("An escalation step's working days must be a whole number.")
        return cls(level=data["level"], role=data["role"], after_working_days=data["after_working_days"])


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_ladder(steps: Iterable[EscalationStep]) -> None:
    """Raise `LadderError` unless the steps run level 1, 2, 3… with strictly later days (or hours)."""
    steps = tuple(steps)
    if not steps:
        raise LadderError("An escalation ladder needs at least one step (level 1: overdue).")
    previous_days = -1
    for position, step in enumerate(steps, start=1):
        if not isinstance(step, EscalationStep):
            raise LadderError(f"Step {position} is not an escalation step.")
        if (step.after_hours is None) == (step.after_working_days is None):
            raise LadderError(f"Level {step.level}: give working days or hours past due (one of them).")
        if step.unit != steps[0].unit:
            raise LadderError("Every step of a ladder counts in the same unit: all working days or all hours.")
        if step.unit == HOURS:
            _validate_hours_step(step, position, previous_days)
            previous_days = step.after_hours or 0
            continue
        if not _is_int(step.level) or step.level != position:
            raise LadderError(
                f"Escalation levels must run 1, 2, 3… in order without gaps; "
                f"step {position} has level {step.level!r}."
            )
        if step.role not in ROLES:
            raise LadderError(f"Level {step.level}: unknown role {step.role!r}; choose one of: {', '.join(ROLES)}.")
        days = step.after_working_days
        if not _is_int(days):
            raise LadderError(f"Level {step.level}: working days must be a whole number, not {days!r}.")
        assert isinstance(days, int)
        if days < 0:
            raise LadderError(f"Level {step.level}: working days cannot be negative ({days}).")
        if position == 1 and days != 0:
            # Level 1 *is* "overdue": it happens the moment the due time passes.
            raise LadderError("Level 1 (overdue) must be at 0 working days past due.")
        if days <= previous_days:
            raise LadderError(
                f"Level {step.level} must come later than level {step.level - 1} "
                f"(more than {previous_days} working days past due, got {days})."
            )
        previous_days = days


MAX_HOURS = 24 * 90


def _validate_hours_step(step: EscalationStep, position: int, previous: int) -> None:
    hours = step.after_hours
    if not _is_int(step.level) or step.level != position:
        raise LadderError(
            f"Escalation levels must run 1, 2, 3… in order without gaps; step {position} has level {step.level!r}."
        )
    if step.role not in ROLES:
        raise LadderError(f"Level {step.level}: unknown role {step.role!r}; choose one of: {', '.join(ROLES)}.")
    if not _is_int(hours):
        raise LadderError(f"Level {step.level}: hours must be a whole number, not {hours!r}.")
    assert isinstance(hours, int)
    if not 0 <= hours <= MAX_HOURS:
        raise LadderError(f"Level {step.level}: hours past due must be from 0 to {MAX_HOURS} ({hours}).")
    if position == 1 and hours != 0:
        raise LadderError("Level 1 (overdue) must be at 0 hours past due.")
    if hours <= previous:
        raise LadderError(
            f"Level {step.level} must come later than level {step.level - 1} "
            f"(more than {previous} hours past due, got {hours})."
        )


def ladder_unit(steps: Iterable[EscalationStep]) -> str:
    """"hours" or "working_days": what a (valid) ladder counts in."""
    steps = tuple(steps)
    return steps[0].unit if steps else WORKING_DAYS


def ladder_to_list(steps: Iterable[EscalationStep]) -> list[dict[str, Any]]:
    """JSON-friendly form: a list of {"level", "role", "after_working_days" | "after_hours"} objects."""
    return [step.to_dict() for step in steps]


def ladder_from_list(items: Iterable[Mapping[str, Any]]) -> tuple[EscalationStep, ...]:
    """Inverse of `ladder_to_list`; validates and raises `LadderError` on anything malformed.

    Every obligation keeps its ladder as a list, and a page or a sweep reads hundreds or
    thousands of them with a handful of distinct ladders: each distinct one is parsed and
    validated once (the steps are frozen, so the tuple can be shared)."""
    if isinstance(items, (str, bytes, Mapping)):
        raise LadderError("An escalation ladder must be a list of steps.")
    items = list(items)
    try:
        # Each value with its type: 1, 1.0 and True are equal keys, but only 1 is a valid level.
        key = tuple(tuple(sorted(((k, type(v), v) for k, v in item.items()), key=lambda kv: kv[0]))
                    for item in items)
        hash(key)
    except (AttributeError, TypeError):  # not a list of flat mappings: parse it to say why
        return _parsed_ladder(items)
    return _ladder_of(key)


@lru_cache(maxsize=512)
def _ladder_of(key: tuple[tuple[tuple[str, type, Any], ...], ...]) -> tuple[EscalationStep, ...]:
    return _parsed_ladder([{k: v for k, _, v in item} for item in key])


def _parsed_ladder(items: list[Any]) -> tuple[EscalationStep, ...]:
    steps = tuple(EscalationStep.from_dict(item) for item in items)
    validate_ladder(steps)
    return steps
