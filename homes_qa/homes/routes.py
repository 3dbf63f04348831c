from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from homes_qa.core.roles import ROLES
from homes_qa.extensions import db
from homes_qa.homes import queries
from homes_qa.spine.access import home_or_404, roles_required
from homes_qa.spine.obligations.queries import what_is_due
from homes_qa.spine.people.models import Assignment
from homes_qa.spine.timestamps import utcnow
from homes_qa.web import home_filter

bp = Blueprint("homes", __name__, url_prefix="/homes")


@bp.route("/")
@roles_required(*ROLES)
def index():
    """The homes the user may see, 25 a page, searchable by name or Ofsted URN."""
    q = request.args.get("q", "").strip()[:queries.SEARCH_MAX]
    homes, page = queries.homes_page(current_user, q)
    return render_template("homes/index.html", homes=homes, page=page, q=q, title="Homes")


@bp.route("/names")
@roles_required(*ROLES)
def names():
    """Suggestions for a filter's home box (htmx, as one types): the names of up to ten of the
    person's homes that have the typed text, as the box's datalist."""
    return render_template("homes/_names.html", names=home_filter.suggestions(current_user, request.args.get("home_name")))


@bp.route("/<int:home_id>")
@roles_required(*ROLES)
def detail(home_id: int):
    """The home page: later features hang their sections on this page (see `sections`)."""
    home = home_or_404(home_id)
    people = db.session.scalars(
        select(Assignment).where(Assignment.home_id == home.id)
        .options(joinedload(Assignment.user))).all()
    by_role: dict[str, list] = {}
    for assignment in people:
        by_role.setdefault(assignment.user.role, []).append(assignment.user)
    return render_template("homes/detail.html", home=home, by_role=by_role, title=home.name,
                           due=what_is_due(home.id, utcnow(), current_user))
