"""Who may propose, review, read and complete action plans."""
from __future__ import annotations

from homes_qa.actionplans.models import ACCEPT, ActionPlanResponse, PlanStatus
from homes_qa.core.roles import Role

EDITORS = (Role.REGISTERED_MANAGER,)


REVIEWERS = (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)


READERS = (Role.REGISTERED_MANAGER, Role.REG44_VISITOR, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)


def can_complete(response: ActionPlanResponse) -> bool:
    return (response.plan.status == PlanStatus.APPROVED and response.decision == ACCEPT
            and response.completed_on is None)
