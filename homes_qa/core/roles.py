"""The roles the app knows (domain.md, "Who uses it"); rules and ladders name these."""

from __future__ import annotations

REGISTERED_MANAGER = "registered_manager"
REG44_VISITOR = "reg44_visitor"
SERVICE_MANAGER = "service_manager"
HEAD_OF_SERVICE = "head_of_service"
ADMIN = "admin"

ROLES = (REGISTERED_MANAGER, REG44_VISITOR, SERVICE_MANAGER, HEAD_OF_SERVICE, ADMIN)

ROLE_LABELS = {
    REGISTERED_MANAGER: "Registered manager",
    REG44_VISITOR: "Independent person (Reg 44 visitor)",
    SERVICE_MANAGER: "Service manager",
    HEAD_OF_SERVICE: "Head of service / QA lead",
    ADMIN: "Administrator",
}
