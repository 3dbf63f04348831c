"""Who may see and do what in the certificate register and the fire log.

Home scope (another home's record is 404) comes from homes_qa.spine.access; these are the
role groups each page and service asks.
"""
from __future__ import annotations

from homes_qa.core.roles import CHECKERS, Role

# Everyone who works with a home reads its register and fire log (the visitor inspects
# premises and records, reg 44(2)); evidence is served to the same people.
READERS: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.HOME_STAFF, Role.REG44_VISITOR, Role.SERVICE_MANAGER,
                            Role.HEAD_OF_SERVICE, Role.ADMIN)
# Who records certificates and uploads evidence: the home's manager, service managers and up.
RECORDERS: tuple[str, ...] = (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN)
# Who logs fire alarm tests, drills and emergency lighting checks: home staff too (domain.md,
# "Who uses it": they log routine checks and the fire log).
FIRE_LOGGERS: tuple[str, ...] = (*RECORDERS, Role.HOME_STAFF)
# Who decides that a check does not apply at a home (it waives its open obligation).
APPLICABILITY: tuple[str, ...] = CHECKERS
# The cross-home register: service managers (their homes) and the head of service (all).
CROSS_HOME: tuple[str, ...] = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE, Role.ADMIN)
# Who adds check types.
TYPE_EDITORS: tuple[str, ...] = (Role.ADMIN,)
