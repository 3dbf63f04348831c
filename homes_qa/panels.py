"""Cross-area panels: a page shows another area's panel by asking that area's queries.

Templates call these globals (the home page's Reg 44 month and quality links, the visit page's
feedback and action-plan links). Each panel is written in the owning area's `queries`; this
module, part of the composition root beside create_app, is the one place that wires them to
templates, so no area imports another's blueprint.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask_login import current_user

from homes_qa.actionplans import queries as action_plans
from homes_qa.feedback import queries as feedback
from homes_qa.inspections import queries as inspections
from homes_qa.inspections.policy import QA_COMMISSIONERS
from homes_qa.reg44 import queries as reg44
from homes_qa.reg44.models import Reg44Visit
from homes_qa.reg45 import queries as reg45
from homes_qa.spine.people.models import Home
from homes_qa.spine.timestamps import utcnow


def reg44_home_summary(home: Home) -> reg44.HomeMonth | None:
    return reg44.home_panel(current_user, home, utcnow())


def home_quality_links(home: Home) -> list[dict[str, str]]:
    return (action_plans.home_links(current_user, home) + reg45.home_links(current_user, home)
            + inspections.home_links(current_user, home))


def feedback_link(visit: Reg44Visit) -> dict[str, Any] | None:
    return feedback.visit_panel(current_user, visit)


def action_plan_link(visit: Reg44Visit) -> dict[str, Any] | None:
    return action_plans.visit_panel(current_user, visit)


def reg44_previous(visit: Reg44Visit) -> tuple[Reg44Visit | None, list[reg44.PreviousRecommendation]]:
    """The previous visit's recommendations, for the report's progress section."""
    return reg44.previous_recommendations(visit)


def qa_commission_prompts() -> list[dict[str, Any]]:
    """For the QA lead's first page: the reviews to commission (a dip sample, a full audit after
    a new registered manager), each linked to the commission form with its kind and home."""
    if current_user.role not in QA_COMMISSIONERS:
        return []
    return [{"obligation": o, "kind": inspections.prompt_kind(o)} for o in inspections.qa_review_prompts(current_user)]


def endpoint_exists(endpoint: str) -> bool:
    """Links to pages another area may not have registered (a deployment can leave an area out)."""
    return endpoint in current_app.view_functions


def register(app: Flask) -> None:
    for panel in (reg44_home_summary, home_quality_links, feedback_link, action_plan_link, endpoint_exists,
                  reg44_previous, qa_commission_prompts):
        app.add_template_global(panel)
