from flask import render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import home_or_404, roles_required, visible_homes
from ..extensions import db
from ..models import Assignment, Role
from ..models.types import utcnow
from ..obligations.listing import what_is_due
from . import bp


@bp.route("/")
@roles_required(*Role.ALL)
def index():
    return render_template("homes/index.html", homes=visible_homes(current_user), title="Homes")


@bp.route("/<int:home_id>")
@roles_required(*Role.ALL)
def detail(home_id: int):
    """The home page: later features hang their sections on this page (see `sections`)."""
    home = home_or_404(home_id)
    people = db.session.scalars(
        select(Assignment).where(Assignment.home_id == home.id)
        .options(selectinload(Assignment.user))).all()
    by_role: dict[str, list] = {}
    for assignment in people:
        by_role.setdefault(assignment.user.role, []).append(assignment.user)
    return render_template("homes/detail.html", home=home, by_role=by_role, title=home.name,
                           due=what_is_due(home.id, utcnow(), current_user))
