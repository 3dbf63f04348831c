"""The "More" page: the pages of NAVIGATION grouped off the header (web.templating.MORE_PAGE).

Each role sees only the entries NAVIGATION gives it; a role with none may not open it (403).
"""
from flask import Blueprint, render_template, url_for
from flask_login import current_user

from homes_qa.core.roles import ROLES
from homes_qa.spine.access import roles_required
from homes_qa.web.templating import navigation_for

bp = Blueprint("navigation", __name__)

# What each grouped page is for, in a line.
DESCRIPTIONS = {
    "inspections.qa_reviews": "Dip samples, thematic reviews and full audits, with their findings and actions.",
    "organisation.index": "Work that is due for the whole service rather than one home.",
    "checks.cross_home": "Statutory and health and safety certificates across every home.",
    "audit.index": "Every change made in the service: who, when, and what it was before and after.",
    "rules.index": "The cadences and deadlines that make obligations, with their sources.",
    "admin.users": "Add people, change their role, reset passwords, deactivate accounts.",
    "admin.homes": "Add and edit homes, and assign people to them.",
}


# The roles with at least one grouped page: only they have a "More" item.
MORE_ROLES = tuple(role for role in ROLES if navigation_for(role, grouped=True))


@bp.route("/more")
@roles_required(*MORE_ROLES)
def more():
    entries = [{"href": url_for(endpoint), "text": label, "description": DESCRIPTIONS.get(endpoint, "")}
               for endpoint, label in navigation_for(current_user.role, grouped=True)]
    return render_template("navigation/more.html", entries=entries, title="More")
