"""The roles the app knows (domain.md, "Who uses it"), their labels, and the groups policies use.

The one source of role names and labels: the web, the CLI, rules and ladders all read them here.
"""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    REGISTERED_MANAGER = "registered_manager"
    REG44_VISITOR = "reg44_visitor"
    SERVICE_MANAGER = "service_manager"
    HEAD_OF_SERVICE = "head_of_service"
    ADMIN = "admin"
    HOME_STAFF = "home_staff"  # deputies, shift leaders, residential workers: one home each

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


REGISTERED_MANAGER = Role.REGISTERED_MANAGER
REG44_VISITOR = Role.REG44_VISITOR
SERVICE_MANAGER = Role.SERVICE_MANAGER
HEAD_OF_SERVICE = Role.HEAD_OF_SERVICE
ADMIN = Role.ADMIN

ROLE_LABELS: dict[str, str] = {
    Role.REGISTERED_MANAGER: "Registered manager",
    Role.REG44_VISITOR: "Regulation 44 independent visitor",
    Role.SERVICE_MANAGER: "Service manager",
    Role.HEAD_OF_SERVICE: "Head of service / QA lead",
    Role.ADMIN: "Administrator",
    Role.HOME_STAFF: "Home staff (deputy, shift leader, residential worker)",
}
ROLES: tuple[str, ...] = tuple(role.value for role in Role)

# These roles see every home; the others only the homes they are assigned to.
SEES_ALL_HOMES: tuple[str, ...] = (Role.HEAD_OF_SERVICE, Role.ADMIN)
# The home's own staff: reg 44(3) keeps unannounced visits from them.
HOME_STAFF: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.HOME_STAFF)
# Roles held by people who work in one home only (an administrator assigns them to one).
ONE_HOME: tuple[str, ...] = (Role.HOME_STAFF,)
# Everyone but home staff: Regulation 44 visits and reports are for the manager and up, the
# visitor and senior staff; home staff see their home's checks, not its Reg 44 reports.
NOT_HOME_STAFF: tuple[str, ...] = tuple(role.value for role in Role if role != Role.HOME_STAFF)
# Who checks Reg 44 reports and sends them on, and waives obligations (seed 002 §7.1).
CHECKERS: tuple[str, ...] = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN)


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)
