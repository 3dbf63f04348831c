"""Escalation ladders as data: who hears about an overdue obligation, and when.

Level 1 is "overdue": the responsible role, at 0 working days past due. Each further level
names a more senior role and how many working days past the due date it is reached.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from homes_qa.core.roles import ROLES


class LadderError(ValueError):
    """A ladder that cannot be used; the message is written for an administrator."""


@dataclass(frozen=True)
class EscalationStep:
    level: int
    role: str
    after_working_days: int

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "role": self.role, "after_working_days": self.after_working_days}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EscalationStep:
        if not isinstance(data, Mapping):
            raise LadderError("Each escalation step must be an object with level, role and after_working_days.")
        missing = [k for k in ("level", "role", "after_working_days") if k not in data]
        if missing:
            raise LadderError(f"An escalation step is missing: {', '.join(missing)}.")
        unknown = set(data) - {"level", "role", "after_working_days"}
        if unknown:
            raise LadderError(f"Unknown escalation step field(s): {', '.join(sorted(unknown))}.")
        return cls(level=data["level"], role=data["role"], after_working_days=data["after_working_days"])


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_ladder(steps: Iterable[EscalationStep]) -> None:
    """Raise `LadderError` unless the steps run level 1, 2, 3… with strictly later days."""
    steps = tuple(steps)
    if not steps:
        raise LadderError("An escalation ladder needs at least one step (level 1: overdue).")
    previous_days = -1
    for position, step in enumerate(steps, start=1):
        if not isinstance(step, EscalationStep):
            raise LadderError(f"Step {position} is not an escalation step.")
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


def ladder_to_list(steps: Iterable[EscalationStep]) -> list[dict[str, Any]]:
    """JSON-friendly form: a list of {"level", "role", "after_working_days"} objects."""
    return [step.to_dict() for step in steps]


def ladder_from_list(items: Iterable[Mapping[str, Any]]) -> tuple[EscalationStep, ...]:
    """Inverse of `ladder_to_list`; validates and raises `LadderError` on anything malformed."""
    if isinstance(items, (str, bytes, Mapping)):
        raise LadderError("An escalation ladder must be a list of steps.")
    steps = tuple(EscalationStep.from_dict(item) for item in items)
    validate_ladder(steps)
    return steps
