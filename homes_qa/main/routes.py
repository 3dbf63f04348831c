from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from homes_qa.core.roles import ROLES
from homes_qa.extensions import db, limiter
from homes_qa.spine.access import roles_required, visible_homes
from homes_qa.spine.obligations.queries import drift_by_home, sees_organisation, what_is_due
from homes_qa.spine.timestamps import utcnow

bp = Blueprint("main", __name__)


@bp.route("/")
@roles_required(*ROLES)
def dashboard():
    """Across the user's homes: what is late, worst first; whole-service work for managers up."""
    now = utcnow()
    homes = visible_homes(current_user)
    drift = drift_by_home([home.id for home in homes], now, current_user)
    homes = sorted(homes, key=lambda h: (-drift[h.id].escalated, -drift[h.id].overdue, -drift[h.id].due_soon, h.name))
    organisation = what_is_due(None, now, current_user) if sees_organisation(current_user) else None
    return render_template("main/dashboard.html", homes=homes, drift=drift, due=organisation,
                           title="Overview")


@bp.route("/health")
@limiter.exempt
def health():
    """For load balancers and monitors: the app answers and the database is reachable."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
